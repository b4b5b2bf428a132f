//! Product pages and quotes come from each replica's cache until the catalog's own events say the product
//! changed; then every replica shows the change.

use std::time::Duration;

use platform::testing::eventually_within;

use crate::helpers::{default_config, product, spawn_app};

/// A change made behind the catalog's back (no event): only a cache would hide it.
async fn rename_silently(pool: &sqlx::MySqlPool, sku: &str, name: &str) {
    sqlx::query("UPDATE products SET name = ? WHERE sku = ?")
        .bind(name)
        .bind(sku)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_replica_serves_its_cached_page_until_an_event_changes_the_product() {
    let app = spawn_app().await;
    app.load(vec![product(
        "CACHE-1",
        "Cached Lamp",
        "Lumo",
        "25.00",
        &["Home"],
        10,
    )])
    .await;
    let (replica, replica_service) = app.replica(default_config()).await;
    let page_on = async |base: &str| -> serde_json::Value {
        app.http
            .get(format!("{base}/api/products/cached-lamp"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    // The load's own events go out first (each drops the page when it arrives)...
    catalog::testing::events_published(&app.pool).await;
    // ...then each replica reads the page once...
    for base in [app.address.as_str(), replica.as_str()] {
        assert_eq!(page_on(base).await["available"], 10);
    }
    // ...and then answers from its cache: a change without an event does not show.
    rename_silently(&app.pool, "CACHE-1", "Renamed Lamp").await;
    for base in [app.address.as_str(), replica.as_str()] {
        let page = page_on(base).await;
        assert_eq!(page["name"], "Cached Lamp", "{base} served its cached page");
        assert_eq!(page["available"], 10);
    }

    // A reservation (served by either replica) publishes StockChanged: both show the new stock, and the
    // silent rename with it, since each read the product again.
    let reply = app.reserve("ORD-CACHE-1", &[("CACHE-1", 3)]).await;
    assert!(
        matches!(reply, platform::contracts::catalog::StockReply::Ok(_)),
        "{reply:?}"
    );
    for base in [app.address.clone(), replica.clone()] {
        eventually_within(
            "the stock change shows",
            Duration::from_secs(5),
            async || {
                let page = page_on(&base).await;
                page["available"] == 7 && page["name"] == "Renamed Lamp"
            },
        )
        .await;
    }
    replica_service.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn with_the_cache_off_every_request_reads_the_database() {
    let mut config = default_config();
    config.product_cache_entries = 0;
    let app = crate::helpers::spawn_app_with(config).await;
    app.load(vec![product(
        "CACHE-2",
        "Plain Lamp",
        "Lumo",
        "25.00",
        &["Home"],
        10,
    )])
    .await;
    assert_eq!(
        app.get_ok("/api/products/plain-lamp").await["name"],
        "Plain Lamp"
    );
    rename_silently(&app.pool, "CACHE-2", "Renamed Lamp").await;
    assert_eq!(
        app.get_ok("/api/products/plain-lamp").await["name"],
        "Renamed Lamp"
    );
    app.stop().await;
}

#[tokio::test]
async fn quotes_come_from_the_cache_until_the_variant_changes_and_the_committing_replica_drops_them_at_once()
 {
    use platform::contracts::catalog::{QUOTE, QuoteReply, QuoteRequest, StockReply};
    let app = spawn_app().await;
    app.load(vec![product(
        "CACHE-3",
        "Quoted Lamp",
        "Lumo",
        "25.00",
        &["Home"],
        10,
    )])
    .await;
    catalog::testing::events_published(&app.pool).await;
    let quote = async || -> (String, u32) {
        let reply: QuoteReply = platform::rpc::call(
            &app.client,
            QUOTE,
            &QuoteRequest {
                skus: vec!["CACHE-3".into()],
            },
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        let QuoteReply::Ok(quote) = reply else {
            panic!("{reply:?}")
        };
        (quote.items[0].name.clone(), quote.items[0].available)
    };
    assert_eq!(quote().await, ("Quoted Lamp".to_owned(), 10));
    rename_silently(&app.pool, "CACHE-3", "Renamed Lamp").await;
    assert_eq!(
        quote().await,
        ("Quoted Lamp".to_owned(), 10),
        "served from the cache"
    );
    // The reserve's own commit drops the quote on this replica before it answers: no wait for the event.
    let reply = app.reserve("ORD-CACHE-3", &[("CACHE-3", 4)]).await;
    assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    assert_eq!(quote().await, ("Renamed Lamp".to_owned(), 6));
    app.stop().await;
}
