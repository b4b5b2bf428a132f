//! The accounts API at the edge (`/api/account/*`, JSON). Sessions are an HttpOnly cookie; every answer is
//! `Cache-Control: no-store`.
//!
//! Cross-site requests: the session cookie is `SameSite=Strict`, so a request another site makes the
//! browser send carries no session; and every request with a body must be `application/json`, which a
//! cross-site form cannot send without a CORS preflight this API never grants.

mod customer;
mod extract;
mod handlers;
mod openapi;
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

use crate::Accounts;

/// What the handlers share: the service and the proxies whose `X-Forwarded-For` names the client.
#[derive(Debug, Clone)]
pub struct AppState {
    pub accounts: Accounts,
    pub proxies: TrustedProxies,
}

/// The routes.
pub fn router(accounts: Accounts, proxies: &TrustedProxies) -> Router {
    let limits = accounts.config.rate_limits;
    let limit = |name, per_minute| RateLimiter::new(name, per_minute, per_minute, proxies.clone());
    let sign_ins = limit("sign_ins", limits.sign_ins);
    let emails = limit("account_emails", limits.account_emails);
    let changes = limit("account_changes", limits.changes);
    let state = AppState {
        accounts,
        proxies: proxies.clone(),
    };
    Router::new()
        .route(
            "/api/account",
            get(handlers::me).merge(limited(
                axum::routing::delete(customer::delete_account),
                &sign_ins,
            )),
        )
        .route("/api/account/orders", get(customer::orders))
        .route(
            "/api/account/orders/claim",
            limited(post(customer::claim), &changes),
        )
        .route("/api/account/orders/{number}", get(customer::order))
        .route(
            "/api/account/orders/{number}/reorder",
            limited(post(customer::reorder), &changes),
        )
        .route(
            "/api/account/addresses",
            get(customer::list_addresses).merge(limited(post(customer::create_address), &changes)),
        )
        .route(
            "/api/account/addresses/{id}",
            limited(
                put(customer::update_address).delete(customer::delete_address),
                &changes,
            ),
        )
        .route("/api/account/wishlist", get(customer::wishlist))
        .route(
            "/api/account/wishlist/{sku}",
            limited(
                put(customer::save_to_wishlist).delete(customer::remove_from_wishlist),
                &changes,
            ),
        )
        .route("/api/account/export", get(customer::export))
        .route(
            "/api/account/sign-up",
            limited(post(handlers::sign_up), &emails),
        )
        .route(
            "/api/account/verify",
            limited(post(handlers::verify), &sign_ins),
        )
        .route(
            "/api/account/verify/resend",
            limited(post(handlers::resend_verification), &emails),
        )
        .route(
            "/api/account/sign-in",
            limited(post(handlers::sign_in), &sign_ins),
        )
        .route("/api/account/sign-out", post(handlers::sign_out))
        .route(
            "/api/account/password-reset",
            limited(post(handlers::request_reset), &emails),
        )
        .route(
            "/api/account/password-reset/confirm",
            limited(post(handlers::reset_password), &sign_ins),
        )
        .route(
            "/api/account/password",
            limited(post(handlers::change_password), &sign_ins),
        )
        .route("/api/account/cart", limited(post(handlers::cart), &changes))
        .route("/api/account/openapi.json", get(openapi::serve))
        .fallback(platform::http_error::no_such_endpoint)
        .layer(middleware::from_fn(never_cached))
        .with_state(state)
}

fn limited(route: MethodRouter<AppState>, limiter: &Option<RateLimiter>) -> MethodRouter<AppState> {
    match limiter {
        Some(limiter) => route.route_layer(middleware::from_fn_with_state(
            limiter.clone(),
            RateLimiter::middleware,
        )),
        None => route,
    }
}

/// Answers are about one signed-in person: no cache may keep them.
async fn never_cached(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
