//! The checkout service: guest carts, pricing, place-order with mock payments, and the order state machine;
//! emits order events through its outbox.

use axum::Router;
use platform::ServiceSpec;
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "checkout",
    version: env!("CARGO_PKG_VERSION"),
    description: "Guest carts, place-order, payments and the order life cycle",
    database: "checkout",
    default_http_port: 8082,
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
