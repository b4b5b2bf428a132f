//! Outages: the payment provider, the catalog, and NATS between commit and publish.

use std::time::Duration;

use platform::testing::{TestProduct, eventually};

use crate::{
    helpers::{order_body, spawn_shop},
    place_order::order_events,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_provider_outage_is_a_503_that_gives_the_stock_back_and_can_be_retried() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("O-1", "10.00", 3)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "O-1", 3).await;
    let body = order_body(&cart, "tok_provider_outage");
    let reply = shop.place("key-outage", &body).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.retry_after.is_some());
    eventually("stock is released", || async {
        shop.stock("O-1").await == Some((3, 0))
    })
    .await;
    // The key was freed: the same request runs again (and meets the same outage) rather than replaying.
    assert_eq!(shop.place("key-outage", &body).await.status, 503);
    let paid = shop
        .place("key-outage-retry", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM orders WHERE state = 'payment_failed'")
            .await,
        2
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_catalog_down_checkout_answers_503_quickly_and_writes_nothing() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("Q-1", "10.00", 3)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "Q-1", 1).await;
    shop.catalog.shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let started = std::time::Instant::now();
    let reply = shop
        .place("key-no-catalog", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.retry_after.is_some());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded by the catalog timeout"
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM idempotency_keys").await,
        0,
        "the key is free for a retry"
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(shop.add(&cart, "Q-1", 1).await.status, 503);
    let cart_view = shop.cart(&cart).await;
    assert_eq!(
        cart_view["checked"], false,
        "the cart still shows, unchecked"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn order_created_is_published_exactly_once_when_nats_returns() {
    let mut shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("N-1", "4.00", 5)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "N-1", 1).await;
    let reply = shop.place("key-nats", &order_body(&cart, "tok_visa")).await;
    assert_eq!(reply.status, 201);
    let number = reply.body["number"].as_str().unwrap().to_owned();
    // Whether or not the relay got there first, NATS goes away now and comes back later.
    shop.nats.stop();
    tokio::time::sleep(Duration::from_secs(1)).await;
    shop.nats.start_again();
    eventually("OrderCreated is published", || async {
        order_events(&shop)
            .await
            .iter()
            .any(|(subject, _)| subject == &format!("orders.{number}.created"))
    })
    .await;
    // The order's other events follow (the relay may still be in its backoff from the outage); once every row
    // is published, OrderCreated is still there exactly once.
    eventually("every outbox row is published", || async {
        shop.count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
            .await
            == 0
    })
    .await;
    let created = order_events(&shop)
        .await
        .iter()
        .filter(|(subject, _)| subject.ends_with(".created"))
        .count();
    assert_eq!(created, 1);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saturated_connection_pool_answers_busy_not_that_the_database_is_down() {
    let shop = crate::helpers::spawn_shop_configured(crate::helpers::checkout_config(), |common| {
        common.database_max_connections = 2
    })
    .await;
    let cart = shop.new_cart().await;
    // Every connection of checkout's pool is in use (by this test, standing in for slow requests).
    let held = futures::future::join_all((0..2).map(|_| shop.checkout.pool.acquire())).await;
    let reply = shop
        .send(
            shop.http
                .get(format!("{}/api/carts/{cart}", shop.checkout.address)),
        )
        .await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.retry_after.is_some());
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("busy"), "{detail}");
    drop(held);
    assert_eq!(shop.cart(&cart).await["state"], "open");
    shop.stop().await;
}
