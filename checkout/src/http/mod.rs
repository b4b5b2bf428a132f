//! The public checkout API (JSON): guest carts, place-order and order lookup.

mod carts;
mod openapi;
mod orders;

use axum::{
    Router,
    routing::{get, post, put},
};

use crate::Checkout;

pub fn router(state: Checkout) -> Router {
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
