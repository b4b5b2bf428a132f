//! The bridge service: forwards order events from JetStream to an AWS SQS queue for systems outside the
//! host, acking a message only once SQS has accepted it.

use axum::Router;
use platform::ServiceSpec;
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "bridge",
    version: env!("CARGO_PKG_VERSION"),
    description: "Forwards order events from JetStream to AWS SQS",
    database: "bridge",
    default_http_port: 8085,
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
