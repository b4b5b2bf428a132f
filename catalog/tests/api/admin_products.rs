//! The admin's product commands through NATS against a real catalog: save (create, edit, idempotency,
//! conflicts, validation), archive and bulk actions.

use std::time::Duration;

use futures::StreamExt as _;
use platform::contracts::{
    admin::AdminReply,
    catalog::ProductStatus,
    catalog_admin::{
        PRODUCTS_ARCHIVE, PRODUCTS_BULK, PRODUCTS_SAVE,
        products::{ArchiveProduct, BulkAction, BulkProducts, BulkResult, SavedProduct},
    },
};
use rust_decimal::Decimal;
use serde_json::json;

use crate::{
    admin_support::{call, command, count, form, get, invalid_fields, plain, save, saved},
    helpers::spawn_app,
};

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_product_with_variants_reaches_the_public_api_and_emits_product_upserted() {
    let app = spawn_app().await;
    let mut events = app
        .client
        .subscribe("catalog.product.TR.upserted")
        .await
        .unwrap();
    app.client.flush().await.unwrap();

    let created = saved(
        &app,
        json!({
            "sku": "TR", "name": "Trail Runner", "brand": "Acme", "status": "active",
            "description": "A light shoe for rough paths.",
            "option_names": ["size", "color"],
            "variants": [
                {"sku": "TR-42-BL", "price": "89.90", "option_values": ["42", "Blue"], "initial_on_hand": 3},
                {"sku": "TR-43-BL", "price": "79.90", "option_values": ["43", "Blue"]}
            ]
        }),
    )
    .await;
    assert!(created.created);
    assert_eq!(created.slug, "trail-runner");

    let page = app.get_ok("/api/products/trail-runner").await;
    assert_eq!(page["name"], "Trail Runner");
    assert_eq!(page["price"], "79.90", "the lowest variant price: {page}");
    assert_eq!(page["in_stock"], true);

    let event = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("ProductUpserted within 10 s")
        .unwrap();
    let envelope: serde_json::Value = serde_json::from_slice(&event.payload).unwrap();
    assert_eq!(envelope["data"]["sku"], "TR");
    assert_eq!(envelope["data"]["version"], created.version);

    let detail = get(&app, created.id).await;
    assert_eq!(detail.option_names, ["size", "color"]);
    assert_eq!(detail.variants.len(), 2);
    assert_eq!(detail.variants[0].on_hand, 3);
    assert_eq!(detail.variants[1].price, money("79.90"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_save_changes_the_product_once_and_gets_the_same_reply() {
    let app = spawn_app().await;
    let created = saved(&app, plain("MUG-1", "Mug", "9.50", 4)).await;
    let mut edit = plain("MUG-1", "Big Mug", "12.00", 0);
    edit["id"] = json!(created.id);
    edit["expected_version"] = json!(created.version);
    edit["variants"][0]["id"] = json!(get(&app, created.id).await.variants[0].id);
    edit["variants"][0]
        .as_object_mut()
        .unwrap()
        .remove("initial_on_hand");
    let submit = command(form(edit));

    let first: AdminReply<SavedProduct> = call(&app, PRODUCTS_SAVE, &submit).await;
    let second: AdminReply<SavedProduct> = call(&app, PRODUCTS_SAVE, &submit).await;
    assert_eq!(first, second);
    let AdminReply::Ok(edited) = first else {
        panic!("edit refused: {first:?}")
    };
    assert_eq!(
        edited.version,
        created.version + 1,
        "one change, one version"
    );
    let detail = get(&app, created.id).await;
    assert_eq!(detail.name, "Big Mug");
    assert_eq!(detail.version, created.version + 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_a_product_changed_since_it_was_opened_is_a_conflict() {
    let app = spawn_app().await;
    let created = saved(&app, plain("LAMP-1", "Lamp", "30.00", 1)).await;
    let variant = get(&app, created.id).await.variants[0].id;
    let edit = |name: &str| {
        json!({"id": created.id, "expected_version": created.version, "name": name, "status": "active",
               "variants": [{"id": variant, "sku": "LAMP-1", "price": "30.00"}]})
    };
    assert!(matches!(
        save(&app, edit("Desk Lamp")).await,
        AdminReply::Ok(_)
    ));
    let stale = save(&app, edit("Floor Lamp")).await;
    assert_eq!(
        stale,
        AdminReply::Conflict {
            reason: "changed by someone else since you opened it".to_owned(),
            current_version: Some(created.version + 1),
        }
    );
    assert_eq!(get(&app, created.id).await.name, "Desk Lamp");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_invalid_field_is_reported_at_once_and_nothing_is_written() {
    let app = spawn_app().await;
    saved(&app, plain("TAKEN-1", "Taken", "1.00", 0)).await;
    let before = count(&app, "SELECT COUNT(*) FROM products").await;
    let reply = save(
        &app,
        json!({
            "name": "", "slug": "taken", "status": "active", "category_ids": [999],
            "option_names": ["size"],
            "variants": [
                {"sku": "NEW-1", "price": "1.999", "option_values": ["S"]},
                {"sku": "TAKEN-1", "price": "2.00", "option_values": ["M"]},
                {"sku": "NEW-3", "price": "-3", "option_values": [""]}
            ]
        }),
    )
    .await;
    assert_eq!(
        invalid_fields(&reply),
        [
            "name",
            "variants[0].price",
            "variants[2].price",
            "variants[2].option_values[0]"
        ],
        "the form's own errors first: {reply:?}"
    );
    // A form correct on its own meets the catalog's rules: taken SKU and slug, unknown category.
    let reply = save(
        &app,
        json!({
            "name": "New", "slug": "taken", "status": "active", "category_ids": [999],
            "option_names": ["size"],
            "variants": [
                {"sku": "NEW-1", "price": "1.99", "option_values": ["S"]},
                {"sku": "TAKEN-1", "price": "2.00", "option_values": ["M"]}
            ]
        }),
    )
    .await;
    assert_eq!(
        invalid_fields(&reply),
        ["variants[1].sku", "category_ids[0]", "slug"]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM products").await, before);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM variants WHERE sku = 'NEW-1'").await,
        0
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_variant_with_reserved_units_cannot_be_removed() {
    let app = spawn_app().await;
    let created = saved(
        &app,
        json!({
            "name": "Tee", "status": "active", "option_names": ["size"],
            "variants": [
                {"sku": "TEE-S", "price": "15.00", "option_values": ["S"], "initial_on_hand": 5},
                {"sku": "TEE-M", "price": "15.00", "option_values": ["M"], "initial_on_hand": 5}
            ]
        }),
    )
    .await;
    let detail = get(&app, created.id).await;
    sqlx::query("UPDATE inventory SET reserved = 2 WHERE variant_id = ?")
        .bind(detail.variants[1].id)
        .execute(&app.pool)
        .await
        .unwrap();
    let reply = save(
        &app,
        json!({
            "id": created.id, "expected_version": created.version, "name": "Tee", "status": "active",
            "option_names": ["size"],
            "variants": [{"id": detail.variants[0].id, "sku": "TEE-S", "price": "15.00", "option_values": ["S"]}]
        }),
    )
    .await;
    assert!(
        matches!(&reply, AdminReply::Conflict { reason, .. } if reason.contains("TEE-M")),
        "{reply:?}"
    );
    assert_eq!(get(&app, created.id).await.variants.len(), 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_archived_product_leaves_the_storefront() {
    let app = spawn_app().await;
    let created = saved(&app, plain("OLD-1", "Old Radio", "40.00", 2)).await;
    app.get_ok("/api/products/old-radio").await;
    let reply: AdminReply<SavedProduct> = call(
        &app,
        PRODUCTS_ARCHIVE,
        &command(ArchiveProduct {
            id: created.id,
            expected_version: created.version,
        }),
    )
    .await;
    let AdminReply::Ok(archived) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(archived.status, ProductStatus::Archived);
    assert_eq!(archived.version, created.version + 1);
    let (status, _) = app.get("/api/products/old-radio").await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_action_applies_to_every_product_or_to_none() {
    let app = spawn_app().await;
    let a = saved(&app, plain("BULK-A", "Alpha", "10.05", 1)).await;
    let b = saved(&app, plain("BULK-B", "Beta", "20.00", 1)).await;

    let missing: AdminReply<BulkResult> = call(
        &app,
        PRODUCTS_BULK,
        &command(BulkProducts {
            ids: vec![a.id, b.id, 9_999],
            action: BulkAction::Archive,
        }),
    )
    .await;
    assert!(
        matches!(missing, AdminReply::NotFound { .. }),
        "{missing:?}"
    );
    assert_eq!(get(&app, a.id).await.status, ProductStatus::Active);

    let repriced: AdminReply<BulkResult> = call(
        &app,
        PRODUCTS_BULK,
        &command(BulkProducts {
            ids: vec![b.id, a.id],
            action: BulkAction::ChangePricePercent {
                percent: "-50".to_owned(),
            },
        }),
    )
    .await;
    let AdminReply::Ok(result) = repriced else {
        panic!("{repriced:?}")
    };
    let prices: Vec<(u32, Decimal, u64)> = result
        .products
        .iter()
        .map(|p| (p.id, p.price, p.version))
        .collect();
    // 10.05 / 2 = 5.025, rounded half to even: 5.02.
    assert_eq!(
        prices,
        [
            (b.id, money("10.00"), b.version + 1),
            (a.id, money("5.02"), a.version + 1)
        ]
    );
    let page = app.get_ok("/api/products/alpha").await;
    assert_eq!(page["price"], "5.02");

    let archived: AdminReply<BulkResult> = call(
        &app,
        PRODUCTS_BULK,
        &command(BulkProducts {
            ids: vec![a.id, b.id],
            action: BulkAction::Archive,
        }),
    )
    .await;
    assert!(matches!(archived, AdminReply::Ok(_)), "{archived:?}");
    assert_eq!(get(&app, b.id).await.status, ProductStatus::Archived);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_forms_creating_the_same_sku_at_once_give_one_product_and_one_field_error() {
    let app = spawn_app().await;
    let replies = futures::future::join_all(
        (0..4).map(|i| save(&app, plain("SAME-1", &format!("Same {i}"), "5.00", 1))),
    )
    .await;
    let created = replies
        .iter()
        .filter(|reply| matches!(reply, AdminReply::Ok(_)))
        .count();
    assert_eq!(created, 1, "{replies:?}");
    for reply in replies
        .iter()
        .filter(|reply| !matches!(reply, AdminReply::Ok(_)))
    {
        let fields = invalid_fields(reply);
        assert!(
            fields == ["variants[0].sku"] || fields == ["sku"],
            "{reply:?}"
        );
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM variants WHERE sku = 'SAME-1'").await,
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn products_moved_in_bulk_are_listed_under_their_new_category() {
    let app = spawn_app().await;
    sqlx::query(
        "INSERT INTO categories (id, parent_id, name, slug, path, depth) VALUES \
         (1, NULL, 'Garden', 'garden', '/1/', 0), (2, 1, 'Tools', 'garden--tools', '/1/2/', 1), \
         (3, NULL, 'Sale', 'sale', '/3/', 0)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let mut rake = plain("RAKE-1", "Rake", "19.00", 2);
    rake["category_ids"] = json!([3]);
    let rake = saved(&app, rake).await;
    let hoe = saved(&app, plain("HOE-1", "Hoe", "15.00", 2)).await;

    let moved: AdminReply<BulkResult> = call(
        &app,
        PRODUCTS_BULK,
        &command(BulkProducts {
            ids: vec![rake.id, hoe.id],
            action: BulkAction::MoveToCategory { category_id: 2 },
        }),
    )
    .await;
    assert!(matches!(moved, AdminReply::Ok(_)), "{moved:?}");
    let listed = app.get_ok("/api/products?category=garden").await;
    let mut skus: Vec<&str> = listed["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    skus.sort_unstable();
    assert_eq!(
        skus,
        ["HOE-1", "RAKE-1"],
        "found under the new category's parent"
    );
    let on_sale = app.get_ok("/api/products?category=sale").await;
    assert_eq!(
        on_sale["products"].as_array().unwrap().len(),
        0,
        "gone from the old one"
    );
    assert_eq!(
        get(&app, rake.id).await.categories[0].path,
        "Garden > Tools"
    );
    app.stop().await;
}
