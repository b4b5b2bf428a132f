//! Cross-site request forgery: every state-changing request (POST, PUT, PATCH, DELETE), htmx ones included,
//! must pass two checks, so that neither a missing header nor a leaked token is enough on its own:
//!
//! 1. **Origin**: the `Origin` header (else `Referer`) is the admin's own origin (`PUBLIC_ADMIN_ORIGIN`).
//!    A request with neither is refused.
//! 2. **Token**: the session's CSRF token, in the form field `csrf_token` (every form in the templates has
//!    it; urlencoded and multipart forms alike) or the `X-CSRF-Token` header (the layout puts it in
//!    `hx-headers` on `<body>`, so every htmx request sends it). Before sign-in, the login form's
//!    token is the one in its own cookie (`__Host-admin_login_csrf`): a login cannot be forged either.
//!
//! A state-changing request without a session is left to its handler, whose role extractor sends it to the
//! login page: there is nothing to forge without a session. A refusal is 403 and audited (`csrf.refused`).

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    AppState, cookies,
    error::AdminError,
    extract::{Client, CurrentSession},
};
use crate::audit::{self, Entry, Outcome};

/// The login form's own token cookie.
pub const LOGIN_COOKIE: &str = "__Host-admin_login_csrf";
/// The form field and the header the token travels in.
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone, Copy)]
enum FormKind {
    Urlencoded,
    Multipart,
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let session = request.extensions().get::<CurrentSession>().cloned();
    // Who and what, for the audit entry of a refusal (the request itself cannot be held across an await).
    let refusal = Refusal {
        route: format!("{} {}", request.method(), request.uri().path()),
        client: Client::of_request(&request, &state),
        session: session.clone(),
    };
    let is_login = request.uri().path() == "/admin/login";
    let expected = match (&session, is_login) {
        (Some(session), _) => Some(session.csrf_token.clone()),
        (None, true) => cookies::get(request.headers(), LOGIN_COOKIE).map(str::to_owned),
        // No session: the handler's extractor sends it to the login page.
        (None, false) => None,
    };
    if let Err(reason) = check_origin(request.headers(), &state.config.public_origin) {
        return refusal.refuse(&state, reason).await;
    }
    if session.is_none() && !is_login {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let mut provided = parts
        .headers
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let kind = if content_type.starts_with("application/x-www-form-urlencoded") {
        Some(FormKind::Urlencoded)
    } else if content_type.starts_with("multipart/form-data") {
        Some(FormKind::Multipart)
    } else {
        None
    };
    // Without the header, the token is in the form: the body is read here, at most HTTP_MAX_BODY_BYTES of it
    // (a chunked body declares no length for the server to refuse early), and handed on whole.
    let body = match kind {
        Some(kind) if provided.is_none() => {
            let Ok(bytes) = axum::body::to_bytes(body, state.max_body_bytes).await else {
                return AdminError::BadRequest(
                    "The form is too large, or could not be read.".to_owned(),
                )
                .into_response();
            };
            provided = match kind {
                FormKind::Urlencoded => form_field(&bytes, FIELD),
                FormKind::Multipart => multipart_field(&bytes, FIELD),
            };
            Body::from(bytes)
        }
        _ => body,
    };
    let request = Request::from_parts(parts, body);
    match (expected, provided) {
        (Some(expected), Some(provided)) if constant_time_eq(&expected, &provided) => {
            next.run(request).await
        }
        (_, None) => {
            refusal
                .refuse(&state, "the form carried no CSRF token")
                .await
        }
        _ => refusal.refuse(&state, "the CSRF token is wrong").await,
    }
}

/// The `Origin` (else `Referer`) must be `origin`.
fn check_origin(headers: &HeaderMap, origin: &str) -> Result<(), &'static str> {
    if let Some(sent) = headers.get(header::ORIGIN) {
        return if sent.as_bytes() == origin.as_bytes() {
            Ok(())
        } else {
            Err("the request came from another origin")
        };
    }
    match headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
    {
        Some(referer)
            if referer == origin
                || referer
                    .strip_prefix(origin)
                    .is_some_and(|rest| rest.starts_with('/')) =>
        {
            Ok(())
        }
        Some(_) => Err("the request came from another origin (Referer)"),
        None => Err("the request said neither Origin nor Referer"),
    }
}

/// The raw value of `name` in an urlencoded body (tokens are URL-safe: no decoding needed).
fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The value of the part named `name` in a multipart body (a plain-text field: the token is URL-safe).
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = body
        .windows(marker.len())
        .position(|window| window == marker.as_bytes())?;
    let rest = &body[at..];
    let start = rest.windows(4).position(|window| window == b"\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = value.windows(2).position(|window| window == b"\r\n")?;
    std::str::from_utf8(&value[..end]).ok().map(str::to_owned)
}

/// Compares without stopping at the first difference, so the time taken does not reveal the token.
fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

struct Refusal {
    route: String,
    client: Client,
    session: Option<CurrentSession>,
}

impl Refusal {
    /// 403, and the refusal in the audit log.
    async fn refuse(self, state: &AppState, reason: &str) -> Response {
        let entry = match &self.session {
            Some(session) => Entry::by(session, "csrf.refused"),
            None => Entry::anonymous(&self.client, "", "csrf.refused"),
        }
        .target("route", self.route)
        .outcome(Outcome::Refused)
        .detail(reason);
        audit::record_or_log(&state.db, &entry).await;
        AdminError::Forbidden(
            "This request was refused because it did not come from a page of the admin. Reload the page \
             and try again."
                .to_owned(),
        )
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_must_be_ours_and_the_referer_counts_only_without_it() {
        let ours = "https://shop.test";
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        assert!(check_origin(&headers(&[("origin", "https://shop.test")]), ours).is_ok());
        assert!(check_origin(&headers(&[("origin", "https://evil.test")]), ours).is_err());
        assert!(check_origin(&headers(&[("origin", "null")]), ours).is_err());
        assert!(check_origin(&headers(&[("referer", "https://shop.test/admin/x")]), ours).is_ok());
        assert!(
            check_origin(
                &headers(&[("referer", "https://shop.test.evil.test/")]),
                ours
            )
            .is_err()
        );
        assert!(check_origin(&headers(&[]), ours).is_err());
    }

    #[test]
    fn the_token_is_found_among_the_form_fields() {
        assert_eq!(
            form_field(b"a=1&csrf_token=abc-_9&b=2", "csrf_token").as_deref(),
            Some("abc-_9")
        );
        assert_eq!(form_field(b"a=1", "csrf_token"), None);
        let multipart = b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok-1\r\n--b\r\n\
            Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG\r\n--b--\r\n";
        assert_eq!(
            multipart_field(multipart, "csrf_token").as_deref(),
            Some("tok-1")
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
