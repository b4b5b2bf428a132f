//! The email log: what the mailer sent or tried to send, filtered by state, kind, day and recipient, newest
//! first in keyset pages; one email with each attempt and its error; and "Send again" for a failed or
//! uncertain email (staff and owners, after a confirmation, with an idempotency key, audited as
//! `email.resend`). The mailer owns the log (`rpc.mailer.admin.emails.*`, contract in
//! `platform::contracts::mailer`); a resend is never automatic, and the mailer sends it at most once per key.

use axum::{
    Form, Router,
    extract::{Path, Query, State},
    response::Response,
    routing::{get, post},
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    mailer::{
        EMAILS_GET, EMAILS_LIST, EMAILS_RESEND, EmailDetail, EmailKind, EmailPage, EmailState,
        EmailSummary, GetEmail, ListEmails, ResendEmail, Resent,
    },
};
use serde::Serialize;

use super::{
    AppState,
    error::AdminError,
    extract::{Flash, RequireStaff, RequireViewer},
    forms::{Pairs, day_field, detail_of, field, idempotency_key, parse_enum, start_of},
    layers::redirect_with_flash,
    listing::{Keyset, query_of},
    orders::{kind_label, when},
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    services::command,
};

const LIST_PATH: &str = "/admin/emails";
const PAGE_ROWS: u32 = 50;
const STATES: [&str; 6] = [
    "pending",
    "sending",
    "sent",
    "retrying",
    "failed",
    "uncertain",
];
const KINDS: [&str; 9] = [
    "order_confirmation",
    "order_shipped",
    "order_cancelled",
    "order_refunded",
    "back_in_stock",
    "account_verify",
    "account_exists",
    "password_reset",
    "password_changed",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(LIST_PATH, get(list))
        .route("/admin/emails/{id}", get(show))
        .route("/admin/emails/{id}/resend", post(resend))
}

fn snake<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The list's filters, from the URL.
#[derive(Debug, Default, Serialize)]
struct EmailView {
    state: String,
    kind: String,
    /// First and last day logged (UTC), `YYYY-MM-DD`.
    from: String,
    to: String,
    recipient: String,
    #[serde(flatten)]
    page: Keyset,
}

impl EmailView {
    fn from_pairs(pairs: &Pairs) -> Self {
        let text = |name: &str| field(pairs, name).trim().to_owned();
        Self {
            state: text("state"),
            kind: text("kind"),
            from: text("from"),
            to: text("to"),
            recipient: text("recipient"),
            page: Keyset::from_pairs(pairs),
        }
    }

    fn filters_query(&self) -> String {
        query_of([
            ("state", self.state.as_str()),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
            ("recipient", &self.recipient),
        ])
    }

    fn request(&self) -> Result<ListEmails, Vec<FieldError>> {
        let mut errors = Vec::new();
        let from = day_field("from", &self.from, &mut errors).and_then(|day| start_of(day, false));
        let until = day_field("to", &self.to, &mut errors).and_then(|day| start_of(day, true));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ListEmails {
            state: parse_enum::<EmailState>(&self.state).filter(|s| *s != EmailState::Unknown),
            kind: parse_enum::<EmailKind>(&self.kind).filter(|k| *k != EmailKind::Unknown),
            from,
            until,
            recipient: (!self.recipient.is_empty()).then(|| self.recipient.clone()),
            cursor: self.page.cursor(),
            limit: Some(PAGE_ROWS),
        })
    }
}

/// An email as the list and the page show it.
#[derive(Debug, Serialize)]
struct EmailRow {
    id: u64,
    kind: &'static str,
    order_number: String,
    /// Whether `order_number` is an order's (a back-in-stock alert's is its `SA-` reference: no order page).
    of_order: bool,
    recipient: String,
    subject: String,
    state: String,
    attempts: u32,
    last_error: Option<String>,
    logged: String,
    sent: Option<String>,
}

impl From<&EmailSummary> for EmailRow {
    fn from(email: &EmailSummary) -> Self {
        Self {
            id: email.id,
            kind: kind_label(email.kind),
            order_number: email.order_number.clone(),
            of_order: matches!(
                email.kind,
                EmailKind::OrderConfirmation
                    | EmailKind::OrderShipped
                    | EmailKind::OrderCancelled
                    | EmailKind::OrderRefunded
            ),
            recipient: email.recipient.clone(),
            subject: email.subject.clone(),
            state: snake(email.state),
            attempts: email.attempts,
            last_error: email.last_error.clone(),
            logged: when(email.created_at),
            sent: email.sent_at.map(when),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(pairs): Query<Pairs>,
) -> Result<Response, AdminError> {
    let view = EmailView::from_pairs(&pairs);
    let empty = || EmailPage {
        rows: Vec::new(),
        next: None,
    };
    let (page, errors) = match view.request() {
        Err(errors) => (empty(), errors),
        Ok(request) => match state
            .mailer
            .call::<_, EmailPage>(EMAILS_LIST, &request)
            .await?
        {
            AdminReply::Ok(page) => (page, Vec::new()),
            AdminReply::Invalid { errors } => (empty(), errors),
            other => {
                return Err(AdminError::Internal(anyhow::anyhow!(
                    "the email log was refused: {other:?}"
                )));
            }
        },
    };
    let filters_query = view.filters_query();
    let pager = view
        .page
        .pager(LIST_PATH, &filters_query, page.next.as_deref());
    let rows: Vec<EmailRow> = page.rows.iter().map(EmailRow::from).collect();
    let kinds: Vec<(&str, &str)> = KINDS
        .iter()
        .map(|kind| (*kind, parse_enum::<EmailKind>(kind).map_or("", kind_label)))
        .collect();
    Ok(state.render(
        Some(&session),
        Page::new("emails/list.html", "Emails", "emails")
            .with("view", &view)
            .with("rows", &rows)
            .with("pager", &pager)
            .with("states", &STATES)
            .with("kinds", &kinds)
            .with_errors(errors.iter().map(|e| {
                let field = match e.field.as_str() {
                    "until" => "to",
                    other => other,
                };
                (field.to_owned(), e.reason.clone())
            })),
    ))
}

async fn load(state: &AppState, id: u64) -> Result<EmailDetail, AdminError> {
    match state
        .mailer
        .call::<_, EmailDetail>(EMAILS_GET, &GetEmail { id })
        .await?
    {
        AdminReply::Ok(detail) => Ok(detail),
        AdminReply::NotFound { .. } => Err(AdminError::NotFound),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "email {id} was refused: {other:?}"
        ))),
    }
}

/// One attempt as the page shows it.
#[derive(Debug, Serialize)]
struct AttemptRow {
    attempt: u32,
    started: String,
    finished: Option<String>,
    outcome: String,
    error: Option<String>,
    provider_message_id: Option<String>,
    transport: String,
    requested_by: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(id): Path<u64>,
) -> Result<Response, AdminError> {
    let detail = load(&state, id).await?;
    let attempts: Vec<AttemptRow> = detail
        .history
        .iter()
        .map(|attempt| AttemptRow {
            attempt: attempt.attempt,
            started: when(attempt.started_at),
            finished: attempt.finished_at.map(when),
            outcome: snake(attempt.outcome),
            error: attempt.error.clone(),
            provider_message_id: attempt.provider_message_id.clone(),
            transport: attempt.transport.clone(),
            requested_by: attempt.requested_by.as_ref().map(|a| a.email.clone()),
        })
        .collect();
    let title = format!("Email {id}");
    Ok(state.render(
        Some(&session),
        Page::new("emails/detail.html", &title, "emails")
            .with("email", &EmailRow::from(&detail.email))
            .with("transport", &detail.transport)
            .with("provider_message_id", &detail.provider_message_id)
            .with("resendable", &detail.resendable)
            .with("attempts", &attempts),
    ))
}

async fn resend(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u64>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let entry = || {
        Entry::by(&session, "email.resend")
            .target("email", id)
            .command(key)
    };
    let back = format!("/admin/emails/{id}");
    let before = load(&state, id).await?;
    let reply = match state
        .mailer
        .call::<_, Resent>(EMAILS_RESEND, &command(&session, key, ResendEmail { id }))
        .await
    {
        Err(AdminError::Unavailable) => {
            audit::record_or_log(
                &state.db,
                &entry()
                    .before(&before)
                    .outcome(Outcome::Failed)
                    .detail("the mailer did not answer"),
            )
            .await;
            return Err(AdminError::Unavailable);
        }
        other => other?,
    };
    match reply {
        AdminReply::Ok(resent) => {
            audit::record(
                &state.db,
                &entry().before(&before).after(&resent).detail(format!(
                    "attempt {}: {}",
                    resent.attempt,
                    snake(resent.state)
                )),
            )
            .await?;
            let flash = match (resent.state, &resent.error) {
                (EmailState::Sent, _) => {
                    Flash::success(format!("Sent again (attempt {}).", resent.attempt))
                }
                (state, Some(error)) => Flash::error(format!(
                    "Attempt {} ended {}: {error}",
                    resent.attempt,
                    snake(state)
                )),
                (state, None) => Flash::error(format!(
                    "Attempt {} ended {}.",
                    resent.attempt,
                    snake(state)
                )),
            };
            Ok(redirect_with_flash(&back, &flash))
        }
        AdminReply::Conflict { reason, .. } => {
            audit::record_or_log(
                &state.db,
                &entry()
                    .before(&before)
                    .outcome(Outcome::Refused)
                    .detail(&reason),
            )
            .await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Not sent again: {reason}.")),
            ))
        }
        AdminReply::Invalid { errors } => {
            audit::record_or_log(
                &state.db,
                &entry().outcome(Outcome::Refused).detail(detail_of(&errors)),
            )
            .await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Not sent again: {}.", detail_of(&errors))),
            ))
        }
        AdminReply::NotFound { what } => {
            audit::record_or_log(&state.db, &entry().outcome(Outcome::Refused).detail(what)).await;
            Err(AdminError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::forms::pairs;

    #[test]
    fn the_filters_become_the_mailers_query_and_a_bad_day_is_named() {
        let view = EmailView::from_pairs(&pairs(&[
            ("state", "failed"),
            ("kind", "order_shipped"),
            ("to", "2025-03-31"),
            ("recipient", "ana@example.com"),
        ]));
        let request = view.request().unwrap();
        assert_eq!(request.state, Some(EmailState::Failed));
        assert_eq!(request.kind, Some(EmailKind::OrderShipped));
        assert_eq!(
            request.until.unwrap().to_rfc3339(),
            "2025-04-01T00:00:00+00:00"
        );
        let bad = EmailView::from_pairs(&pairs(&[("from", "soon")]));
        assert_eq!(bad.request().unwrap_err()[0].field, "from");
    }
}
