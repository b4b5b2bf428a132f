//! Signing in and out.
//!
//! The login form never says which part was wrong: an unknown email, a wrong password, a disabled account
//! and a wrong or replayed authentication code all get the same words (the audit log records which it was),
//! and an unknown email costs the same argon2 work as a known one. Before the password is checked the
//! throttle decides: refused (429 with `Retry-After`) while this address's delay on this account or on all
//! accounts runs, or slowed a bounded time when the account itself is under attack
//! (`platform::login_throttle`).

use std::time::Duration;

use axum::{
    Extension, Form, Router,
    extract::{Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use platform::login_throttle::Decision;
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    AppState, cookies, csrf,
    error::AdminError,
    extract::{Client, CurrentSession, Flash, RequireViewer},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    domain::random_token,
    sessions, staff, totp,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(show).post(submit))
        .route("/admin/logout", post(logout))
}

/// The words of every failed login.
const FAILED: &str = "The email, password or authentication code is not right.";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginQuery {
    next: String,
}

async fn show(
    State(state): State<AppState>,
    session: Option<Extension<CurrentSession>>,
    flash: Option<Extension<Flash>>,
    Query(query): Query<LoginQuery>,
) -> Response {
    if session.is_some() {
        return Redirect::to(safe_next(&query.next)).into_response();
    }
    login_page(
        &state,
        "",
        &query.next,
        None,
        flash.map(|Extension(flash)| flash),
        StatusCode::OK,
    )
}

/// The login form with a fresh token in its own cookie (the CSRF check before there is a session).
fn login_page(
    state: &AppState,
    email: &str,
    next: &str,
    error: Option<&str>,
    flash: Option<Flash>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let mut response = state.render(
        None,
        Page::new("login.html", "Sign in", "")
            .with("csrf_token", &token)
            .with("email", &email)
            .with("next", &next)
            .with("error", &error)
            .with("flash", &flash)
            .status(status),
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies::set(csrf::LOGIN_COOKIE, &token));
    response
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    code: String,
    next: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

async fn submit(
    State(state): State<AppState>,
    client: Client,
    Form(form): Form<LoginForm>,
) -> Result<Response, AdminError> {
    let email: String = form.email.trim().to_lowercase().chars().take(254).collect();
    match state.throttle.check(&email, client.ip).await? {
        Decision::Refuse { retry_after } => {
            let entry = Entry::anonymous(&client, &email, "login.throttled")
                .outcome(Outcome::Refused)
                .detail(format!(
                    "too many failures; retry after {} s",
                    retry_after.as_secs()
                ));
            audit::record_or_log(&state.db, &entry).await;
            let message = format!(
                "Too many attempts. Try again in {} seconds.",
                retry_after.as_secs()
            );
            let mut response = login_page(
                &state,
                &email,
                &form.next,
                Some(&message),
                None,
                StatusCode::TOO_MANY_REQUESTS,
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.as_secs()),
            );
            return Ok(response);
        }
        Decision::Allow { slow_down } if slow_down > Duration::ZERO => {
            tokio::time::sleep(slow_down).await;
        }
        Decision::Allow { .. } => {}
    }

    let account = staff::credentials(&state.db, &state.config.totp_key, &email).await?;
    let password_ok = platform::password::verify(
        SecretString::from(form.password.clone()),
        account
            .as_ref()
            .map(|account| account.password_hash.clone()),
    )
    .await
    .map_err(anyhow::Error::from)?;
    let refusal = match &account {
        None => Some("no account has this email"),
        Some(_) if !password_ok => Some("wrong password"),
        Some(account) if account.disabled_at.is_some() => Some("the account is disabled"),
        Some(account) => match &account.totp_secret {
            None => None,
            Some(secret) => {
                match totp::matching_step(secret, &form.code, chrono::Utc::now().timestamp()) {
                    None if form.code.trim().is_empty() => Some("no authentication code"),
                    None => Some("wrong authentication code"),
                    Some(step) if staff::take_totp_step(&state.db, account.id, step).await? => None,
                    Some(_) => Some("authentication code already used"),
                }
            }
        },
    };
    let mut entry = Entry::anonymous(&client, &email, "login.failed");
    if let Some(account) = &account {
        entry.staff_id = Some(account.id);
        entry = entry.target("staff", account.id);
    }
    let (Some(account), None) = (account, refusal) else {
        state.throttle.failed(&email, client.ip).await?;
        audit::record_or_log(
            &state.db,
            &entry
                .outcome(Outcome::Refused)
                .detail(refusal.unwrap_or_default()),
        )
        .await;
        return Ok(login_page(
            &state,
            &email,
            &form.next,
            Some(FAILED),
            None,
            StatusCode::UNAUTHORIZED,
        ));
    };

    state.throttle.succeeded(&email, client.ip).await?;
    // Always a new session: an id planted in the browser before sign-in is worth nothing after it.
    let session = state.sessions.create(account.id, &client).await?;
    entry.action = "login.success".to_owned();
    audit::record(&state.db, &entry).await?;
    let mut response = Redirect::to(safe_next(&form.next)).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(sessions::COOKIE, &session.id),
    );
    headers.append(header::SET_COOKIE, cookies::clear(csrf::LOGIN_COOKIE));
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    session: RequireViewer,
) -> Result<Response, AdminError> {
    state.sessions.delete(session.id_hash).await?;
    audit::record(
        &state.db,
        &Entry::by(&session, "logout").target("staff", session.staff.id),
    )
    .await?;
    let mut response = redirect_with_flash("/admin/login", &Flash::success("You have signed out."));
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies::clear(sessions::COOKIE));
    Ok(response)
}

/// Where to go after sign-in: a path of the admin, never another site (`//evil.test`, `/admin@evil.test`).
fn safe_next(next: &str) -> &str {
    let rest = next.strip_prefix("/admin");
    let stays_here = rest
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
        && !next.contains('\\')
        && !next.contains("//")
        && !next.chars().any(char::is_control);
    if stays_here { next } else { "/admin" }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_admin_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/admin/products?q=x"), "/admin/products?q=x");
        assert_eq!(safe_next("/admin"), "/admin");
        for bad in [
            "",
            "https://evil.test/admin",
            "//evil.test",
            "/admin@evil.test",
            "/admin//evil.test",
            "/admin/\\evil",
            "/adminx",
        ] {
            assert_eq!(safe_next(bad), "/admin", "{bad}");
        }
    }
}
