//! Staff management, owners only: the list, adding a staff member with a role and an initial password,
//! changing a role, disabling and enabling, resetting a password. A change that affects what someone may do
//! ends their sessions (`crate::staff`). Nobody changes their own role or disables themselves, so an owner
//! always remains.

use axum::{
    Form, Router,
    extract::{Path, State},
    response::Response,
    routing::{get, post},
};
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    AppState,
    error::AdminError,
    extract::{Flash, RequireOwner},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    domain::{Email, Role, check_new_password},
    staff::{self, StaffError},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/staff", get(list).post(create))
        .route("/admin/staff/new", get(new))
        .route("/admin/staff/{id}", get(edit))
        .route("/admin/staff/{id}/role", post(change_role))
        .route("/admin/staff/{id}/disable", post(disable))
        .route("/admin/staff/{id}/enable", post(enable))
        .route("/admin/staff/{id}/password", post(reset_password))
        .route("/admin/staff/{id}/totp-off", post(turn_off_totp))
}

async fn list(
    State(state): State<AppState>,
    session: RequireOwner,
) -> Result<Response, AdminError> {
    let members = staff::list(&state.db).await?;
    Ok(state.render(
        Some(&session),
        Page::new("staff/list.html", "Staff", "staff").with("members", &members),
    ))
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
struct NewStaffForm {
    email: String,
    role: String,
    #[serde(skip_serializing)]
    password: String,
}

fn new_page(form: &NewStaffForm) -> Page {
    Page::new("staff/new.html", "Add a staff member", "staff")
        .with("form", form)
        .with("roles", &Role::ALL)
}

async fn new(State(state): State<AppState>, session: RequireOwner) -> Response {
    state.render(
        Some(&session),
        new_page(&NewStaffForm {
            role: "staff".to_owned(),
            ..NewStaffForm::default()
        }),
    )
}

async fn create(
    State(state): State<AppState>,
    session: RequireOwner,
    Form(form): Form<NewStaffForm>,
) -> Result<Response, AdminError> {
    let mut errors = Vec::new();
    let email = Email::parse(&form.email)
        .map_err(|reason| errors.push(("email", reason.to_owned())))
        .ok();
    let role = form
        .role
        .parse::<Role>()
        .map_err(|reason| errors.push(("role", reason)))
        .ok();
    let password = SecretString::from(form.password.clone());
    if let Some(email) = &email
        && let Err(reason) = check_new_password(&password, email)
    {
        errors.push(("password", reason.to_owned()));
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Ok(refused_form(&state, &session, "staff.create", new_page(&form), errors).await);
    };
    let entry = Entry::by(&session, "staff.create");
    match staff::create(&state.db, &email, role, password, entry).await {
        Ok(member) => Ok(redirect_with_flash(
            &format!("/admin/staff/{}", member.id),
            &Flash::success(format!("{} was added as {role}.", member.email)),
        )),
        Err(StaffError::EmailTaken) => Ok(refused_form(
            &state,
            &session,
            "staff.create",
            new_page(&form),
            vec![("email", StaffError::EmailTaken.to_string())],
        )
        .await),
        Err(err) => Err(internal(err)),
    }
}

/// The form again with its errors next to the fields (422), and the refusal in the audit log.
async fn refused_form(
    state: &AppState,
    session: &RequireOwner,
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
            .outcome(Outcome::Refused)
            .detail(detail),
    )
    .await;
    state.render(Some(session), page.with_errors(errors))
}

fn internal(err: StaffError) -> AdminError {
    match err {
        StaffError::Database(err) => err.into(),
        StaffError::NotFound => AdminError::NotFound,
        err => AdminError::Internal(err.into()),
    }
}

async fn edit(
    State(state): State<AppState>,
    session: RequireOwner,
    Path(id): Path<u64>,
) -> Result<Response, AdminError> {
    let member = staff::get(&state.db, id)
        .await?
        .ok_or(AdminError::NotFound)?;
    Ok(state.render(
        Some(&session),
        Page::new("staff/edit.html", &member.email.clone(), "staff")
            .with("member", &member)
            .with("roles", &Role::ALL)
            .with("is_me", &(member.id == session.staff.id)),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VersionForm {
    version: u32,
    role: String,
    password: String,
}

/// The answer to a change: back to the member's page with what happened.
async fn after_change(
    state: &AppState,
    session: &RequireOwner,
    id: u64,
    action: &str,
    result: Result<staff::StaffMember, StaffError>,
    done: impl FnOnce(&staff::StaffMember) -> String,
) -> Result<Response, AdminError> {
    let back = format!("/admin/staff/{id}");
    match result {
        Ok(member) => Ok(redirect_with_flash(&back, &Flash::success(done(&member)))),
        Err(err @ (StaffError::Changed | StaffError::OwnAccount)) => {
            audit::record_or_log(
                &state.db,
                &Entry::by(session, action)
                    .target("staff", id)
                    .outcome(Outcome::Refused)
                    .detail(err.to_string()),
            )
            .await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(capitalised(&err.to_string())),
            ))
        }
        Err(err) => Err(internal(err)),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

async fn change_role(
    State(state): State<AppState>,
    session: RequireOwner,
    Path(id): Path<u64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, AdminError> {
    let Ok(role) = form.role.parse::<Role>() else {
        return Err(AdminError::BadRequest(
            "The role must be owner, staff or viewer.".to_owned(),
        ));
    };
    let result = staff::set_role(
        &state.db,
        id,
        form.version,
        role,
        session.staff.id,
        Entry::by(&session, "staff.role_change"),
    )
    .await;
    after_change(
        &state,
        &session,
        id,
        "staff.role_change",
        result,
        |member| format!("{} is now {role}; their sessions were ended.", member.email),
    )
    .await
}

async fn disable(
    State(state): State<AppState>,
    session: RequireOwner,
    Path(id): Path<u64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, AdminError> {
    let result = staff::set_disabled(
        &state.db,
        id,
        form.version,
        true,
        session.staff.id,
        Entry::by(&session, "staff.disable"),
    )
    .await;
    after_change(&state, &session, id, "staff.disable", result, |member| {
        format!("{} is disabled; their sessions were ended.", member.email)
    })
    .await
}

async fn enable(
    State(state): State<AppState>,
    session: RequireOwner,
    Path(id): Path<u64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, AdminError> {
    let result = staff::set_disabled(
        &state.db,
        id,
        form.version,
        false,
        session.staff.id,
        Entry::by(&session, "staff.enable"),
    )
    .await;
    after_change(&state, &session, id, "staff.enable", result, |member| {
        format!("{} may sign in again.", member.email)
    })
    .await
}

async fn turn_off_totp(
    State(state): State<AppState>,
    session: RequireOwner,
    Path(id): Path<u64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, AdminError> {
    let result = staff::turn_off_totp(
        &state.db,
        &state.config.totp_key,
        id,
        form.version,
        Entry::by(&session, "staff.totp_off"),
    )
    .await;
    after_change(&state, &session, id, "staff.totp_off", result, |member| {
        format!(
            "Two-factor authentication of {} is off: they sign in with their password and may turn it on again.",
            member.email
        )
    })
    .await
}

async fn reset_password(
    State(state): State<AppState>,
    session: RequireOwner,
    Path(id): Path<u64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, AdminError> {
    let member = staff::get(&state.db, id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let password = SecretString::from(form.password.clone());
    let email =
        Email::parse(&member.email).map_err(|reason| anyhow::anyhow!("stored email {reason}"))?;
    if let Err(reason) = check_new_password(&password, &email) {
        let page = Page::new("staff/edit.html", &member.email.clone(), "staff")
            .with("member", &member)
            .with("roles", &Role::ALL)
            .with("is_me", &(member.id == session.staff.id));
        return Ok(refused_form(
            &state,
            &session,
            "staff.password_reset",
            page,
            vec![("password", reason.to_owned())],
        )
        .await);
    }
    let result = staff::set_password(
        &state.db,
        id,
        Some(form.version),
        password,
        Entry::by(&session, "staff.password_reset"),
    )
    .await;
    after_change(
        &state,
        &session,
        id,
        "staff.password_reset",
        result,
        |member| {
            format!(
                "The password of {} was reset; their sessions were ended.",
                member.email
            )
        },
    )
    .await
}
