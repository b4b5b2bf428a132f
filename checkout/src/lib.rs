//! The checkout service: guest carts, place-order (re-quote, reserve, mock payment, order, events), the order
//! state machine, and order lookup. Talks to the catalog only over NATS (`rpc.catalog.*`) and emits order
//! events through its outbox to the `ORDERS` stream.

pub mod catalog;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod orders;
pub mod payments;
pub mod place;
pub mod reconciler;
pub mod rpc;

use std::sync::Arc;

use platform::{
    Runtime, ServiceSpec,
    outbox::{OutboxNotifier, OutboxRelay},
};
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "checkout",
    version: env!("CARGO_PKG_VERSION"),
    description: "Guest carts, place-order, payments and the order life cycle",
    database: "checkout",
    default_http_port: 8082,
    publishes_to: &[platform::streams::ORDERS_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Starts checkout's workers (outbox relay, reconciler, NATS endpoint) on `runtime` and returns its routes.
pub async fn start(runtime: &mut Runtime, config: config::Config) -> anyhow::Result<axum::Router> {
    let outbox = OutboxNotifier::new();
    let relay = OutboxRelay::new(runtime.db.clone(), runtime.jetstream.clone())
        .with_notifier(outbox.clone());
    runtime.spawn(relay.run(runtime.shutdown.clone()));
    let catalog = catalog::CatalogClient::new(runtime.nats.clone(), config.catalog_timeout);
    runtime.spawn(reconciler::run(
        runtime.db.clone(),
        catalog.clone(),
        config.reconcile_every,
        config.abandoned_after,
        runtime.shutdown.clone(),
    ));
    rpc::start(runtime, catalog.clone()).await?;
    let state = http::AppState {
        pool: runtime.db.clone(),
        catalog,
        outbox,
        config: Arc::new(config),
    };
    Ok(http::router(state))
}
