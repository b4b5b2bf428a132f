//! The email log for the web admin (`rpc.mailer.admin.*`, contracts in `platform::contracts::mailer`): the
//! list (filters, keyset pages, newest first), one email with its attempts, an order's emails for its
//! timeline, and the resend of a `failed` or `uncertain` email. Refusals (a bad filter, an unknown id, an
//! email that may not be resent) are replies and write nothing; `Err` is a failure of the database, which the
//! endpoint turns into a "try again" service error.
//!
//! # The list reads one index
//!
//! Newest first is `ORDER BY created_at DESC, id DESC`, and each filter has an index that continues with
//! `created_at` (`(state, created_at)`, `(kind, created_at)`, `(recipient, created_at)`, or `(created_at)`
//! alone; InnoDB appends `id`), so a page reads its rows from the cursor on and stops at the limit, however
//! long the log. With several filters one index is read and the others are checked row by row: fast while
//! the rows the index finds mostly match (a rare state with a common kind is the usual question).
//!
//! # A resend is an operator's decision
//!
//! Never automatic: the worker never sends a `failed` or `uncertain` email again by itself (a replayed dead
//! letter aside). [`resend`] claims the command's idempotency key (`platform::admin_commands`) in the
//! transaction that takes the email (`sending`, one more attempt, recorded with who asked), commits, and
//! then sends through the same transport, rate limit and recording as the worker; the reply says how it
//! ended and replaces the recorded one, so a double-submitted command gets that answer and sends nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::{
    Runtime, admin_commands,
    contracts::{
        OrderNumber,
        admin::{Actor, AdminReply, Command, FieldError},
        mailer::{
            ADMIN_RPC_GROUP, AttemptOutcome, DEFAULT_PAGE, EMAILS_FOR_ORDER, EMAILS_GET,
            EMAILS_LIST, EMAILS_RESEND, EmailAttempt, EmailDetail, EmailKind, EmailPage,
            EmailState, EmailSummary, EmailsForOrder, GetEmail, ListEmails, MAX_PAGE, OrderEmails,
            ResendEmail, Resent,
        },
    },
    rpc::{HandlerFailure, serve},
};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::{AssertSqlSafe, Connection as _, MySqlPool, Row as _, mysql::MySqlRow, types::Json};
use uuid::Uuid;

use crate::{
    email_log::{self, State},
    mail::{Kind, Mail},
    mime::OutgoingEmail,
    worker::{Unsendable, Worker},
};

/// Admin requests handled at once per endpoint: a few people click, rarely together.
const CONCURRENCY: usize = 8;

/// The columns of an [`EmailSummary`].
const SUMMARY_COLUMNS: &str = "id, event_id, kind, order_number, recipient, subject, state, attempts, \
                               last_error, created_at, updated_at, sent_at";

pub use platform::keyset::Arg;

/// One page of the list, as the statement needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListSpec {
    pub state: Option<State>,
    pub kind: Option<Kind>,
    pub recipient: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// The last row of the previous page: its `created_at` and id.
    pub after: Option<(DateTime<Utc>, u64)>,
    /// Rows to read: the page size plus one, to know whether there is more.
    pub limit: u32,
}

/// The statement of a list page and its values. Only fixed fragments are assembled; values are bound.
pub fn list_sql(spec: &ListSpec) -> (String, Vec<Arg>) {
    let mut conditions = String::new();
    let mut args = Vec::new();
    if let Some(state) = spec.state {
        conditions.push_str(" AND state = ?");
        args.push(Arg::Text(state.as_str().to_owned()));
    }
    if let Some(kind) = spec.kind {
        conditions.push_str(" AND kind = ?");
        args.push(Arg::Text(kind.as_str().to_owned()));
    }
    if let Some(recipient) = &spec.recipient {
        conditions.push_str(" AND recipient = ?");
        args.push(Arg::Text(recipient.clone()));
    }
    if let Some(from) = spec.from {
        conditions.push_str(" AND created_at >= ?");
        args.push(Arg::Time(from));
    }
    if let Some(until) = spec.until {
        conditions.push_str(" AND created_at < ?");
        args.push(Arg::Time(until));
    }
    if let Some((created_at, id)) = spec.after {
        conditions.push_str(" AND (created_at < ? OR (created_at = ? AND id < ?))");
        let id = Arg::Int(i64::try_from(id).unwrap_or(i64::MAX));
        args.extend([Arg::Time(created_at), Arg::Time(created_at), id]);
    }
    args.push(Arg::Int(spec.limit.into()));
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM email_log WHERE TRUE{conditions} \
         ORDER BY created_at DESC, id DESC LIMIT ?"
    );
    (sql, args)
}

/// A page of the log as asked.
pub async fn list(
    pool: &MySqlPool,
    request: &ListEmails,
) -> Result<AdminReply<EmailPage>, sqlx::Error> {
    let spec = match spec_of(request) {
        Ok(spec) => spec,
        Err(errors) => return Ok(AdminReply::Invalid { errors }),
    };
    let page_size = spec.limit as usize - 1;
    let (sql, args) = list_sql(&spec);
    let mut rows = platform::keyset::query(&sql, &args)
        .fetch_all(pool)
        .await?
        .iter()
        .map(summary)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if rows.len() > page_size {
        rows.truncate(page_size);
        rows.last()
            .map(|row| cursor::encode(row.created_at, row.id))
    } else {
        None
    };
    Ok(AdminReply::Ok(EmailPage { rows, next }))
}

/// The statement's view of a request, or every bad field of it.
pub fn spec_of(request: &ListEmails) -> Result<ListSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let limit = request.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be from 1 to {MAX_PAGE}"),
        ));
    }
    let state = match request.state {
        None => None,
        Some(state) => match state_of(state) {
            Some(state) => Some(state),
            None => {
                errors.push(FieldError::new("state", "is not a state emails have"));
                None
            }
        },
    };
    let kind = match request.kind {
        None => None,
        Some(kind) => match kind_of(kind) {
            Some(kind) => Some(kind),
            None => {
                errors.push(FieldError::new("kind", "is not a kind of email"));
                None
            }
        },
    };
    let recipient = request
        .recipient
        .as_deref()
        .map(str::trim)
        .filter(|recipient| !recipient.is_empty());
    if recipient.is_some_and(|recipient| recipient.chars().count() > 320) {
        errors.push(FieldError::new(
            "recipient",
            "must be at most 320 characters",
        ));
    }
    if let (Some(from), Some(until)) = (request.from, request.until)
        && from >= until
    {
        errors.push(FieldError::new("until", "must be after from"));
    }
    let after = match request.cursor.as_deref() {
        Some(text) if !text.is_empty() => match cursor::decode(text) {
            Some(after) => Some(after),
            None => {
                errors.push(FieldError::new(
                    "cursor",
                    "is not a cursor of this list: start again from the first page",
                ));
                None
            }
        },
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ListSpec {
        state,
        kind,
        recipient: recipient.map(str::to_owned),
        from: request.from,
        until: request.until,
        after,
        limit: limit + 1,
    })
}

/// The opaque cursor ([`platform::keyset`]'s, sort tag `e`): the last row's `created_at` and id.
mod cursor {
    use chrono::{DateTime, Utc};
    use platform::keyset::{Arg, decode_cursor, encode_cursor};

    const SORT: &str = "e";

    pub(super) fn encode(created_at: DateTime<Utc>, id: u64) -> String {
        encode_cursor(SORT, id, &Arg::Time(created_at))
    }

    pub(super) fn decode(cursor: &str) -> Option<(DateTime<Utc>, u64)> {
        match decode_cursor(cursor, 200)? {
            (sort, id, Arg::Time(created_at)) if sort == SORT => {
                Some((created_at, id.parse().ok()?))
            }
            _ => None,
        }
    }
}

/// One email with every attempt recorded.
pub async fn get(
    pool: &MySqlPool,
    request: &GetEmail,
) -> Result<AdminReply<EmailDetail>, sqlx::Error> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS}, transport, provider_message_id, content IS NOT NULL AS has_content
         FROM email_log WHERE id = ?"
    )))
    .bind(request.id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(AdminReply::NotFound {
            what: format!("email {}", request.id),
        });
    };
    let email = summary(&row)?;
    let history = sqlx::query(
        "SELECT attempt, started_at, finished_at, outcome, error, provider_message_id, transport,
                requested_by_staff_id, requested_by_email
         FROM email_attempts WHERE email_id = ? ORDER BY attempt",
    )
    .bind(request.id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(attempt)
    .collect::<Result<Vec<_>, _>>()?;
    let has_content: bool = row.try_get("has_content")?;
    Ok(AdminReply::Ok(EmailDetail {
        resendable: has_content
            && matches!(email.state, EmailState::Failed | EmailState::Uncertain),
        email,
        transport: row.try_get("transport")?,
        provider_message_id: row.try_get("provider_message_id")?,
        history,
    }))
}

/// Every email of one order, oldest first.
pub async fn for_order(
    pool: &MySqlPool,
    request: &EmailsForOrder,
) -> Result<AdminReply<OrderEmails>, sqlx::Error> {
    let Ok(number) = OrderNumber::parse(request.number.trim()) else {
        return Ok(AdminReply::invalid(
            "number",
            "must be an order number like SH-7K2M9Q4T",
        ));
    };
    let emails = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM email_log WHERE order_number = ? ORDER BY created_at, id"
    )))
    .bind(number.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(summary)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(AdminReply::Ok(OrderEmails {
        number: number.into_string(),
        emails,
    }))
}

/// Sends a `failed` or `uncertain` email again, once per command (see the module docs).
pub async fn resend(
    worker: &Worker,
    command: &Command<ResendEmail>,
) -> Result<AdminReply<Resent>, sqlx::Error> {
    let pool = worker.db();
    let (attempt, outgoing, mail) = {
        let mut conn = pool.acquire().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            .execute(&mut *conn)
            .await?;
        let mut tx = conn.begin().await?;
        if let Some(replay) = admin_commands::claim(&mut tx, EMAILS_RESEND, command).await? {
            return Ok(replay);
        }
        let (attempt, outgoing, mail) = match take_for_resend(worker, &mut tx, command).await? {
            Ok(taken) => taken,
            Err(refusal) => {
                // Nothing written, the claim included: the same form may be sent again.
                tx.rollback().await?;
                return Ok(refusal);
            }
        };
        let taken = AdminReply::Ok(Resent {
            id: command.body.id,
            attempt,
            state: EmailState::Sending,
            error: None,
        });
        admin_commands::record(&mut tx, &command.idempotency_key, &taken).await?;
        tx.commit().await?;
        (attempt, outgoing, mail)
    };

    let id = command.body.id;
    log_resend(&command.actor, id, attempt, &mail);
    let (state, error) = worker.send_once(id, attempt, &outgoing).await;
    let reply = AdminReply::Ok(Resent {
        id,
        attempt,
        state: state_to_contract(state),
        error,
    });
    // The outcome replaces the recorded reply, for a second submit of the form. If it cannot be written, the
    // second submit is told `sending`, which the email's page corrects.
    let mut conn = pool.acquire().await?;
    if let Err(err) = admin_commands::record(&mut conn, &command.idempotency_key, &reply).await {
        tracing::warn!(error = %err, email_log_id = id, "cannot record the outcome of a resend");
    }
    Ok(reply)
}

/// Takes the email of `command` for an operator's resend, in the caller's transaction: checks that it may be
/// sent again and can be rendered, then marks it `sending` with a new attempt recorded with who asked. The
/// refusal is the reply (and the caller rolls back).
async fn take_for_resend(
    worker: &Worker,
    tx: &mut sqlx::MySqlConnection,
    command: &Command<ResendEmail>,
) -> Result<Result<(u32, OutgoingEmail, Mail), AdminReply<Resent>>, sqlx::Error> {
    let id = command.body.id;
    let conflict = |reason: String| {
        Ok(Err(AdminReply::Conflict {
            reason,
            current_version: None,
        }))
    };
    let row = sqlx::query(
        "SELECT event_id, state, attempts, content FROM email_log WHERE id = ? FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Err(AdminReply::NotFound {
            what: format!("email {id}"),
        }));
    };
    let state = State::parse(row.try_get("state")?)?;
    if !matches!(state, State::Failed | State::Uncertain) {
        return conflict(format!(
            "only a failed or uncertain email can be sent again; this one is {}",
            state.as_str()
        ));
    }
    let content: Option<Json<serde_json::Value>> = row.try_get("content")?;
    let Some(mail) = content.and_then(|json| serde_json::from_value::<Mail>(json.0).ok()) else {
        return conflict(
            "what this email was rendered from was not kept (it was logged before resends existed): \
             replay its event from the dead letters instead"
                .to_owned(),
        );
    };
    let event_id: String = row.try_get("event_id")?;
    let event_id = Uuid::parse_str(&event_id).map_err(|err| sqlx::Error::Decode(err.into()))?;
    let outgoing = match worker.outgoing(event_id, &mail).await {
        Ok(outgoing) => outgoing,
        Err(Unsendable::Address(reason) | Unsendable::Rendering(reason)) => {
            return conflict(format!("it cannot be sent: {reason}"));
        }
    };
    let attempt = row.try_get::<u32, _>("attempts")? + 1;
    sqlx::query(
        "UPDATE email_log SET state = 'sending', attempts = ?, last_attempt_at = NOW(6) WHERE id = ?",
    )
    .bind(attempt)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    email_log::start_attempt(
        tx,
        id,
        attempt,
        worker.transport_name(),
        Some(&command.actor),
    )
    .await?;
    Ok(Ok((attempt, outgoing, mail)))
}

/// Every minute, operators' resends interrupted by a crash (left `sending` longer than `stale_after`) become
/// `uncertain`: they may have been sent, so only an operator sends them again.
pub async fn sweep_interrupted_resends(
    pool: sqlx::MySqlPool,
    stale_after: std::time::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    loop {
        if let Err(err) = sweep_once(&pool, stale_after).await {
            tracing::warn!(error = %err, "cannot look for interrupted resends");
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
        }
    }
}

/// One look for interrupted resends: marks them `uncertain`; how many there were.
pub async fn sweep_once(
    pool: &sqlx::MySqlPool,
    stale_after: std::time::Duration,
) -> Result<usize, sqlx::Error> {
    let mut marked = 0;
    for (id, attempts) in email_log::interrupted_resends(pool, stale_after).await? {
        if email_log::mark_uncertain(pool, id, attempts).await? {
            marked += 1;
            metrics::counter!("mailer_emails_uncertain_total").increment(1);
            tracing::warn!(
                email_log_id = id,
                attempt = attempts,
                "OPERATOR: a resend was interrupted (the mailer stopped while sending); the email is \
                 uncertain: check the provider, then send it again from the admin"
            );
        }
    }
    Ok(marked)
}

fn log_resend(actor: &Actor, id: u64, attempt: u32, mail: &Mail) {
    tracing::info!(
        email_log_id = id,
        attempt,
        order = %mail.number(),
        kind = mail.kind().as_str(),
        staff_id = actor.staff_id,
        staff_email = actor.email,
        "an operator asked for an email to be sent again"
    );
}

fn summary(row: &MySqlRow) -> Result<EmailSummary, sqlx::Error> {
    let event_id: String = row.try_get("event_id")?;
    Ok(EmailSummary {
        id: row.try_get("id")?,
        event_id: Uuid::parse_str(&event_id).map_err(|err| sqlx::Error::Decode(err.into()))?,
        kind: Kind::parse(row.try_get("kind")?).map_or(EmailKind::Unknown, kind_to_contract),
        order_number: row.try_get("order_number")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        state: state_to_contract(State::parse(row.try_get("state")?)?),
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        sent_at: row.try_get("sent_at")?,
    })
}

fn attempt(row: &MySqlRow) -> Result<EmailAttempt, sqlx::Error> {
    let staff_id: Option<u64> = row.try_get("requested_by_staff_id")?;
    let staff_email: Option<String> = row.try_get("requested_by_email")?;
    Ok(EmailAttempt {
        attempt: row.try_get("attempt")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        outcome: match row.try_get::<&str, _>("outcome")? {
            "sending" => AttemptOutcome::Sending,
            "sent" => AttemptOutcome::Sent,
            "retrying" => AttemptOutcome::Retrying,
            "failed" => AttemptOutcome::Failed,
            "uncertain" => AttemptOutcome::Uncertain,
            "interrupted" => AttemptOutcome::Interrupted,
            _ => AttemptOutcome::Unknown,
        },
        error: row.try_get("error")?,
        provider_message_id: row.try_get("provider_message_id")?,
        transport: row.try_get("transport")?,
        requested_by: staff_id.map(|staff_id| Actor {
            staff_id,
            email: staff_email.unwrap_or_default(),
        }),
    })
}

/// The contract's name of a state.
pub fn state_to_contract(state: State) -> EmailState {
    match state {
        State::Pending => EmailState::Pending,
        State::Sending => EmailState::Sending,
        State::Sent => EmailState::Sent,
        State::Retrying => EmailState::Retrying,
        State::Failed => EmailState::Failed,
        State::Uncertain => EmailState::Uncertain,
    }
}

fn state_of(state: EmailState) -> Option<State> {
    Some(match state {
        EmailState::Pending => State::Pending,
        EmailState::Sending => State::Sending,
        EmailState::Sent => State::Sent,
        EmailState::Retrying => State::Retrying,
        EmailState::Failed => State::Failed,
        EmailState::Uncertain => State::Uncertain,
        EmailState::Unknown => return None,
    })
}

fn kind_to_contract(kind: Kind) -> EmailKind {
    match kind {
        Kind::OrderConfirmation => EmailKind::OrderConfirmation,
        Kind::OrderShipped => EmailKind::OrderShipped,
        Kind::OrderCancelled => EmailKind::OrderCancelled,
        Kind::OrderRefunded => EmailKind::OrderRefunded,
        Kind::BackInStock => EmailKind::BackInStock,
        Kind::AccountVerify => EmailKind::AccountVerify,
        Kind::AccountExists => EmailKind::AccountExists,
        Kind::PasswordReset => EmailKind::PasswordReset,
        Kind::PasswordChanged => EmailKind::PasswordChanged,
    }
}

fn kind_of(kind: EmailKind) -> Option<Kind> {
    Some(match kind {
        EmailKind::OrderConfirmation => Kind::OrderConfirmation,
        EmailKind::OrderShipped => Kind::OrderShipped,
        EmailKind::OrderCancelled => Kind::OrderCancelled,
        EmailKind::OrderRefunded => Kind::OrderRefunded,
        EmailKind::BackInStock => Kind::BackInStock,
        EmailKind::AccountVerify => Kind::AccountVerify,
        EmailKind::AccountExists => Kind::AccountExists,
        EmailKind::PasswordReset => Kind::PasswordReset,
        EmailKind::PasswordChanged => Kind::PasswordChanged,
        EmailKind::Unknown => return None,
    })
}

/// Adds the admin endpoints to the service and answers them until shutdown.
pub async fn endpoints(runtime: &Runtime, worker: Worker) -> anyhow::Result<()> {
    let group = runtime.service.group(ADMIN_RPC_GROUP);
    let pool = worker.db().clone();
    let db = pool.clone();
    add(
        runtime,
        &group,
        EMAILS_LIST,
        "The email log, newest first",
        move |request: ListEmails| {
            let db = db.clone();
            async move { list(&db, &request).await }
        },
    )
    .await?;
    let db = pool.clone();
    add(
        runtime,
        &group,
        EMAILS_GET,
        "One email with its attempts",
        move |request: GetEmail| {
            let db = db.clone();
            async move { get(&db, &request).await }
        },
    )
    .await?;
    let db = pool.clone();
    add(
        runtime,
        &group,
        EMAILS_FOR_ORDER,
        "Every email of one order",
        move |request: EmailsForOrder| {
            let db = db.clone();
            async move { for_order(&db, &request).await }
        },
    )
    .await?;
    add(
        runtime,
        &group,
        EMAILS_RESEND,
        "Send a failed or uncertain email again (an operator's decision)",
        move |command: Command<ResendEmail>| {
            let worker = worker.clone();
            async move { resend(&worker, &command).await }
        },
    )
    .await
}

/// Adds the endpoint answering `subject` (under [`ADMIN_RPC_GROUP`]) and serves it with `handler`.
async fn add<Req, Resp, F, Fut>(
    runtime: &Runtime,
    group: &async_nats::service::Group,
    subject: &'static str,
    description: &'static str,
    handler: F,
) -> anyhow::Result<()>
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
    F: Fn(Req) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Resp, sqlx::Error>> + Send + 'static,
{
    let local = subject
        .strip_prefix(ADMIN_RPC_GROUP)
        .and_then(|rest| rest.strip_prefix('.'))
        .ok_or_else(|| anyhow::anyhow!("{subject} is not under {ADMIN_RPC_GROUP}"))?;
    let endpoint = group
        .endpoint_builder()
        .name(format!("admin-{}", local.replace(['.', '_'], "-")))
        .metadata(HashMap::from([(
            "description".to_owned(),
            description.to_owned(),
        )]))
        .add(local)
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint {subject}: {err}"))?;
    runtime.spawn(serve(
        endpoint,
        CONCURRENCY,
        runtime.shutdown.clone(),
        move |request: Req| {
            let handler = handler.clone();
            async move { handler(request).await.map_err(HandlerFailure::unavailable) }
        },
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        let text = cursor::encode(at, 42);
        assert_eq!(cursor::decode(&text), Some((at, 42)));
        for bad in ["zz", "abc", "", "657e", "787e317e32"] {
            assert_eq!(cursor::decode(bad), None, "{bad}");
        }
        let errors = spec_of(&ListEmails {
            cursor: Some("zz".to_owned()),
            limit: Some(0),
            ..ListEmails::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "cursor"]);
    }

    #[test]
    fn a_date_range_must_run_forwards() {
        let at = Utc::now();
        let errors = spec_of(&ListEmails {
            from: Some(at),
            until: Some(at),
            ..ListEmails::default()
        })
        .unwrap_err();
        assert_eq!(errors[0].field, "until");
    }
}
