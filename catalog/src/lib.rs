//! The catalog service: owns products, categories, images and inventory, serves the public catalog API and
//! search, answers quote and stock reservation requests over NATS, and emits product events through its
//! outbox.

pub mod domain;
pub mod seed;

use axum::Router;
use platform::ServiceSpec;
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "catalog",
    version: env!("CARGO_PKG_VERSION"),
    description: "Products, categories, inventory and stock reservations",
    database: "catalog",
    default_http_port: 8081,
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
