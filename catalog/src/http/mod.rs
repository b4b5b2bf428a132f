//! The public catalog API (JSON). Routes: `GET /api/products`, `GET /api/products/{slug}`,
//! `GET /api/categories`, `GET /api/search`, `GET /api/openapi.json`.

mod categories;
mod openapi;
pub mod params;
mod products;
mod search;
mod state;

use axum::{
    Router,
    extract::{Query, rejection::QueryRejection},
    routing::get,
};
pub use state::AppState;

use platform::http_error::ApiError;

use self::params::Params;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/products", get(products::list))
        .route("/api/products/{slug}", get(products::detail))
        .route("/api/categories", get(categories::tree))
        .route("/api/search", get(search::search))
        .route("/api/openapi.json", get(openapi::serve))
        .fallback(platform::http_error::no_such_endpoint)
        .with_state(state)
}

/// The query string as [`Params`]; a malformed one is a 400 rather than axum's plain-text rejection.
fn params(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<Params, ApiError> {
    match query {
        Ok(Query(pairs)) => Ok(Params::new(pairs)),
        Err(rejection) => Err(ApiError::field("query", rejection.body_text())),
    }
}
