//! My account: any staff member changes their own password (proving the current one) and turns the TOTP
//! second factor on (scanning the QR code or typing the secret, then confirming with a code) or off (with
//! the password and a code).

use axum::{
    Form, Router,
    extract::State,
    http::header,
    response::Response,
    routing::{get, post},
};
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    AppState, cookies,
    error::AdminError,
    extract::{Flash, RequireViewer},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    domain::{Email, check_new_password},
    sessions,
    staff::{self, StaffError},
    totp,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/account", get(show))
        .route("/admin/account/password", post(change_password))
        .route("/admin/account/totp", get(totp_page).post(enable_totp))
        .route("/admin/account/totp/disable", post(disable_totp))
}

fn account_page() -> Page {
    Page::new("account/index.html", "My account", "account")
}

async fn show(State(state): State<AppState>, session: RequireViewer) -> Response {
    state.render(Some(&session), account_page())
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn refused(
    state: &AppState,
    session: &RequireViewer,
    action: &str,
    page: Page,
    errors: Vec<(&'static str, String)>,
) -> Response {
    let detail = errors
        .iter()
        .map(|(field, reason)| format!("{field}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ");
    audit::record_or_log(
        &state.db,
        &Entry::by(session, action)
            .target("staff", session.staff.id)
            .outcome(Outcome::Refused)
            .detail(detail),
    )
    .await;
    state.render(Some(session), page.with_errors(errors))
}

async fn current_password_ok(
    state: &AppState,
    session: &RequireViewer,
    password: &str,
) -> Result<bool, AdminError> {
    let hash = staff::password_hash(&state.db, session.staff.id).await?;
    platform::password::verify(SecretString::from(password.to_owned()), hash)
        .await
        .map_err(|err| AdminError::Internal(err.into()))
}

async fn change_password(
    State(state): State<AppState>,
    session: RequireViewer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AdminError> {
    let mut errors = Vec::new();
    if !current_password_ok(&state, &session, &form.current_password).await? {
        errors.push((
            "current_password",
            "is not your current password".to_owned(),
        ));
    }
    let email = Email::parse(&session.staff.email)
        .map_err(|reason| anyhow::anyhow!("stored email {reason}"))?;
    let new_password = SecretString::from(form.new_password.clone());
    if let Err(reason) = check_new_password(&new_password, &email) {
        errors.push(("new_password", reason.to_owned()));
    } else if form.new_password != form.confirm_password {
        errors.push((
            "confirm_password",
            "does not match the new password".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Ok(refused(
            &state,
            &session,
            "account.password_change",
            account_page(),
            errors,
        )
        .await);
    }
    staff::set_password(
        &state.db,
        session.staff.id,
        None,
        new_password,
        Entry::by(&session, "account.password_change"),
    )
    .await
    .map_err(|err| match err {
        StaffError::Database(err) => err.into(),
        err => AdminError::Internal(err.into()),
    })?;
    // Every session ended with the old password, this one too; this browser gets a new one.
    let new_session = state
        .sessions
        .create(session.staff.id, &session.client)
        .await?;
    let mut response = redirect_with_flash(
        "/admin/account",
        &Flash::success("Your password was changed. Your other sessions were signed out."),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(sessions::COOKIE, &new_session.id),
    );
    Ok(response)
}

/// The enrolment page for a new secret (or `secret` again, after a wrong code).
fn enrol_page(session: &RequireViewer, secret: &[u8]) -> Page {
    let uri = totp::otpauth_uri(secret, &session.staff.email);
    Page::new("account/totp.html", "Two-factor authentication", "account")
        .with("secret", &totp::base32(secret))
        .with("otpauth_uri", &uri)
        .with("qr_svg", &totp::qr_svg(&uri))
}

async fn totp_page(State(state): State<AppState>, session: RequireViewer) -> Response {
    if session.staff.totp_enabled {
        return redirect_with_flash(
            "/admin/account",
            &Flash::error("Two-factor authentication is on already."),
        );
    }
    state.render(Some(&session), enrol_page(&session, &totp::new_secret()))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EnableForm {
    secret: String,
    code: String,
}

async fn enable_totp(
    State(state): State<AppState>,
    session: RequireViewer,
    Form(form): Form<EnableForm>,
) -> Result<Response, AdminError> {
    let Some(secret) = totp::from_base32(&form.secret) else {
        return Err(AdminError::BadRequest(
            "The secret was lost: open the page again.".to_owned(),
        ));
    };
    let Some(step) = totp::matching_step(&secret, &form.code, chrono::Utc::now().timestamp())
    else {
        let page = enrol_page(&session, &secret);
        return Ok(refused(
            &state,
            &session,
            "account.totp_enable",
            page,
            vec![("code", "is not the code your app shows now".to_owned())],
        )
        .await);
    };
    staff::set_totp(
        &state.db,
        &state.config.totp_key,
        session.staff.id,
        Some((&secret, step)),
        Entry::by(&session, "account.totp_enable"),
    )
    .await
    .map_err(|err| match err {
        StaffError::Database(err) => err.into(),
        err => AdminError::Internal(err.into()),
    })?;
    Ok(redirect_with_flash(
        "/admin/account",
        &Flash::success("Two-factor authentication is on: sign-in asks for a code from your app."),
    ))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct DisableForm {
    password: String,
    code: String,
}

async fn disable_totp(
    State(state): State<AppState>,
    session: RequireViewer,
    Form(form): Form<DisableForm>,
) -> Result<Response, AdminError> {
    let mut errors = Vec::new();
    if !current_password_ok(&state, &session, &form.password).await? {
        errors.push(("password", "is not your current password".to_owned()));
    }
    let secret = staff::totp_secret(&state.db, &state.config.totp_key, session.staff.id).await?;
    let code_ok = match &secret {
        None => false,
        Some(secret) => {
            match totp::matching_step(secret, &form.code, chrono::Utc::now().timestamp()) {
                Some(step) => staff::take_totp_step(&state.db, session.staff.id, step).await?,
                None => false,
            }
        }
    };
    if !code_ok {
        errors.push(("code", "is not a current code from your app".to_owned()));
    }
    if !errors.is_empty() {
        return Ok(refused(
            &state,
            &session,
            "account.totp_disable",
            account_page(),
            errors,
        )
        .await);
    }
    staff::set_totp(
        &state.db,
        &state.config.totp_key,
        session.staff.id,
        None,
        Entry::by(&session, "account.totp_disable"),
    )
    .await
    .map_err(|err| match err {
        StaffError::Database(err) => err.into(),
        err => AdminError::Internal(err.into()),
    })?;
    Ok(redirect_with_flash(
        "/admin/account",
        &Flash::success("Two-factor authentication is off."),
    ))
}
