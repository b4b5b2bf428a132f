//! The admin's stock endpoints (`rpc.catalog.admin.stock.*`) over NATS: adjustments recorded with their reason
//! and author, refused below what is reserved, once per idempotency key, published as StockChanged; and the
//! low-stock list, lowest first, page by page.

use platform::{
    contracts::{
        admin::AdminReply,
        catalog::{StockChangeReason, StockReply},
        catalog_admin::{
            STOCK_ADJUST, STOCK_HISTORY, STOCK_LOW,
            stock::{
                AdjustStock, AdjustmentReason, LowStockPage, LowStockRequest, StockAdjusted,
                StockChange, StockHistoryPage, StockHistoryRequest,
            },
        },
    },
    testing::{eventually, owners::stock_changes},
};

use crate::{
    admin_categories::{ask, command},
    helpers::{TestApp, product, spawn_app},
};

fn adjustment(sku: &str, change: StockChange, reason: AdjustmentReason) -> AdjustStock {
    AdjustStock {
        sku: Some(sku.to_owned()),
        variant_id: None,
        change,
        reason,
        note: None,
        expected_on_hand: None,
    }
}

async fn history(app: &TestApp, sku: &str) -> StockHistoryPage {
    let request = StockHistoryRequest {
        sku: Some(sku.to_owned()),
        ..StockHistoryRequest::default()
    };
    match ask(app, STOCK_HISTORY, &request).await {
        AdminReply::Ok(page) => page,
        other => panic!("history of {sku}: {other:?}"),
    }
}

async fn low(app: &TestApp, cursor: Option<String>, limit: u32) -> LowStockPage {
    let request = LowStockRequest {
        cursor,
        limit: Some(limit),
    };
    match ask(app, STOCK_LOW, &request).await {
        AdminReply::Ok(page) => page,
        other => panic!("low stock: {other:?}"),
    }
}

async fn with_stock(stock: &[(&str, u32)]) -> TestApp {
    let app = spawn_app().await;
    app.load(
        stock
            .iter()
            .map(|(sku, n)| {
                product(
                    sku,
                    &format!("Product {sku}"),
                    "Acme",
                    "10.00",
                    &["Things"],
                    *n,
                )
            })
            .collect(),
    )
    .await;
    app
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adjustment_is_recorded_with_its_reason_and_author_and_published() {
    let app = with_stock(&[("TEE-1", 5)]).await;
    let mut received = adjustment("TEE-1", StockChange::Delta(3), AdjustmentReason::Received);
    received.note = Some("  PO 1234 ".to_owned());
    received.expected_on_hand = Some(5);

    let AdminReply::Ok(adjusted) =
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(received)).await
    else {
        panic!("adjustment refused");
    };
    let recorded = &adjusted.adjustment;
    assert_eq!(
        (
            recorded.on_hand_before,
            recorded.on_hand_after,
            recorded.delta
        ),
        (5, 8, 3)
    );
    assert_eq!(recorded.reason, AdjustmentReason::Received);
    assert_eq!(recorded.note.as_deref(), Some("PO 1234"));
    assert_eq!(
        (recorded.staff_id, recorded.staff_email.as_str()),
        (7, "ann@shop.test")
    );
    assert_eq!(
        (
            adjusted.stock.on_hand,
            adjusted.stock.reserved,
            adjusted.stock.available
        ),
        (8, 0, 8)
    );
    assert_eq!(adjusted.stock.sku.as_str(), "TEE-1");

    let counted = adjustment(
        "TEE-1",
        StockChange::SetOnHand(6),
        AdjustmentReason::Counted,
    );
    assert!(matches!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(counted)).await,
        AdminReply::Ok(_)
    ));
    let page = history(&app, "TEE-1").await;
    let shown: Vec<(i64, u32, AdjustmentReason)> = page
        .adjustments
        .iter()
        .map(|a| (a.delta, a.on_hand_after, a.reason))
        .collect();
    assert_eq!(
        shown,
        [
            (-2, 6, AdjustmentReason::Counted),
            (3, 8, AdjustmentReason::Received)
        ],
        "newest first"
    );
    assert_eq!(page.next, None);
    // Page by page, by product.
    let by_product = |cursor: Option<String>| StockHistoryRequest {
        product_id: Some(recorded.product_id),
        cursor,
        limit: Some(1),
        ..StockHistoryRequest::default()
    };
    let AdminReply::Ok(first) =
        ask::<_, StockHistoryPage>(&app, STOCK_HISTORY, &by_product(None)).await
    else {
        panic!("history by product refused");
    };
    assert_eq!(first.adjustments[0].reason, AdjustmentReason::Counted);
    let AdminReply::Ok(second) =
        ask::<_, StockHistoryPage>(&app, STOCK_HISTORY, &by_product(first.next)).await
    else {
        panic!("second page refused");
    };
    assert_eq!(second.adjustments.len(), 1);
    assert_eq!(second.adjustments[0].id, recorded.id);
    assert_eq!(second.next, None);

    eventually("both adjustments are published", async || {
        let changes = stock_changes(&app.client, "TEE-1").await;
        changes
            .iter()
            .filter(|c| c.reason == StockChangeReason::Adjusted)
            .map(|c| c.on_hand)
            .collect::<Vec<_>>()
            == [8, 6]
    })
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_hand_is_never_taken_below_what_is_reserved_or_below_zero() {
    let app = with_stock(&[("MUG-1", 5)]).await;
    assert!(matches!(
        app.reserve("SH-1001", &[("MUG-1", 3)]).await,
        StockReply::Ok(_)
    ));

    let below_reserved = adjustment(
        "MUG-1",
        StockChange::SetOnHand(2),
        AdjustmentReason::Counted,
    );
    assert_eq!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(below_reserved)).await,
        AdminReply::Conflict {
            reason: "on hand would be 2, below the 3 units reserved for orders".to_owned(),
            current_version: None
        }
    );
    let below_zero = adjustment("MUG-1", StockChange::Delta(-6), AdjustmentReason::Damaged);
    assert_eq!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(below_zero)).await,
        AdminReply::Conflict {
            reason: "on hand would be -1: there are only 5 on hand".to_owned(),
            current_version: None
        }
    );
    let mut stale = adjustment("MUG-1", StockChange::Delta(-1), AdjustmentReason::Damaged);
    stale.expected_on_hand = Some(4);
    assert!(matches!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(stale)).await,
        AdminReply::Conflict { reason, .. } if reason.contains("it is 5 now")
    ));
    let unknown = adjustment("NOPE-1", StockChange::Delta(1), AdjustmentReason::Received);
    assert_eq!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(unknown)).await,
        AdminReply::NotFound {
            what: "variant with SKU NOPE-1".to_owned()
        }
    );
    let no_note = adjustment("MUG-1", StockChange::Delta(1), AdjustmentReason::Other);
    assert!(matches!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(no_note)).await,
        AdminReply::Invalid { errors } if errors[0].field == "note"
    ));

    assert!(
        history(&app, "MUG-1").await.adjustments.is_empty(),
        "nothing recorded"
    );
    // Down to exactly what is reserved is fine.
    let damaged = adjustment("MUG-1", StockChange::Delta(-2), AdjustmentReason::Damaged);
    let AdminReply::Ok(adjusted) =
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &command(damaged)).await
    else {
        panic!("adjustment down to the reserved units refused");
    };
    assert_eq!(
        (
            adjusted.stock.on_hand,
            adjusted.stock.reserved,
            adjusted.stock.available
        ),
        (3, 3, 0)
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_adjustment_adjusts_once() {
    let app = with_stock(&[("CAP-1", 1)]).await;
    let request = command(adjustment(
        "CAP-1",
        StockChange::Delta(4),
        AdjustmentReason::Returned,
    ));
    let (first, second) = tokio::join!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &request),
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &request),
    );
    assert!(matches!(first, AdminReply::Ok(_)), "{first:?}");
    assert_eq!(
        first, second,
        "the second submit gets the first one's answer"
    );
    assert_eq!(
        ask::<_, StockAdjusted>(&app, STOCK_ADJUST, &request).await,
        first
    );
    let page = history(&app, "CAP-1").await;
    assert_eq!(page.adjustments.len(), 1);
    assert_eq!(page.adjustments[0].on_hand_after, 5);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_low_stock_list_shows_the_lowest_available_first_page_by_page() {
    // Available units as shoppers see them: on hand minus reserved. The default threshold is 5.
    let app = with_stock(&[
        ("LOW-0", 0),
        ("LOW-3", 3),
        ("LOW-5", 5),
        ("LOW-8", 8),
        ("OK-9", 9),
        ("OK-20", 20),
        ("GONE-0", 0),
    ])
    .await;
    assert!(matches!(
        app.reserve("SH-2001", &[("LOW-8", 4)]).await,
        StockReply::Ok(_)
    ));
    assert!(matches!(
        app.reserve("SH-2002", &[("LOW-3", 2)]).await,
        StockReply::Ok(_)
    ));
    // A product with its own threshold, and an archived one nobody restocks.
    sqlx::query("UPDATE products SET low_stock_threshold = 10 WHERE sku = 'OK-9'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE products SET status = 'archived' WHERE sku = 'GONE-0'")
        .execute(&app.pool)
        .await
        .unwrap();

    let first = low(&app, None, 3).await;
    let shown: Vec<(&str, u32, u32, u32, u32)> = first
        .variants
        .iter()
        .map(|v| {
            (
                v.sku.as_str(),
                v.on_hand,
                v.reserved,
                v.available,
                v.low_stock_threshold,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("LOW-0", 0, 0, 0, 5),
            ("LOW-3", 3, 2, 1, 5),
            ("LOW-8", 8, 4, 4, 5)
        ]
    );
    assert_eq!(first.variants[0].product_name, "Product LOW-0");
    assert!(first.variants[0].option_values.is_empty());
    let second = low(&app, first.next.clone(), 3).await;
    let skus: Vec<&str> = second.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(skus, ["LOW-5", "OK-9"]);
    assert_eq!(second.next, None);

    assert!(matches!(
        ask::<_, LowStockPage>(&app, STOCK_LOW, &LowStockRequest { cursor: Some("nonsense".into()), limit: None }).await,
        AdminReply::Invalid { errors } if errors[0].field == "cursor"
    ));
    app.stop().await;
}

/// EXPLAIN rows as (table, access type, key).
async fn plan(app: &TestApp, sql: String) -> Vec<(String, String, Option<String>)> {
    use sqlx::Row as _;

    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
        .bind(5)
        .bind(0)
        .bind(0)
        .bind(0)
        .bind(50)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get::<Option<String>, _>("table")
                    .unwrap()
                    .unwrap_or_default(),
                row.try_get::<Option<String>, _>("type")
                    .unwrap()
                    .unwrap_or_default(),
                row.try_get::<Option<String>, _>("key").unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_low_stock_list_reads_an_index_range_of_available_units_not_the_catalog() {
    let stock: Vec<(String, u32)> = (0..400).map(|i| (format!("LS-{i}"), i % 40)).collect();
    let stock: Vec<(&str, u32)> = stock.iter().map(|(sku, n)| (sku.as_str(), *n)).collect();
    let app = with_stock(&stock).await;
    sqlx::query("ANALYZE TABLE inventory, variants, products")
        .execute(&app.pool)
        .await
        .unwrap();

    let plan = plan(&app, catalog::db::stock_admin::low_stock_sql()).await;
    eprintln!("low stock: {plan:?}");
    assert_eq!(plan.len(), 3, "{plan:?}");
    assert_eq!(
        (plan[0].0.as_str(), plan[0].1.as_str(), plan[0].2.as_deref()),
        ("i", "range", Some("ix_inventory_available")),
        "inventory first, by available units: {plan:?}"
    );
    for (table, access, _) in &plan[1..] {
        assert_eq!(access, "eq_ref", "{table} by its primary key: {plan:?}");
    }
    let first = low(&app, None, 200).await;
    assert_eq!(first.variants.len(), 60, "available 0 to 5, ten of each");
    assert!(
        first
            .variants
            .windows(2)
            .all(|pair| (pair[0].available, pair[0].variant_id)
                < (pair[1].available, pair[1].variant_id))
    );
    app.stop().await;
}
