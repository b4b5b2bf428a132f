//! The public checkout API (JSON): guest carts, place-order and order lookup.

mod carts;
mod openapi;
mod orders;
mod schema;

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::Response,
    routing::{MethodRouter, get, post, put},
};
use platform::rate_limit::{RateLimiter, TrustedProxies};

use crate::Checkout;

/// The routes; `proxies` are the reverse proxies whose `X-Forwarded-For` names the client (rate limits).
pub fn router(state: Checkout, proxies: &TrustedProxies) -> Router {
    let limits = state.config.rate_limits;
    let limit = |name, per_minute| RateLimiter::new(name, per_minute, per_minute, proxies.clone());
    let carts = limit("carts", limits.carts);
    let changes = limit("cart_changes", limits.cart_changes);
    let orders = limit("orders", limits.orders);
    let coupons = limit("coupons", limits.coupons);
    Router::new()
        .route("/api/carts", limited(post(carts::create), &carts))
        .route("/api/carts/{token}", get(carts::get))
        .route("/api/carts/{token}/totals", get(carts::totals))
        .route(
            "/api/carts/{token}/items",
            limited(post(carts::add_item), &changes),
        )
        .route(
            "/api/carts/{token}/items/{sku}",
            limited(
                put(carts::set_quantity).delete(carts::remove_item),
                &changes,
            ),
        )
        .route(
            "/api/carts/{token}/coupon",
            limited(put(carts::apply_coupon), &coupons).delete(carts::remove_coupon),
        )
        .route("/api/orders", limited(post(orders::place), &orders))
        .route("/api/orders/{number}", get(orders::lookup))
        .route("/api/checkout/openapi.json", get(openapi::serve))
        .fallback(platform::http_error::no_such_endpoint)
        .layer(middleware::from_fn(never_cached))
        .with_state(state)
}

fn limited(route: MethodRouter<Checkout>, limiter: &Option<RateLimiter>) -> MethodRouter<Checkout> {
    match limiter {
        Some(limiter) => route.route_layer(middleware::from_fn_with_state(
            limiter.clone(),
            RateLimiter::middleware,
        )),
        None => route,
    }
}

/// Carts and orders hold a cart token, a lookup token or a shopper's address: no cache may keep them.
async fn never_cached(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
