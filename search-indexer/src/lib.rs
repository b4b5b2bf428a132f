//! The search-indexer service: consumes catalog product events and keeps the Meilisearch index (the
//! optional advanced search) in step with them.

use axum::Router;
use platform::ServiceSpec;
use sqlx::migrate::Migrator;

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "search-indexer",
    version: env!("CARGO_PKG_VERSION"),
    description: "Keeps the Meilisearch product index in step with catalog events",
    database: "search_indexer",
    default_http_port: 8084,
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
