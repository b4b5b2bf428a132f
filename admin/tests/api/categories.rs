//! The category pages against a real catalog: the tree with its product counts, and creating, renaming,
//! moving and deleting categories through the admin's forms (session, CSRF, a fresh idempotency key and the
//! version shown), each change audited; the catalog's refusals shown where they belong.

use platform::testing::TestProduct;
use reqwest::StatusCode;

use crate::{
    catalog_shop::{Shop, form_value, linked_id, shop},
    helpers::{Browser, body, location},
};

fn kitchen_and_garden() -> Vec<TestProduct> {
    vec![
        TestProduct::new("PAN-1", "24.00", 5)
            .named("Frying pan", "Acme")
            .in_category(&["Home", "Kitchen"]),
        TestProduct::new("POT-1", "31.00", 5)
            .named("Stock pot", "Acme")
            .in_category(&["Home", "Kitchen"]),
        TestProduct::new("RUG-1", "80.00", 5)
            .named("Rug", "Weave")
            .in_category(&["Home"]),
    ]
}

async fn category_id(browser: &Browser, name: &str) -> u32 {
    let tree = browser.page("/admin/categories").await;
    linked_id(&tree, "/admin/categories/", name)
        .unwrap_or_else(|| panic!("{name} is not in the tree:\n{tree}"))
}

/// Posts the form of the category page whose action is `/admin/categories/{id}/{verb}`, with the key and
/// version the page rendered and `fields`.
async fn submit(
    browser: &Browser,
    id: u32,
    verb: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = browser.page(&format!("/admin/categories/{id}")).await;
    let action = format!("/admin/categories/{id}/{verb}");
    let key = form_value(&page, &action, "idempotency_key").expect("an idempotency key");
    let version = form_value(&page, &action, "version").expect("the version shown");
    let mut fields = fields.to_vec();
    fields.push(("idempotency_key", &key));
    fields.push(("version", &version));
    browser.post(&action, &fields).await
}

#[tokio::test]
async fn the_tree_shows_every_category_with_its_product_counts() {
    let shop = shop(kitchen_and_garden()).await;
    let viewer = shop.viewer().await;

    let tree = viewer.page("/admin/categories").await;

    let home = tree.find(">Home</a>").expect("Home is listed");
    let kitchen = tree.find(">Kitchen</a>").expect("Kitchen is listed");
    assert!(home < kitchen, "a subcategory follows its parent");
    let home_row = &tree[home..kitchen];
    // Home: 1 product of its own, 3 with Kitchen's, 3 active, 1 subcategory.
    let numbers: Vec<&str> = home_row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|cell| cell.split('<').next().unwrap_or_default())
        .collect();
    assert_eq!(numbers, ["1", "3", "3", "1"], "{home_row}");
    assert!(tree.contains("class=\"depth-1\"><a href=\"/admin/categories/"));
    assert!(!tree.contains("Add a category"), "a viewer has no forms");
    shop.stop().await;
}

#[tokio::test]
async fn staff_create_rename_and_move_a_category_and_each_change_is_audited() {
    let shop = shop(kitchen_and_garden()).await;
    let staff = shop.staff().await;
    let tree = staff.page("/admin/categories").await;
    let key = form_value(&tree, "/admin/categories", "idempotency_key").expect("a key");

    let created = staff
        .post(
            "/admin/categories",
            &[
                ("idempotency_key", &key),
                ("name", "Garden"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&created), "/admin/categories");
    let garden = category_id(&staff, "Garden").await;
    let entry = shop
        .admin
        .last_audit("category.create")
        .await
        .expect("audited");
    assert_eq!((entry.2.as_str(), entry.3.as_str()), ("ok", "category"));
    assert_eq!(entry.4, garden.to_string());

    let renamed = submit(&staff, garden, "rename", &[("name", "Garden & patio")]).await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let page = staff.page(&format!("/admin/categories/{garden}")).await;
    assert!(
        page.contains("Renamed to “Garden & patio”."),
        "the flash says so"
    );
    assert!(
        !page.contains("<code>garden</code>"),
        "the slug follows the name"
    );

    let home = category_id(&staff, "Home").await;
    let moved = submit(
        &staff,
        garden,
        "move",
        &[("new_parent_id", &home.to_string())],
    )
    .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let page = staff.page(&format!("/admin/categories/{garden}")).await;
    assert!(
        page.contains("Moved: now “Home › Garden & patio”."),
        "{page}"
    );

    let (before, after): (String, String) = sqlx::query_as(
        "SELECT CAST(before_json AS CHAR), CAST(after_json AS CHAR) FROM audit_log \
         WHERE action = 'category.move' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&shop.admin.pool)
    .await
    .expect("the move's audit entry");
    assert!(
        before.contains("\"parent_id\": null") || before.contains("\"parent_id\":null"),
        "{before}"
    );
    assert!(
        after.contains(&format!("\"parent_id\":{home}"))
            || after.contains(&format!("\"parent_id\": {home}")),
        "{after}"
    );
    shop.stop().await;
}

#[tokio::test]
async fn a_double_submitted_create_makes_one_category() {
    let shop = shop(kitchen_and_garden()).await;
    let staff = shop.staff().await;
    let tree = staff.page("/admin/categories").await;
    let key = form_value(&tree, "/admin/categories", "idempotency_key").expect("a key");
    let fields = [
        ("idempotency_key", key.as_str()),
        ("name", "Outdoor"),
        ("parent_id", ""),
    ];

    let first = staff.post("/admin/categories", &fields).await;
    let second = staff.post("/admin/categories", &fields).await;

    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        second.status(),
        StatusCode::SEE_OTHER,
        "the repeat is answered as the first"
    );
    let tree = staff.page("/admin/categories").await;
    assert_eq!(tree.matches(">Outdoor</a>").count(), 1, "one category");
    let creates = shop.admin.audit().await;
    let creates = creates.iter().filter(|entry| entry.0 == "category.create");
    assert_eq!(creates.count(), 1, "one audit entry");
    shop.stop().await;
}

#[tokio::test]
async fn a_name_a_sibling_has_is_refused_next_to_the_field() {
    let shop = shop(kitchen_and_garden()).await;
    let staff = shop.staff().await;
    let home = category_id(&staff, "Home").await;
    let tree = staff.page("/admin/categories").await;
    let key = form_value(&tree, "/admin/categories", "idempotency_key").expect("a key");

    let refused = staff
        .post(
            "/admin/categories",
            &[
                ("idempotency_key", &key),
                ("name", "kitchen"),
                ("parent_id", &home.to_string()),
            ],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(refused).await;
    assert!(
        page.contains("<p class=\"error\" id=\"e-name\">Name "),
        "{page}"
    );
    assert!(page.contains("value=\"kitchen\""), "what was typed is kept");
    let entry = shop
        .admin
        .last_audit("category.create")
        .await
        .expect("audited");
    assert_eq!(entry.2, "refused");
    assert!(entry.5.starts_with("name: "), "{}", entry.5);
    shop.stop().await;
}

#[tokio::test]
async fn a_rename_from_a_stale_page_is_a_conflict_with_a_link_to_reload() {
    let shop = shop(kitchen_and_garden()).await;
    let staff = shop.staff().await;
    let kitchen = category_id(&staff, "Kitchen").await;
    let opened = staff.page(&format!("/admin/categories/{kitchen}")).await;
    let action = format!("/admin/categories/{kitchen}/rename");
    let stale_version = form_value(&opened, &action, "version").expect("a version");
    let stale_key = form_value(&opened, &action, "idempotency_key").expect("a key");
    // Someone else renames it meanwhile.
    let meanwhile = submit(&staff, kitchen, "rename", &[("name", "Cooking")]).await;
    assert_eq!(meanwhile.status(), StatusCode::SEE_OTHER);

    let late = staff
        .post(
            &action,
            &[
                ("idempotency_key", &stale_key),
                ("version", &stale_version),
                ("name", "Cookware"),
            ],
        )
        .await;

    assert_eq!(late.status(), StatusCode::CONFLICT);
    let page = body(late).await;
    assert!(
        page.contains("Changed by someone else since you opened it"),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<a href=\"/admin/categories/{kitchen}\">Reload the category</a>"
    )));
    assert!(
        page.contains("<h1>Home › Cooking</h1>"),
        "the page shows it as it is now"
    );
    let entry = shop
        .admin
        .last_audit("category.rename")
        .await
        .expect("audited");
    assert_eq!(entry.2, "refused");
    shop.stop().await;
}

#[tokio::test]
async fn only_an_empty_category_is_deleted_and_the_catalogs_refusal_is_shown() {
    let shop = shop(kitchen_and_garden()).await;
    let staff = shop.staff().await;
    let kitchen = category_id(&staff, "Kitchen").await;

    let refused = submit(&staff, kitchen, "delete", &[]).await;

    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let page = body(refused).await;
    assert!(page.contains("still has 2 products"), "{page}");
    assert!(
        staff
            .page("/admin/categories")
            .await
            .contains(">Kitchen</a>")
    );

    let tree = staff.page("/admin/categories").await;
    let key = form_value(&tree, "/admin/categories", "idempotency_key").expect("a key");
    staff
        .post(
            "/admin/categories",
            &[
                ("idempotency_key", &key),
                ("name", "Empty"),
                ("parent_id", ""),
            ],
        )
        .await;
    let empty = category_id(&staff, "Empty").await;
    let deleted = submit(&staff, empty, "delete", &[]).await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&deleted), "/admin/categories");
    let tree = staff.page("/admin/categories").await;
    assert!(tree.contains("“Empty” was deleted."));
    assert!(!tree.contains(">Empty</a>"));
    let entry = shop
        .admin
        .last_audit("category.delete")
        .await
        .expect("audited");
    assert_eq!(
        (entry.2.as_str(), entry.4.as_str()),
        ("ok", empty.to_string().as_str())
    );
    shop.stop().await;
}

#[tokio::test]
async fn the_move_select_offers_only_places_a_category_may_go() {
    let shop = shop(kitchen_and_garden()).await;
    let staff = shop.staff().await;
    let home = category_id(&staff, "Home").await;
    let kitchen = category_id(&staff, "Kitchen").await;

    let page = staff.page(&format!("/admin/categories/{kitchen}")).await;
    let select = &page[page.find("name=\"new_parent_id\"").expect("a move select")..];
    let select = &select[..select.find("</select>").expect("the select's end")];

    assert!(
        select.contains("<option value=\"\" selected>(top level)</option>"),
        "{select}"
    );
    assert!(
        !select.contains(&format!("value=\"{kitchen}\"")),
        "not under itself"
    );
    assert!(
        !select.contains(&format!("value=\"{home}\"")),
        "not where it is already"
    );
    let home_page = staff.page(&format!("/admin/categories/{home}")).await;
    assert!(
        home_page.contains("There is nowhere else to put this category."),
        "not under its own subcategory, and it is at the top level already"
    );
    shop.stop().await;
}

#[tokio::test]
async fn a_viewer_may_look_but_not_change_and_the_refusal_is_audited() {
    let shop = shop(kitchen_and_garden()).await;
    let viewer = shop.viewer().await;
    let kitchen = category_id(&viewer, "Kitchen").await;
    let page = viewer.page(&format!("/admin/categories/{kitchen}")).await;
    assert!(!page.contains("/rename\""), "no forms for a viewer");

    let refused = viewer
        .post(
            &format!("/admin/categories/{kitchen}/rename"),
            &[
                ("idempotency_key", "8d3e1c1e-9d7a-4a53-9f43-2b0a52b1f0a1"),
                ("version", "1"),
                ("name", "Mine"),
            ],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(shop.last_refused_access().await, "viewer@shop.test");
    assert!(
        viewer
            .page("/admin/categories")
            .await
            .contains(">Kitchen</a>"),
        "unchanged"
    );
    shop.stop().await;
}

#[tokio::test]
async fn when_the_catalog_does_not_answer_the_page_says_try_again() {
    let Shop { admin, catalog } = shop(kitchen_and_garden()).await;
    let staff = admin.signed_in("staff@shop.test", "203.0.113.10").await;
    catalog.stop().await;

    let response = staff.get("/admin/categories").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    assert!(body(response).await.contains("please try again"));
    admin.stop().await;
}
