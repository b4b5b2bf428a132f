//! The public checkout API (JSON): guest carts, place-order and order lookup.

mod carts;
mod openapi;
mod orders;

use std::sync::Arc;

use axum::{
    Router,
    routing::{get, post, put},
};
use platform::outbox::OutboxNotifier;
use sqlx::MySqlPool;

use crate::{catalog::CatalogClient, config::Config};

#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: MySqlPool,
    pub catalog: CatalogClient,
    pub outbox: OutboxNotifier,
    pub config: Arc<Config>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/carts", post(carts::create))
        .route("/api/carts/{token}", get(carts::get))
        .route("/api/carts/{token}/items", post(carts::add_item))
        .route(
            "/api/carts/{token}/items/{sku}",
            put(carts::set_quantity).delete(carts::remove_item),
        )
        .route("/api/orders", post(orders::place))
        .route("/api/orders/{number}", get(orders::lookup))
        .route("/api/checkout/openapi.json", get(openapi::document))
        .fallback(platform::http_error::no_such_endpoint)
        .with_state(state)
}

/// A JSON body or a 400 naming what is wrong with it (axum's own rejection is plain text).
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, platform::http_error::ApiError> {
    serde_json::from_slice(body).map_err(|err| {
        // serde_json names the missing or mistyped field in its message ("missing field `email`").
        let field = err
            .to_string()
            .split('`')
            .nth(1)
            .filter(|_| matches!(err.classify(), serde_json::error::Category::Data))
            .unwrap_or("body")
            .to_owned();
        platform::http_error::ApiError::field(field, err.to_string())
    })
}
