//! Dead letters: the messages a consumer gave up on, of every service's events in one table (anyone signed
//! in), one with its payload, and, for staff and owners, replaying it (its event published again on its
//! subject; every consumer is idempotent on the event id) or discarding it.
//!
//! The admin reads no stream and publishes no event: the producer of the events does both
//! (`rpc.catalog.admin.deadletters.*` for catalog events, `rpc.checkout.admin.deadletters.*` for order events;
//! contract in `platform::contracts::dead_letters`). A service that does not answer leaves a notice for its
//! part of the list, not an error page for the whole of it. Every replay and discard carries the form's
//! idempotency key (a double submit replays once) and is audited, as is every refusal.

use axum::{
    Form, Router,
    extract::{Path, Query, State},
    response::Response,
    routing::{get, post},
};
use platform::contracts::{
    admin::AdminReply,
    dead_letters::{
        CATALOG, CHECKOUT, DeadLetter, DeadLetterDiscarded, DeadLetterEndpoints, DeadLetterPage,
        DeadLetterReplayed, DiscardDeadLetter, GetDeadLetter, ListDeadLetters, ReplayDeadLetter,
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    AppState,
    error::AdminError,
    extract::{CurrentSession, Flash, RequireStaff, RequireViewer},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    services::command,
};

/// The services whose events can be dead-lettered, in the order the page shows them.
const SERVICES: [DeadLetterEndpoints; 2] = [CHECKOUT, CATALOG];

/// The client of the service that answers `endpoints`: each producer serves the dead letters of its events.
fn client<'a>(
    state: &'a AppState,
    endpoints: &DeadLetterEndpoints,
) -> &'a crate::services::ServiceClient {
    if endpoints.service == CATALOG.service {
        &state.catalog
    } else {
        &state.checkout
    }
}
/// Dead letters per service and page.
const PAGE: u32 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/dead-letters", get(list))
        .route("/admin/dead-letters/{service}/{sequence}", get(detail))
        .route(
            "/admin/dead-letters/{service}/{sequence}/replay",
            post(replay),
        )
        .route(
            "/admin/dead-letters/{service}/{sequence}/discard",
            post(discard),
        )
}

fn endpoints(service: &str) -> Result<DeadLetterEndpoints, AdminError> {
    SERVICES
        .into_iter()
        .find(|endpoints| endpoints.service == service)
        .ok_or(AdminError::NotFound)
}

/// A row of the table.
#[derive(Debug, Serialize)]
struct Row {
    service: &'static str,
    #[serde(flatten)]
    letter: DeadLetter,
    at: String,
}

fn when(letter: &DeadLetter) -> String {
    letter
        .dead_lettered_at
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// The next page of one service's dead letters (`?checkout=<after>`, `?catalog=<after>`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    checkout: Option<u64>,
    catalog: Option<u64>,
}

/// What the page says about one service's part of the list.
#[derive(Debug, Serialize)]
struct Part {
    service: &'static str,
    /// The link to this service's next page, when there is one.
    next: Option<String>,
    /// Why this service's dead letters are not shown.
    notice: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(query): Query<ListQuery>,
) -> Result<Response, AdminError> {
    let mut rows = Vec::new();
    let mut parts = Vec::new();
    for endpoints in SERVICES {
        let after = match endpoints.service {
            "catalog" => query.catalog,
            _ => query.checkout,
        };
        let request = ListDeadLetters {
            after,
            limit: Some(PAGE),
        };
        let reply = client(&state, &endpoints)
            .call::<_, DeadLetterPage>(endpoints.list, &request)
            .await;
        let mut part = Part {
            service: endpoints.service,
            next: None,
            notice: None,
        };
        match reply {
            Ok(AdminReply::Ok(page)) => {
                part.next = page
                    .next
                    .map(|next| format!("/admin/dead-letters?{}={next}", endpoints.service));
                rows.extend(page.dead_letters.into_iter().map(|letter| Row {
                    service: endpoints.service,
                    at: when(&letter),
                    letter,
                }));
            }
            Ok(other) => {
                tracing::warn!(service = endpoints.service, reply = ?other, "a dead-letter list was refused");
                part.notice = Some(format!(
                    "The {} service refused this page of its dead letters: start from the first page.",
                    endpoints.service
                ));
            }
            Err(err) => {
                if !matches!(err, AdminError::Unavailable) {
                    tracing::error!(service = endpoints.service, error = %err, "cannot list dead letters");
                }
                part.notice = Some(format!(
                    "The {} service did not answer: its dead letters are not shown. Try again in a few seconds.",
                    endpoints.service
                ));
            }
        }
        parts.push(part);
    }
    rows.sort_by_key(|row| row.letter.dead_lettered_at);
    Ok(state.render(
        Some(&session),
        Page::new("dead_letters/list.html", "Dead letters", "dead_letters")
            .with("rows", &rows)
            .with("parts", &parts)
            .with(
                "paged",
                &(query.catalog.is_some() || query.checkout.is_some()),
            ),
    ))
}

/// The payload as the page shows it: JSON indented, anything else as it is (the template escapes both).
fn shown_payload(letter: &DeadLetter) -> String {
    let text = &letter.payload.text;
    if !letter.payload.truncated
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(text)
        && let Ok(pretty) = serde_json::to_string_pretty(&json)
    {
        return pretty;
    }
    text.clone()
}

async fn detail(
    State(state): State<AppState>,
    session: RequireViewer,
    Path((service, sequence)): Path<(String, u64)>,
) -> Result<Response, AdminError> {
    let endpoints = endpoints(&service)?;
    let letter = match client(&state, &endpoints)
        .call::<_, DeadLetter>(endpoints.get, &GetDeadLetter { sequence })
        .await?
    {
        AdminReply::Ok(letter) => letter,
        AdminReply::NotFound { .. } => return Err(AdminError::NotFound),
        other => {
            return Err(AdminError::Internal(anyhow::anyhow!(
                "{} was refused: {other:?}",
                endpoints.get
            )));
        }
    };
    Ok(state.render(
        Some(&session),
        Page::new(
            "dead_letters/detail.html",
            &format!("Dead letter {sequence}"),
            "dead_letters",
        )
        .with("service", &endpoints.service)
        .with("at", &when(&letter))
        .with("payload", &shown_payload(&letter))
        .with("letter", &letter),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    idempotency_key: Option<Uuid>,
}

/// One action on one dead letter, as the audit log and the flash name it.
struct Action {
    name: &'static str,
    done: &'static str,
    endpoints: DeadLetterEndpoints,
    sequence: u64,
    key: Uuid,
}

impl Action {
    fn entry(&self, session: &CurrentSession) -> Entry {
        Entry::by(session, self.name).target(
            "dead_letter",
            format!("{}/{}", self.endpoints.service, self.sequence),
        )
    }
}

fn action(
    name: &'static str,
    done: &'static str,
    service: &str,
    sequence: u64,
    form: &ActionForm,
) -> Result<Action, AdminError> {
    let Some(key) = form.idempotency_key else {
        return Err(AdminError::BadRequest(
            "The form was incomplete (no idempotency key): reload the page and try again."
                .to_owned(),
        ));
    };
    Ok(Action {
        name,
        done,
        endpoints: endpoints(service)?,
        sequence,
        key,
    })
}

/// Audits the reply of `action` and answers with the list and a flash (or the "try again" page).
async fn answer<T: Serialize>(
    state: &AppState,
    session: &CurrentSession,
    action: &Action,
    reply: Result<AdminReply<T>, AdminError>,
    detail: impl FnOnce(&T) -> String,
) -> Result<Response, AdminError> {
    let reply = match reply {
        Ok(reply) => reply,
        Err(err) => {
            let entry = action
                .entry(session)
                .outcome(Outcome::Failed)
                .detail(format!(
                    "the {} service did not answer",
                    action.endpoints.service
                ));
            audit::record_or_log(&state.db, &entry).await;
            return Err(err);
        }
    };
    let refusal = match reply {
        AdminReply::Ok(done) => {
            let detail = detail(&done);
            audit::record(
                &state.db,
                &action
                    .entry(session)
                    .command(action.key)
                    .after(&done)
                    .detail(&detail),
            )
            .await?;
            return Ok(redirect_with_flash(
                "/admin/dead-letters",
                &Flash::success(format!(
                    "Dead letter {} {}: {detail}.",
                    action.sequence, action.done
                )),
            ));
        }
        AdminReply::NotFound { .. } => {
            "it is not there any more (replayed, discarded or expired already)".to_owned()
        }
        AdminReply::Invalid { errors } => errors
            .iter()
            .map(|e| format!("{} {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; "),
        AdminReply::Conflict { reason, .. } => reason,
    };
    audit::record_or_log(
        &state.db,
        &action
            .entry(session)
            .outcome(Outcome::Refused)
            .detail(&refusal),
    )
    .await;
    Ok(redirect_with_flash(
        "/admin/dead-letters",
        &Flash::error(format!(
            "Dead letter {} was not {}: {refusal}.",
            action.sequence, action.done
        )),
    ))
}

async fn replay(
    State(state): State<AppState>,
    session: RequireStaff,
    Path((service, sequence)): Path<(String, u64)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AdminError> {
    let action = action("deadletter.replay", "replayed", &service, sequence, &form)?;
    let reply = client(&state, &action.endpoints)
        .call::<_, DeadLetterReplayed>(
            action.endpoints.replay,
            &command(&session, action.key, ReplayDeadLetter { sequence }),
        )
        .await;
    answer(&state, &session, &action, reply, |done| {
        format!(
            "published again on {} (message id {}{})",
            done.subject,
            done.message_id,
            if done.duplicate {
                ", which the stream had already"
            } else {
                ""
            }
        )
    })
    .await
}

async fn discard(
    State(state): State<AppState>,
    session: RequireStaff,
    Path((service, sequence)): Path<(String, u64)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AdminError> {
    let action = action("deadletter.discard", "discarded", &service, sequence, &form)?;
    let reply = client(&state, &action.endpoints)
        .call::<_, DeadLetterDiscarded>(
            action.endpoints.discard,
            &command(&session, action.key, DiscardDeadLetter { sequence }),
        )
        .await;
    answer(&state, &session, &action, reply, |_| {
        "deleted without replaying".to_owned()
    })
    .await
}
