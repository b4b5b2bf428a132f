//! Quote and stock reservations over NATS, as checkout will call them.

use std::time::Duration;

use catalog::config::Config;
use futures::future::join_all;
use platform::{
    contracts::catalog::{
        COMMIT, ProductStatus, QUOTE, QuoteRequest, RELEASE, RESERVE, ReleaseReason,
        ReservationState, ReserveRequest, StockLine, StockRejection, StockReply,
    },
    testing::eventually_within,
};
use serde_json::Value;

use crate::helpers::{TestApp, default_config, product, spawn_app, spawn_app_with};

const TIMEOUT: Duration = Duration::from_secs(10);

async fn inventory(app: &TestApp, sku: &str) -> (u32, u32) {
    sqlx::query_as("SELECT i.on_hand, i.reserved FROM inventory i JOIN variants v ON v.id = i.variant_id WHERE v.sku = ?")
        .bind(sku)
        .fetch_one(&app.pool)
        .await
        .unwrap()
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
async fn a_quote_gives_current_price_and_availability_and_lists_unknown_skus() {
    let app = with_stock(&[("A-1", 4)]).await;
    let reply: Value = platform::rpc::call(
        &app.client,
        QUOTE,
        &QuoteRequest {
            skus: vec!["A-1".into(), "NOPE".into()],
        },
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(reply["ok"]["items"][0]["sku"], "A-1");
    assert_eq!(reply["ok"]["items"][0]["price"], "10.00");
    assert_eq!(reply["ok"]["items"][0]["available"], 4);
    assert_eq!(reply["ok"]["items"][0]["sellable"], true);
    // What promotions look at: the product, its brand and its category path.
    assert_eq!(reply["ok"]["items"][0]["product_sku"], "A-1");
    assert_eq!(reply["ok"]["items"][0]["brand"], "Acme");
    assert_eq!(
        reply["ok"]["items"][0]["categories"],
        serde_json::json!(["things"])
    );
    assert_eq!(reply["ok"]["unknown"][0], "NOPE");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reserve_commit_and_release_are_idempotent_on_the_order_number() {
    let app = with_stock(&[("A-1", 10), ("B-2", 5)]).await;
    let first = app.reserve("ORD-1", &[("A-1", 3), ("B-2", 2)]).await;
    let StockReply::Ok(outcome) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(outcome.state, ReservationState::Reserved);
    assert_eq!(
        app.reserve("ORD-1", &[("B-2", 2), ("A-1", 3)]).await,
        first,
        "same lines, same answer"
    );
    assert_eq!(inventory(&app, "A-1").await, (10, 3), "reserved once");

    let conflicting = app.reserve("ORD-1", &[("A-1", 4)]).await;
    assert!(
        matches!(
            conflicting,
            StockReply::Rejected(StockRejection::ConflictingReservation { .. })
        ),
        "{conflicting:?}"
    );

    for _ in 0..2 {
        let StockReply::Ok(committed) = app.order_call(COMMIT, "ORD-1").await else {
            panic!("commit")
        };
        assert_eq!(committed.state, ReservationState::Committed);
    }
    assert_eq!(inventory(&app, "A-1").await, (7, 0), "sold once");

    // Cancelling after the sale puts the units back on hand, once.
    for _ in 0..2 {
        let StockReply::Ok(released) = app.order_call(RELEASE, "ORD-1").await else {
            panic!("release")
        };
        assert_eq!(released.state, ReservationState::Released);
    }
    assert_eq!(inventory(&app, "A-1").await, (10, 0));
    assert_eq!(inventory(&app, "B-2").await, (5, 0));

    let StockReply::Ok(none) = app.order_call(RELEASE, "NEVER-RESERVED").await else {
        panic!("release")
    };
    assert_eq!(none.state, ReservationState::None);
    assert!(matches!(
        app.order_call(COMMIT, "NEVER-TOUCHED").await,
        StockReply::Rejected(StockRejection::NoReservation { .. })
    ));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_that_overtakes_its_reserve_wins_over_it() {
    // Checkout gave up waiting for a reserve and released it; the release got there first.
    let app = with_stock(&[("L-1", 5)]).await;
    let StockReply::Ok(released) = app.order_call(RELEASE, "SH-LATE0001").await else {
        panic!("release")
    };
    assert_eq!(released.state, ReservationState::None);
    let late = app.reserve("SH-LATE0001", &[("L-1", 5)]).await;
    assert!(
        matches!(
            late,
            StockReply::Rejected(StockRejection::ReservationReleased { .. })
        ),
        "{late:?}"
    );
    assert_eq!(inventory(&app, "L-1").await, (5, 0), "nothing is held");
    assert!(matches!(
        app.order_call(COMMIT, "SH-LATE0001").await,
        StockReply::Rejected(StockRejection::ReservationReleased { .. })
    ));
    // Releasing again changes nothing.
    let StockReply::Ok(again) = app.order_call(RELEASE, "SH-LATE0001").await else {
        panic!("release")
    };
    assert_eq!(again.state, ReservationState::Released);
    assert_eq!(inventory(&app, "L-1").await, (5, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn skus_and_order_numbers_match_exactly_not_by_case_or_width() {
    let app = with_stock(&[("CASE-1", 5)]).await;
    let reply: Value = platform::rpc::call(
        &app.client,
        QUOTE,
        &QuoteRequest {
            skus: vec!["case-1".into(), "ＣＡＳＥ-1".into(), "CASE-1".into()],
        },
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(reply["ok"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(reply["ok"]["items"][0]["sku"], "CASE-1");
    assert_eq!(reply["ok"]["unknown"].as_array().unwrap().len(), 2);
    assert!(matches!(
        app.reserve("SH-EXACT001", &[("CASE-1", 1)]).await,
        StockReply::Ok(_)
    ));
    // Another order number, though equal ignoring case: a new reservation, not a replay.
    let other = app.reserve("sh-exact001", &[("CASE-1", 4)]).await;
    assert!(matches!(other, StockReply::Ok(_)), "{other:?}");
    assert_eq!(inventory(&app, "CASE-1").await, (5, 5));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reservation_is_all_or_nothing_and_says_what_is_available() {
    let app = with_stock(&[("A-1", 10), ("B-2", 1)]).await;
    let reply = app.reserve("ORD-2", &[("A-1", 2), ("B-2", 3)]).await;
    let StockReply::Rejected(StockRejection::InsufficientStock { lines }) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(
        (
            lines[0].sku.as_str(),
            lines[0].requested,
            lines[0].available
        ),
        ("B-2", 3, 1)
    );
    assert_eq!(inventory(&app, "A-1").await, (10, 0), "nothing reserved");

    let unknown = app.reserve("ORD-3", &[("A-1", 1), ("ZZ-9", 1)]).await;
    assert!(
        matches!(unknown, StockReply::Rejected(StockRejection::UnknownSku { ref skus }) if skus == &["ZZ-9"])
    );
    let invalid = app.reserve("ORD-4", &[("A-1", 0)]).await;
    assert!(
        matches!(invalid, StockReply::Rejected(StockRejection::InvalidRequest { ref field, .. }) if field == "lines[0].quantity")
    );
    // A rejected order number can try again once stock allows.
    assert!(matches!(
        app.reserve("ORD-2", &[("A-1", 2)]).await,
        StockReply::Ok(_)
    ));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reserve_at_a_price_that_changed_is_refused_with_todays_price_and_reserves_nothing() {
    let app = with_stock(&[("A-1", 10), ("B-2", 10)]).await;
    let line = |sku: &str, price: &str| StockLine {
        sku: sku.to_owned(),
        quantity: 1,
        unit_price: Some(price.parse().unwrap()),
    };
    let reserve = |number: &str, lines: Vec<StockLine>| ReserveRequest {
        order_number: number.to_owned(),
        lines,
        ttl_secs: None,
    };
    let reply: StockReply = platform::rpc::call(
        &app.client,
        RESERVE,
        &reserve("ORD-P1", vec![line("A-1", "10.00"), line("B-2", "8.50")]),
        TIMEOUT,
    )
    .await
    .unwrap();
    let StockReply::Rejected(StockRejection::PriceChanged { lines }) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (lines[0].sku.as_str(), lines[0].name.as_str()),
        ("B-2", "Product B-2")
    );
    assert_eq!(lines[0].price, "10.00".parse().unwrap());
    assert_eq!(inventory(&app, "A-1").await, (10, 0), "nothing reserved");

    // At today's prices (written either way), the same order number reserves.
    let reply: StockReply = platform::rpc::call(
        &app.client,
        RESERVE,
        &reserve("ORD-P1", vec![line("A-1", "10"), line("B-2", "10.00")]),
        TIMEOUT,
    )
    .await
    .unwrap();
    assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    assert_eq!(inventory(&app, "B-2").await, (10, 1));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_concurrent_reserves_for_fifty_units_reserve_exactly_fifty() {
    let app = with_stock(&[("HOT-1", 50)]).await;
    let attempts = (0..200).map(|i| {
        let app = &app;
        async move { app.reserve(&format!("RUSH-{i}"), &[("HOT-1", 1)]).await }
    });
    let replies = join_all(attempts).await;
    let reserved = replies
        .iter()
        .filter(|reply| matches!(reply, StockReply::Ok(_)))
        .count();
    let refused = replies
        .iter()
        .filter(|reply| {
            matches!(
                reply,
                StockReply::Rejected(StockRejection::InsufficientStock { .. })
            )
        })
        .count();
    assert_eq!((reserved, refused), (50, 150));
    assert_eq!(inventory(&app, "HOT-1").await, (50, 50));
    let lines: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS SIGNED) FROM reservation_lines",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(lines, 50);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_multi_sku_orders_in_any_line_order_never_oversell_or_fail() {
    let app = with_stock(&[("M-1", 30), ("M-2", 30), ("M-3", 30)]).await;
    let attempts = (0..90).map(|i| {
        let app = &app;
        // Lines in different orders: the catalog must lock in its own order, not the request's.
        let lines: &[(&str, u32)] = match i % 3 {
            0 => &[("M-1", 1), ("M-2", 1), ("M-3", 1)],
            1 => &[("M-3", 1), ("M-1", 1), ("M-2", 1)],
            _ => &[("M-2", 1), ("M-3", 1), ("M-1", 1)],
        };
        async move { app.reserve(&format!("MIX-{i}"), lines).await }
    });
    let replies = join_all(attempts).await;
    assert_eq!(
        replies
            .iter()
            .filter(|reply| matches!(reply, StockReply::Ok(_)))
            .count(),
        30
    );
    for sku in ["M-1", "M-2", "M-3"] {
        assert_eq!(inventory(&app, sku).await, (30, 30), "{sku}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_reservations_are_released_by_the_sweeper() {
    let app = spawn_app_with(Config {
        reservation_ttl: chrono::Duration::seconds(1),
        sweep_every: Duration::from_millis(200),
        ..default_config()
    })
    .await;
    app.load(vec![product(
        "EXP-1",
        "Expiring thing",
        "Acme",
        "5.00",
        &["Things"],
        3,
    )])
    .await;
    assert!(matches!(
        app.reserve("LATE-1", &[("EXP-1", 2)]).await,
        StockReply::Ok(_)
    ));
    assert_eq!(inventory(&app, "EXP-1").await, (3, 2));

    eventually_within(
        "the sweeper releases the expired reservation",
        Duration::from_secs(10),
        async || inventory(&app, "EXP-1").await == (3, 0),
    )
    .await;
    let reply = app.order_call(COMMIT, "LATE-1").await;
    assert!(
        matches!(reply, StockReply::Rejected(StockRejection::ReservationReleased { ref reason, .. }) if *reason == ReleaseReason::Expired)
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_request_gets_a_400_service_error_not_silence() {
    let app = spawn_app().await;
    let reply = app
        .client
        .request(RESERVE.to_owned(), "not json".into())
        .await
        .unwrap();
    let headers = reply.headers.expect("error headers");
    assert_eq!(
        headers.get("Nats-Service-Error-Code").unwrap().as_str(),
        "400"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_snapshot_pages_through_every_active_product_in_sku_order() {
    use platform::contracts::catalog::{SNAPSHOT, SnapshotPage, SnapshotRequest};

    let app = spawn_app().await;
    app.load(
        ["SN-5", "SN-1", "SN-4", "SN-2", "SN-3"]
            .iter()
            .map(|sku| {
                product(
                    sku,
                    &format!("Thing {sku}"),
                    "Acme",
                    "10.00",
                    &["Things"],
                    3,
                )
            })
            .collect(),
    )
    .await;
    // An archived product is not searchable: it is left out.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("UPDATE products SET status = 'archived' WHERE sku = 'SN-4'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page: SnapshotPage = platform::rpc::call(
            &app.client,
            SNAPSHOT,
            &SnapshotRequest {
                after: after.clone(),
                limit: Some(2),
            },
            TIMEOUT,
        )
        .await
        .unwrap();
        assert!(page.products.len() <= 2);
        for product in &page.products {
            assert_eq!(product.status, ProductStatus::Active);
            assert_eq!(product.category_path[0].depth, Some(0));
            seen.push(product.sku.clone());
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["SN-1", "SN-2", "SN-3", "SN-5"]);

    // With an empty body (`nats req rpc.catalog.snapshot ''`) it answers the first page at the default size.
    let reply = app.client.request(SNAPSHOT, "".into()).await.unwrap();
    let page: SnapshotPage = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(page.products.len(), 4);
    assert_eq!(page.next, None);
    app.stop().await;
}
