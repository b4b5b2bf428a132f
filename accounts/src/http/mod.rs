//! The accounts API at the edge (`/api/account/*`, JSON). Sessions are an HttpOnly cookie; every answer is
//! `Cache-Control: no-store`.
//!
//! Cross-site requests: the session cookie is `SameSite=Strict`, so a request another site makes the
//! browser send carries no session. On top, [`same_site_json`] refuses a change whose `Origin` names another
//! host (403) and a body that is not `application/json` (415), which a cross-site form cannot send without a
//! CORS preflight this API never grants: no other site can sign a browser in (into the attacker's account)
//! or out.

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
        .layer(middleware::from_fn(same_site_json))
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

/// A call to checkout that got no usable answer: 503 when it is down or slow, else a logged 500.
fn checkout_failed(err: platform::rpc::RpcError) -> platform::http_error::ApiError {
    if err.is_unavailable() {
        platform::http_error::ApiError::Unavailable("checkout is unavailable".to_owned())
    } else {
        platform::http_error::ApiError::Internal(err.into())
    }
}

/// The host of a `Host` header or of an origin (`https://shop.example:8443` -> `shop.example`).
fn host_of(value: &str) -> &str {
    let value = value.split_once("://").map_or(value, |(_, rest)| rest);
    let value = value.split('/').next().unwrap_or_default();
    match value.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => value,
    }
}

/// Refuses a change from another site: an `Origin` naming another host than the request's, or a body that
/// is not JSON (see the module docs).
async fn same_site_json(request: Request, next: Next) -> Response {
    use axum::{http::Method, response::IntoResponse as _};
    use platform::http_error::ApiError;
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    if let (Some(origin), Some(host)) = (text(header::ORIGIN), text(header::HOST))
        && !host_of(origin).eq_ignore_ascii_case(host_of(host))
    {
        return ApiError::problem(
            axum::http::StatusCode::FORBIDDEN,
            "Forbidden",
            "a change to an account must come from the shop's own pages",
            serde_json::json!({"code": "cross_site"}),
        )
        .into_response();
    }
    let has_body = text(header::CONTENT_LENGTH).is_some_and(|length| length != "0")
        || headers.contains_key(header::TRANSFER_ENCODING);
    let is_json = text(header::CONTENT_TYPE).is_some_and(|kind| {
        kind.split(';')
            .next()
            .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json"))
    });
    if has_body && !is_json {
        return ApiError::problem(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            "the body must be JSON (Content-Type: application/json)",
            serde_json::json!({"errors": [{"field": "Content-Type", "reason": "must be application/json"}]}),
        )
        .into_response();
    }
    next.run(request).await
}

/// Answers are about one signed-in person: no cache may keep them.
async fn never_cached(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_are_compared_without_scheme_port_or_path() {
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("https://shop.example"), "shop.example");
        assert_eq!(host_of("shop.example:443"), "shop.example");
        assert_eq!(host_of("https://evil.example/shop.example"), "evil.example");
        assert_eq!(host_of("null"), "null");
    }
}
