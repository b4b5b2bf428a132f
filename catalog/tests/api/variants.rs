//! Products with options and variants: each variant is sold by its own SKU, at its own price, from its own
//! stock; the product is one product to shoppers and to search. Plain products keep working as before.

use std::time::Duration;

use catalog::domain::{NewProduct, NewVariant, Sku};
use futures::future::join_all;
use platform::{
    contracts::catalog::{
        COMMIT, QUOTE, QuoteRequest, QuoteResponse, RELEASE, ReservationState, StockChanged,
        StockRejection, StockReply,
    },
    testing::TestDatabase,
};
use serde_json::Value;

use crate::helpers::{TestApp, product, spawn_app};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A running shoe in sizes 42 and 44, each in blue and red; 44 costs more, and 44 red has none in stock.
fn trail_runner(stock: u32) -> NewProduct {
    let variant = |sku: &str, size: &str, colour: &str, price: &str, units: u32| NewVariant {
        sku: Sku::parse(sku).unwrap(),
        option_values: vec![size.to_owned(), colour.to_owned()],
        price: price.parse().unwrap(),
        initial_stock: units,
    };
    product("TR", "Trail Runner", "Acme", "0.00", &["Shoes"], 0)
        .with_variants(
            vec!["size".to_owned(), "colour".to_owned()],
            vec![
                variant("TR-42-BLUE", "42", "Blue", "89.00", stock),
                variant("TR-42-RED", "42", "Red", "89.00", stock),
                variant("TR-44-BLUE", "44", "Blue", "99.00", stock),
                variant("TR-44-RED", "44", "Red", "99.00", 0),
            ],
        )
        .unwrap()
}

async fn quote(app: &TestApp, skus: &[&str]) -> QuoteResponse {
    let reply: Value = platform::rpc::call(
        &app.client,
        QUOTE,
        &QuoteRequest {
            skus: skus.iter().map(|sku| sku.to_string()).collect(),
        },
        TIMEOUT,
    )
    .await
    .unwrap();
    serde_json::from_value(reply["ok"].clone()).unwrap()
}

/// What the product page says about one variant: (available, in_stock).
async fn variant_on_page(app: &TestApp, slug: &str, sku: &str) -> (u64, bool) {
    let page = app.get_ok(&format!("/api/products/{slug}")).await;
    let variant = page["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == sku)
        .unwrap_or_else(|| panic!("{sku} on {page}"))
        .clone();
    (
        variant["available"].as_u64().unwrap(),
        variant["in_stock"].as_bool().unwrap(),
    )
}

async fn stock_events(app: &TestApp) -> Vec<StockChanged> {
    let payloads: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE subject LIKE 'catalog.stock.%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    payloads
        .iter()
        .map(|payload| {
            let envelope: Value = serde_json::from_slice(payload).unwrap();
            serde_json::from_value(envelope["data"].clone()).unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_product_page_lists_options_and_variants_with_the_lowest_price_as_the_products() {
    let app = spawn_app().await;
    app.load(vec![trail_runner(5)]).await;

    let page = app.get_ok("/api/products/trail-runner").await;
    assert_eq!(page["sku"], "TR");
    assert_eq!(page["option_names"], serde_json::json!(["size", "colour"]));
    assert_eq!(page["price"], "89.00", "the lowest variant price");
    assert_eq!(page["available"], 15, "all variants together");
    assert_eq!(page["in_stock"], true);
    let variants = page["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 4);
    assert_eq!(variants[2]["sku"], "TR-44-BLUE");
    assert_eq!(
        variants[2]["option_values"],
        serde_json::json!(["44", "Blue"])
    );
    assert_eq!(variants[2]["price"], "99.00");
    assert_eq!(variants[3]["in_stock"], false);

    let listing = app.get_ok("/api/products").await;
    assert_eq!(listing["products"][0]["price"], "89.00");
    assert_eq!(listing["products"][0]["max_price"], "99.00");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quote_names_each_variant_after_its_product_and_option_values() {
    let app = spawn_app().await;
    app.load(vec![trail_runner(5)]).await;

    let quoted = quote(&app, &["TR-44-BLUE", "TR-42-RED", "TR"]).await;
    let blue = quoted.items.iter().find(|i| i.sku == "TR-44-BLUE").unwrap();
    assert_eq!(blue.name, "Trail Runner — 44 / Blue");
    assert_eq!(blue.price.to_string(), "99.00");
    assert_eq!(blue.slug, "trail-runner");
    assert_eq!(blue.available, 5);
    assert!(
        quoted
            .items
            .iter()
            .any(|i| i.name == "Trail Runner — 42 / Red")
    );
    assert_eq!(
        quoted.unknown,
        ["TR"],
        "a product with variants is bought by its variants' SKUs"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_variant_is_reserved_sold_and_released_from_its_own_stock() {
    let app = spawn_app().await;
    app.load(vec![trail_runner(5)]).await;

    let reply = app
        .reserve("V-1", &[("TR-42-BLUE", 2), ("TR-44-BLUE", 5)])
        .await;
    assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    assert_eq!(
        variant_on_page(&app, "trail-runner", "TR-42-BLUE").await,
        (3, true)
    );
    assert_eq!(
        variant_on_page(&app, "trail-runner", "TR-44-BLUE").await,
        (0, false)
    );
    assert_eq!(
        variant_on_page(&app, "trail-runner", "TR-42-RED").await,
        (5, true)
    );

    let sold_out = app.reserve("V-2", &[("TR-44-BLUE", 1)]).await;
    assert!(
        matches!(&sold_out, StockReply::Rejected(StockRejection::InsufficientStock { lines }) if lines[0].sku == "TR-44-BLUE"),
        "{sold_out:?}"
    );
    let StockReply::Ok(committed) = app.order_call(COMMIT, "V-1").await else {
        panic!("commit")
    };
    assert_eq!(committed.state, ReservationState::Committed);
    let StockReply::Ok(released) = app.order_call(RELEASE, "V-1").await else {
        panic!("release")
    };
    assert_eq!(released.state, ReservationState::Released);
    assert_eq!(
        variant_on_page(&app, "trail-runner", "TR-44-BLUE").await,
        (5, true)
    );

    // Every stock event is keyed by the variant's SKU and names its product with the product's totals.
    let events = stock_events(&app).await;
    let last_blue_44 = events.iter().rev().find(|e| e.sku == "TR-44-BLUE").unwrap();
    let product = last_blue_44.product.as_ref().unwrap();
    assert_eq!((product.sku.as_str(), product.available), ("TR", 15));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_product_is_in_stock_while_any_variant_is() {
    let app = spawn_app().await;
    app.load(vec![trail_runner(1)]).await;
    let in_stock = async || {
        let listing = app.get_ok("/api/products?in_stock=true").await;
        listing["total"].as_u64().unwrap() == 1
    };
    assert!(in_stock().await);
    let reply = app
        .reserve("V-3", &[("TR-42-BLUE", 1), ("TR-42-RED", 1)])
        .await;
    assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    let page = app.get_ok("/api/products/trail-runner").await;
    assert_eq!(
        (page["available"].as_u64(), page["in_stock"].as_bool()),
        (Some(1), Some(true))
    );

    let reply = app.reserve("V-4", &[("TR-44-BLUE", 1)]).await;
    assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    let page = app.get_ok("/api/products/trail-runner").await;
    assert_eq!(
        (page["available"].as_u64(), page["in_stock"].as_bool()),
        (Some(0), Some(false))
    );
    let flag: bool = sqlx::query_scalar("SELECT in_stock FROM products WHERE sku = 'TR'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!flag, "the listing's flag follows");

    let StockReply::Ok(_) = app.order_call(RELEASE, "V-4").await else {
        panic!("release")
    };
    let flag: bool = sqlx::query_scalar("SELECT in_stock FROM products WHERE sku = 'TR'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(flag);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_reserves_of_sibling_variants_never_oversell_either() {
    let app = spawn_app().await;
    app.load(vec![trail_runner(20)]).await;
    let attempts = (0..120).map(|i| {
        let app = &app;
        let sku = ["TR-42-BLUE", "TR-42-RED", "TR-44-BLUE"][i % 3];
        async move { app.reserve(&format!("SIB-{i}"), &[(sku, 1)]).await }
    });
    let replies = join_all(attempts).await;
    let reserved = replies
        .iter()
        .filter(|reply| matches!(reply, StockReply::Ok(_)))
        .count();
    assert_eq!(reserved, 60, "20 of each of the three variants");
    for sku in ["TR-42-BLUE", "TR-42-RED", "TR-44-BLUE"] {
        assert_eq!(variant_on_page(&app, "trail-runner", sku).await, (0, false));
    }
    // The product's totals in the last stock event are exact although the variants changed concurrently.
    let events = stock_events(&app).await;
    assert_eq!(events.len(), 60);
    assert_eq!(
        events.last().unwrap().product.as_ref().unwrap().available,
        0
    );
    let flag: bool = sqlx::query_scalar("SELECT in_stock FROM products WHERE sku = 'TR'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!flag);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_product_is_its_own_single_variant_as_before() {
    let app = spawn_app().await;
    app.load(vec![product(
        "PLAIN-1",
        "Plain Mug",
        "Acme",
        "7.50",
        &["Kitchen"],
        4,
    )])
    .await;

    let page = app.get_ok("/api/products/plain-mug").await;
    assert_eq!(page["option_names"], serde_json::json!([]));
    assert_eq!(
        page["variants"],
        serde_json::json!([{"sku": "PLAIN-1", "option_values": [], "price": "7.50", "available": 4,
            "in_stock": true}])
    );
    let quoted = quote(&app, &["PLAIN-1"]).await;
    assert_eq!(quoted.items[0].name, "Plain Mug");
    let reply = app.reserve("P-1", &[("PLAIN-1", 4)]).await;
    assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    let page = app.get_ok("/api/products/plain-mug").await;
    assert_eq!(page["in_stock"], false);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn products_variants_and_option_combinations_are_refused_when_they_repeat() {
    let base = || product("DUP", "Dup", "Acme", "1.00", &["Things"], 0);
    let variant = |sku: &str, value: &str| NewVariant {
        sku: Sku::parse(sku).unwrap(),
        option_values: vec![value.to_owned()],
        price: "1.00".parse().unwrap(),
        initial_stock: 1,
    };
    let refused = |variants: Vec<NewVariant>| {
        base()
            .with_variants(vec!["size".to_owned()], variants)
            .unwrap_err()
            .field
    };
    assert_eq!(
        refused(vec![variant("D-1", "S"), variant("D-2", "S")]),
        "variants[1].option_values"
    );
    assert_eq!(
        refused(vec![variant("D-1", "S"), variant("D-1", "M")]),
        "variants[1].sku"
    );
    assert_eq!(refused(vec![]), "variants");
    let mut missing = variant("D-3", "S");
    missing.option_values.clear();
    assert_eq!(refused(vec![missing]), "variants[0].option_values");
}

#[tokio::test(flavor = "multi_thread")]
async fn existing_products_keep_their_stock_and_reservations_through_the_variants_migration() {
    let database = TestDatabase::create("variants_migration").await;
    let pool = database.pool(None).await;
    let before_variants = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            catalog::MIGRATOR
                .migrations
                .iter()
                .filter(|m| m.version < 5)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before_variants.run(&pool).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO products (id, sku, slug, name, description, brand, price, status, in_stock) \
         VALUES (7, 'OLD-1', 'old-1', 'Old', '', 'Acme', 12.50, 'active', TRUE); \
         INSERT INTO inventory (product_id, on_hand, reserved) VALUES (7, 9, 2); \
         INSERT INTO reservations (order_number, expires_at) VALUES ('OLD-ORDER', NOW(6)); \
         INSERT INTO reservation_lines (order_number, product_id, sku, quantity) \
         VALUES ('OLD-ORDER', 7, 'OLD-1', 2);",
    )
    .execute(&pool)
    .await
    .unwrap();

    catalog::MIGRATOR.run(&pool).await.unwrap();

    let variant: (u32, String, String, String) =
        sqlx::query_as("SELECT product_id, sku, CAST(price AS CHAR), option_values FROM variants")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(variant, (7, "OLD-1".into(), "12.50".into(), "[]".into()));
    let stock: (u32, u32) = sqlx::query_as(
        "SELECT i.on_hand, i.reserved FROM inventory i JOIN variants v ON v.id = i.variant_id \
         WHERE v.sku = 'OLD-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stock, (9, 2));
    let line: (String, u32) = sqlx::query_as(
        "SELECT v.sku, rl.quantity FROM reservation_lines rl JOIN variants v ON v.id = rl.variant_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(line, ("OLD-1".into(), 2));
    pool.close().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_store_imports_once_with_its_variants_and_again_changes_nothing() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/demo-store");
    if !std::path::Path::new(dir).join("products.json").is_file() {
        eprintln!("SKIPPED: {dir}/products.json not found; the demo store import was not tested");
        return;
    }
    let app = spawn_app().await;
    let dir = std::path::Path::new(dir);
    let (first, photos) = catalog::import::import_demo_store(&app.pool, None, dir)
        .await
        .unwrap();
    assert_eq!(first.created, 54);
    assert_eq!(photos.len(), 54);
    for product in &photos {
        assert!(!product.files.is_empty(), "{} has photos", product.sku);
        assert!(
            product.files.iter().all(|file| file.is_file()),
            "{:?}",
            product.files
        );
    }
    let (again, _) = catalog::import::import_demo_store(&app.pool, None, dir)
        .await
        .unwrap();
    assert_eq!(again.unchanged, 54, "idempotent");
    let counts: (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM products), (SELECT COUNT(*) FROM variants)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(counts, (54, 88));

    let laptop = app.get_ok("/api/products/laptop").await;
    assert_eq!(laptop["brand"], "Apple");
    assert_eq!(
        laptop["option_names"],
        serde_json::json!(["screen size", "RAM"])
    );
    assert_eq!(laptop["variants"].as_array().unwrap().len(), 4);
    let tree = app.get_ok("/api/categories").await;
    assert!(tree.to_string().contains("Sports & Outdoor"), "{tree}");
    app.stop().await;
}
