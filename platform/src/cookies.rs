//! Cookies of the services with a sign-in (the web admin, the accounts service): read from the `Cookie`
//! header, written with every protection a browser offers.
//! `__Host-` names make the browser insist on Secure, `Path=/` and no `Domain` (no subdomain can set or read
//! them); HttpOnly keeps them from scripts; SameSite=Strict keeps them off every cross-site request.

use axum::http::{HeaderMap, HeaderValue, header};

/// The value of cookie `name` in the request, if any.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// A `Set-Cookie` value for a browser-session cookie (`value` must be cookie-safe: base64url or the like).
pub fn set(name: &str, value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict"
    ))
    .unwrap_or_else(|_| clear(name))
}

/// A `Set-Cookie` value for a cookie the browser keeps for `max_age` across restarts (a "remember me"
/// session; the server still decides how long the session behind it is valid).
pub fn set_persistent(name: &str, value: &str, max_age: std::time::Duration) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        max_age.as_secs()
    ))
    .unwrap_or_else(|_| clear(name))
}

/// A `Set-Cookie` value that deletes cookie `name`.
pub fn clear(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}
