//! The stock pages against a real catalog: the low-stock list, a product's variants with on hand, reserved
//! and available, adjustments through the admin's form (session, CSRF, a fresh idempotency key, the units on
//! hand shown) recorded in the history and the audit log, and the catalog's refusals shown where they belong.

use platform::testing::TestProduct;
use reqwest::StatusCode;

use crate::{
    catalog_shop::{form_value, linked_id, shop},
    helpers::{Browser, body, location},
};

fn products() -> Vec<TestProduct> {
    vec![
        TestProduct::new("MUG-1", "9.00", 2).named("Blue mug", "Acme"),
        TestProduct::new("LAMP-1", "45.00", 50).named("Desk lamp", "Lumen"),
    ]
}

/// The stock page of the product found by `sku` with the stock page's search.
async fn product_id(browser: &Browser, sku: &str, name: &str) -> u32 {
    let found = browser.page(&format!("/admin/stock?q={sku}")).await;
    linked_id(&found, "/admin/stock/products/", name)
        .unwrap_or_else(|| panic!("{sku} was not found:\n{found}"))
}

/// Posts the adjust form of the product page's (first) variant with the key and units on hand it rendered.
async fn adjust(browser: &Browser, id: u32, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = browser.page(&format!("/admin/stock/products/{id}")).await;
    adjust_from(browser, &page, id, fields).await
}

async fn adjust_from(
    browser: &Browser,
    page: &str,
    id: u32,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let action = format!("/admin/stock/products/{id}/adjust");
    let mut all: Vec<(&str, String)> = ["idempotency_key", "variant_id", "expected_on_hand"]
        .into_iter()
        .map(|name| {
            (
                name,
                form_value(page, &action, name).unwrap_or_else(|| panic!("{name} in the form")),
            )
        })
        .collect();
    all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(&action, &all).await
}

/// The number in `<dd class="{class}">` of the page.
fn shown(page: &str, class: &str) -> String {
    let marker = format!("<dd class=\"{class}");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{class} shown"))
        + marker.len();
    let start = start + page[start..].find('>').expect("tag end") + 1;
    page[start..]
        .split(['<', ' '])
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_low_stock_list_shows_the_variants_at_or_below_their_threshold() {
    let shop = shop(products()).await;
    let viewer = shop.viewer().await;

    let page = viewer.page("/admin/stock").await;

    let low = &page[page
        .find(r#"<h2 id="low-stock-heading">Low stock</h2>"#)
        .expect("the low-stock list")..];
    assert!(low.contains(r#"<a href="/admin/reports/low-stock.csv" download>"#));
    assert!(low.contains(">Blue mug</a>"), "2 available, threshold 5");
    assert!(low.contains("<code>MUG-1</code>"));
    assert!(!low.contains("Desk lamp"), "50 available is not low");
    shop.stop().await;
}

#[tokio::test]
async fn staff_adjust_a_variant_and_see_its_numbers_history_and_audit_entry() {
    let shop = shop(products()).await;
    let staff = shop.staff().await;
    let mug = product_id(&staff, "MUG-1", "Blue mug").await;
    let before = staff.page(&format!("/admin/stock/products/{mug}")).await;
    assert_eq!(shown(&before, "on-hand"), "2");

    let adjusted = adjust(
        &staff,
        mug,
        &[
            ("mode", "delta"),
            ("amount", "+3"),
            ("reason", "received"),
            ("note", "Delivery 42"),
        ],
    )
    .await;

    assert_eq!(adjusted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&adjusted), format!("/admin/stock/products/{mug}"));
    let page = staff.page(&format!("/admin/stock/products/{mug}")).await;
    assert!(
        page.contains("MUG-1: on hand 2 → 5, 5 available."),
        "the flash says so"
    );
    assert_eq!(shown(&page, "on-hand"), "5");
    assert_eq!(shown(&page, "available"), "5");
    let history = &page[page.find("<h2>History</h2>").expect("the history")..];
    assert!(history.contains("<td class=\"num\">+3</td>"));
    assert!(history.contains("Delivery 42"));
    assert!(history.contains("staff@shop.test"), "who did it");
    let entry = shop
        .admin
        .last_audit("stock.adjust")
        .await
        .expect("audited");
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str(), entry.3.as_str()),
        ("staff@shop.test", "ok", "variant")
    );
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT CAST(before_json AS CHAR), CAST(after_json AS CHAR) FROM audit_log \
         WHERE action = 'stock.adjust' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&shop.admin.pool)
    .await
    .expect("the audit entry");
    assert!(
        before.replace(' ', "").contains("\"on_hand\":2"),
        "{before}"
    );
    assert!(
        after.replace(' ', "").contains("\"on_hand_after\":5"),
        "{after}"
    );

    let counted = adjust(
        &staff,
        mug,
        &[("mode", "set"), ("amount", "12"), ("reason", "counted")],
    )
    .await;
    assert_eq!(counted.status(), StatusCode::SEE_OTHER);
    let page = staff.page(&format!("/admin/stock/products/{mug}")).await;
    assert_eq!(shown(&page, "on-hand"), "12");
    assert!(
        !staff.page("/admin/stock").await.contains(">Blue mug</a>"),
        "no longer low"
    );
    shop.stop().await;
}

#[tokio::test]
async fn a_double_submitted_adjustment_changes_stock_once() {
    let shop = shop(products()).await;
    let staff = shop.staff().await;
    let lamp = product_id(&staff, "LAMP-1", "Desk lamp").await;
    let page = staff.page(&format!("/admin/stock/products/{lamp}")).await;
    let fields = [("mode", "delta"), ("amount", "-4"), ("reason", "damaged")];

    let first = adjust_from(&staff, &page, lamp, &fields).await;
    let second = adjust_from(&staff, &page, lamp, &fields).await;

    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        second.status(),
        StatusCode::SEE_OTHER,
        "the repeat is answered as the first"
    );
    let page = staff.page(&format!("/admin/stock/products/{lamp}")).await;
    assert_eq!(shown(&page, "on-hand"), "46");
    let history = &page[page.find("<h2>History</h2>").expect("the history")..];
    assert_eq!(history.matches("<td class=\"num\">-4</td>").count(), 1);
    let adjustments = shop.admin.audit().await;
    let adjustments = adjustments.iter().filter(|entry| entry.0 == "stock.adjust");
    assert_eq!(adjustments.count(), 1, "one audit entry");
    shop.stop().await;
}

#[tokio::test]
async fn an_adjustment_from_numbers_that_changed_meanwhile_is_a_conflict_with_a_link_to_reload() {
    let shop = shop(products()).await;
    let staff = shop.staff().await;
    let lamp = product_id(&staff, "LAMP-1", "Desk lamp").await;
    let opened = staff.page(&format!("/admin/stock/products/{lamp}")).await;
    let meanwhile = adjust(
        &staff,
        lamp,
        &[("mode", "delta"), ("amount", "-10"), ("reason", "damaged")],
    )
    .await;
    assert_eq!(meanwhile.status(), StatusCode::SEE_OTHER);

    let late = adjust_from(
        &staff,
        &opened,
        lamp,
        &[("mode", "delta"), ("amount", "-5"), ("reason", "damaged")],
    )
    .await;

    assert_eq!(late.status(), StatusCode::CONFLICT);
    let page = body(late).await;
    assert!(page.contains("Not adjusted: "), "{page}");
    assert!(page.contains(&format!(
        "<a href=\"/admin/stock/products/{lamp}\">Reload the numbers</a>"
    )));
    assert_eq!(
        shown(&page, "on-hand"),
        "40",
        "the page shows the numbers as they are now"
    );
    let entry = shop
        .admin
        .last_audit("stock.adjust")
        .await
        .expect("audited");
    assert_eq!(entry.2, "refused");
    shop.stop().await;
}

#[tokio::test]
async fn a_bad_number_or_a_missing_note_is_refused_next_to_its_field() {
    let shop = shop(products()).await;
    let staff = shop.staff().await;
    let mug = product_id(&staff, "MUG-1", "Blue mug").await;

    let bad_number = adjust(
        &staff,
        mug,
        &[
            ("mode", "delta"),
            ("amount", "three"),
            ("reason", "received"),
        ],
    )
    .await;
    assert_eq!(bad_number.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(bad_number).await;
    assert!(
        page.contains("Units must be a whole number of units"),
        "{page}"
    );
    assert!(page.contains("value=\"three\""), "what was typed is kept");

    let no_note = adjust(
        &staff,
        mug,
        &[("mode", "delta"), ("amount", "1"), ("reason", "other")],
    )
    .await;
    assert_eq!(no_note.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(no_note).await;
    assert!(page.contains("<p class=\"error\" id=\"e-note-"), "{page}");
    assert_eq!(shown(&page, "on-hand"), "2", "nothing changed");
    let entry = shop
        .admin
        .last_audit("stock.adjust")
        .await
        .expect("audited");
    assert_eq!(entry.2, "refused");
    assert!(entry.5.starts_with("note: "), "{}", entry.5);

    let below_reserved = adjust(
        &staff,
        mug,
        &[("mode", "delta"), ("amount", "-3"), ("reason", "damaged")],
    )
    .await;
    assert_eq!(
        below_reserved.status(),
        StatusCode::CONFLICT,
        "on hand would go below zero"
    );
    shop.stop().await;
}

#[tokio::test]
async fn a_viewer_sees_stock_but_may_not_adjust_it() {
    let shop = shop(products()).await;
    let viewer = shop.viewer().await;
    let mug = product_id(&viewer, "MUG-1", "Blue mug").await;
    let page = viewer.page(&format!("/admin/stock/products/{mug}")).await;
    assert!(!page.contains("/adjust\""), "no adjust form for a viewer");

    let refused = viewer
        .post(
            &format!("/admin/stock/products/{mug}/adjust"),
            &[
                ("idempotency_key", "0b6f3a56-3f0e-4c1e-8a43-0c2d0cfd1a11"),
                ("variant_id", "1"),
                ("mode", "delta"),
                ("amount", "100"),
                ("reason", "received"),
            ],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(shop.last_refused_access().await, "viewer@shop.test");
    let page = viewer.page(&format!("/admin/stock/products/{mug}")).await;
    assert_eq!(shown(&page, "on-hand"), "2", "unchanged");
    shop.stop().await;
}
