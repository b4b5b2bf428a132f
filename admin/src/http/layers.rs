//! The middleware every admin route runs through (order in [`super::router`]).

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    AppState, cookies,
    error::{AdminError, ErrorPage},
    extract::{Client, CurrentSession, Flash, SessionStaff},
    render::Page,
};
use crate::sessions;

/// The flash message's cookie: one message, set with a redirect, shown and cleared by the next page.
pub const FLASH_COOKIE: &str = "__Host-admin_flash";

/// No script but our own files, no inline script or style, no framing, no foreign form targets.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Security headers on every admin response; `no-store` unless the response set its own caching (static
/// files): authenticated pages must not stay in a shared or back-button cache.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A flash message for the next page, with a redirect (303: the browser follows with a GET).
pub fn redirect_with_flash(to: &str, flash: &Flash) -> Response {
    let mut response = Redirect::to(to).into_response();
    let value = serde_json::to_vec(flash).unwrap_or_default();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(FLASH_COOKIE, &data_encoding::BASE64URL_NOPAD.encode(&value)),
    );
    response
}

fn read_flash(headers: &HeaderMap) -> Option<Flash> {
    let value = cookies::get(headers, FLASH_COOKIE)?;
    let bytes = data_encoding::BASE64URL_NOPAD
        .decode(value.as_bytes())
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Finds the session of the `__Host-admin_session` cookie and puts it in the request's extensions (and the
/// response's, for the error pages); reads the flash message and clears it once a page showed it.
pub async fn load_session(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Static files are the same for everyone: no session lookup for each stylesheet.
    if request
        .uri()
        .path()
        .starts_with(super::static_files::PREFIX)
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let flash = read_flash(&parts.headers);
    let client = Client::of(&parts, &state);
    let mut session = None;
    if let Some(id) = cookies::get(&parts.headers, sessions::COOKIE) {
        match state.sessions.find(id).await {
            Ok(Some(found)) => {
                if let Some(role) = found.role() {
                    session = Some(CurrentSession {
                        staff: SessionStaff {
                            id: found.staff_id,
                            email: found.email,
                            role,
                            totp_enabled: found.totp_enabled,
                        },
                        csrf_token: found.csrf_token,
                        id_hash: found.id_hash,
                        client,
                        flash: flash.clone(),
                    });
                }
            }
            Ok(None) => {}
            Err(err) => return AdminError::from(err).into_response(),
        }
    }
    if let Some(session) = &session {
        parts.extensions.insert(session.clone());
    }
    if let Some(flash) = &flash {
        parts.extensions.insert(flash.clone());
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if flash.is_some() && response.status() == StatusCode::OK {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookies::clear(FLASH_COOKIE));
    }
    if let Some(session) = session {
        response.extensions_mut().insert(session);
    }
    response
}

/// Renders the [`ErrorPage`] a handler answered in the layout; "sign in" becomes a redirect to the login
/// page (for htmx, an `HX-Redirect`), coming back to the page asked for when it was a GET.
pub async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_htmx = request.headers().contains_key("hx-request");
    let back_to = (request.method() == Method::GET)
        .then(|| {
            request
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
        })
        .flatten();
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    if page.sign_in {
        let location = match back_to {
            Some(back) => format!("/admin/login?next={}", crate::audit::percent_encode(&back)),
            None => "/admin/login".to_owned(),
        };
        if is_htmx {
            let mut response = StatusCode::NO_CONTENT.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static("hx-redirect"), value);
            }
            return response;
        }
        return Redirect::to(&location).into_response();
    }
    let session = response.extensions().get::<CurrentSession>().cloned();
    let (parts, _) = response.into_parts();
    let mut rendered = state.render(
        session.as_ref(),
        Page::new("error.html", page.title, "")
            .with("message", &page.message)
            .status(parts.status),
    );
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    rendered
}

/// Every path no route matches.
pub async fn not_found() -> AdminError {
    AdminError::NotFound
}
