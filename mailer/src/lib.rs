//! The mailer service: consumes order events, renders emails with tera, sends them through AWS SES v2 (or
//! writes them to disk locally), and keeps an email log so no email is ever sent twice.

use axum::Router;
use platform::ServiceSpec;
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "mailer",
    version: env!("CARGO_PKG_VERSION"),
    description: "Order emails through SES v2, with an email log",
    database: "mailer",
    default_http_port: 8083,
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
