//! Product and stock events leave through the outbox: nothing committed is lost while NATS is down, and
//! nothing is published twice.

use std::{collections::HashSet, time::Duration};

use async_nats::jetstream;
use platform::{
    contracts::catalog::{ProductUpserted, RESERVE, ReserveRequest, StockChanged, StockLine},
    events::Envelope,
    testing::eventually_within,
};

use catalog::domain::Sku;

use crate::helpers::{product, spawn_app};

async fn stream_messages(client: &async_nats::Client) -> Vec<async_nats::jetstream::Message> {
    platform::testing::stream_messages(client, "CATALOG").await
}

async fn wait_for_messages(client: &async_nats::Client, count: u64) {
    let jetstream = jetstream::new(client.clone());
    eventually_within(
        &format!("{count} events in CATALOG"),
        Duration::from_secs(30),
        async || {
            let mut stream = jetstream.get_stream("CATALOG").await.unwrap();
            stream.info().await.unwrap().state.messages >= count
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_made_while_nats_is_down_arrive_exactly_once_when_it_returns() {
    let mut app = spawn_app().await;
    app.nats.stop();

    let products: Vec<_> = (0..25)
        .map(|i| {
            product(
                &format!("OUT-{i}"),
                &format!("Outage product {i}"),
                "Acme",
                "3.50",
                &["Things"],
                2,
            )
        })
        .collect();
    app.load(products.clone()).await;
    // An update of one of them: a second, newer document.
    let mut changed = products[0].clone();
    changed.price = "2.99".parse().unwrap();
    app.load(vec![changed]).await;
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(pending, 26, "events wait in the outbox");

    tokio::time::sleep(Duration::from_secs(1)).await;
    app.nats.start_again();
    wait_for_messages(&app.client, 26).await;
    // Give a duplicate the chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let messages = stream_messages(&app.client).await;
    assert_eq!(messages.len(), 26);
    let mut ids = HashSet::new();
    let mut versions_of_first = Vec::new();
    for message in &messages {
        let envelope: Envelope<ProductUpserted> = serde_json::from_slice(&message.payload).unwrap();
        assert!(
            ids.insert(envelope.id),
            "event {} published twice",
            envelope.id
        );
        let msg_id = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_owned());
        assert_eq!(msg_id, Some(envelope.id.to_string()));
        assert_eq!(
            message.subject.as_str(),
            format!("catalog.product.{}.upserted", envelope.data.sku)
        );
        if envelope.data.sku == "OUT-0" {
            versions_of_first.push((envelope.data.version, envelope.data.price.to_string()));
        }
    }
    assert_eq!(
        versions_of_first,
        [(1, "3.50".to_owned()), (2, "2.99".to_owned())]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reimporting_unchanged_products_publishes_nothing_new() {
    let app = spawn_app().await;
    let products: Vec<_> = (0..5)
        .map(|i| {
            product(
                &format!("RE-{i}"),
                &format!("Stable product {i}"),
                "Acme",
                "1.00",
                &["Things"],
                1,
            )
        })
        .collect();
    app.load(products.clone()).await;
    app.load(products).await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 5);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 5);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reservation_publishes_stock_changed_with_the_new_availability() {
    let app = spawn_app().await;
    app.load(vec![product(
        "ST-1",
        "Stocked thing",
        "Acme",
        "9.00",
        &["Things"],
        4,
    )])
    .await;
    let request = ReserveRequest {
        order_number: "ORD-ST".into(),
        lines: vec![StockLine {
            sku: "ST-1".into(),
            quantity: 4,
            unit_price: None,
        }],
        ttl_secs: None,
    };
    let _: serde_json::Value =
        platform::rpc::call(&app.client, RESERVE, &request, Duration::from_secs(5))
            .await
            .unwrap();
    wait_for_messages(&app.client, 2).await;
    let stock: Vec<Envelope<StockChanged>> = stream_messages(&app.client)
        .await
        .iter()
        .filter(|m| m.subject.starts_with("catalog.stock."))
        .map(|m| serde_json::from_slice(&m.payload).unwrap())
        .collect();
    assert_eq!(stock.len(), 1);
    assert_eq!(
        (stock[0].data.available, stock[0].data.in_stock),
        (0, false)
    );
    assert_eq!(stock[0].data.order_number.as_deref(), Some("ORD-ST"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_product_publishes_product_deleted_and_archives_one_that_orders_reference() {
    use catalog::db::products::Removal;
    use platform::contracts::catalog::ProductDeleted;

    let app = spawn_app().await;
    app.load(vec![
        product("DEL-1", "Short lived", "Acme", "1.00", &["Things"], 2),
        product("DEL-2", "Ordered once", "Acme", "1.00", &["Things"], 2),
    ])
    .await;
    let request = ReserveRequest {
        order_number: "ORD-DEL".into(),
        lines: vec![StockLine {
            sku: "DEL-2".into(),
            quantity: 1,
            unit_price: None,
        }],
        ttl_secs: None,
    };
    let _: serde_json::Value =
        platform::rpc::call(&app.client, RESERVE, &request, Duration::from_secs(5))
            .await
            .unwrap();

    for (sku, expected) in [
        ("DEL-1", "deleted"),
        ("DEL-2", "archived"),
        ("NONE-1", "not found"),
    ] {
        let removal = catalog::products::remove(&app.pool, &Sku::parse(sku).unwrap())
            .await
            .unwrap();
        let seen = match removal {
            Removal::Deleted { .. } => "deleted",
            Removal::Archived { .. } => "archived",
            Removal::NotFound => "not found",
        };
        assert_eq!(seen, expected, "{sku}");
    }
    let (status, _) = app.get("/api/products/short-lived").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/api/products/ordered-once").await;
    assert_eq!(status, 404, "archived products are not shown");

    // 2 created + 1 stock change + 1 deleted + 1 archived document.
    wait_for_messages(&app.client, 5).await;
    let messages = stream_messages(&app.client).await;
    let deleted: Vec<Envelope<ProductDeleted>> = messages
        .iter()
        .filter(|m| m.subject.ends_with(".deleted"))
        .map(|m| serde_json::from_slice(&m.payload).unwrap())
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        (deleted[0].data.sku.as_str(), deleted[0].data.version),
        ("DEL-1", 2)
    );
    let archived: Envelope<ProductUpserted> = messages
        .iter()
        .filter(|m| m.subject.as_str() == "catalog.product.DEL-2.upserted")
        .map(|m| serde_json::from_slice(&m.payload).unwrap())
        .next_back()
        .unwrap();
    assert_eq!(
        (archived.data.status.as_str(), archived.data.version),
        ("archived", 2)
    );
    app.stop().await;
}
