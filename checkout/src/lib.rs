//! The checkout service: guest carts, place-order (re-quote, reserve, mock payment, order, events), the order
//! state machine, and order lookup. Talks to the catalog only over NATS (`rpc.catalog.*`) and emits order
//! events through its outbox to the `ORDERS` stream.

pub mod admin;
pub mod carts;
pub mod catalog;
pub mod config;
pub mod customers;
pub mod db;
pub mod dead_letters;
pub mod domain;
pub mod http;
pub mod orders;
pub mod payments;
pub mod promotions;
pub mod reconciler;
pub mod rpc;
pub mod seed;

use std::sync::Arc;

use platform::{
    Runtime, ServiceSpec,
    outbox::{OutboxNotifier, OutboxRelay},
};
use sqlx::{MySqlPool, migrate::Migrator};

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "checkout",
    version: env!("CARGO_PKG_VERSION"),
    description: "Guest carts, place-order, payments and the order life cycle",
    database: "checkout",
    default_http_port: platform::ports::port("checkout"),
    publishes_to: &[platform::streams::ORDERS_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// What checkout's operations work with: its database, the catalog over NATS, the outbox relay's doorbell and
/// the settings. Cheap to clone; shared by the HTTP handlers, the NATS endpoint and the reconciler.
#[derive(Clone, Debug)]
pub struct Checkout {
    pub pool: MySqlPool,
    pub catalog: catalog::CatalogClient,
    pub outbox: OutboxNotifier,
    pub config: Arc<config::Config>,
}

/// Starts checkout's workers (outbox relay, reconciler, NATS endpoint) on `runtime` and returns its routes.
pub async fn start(runtime: &mut Runtime, config: config::Config) -> anyhow::Result<axum::Router> {
    let outbox = OutboxNotifier::new();
    let relay = OutboxRelay::new(runtime.db.clone(), runtime.jetstream.clone())
        .with_notifier(outbox.clone())
        .retention(runtime.config.outbox_retention);
    runtime.spawn(relay.run(runtime.shutdown.clone()));
    let checkout = Checkout {
        pool: runtime.db.clone(),
        catalog: catalog::CatalogClient::new(runtime.nats.clone(), config.catalog_timeout),
        outbox,
        config: Arc::new(config),
    };
    runtime.spawn(reconciler::run(checkout.clone(), runtime.shutdown.clone()));
    rpc::start(runtime, checkout.clone()).await?;
    dead_letters::start(runtime).await?;
    Ok(http::router(checkout, &runtime.config.trusted_proxies))
}

#[cfg(test)]
mod copied_tables {
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
