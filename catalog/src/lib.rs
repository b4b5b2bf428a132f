//! The catalog service: owns products, categories, images and inventory, serves the public catalog API and
//! search-as-you-type, answers quote and stock reservation requests over NATS (`rpc.catalog.*`), and emits
//! product and stock events through its outbox to the `CATALOG` stream.
//!
//! A request goes `http` (or `rpc`) -> an operation of `products`, `search` or `stock` -> `db` queries, with
//! `events` written in the operation's transaction. `domain` holds the values and rules all of them share.

pub mod admin;
pub mod alerts;
pub mod categories;
pub mod config;
pub mod db;
pub mod domain;
pub mod events;
pub mod http;
pub mod images;
pub mod import;
pub mod product_cache;
pub mod products;
pub mod rpc;
pub mod search;
pub mod seed;
pub mod sitemap;
pub mod stock;
pub mod sweeper;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;

use platform::{
    Runtime, ServiceSpec,
    contracts::catalog_admin,
    outbox::{OutboxNotifier, OutboxRelay},
};
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "catalog",
    version: env!("CARGO_PKG_VERSION"),
    description: "Products, categories, inventory and stock reservations",
    database: "catalog",
    default_http_port: platform::ports::port("catalog"),
    publishes_to: &[platform::streams::CATALOG_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Starts the catalog's workers (outbox relay, reservation sweeper, NATS endpoints) on `runtime` and returns
/// its HTTP routes.
pub async fn start(runtime: &mut Runtime, config: config::Config) -> anyhow::Result<axum::Router> {
    let notifier = OutboxNotifier::new();
    let relay = OutboxRelay::new(runtime.db.clone(), runtime.jetstream.clone())
        .with_notifier(notifier.clone())
        .retention(runtime.config.outbox_retention);
    runtime.spawn(relay.run(runtime.shutdown.clone()));

    let pages =
        product_cache::ProductCache::new(config.product_cache_entries, config.product_cache_ttl);
    runtime.spawn({
        let (pages, nats, shutdown) = (
            pages.clone(),
            runtime.nats.clone(),
            runtime.shutdown.clone(),
        );
        async move {
            if let Err(err) = pages.follow(nats, shutdown.cancelled_owned()).await {
                tracing::error!(error = %err, "product cache: cannot follow catalog events");
            }
        }
    });
    let stock = stock::Stock::new(&runtime.db, runtime.config.database_max_connections)
        .telling(pages.clone(), notifier.clone());
    runtime.spawn(sweeper::run(
        stock.clone(),
        config.sweep_every,
        runtime.shutdown.clone(),
    ));
    rpc::start(runtime, &config, stock, &pages).await?;
    admin::categories::endpoints(runtime, &pages).await?;
    admin::stock::endpoints(runtime, &pages).await?;
    platform::admin_commands::serve_outbox_backlog(
        runtime,
        (
            &runtime.service.group(catalog_admin::RPC_GROUP),
            catalog_admin::RPC_GROUP,
        ),
        catalog_admin::OUTBOX,
    )
    .await?;
    // The dead letters of catalog events: the catalog publishes `catalog.>`, so it is the one that replays them.
    platform::consumer::replay::serve_endpoints(
        runtime,
        platform::contracts::dead_letters::CATALOG,
    )
    .await?;
    let images = images::Images::connect(runtime.db.clone(), &config.images).await?;
    let bucket = images.bucket().clone();
    images::endpoints::start(runtime, images, &pages).await?;
    let mut state = http::AppState::new(
        runtime.db.clone(),
        config.fulltext_budget,
        pages,
        &config.public_base_url,
    );
    if let Some(meili) = config.meili {
        tracing::info!(url = %meili.url, index = %meili.index, timeout = ?meili.timeout, "searching with Meilisearch, MySQL as the fallback");
        state = state.with_meili(search::meili::Meili::new(meili)?);
    }
    Ok(http::router(state).merge(images::http::router(bucket)))
}

#[cfg(test)]
mod outbox_table {
    #[test]
    fn the_first_migration_is_the_platforms_outbox_table_byte_for_byte() {
        assert_eq!(
            include_str!("../migrations/0001_outbox.sql"),
            platform::outbox::TABLE,
            "the outbox table is defined in platform/src/outbox.sql; this migration must stay its copy"
        );
    }

    #[test]
    fn the_admin_commands_migration_is_the_platforms_table_byte_for_byte() {
        assert_eq!(
            include_str!("../migrations/0004_admin_commands.sql"),
            platform::admin_commands::TABLE,
            "the table is defined in platform/src/admin_commands.sql; this migration must stay its copy"
        );
    }
}
