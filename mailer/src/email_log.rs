//! The `email_log` table: one row per email, keyed by the event that asked for it, holding its state,
//! attempts, last error and the provider's message id. The worker's idempotency rests on these statements;
//! the state machine is described in `migrations/0002_email_log.sql` and [`crate::worker`].

use std::time::Duration;

use platform::contracts::{Email, OrderNumber, admin::Actor, mailer::EmailCounts};
use platform::sql::is_lock_conflict;
use sqlx::{Connection as _, MySqlPool, Row as _, types::Json};
use uuid::Uuid;

use crate::mail::{Confirmation, Kind, Mail};

/// `last_error` is a `VARCHAR(1000)`.
const LAST_ERROR_MAX_CHARS: usize = 1000;
/// Tries of a statement or transaction that met a deadlock or a lock wait timeout.
const LOCK_TRIES: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Sending,
    Sent,
    Retrying,
    Failed,
    Uncertain,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Retrying => "retrying",
            Self::Failed => "failed",
            Self::Uncertain => "uncertain",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, sqlx::Error> {
        Ok(match text {
            "pending" => Self::Pending,
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "retrying" => Self::Retrying,
            "failed" => Self::Failed,
            "uncertain" => Self::Uncertain,
            other => {
                return Err(sqlx::Error::Decode(
                    format!("unknown email state {other:?}").into(),
                ));
            }
        })
    }
}

/// What is known about an email before it is sent.
#[derive(Debug, Clone)]
pub struct NewEmail<'a> {
    pub event_id: Uuid,
    /// What it is rendered from; its kind, order, recipient and subject are read from it.
    pub mail: &'a Mail,
    pub transport: &'static str,
}

/// A row as the worker needs it.
#[derive(Debug, Clone)]
pub struct LoggedEmail {
    pub id: u64,
    pub state: State,
    pub attempts: u32,
}

/// The row of `email.event_id`, recorded as `pending` first if it has none. `None` when another event already
/// owns the order's email of this kind (and repeat key: see `migrations/0004_order_emails.sql`).
pub async fn find_or_create(
    pool: &MySqlPool,
    email: &NewEmail<'_>,
) -> Result<Option<LoggedEmail>, sqlx::Error> {
    let event_id = &email.event_id.to_string();
    let mail = email.mail;
    let content = &serde_json::to_value(mail).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
    let repeat_key = &mail.repeat_key(email.event_id);
    let subject = &mail.subject();
    // Inserted first: an event's first delivery, by far the most common, is then one statement. A redelivery,
    // or another event for the same email, meets a unique key and reads what is there.
    let inserted = retry_locks(|| async move {
        sqlx::query(
            "INSERT INTO email_log (event_id, kind, repeat_key, order_number, recipient, subject, content,
                                    transport)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(event_id)
        .bind(mail.kind().as_str())
        .bind(repeat_key)
        .bind(mail.number().as_str())
        .bind(truncate(mail.recipient().1, 320))
        .bind(truncate(subject, 500))
        .bind(Json(content))
        .bind(email.transport)
        .execute(pool)
        .await
    })
    .await;
    match inserted {
        Ok(done) => Ok(Some(LoggedEmail {
            id: done.last_insert_id(),
            state: State::Pending,
            attempts: 0,
        })),
        Err(err) if platform::sql::is_duplicate_key(&err) => find(pool, email.event_id).await,
        Err(err) => Err(err),
    }
}

/// What the order's confirmation told the mailer (its address, name and lookup token), if the log has it.
/// A confirmation logged before the log kept content gives its address only.
pub async fn confirmation_of(
    pool: &MySqlPool,
    number: &OrderNumber,
) -> Result<Option<Confirmation>, sqlx::Error> {
    let row = retry_locks(|| async move {
        sqlx::query(
            "SELECT recipient, content FROM email_log
             WHERE order_number = ? AND kind = ? AND repeat_key = ''",
        )
        .bind(number.as_str())
        .bind(Kind::OrderConfirmation.as_str())
        .fetch_optional(pool)
        .await
    })
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let content: Option<Json<serde_json::Value>> = row.try_get("content")?;
    if let Some(Mail::OrderConfirmation { order }) =
        content.and_then(|json| serde_json::from_value(json.0).ok())
    {
        return Ok(Some(Confirmation {
            email: order.email,
            customer_name: order.customer_name,
            lookup_token: order.lookup_token,
        }));
    }
    let recipient: String = row.try_get("recipient")?;
    Ok(Email::parse(&recipient).ok().map(|email| Confirmation {
        email,
        customer_name: String::new(),
        lookup_token: None,
    }))
}

/// The row of `event_id`, if it has one.
pub async fn find(pool: &MySqlPool, event_id: Uuid) -> Result<Option<LoggedEmail>, sqlx::Error> {
    let event_id = &event_id.to_string();
    let row = retry_locks(|| async move {
        sqlx::query("SELECT id, state, attempts FROM email_log WHERE event_id = ?")
            .bind(event_id)
            .fetch_optional(pool)
            .await
    })
    .await?;
    row.map(|row| {
        Ok(LoggedEmail {
            id: row.try_get("id")?,
            state: State::parse(row.try_get("state")?)?,
            attempts: row.try_get("attempts")?,
        })
    })
    .transpose()
}

/// What [`claim`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The row is now `sending` and this caller's to send: attempt number `attempt`.
    Claimed { id: u64, attempt: u32 },
    /// Already `sent` or `uncertain`: nothing to do.
    Done(State),
    /// Another handler started sending it less than the in-flight window ago: look again after this long.
    InFlight(Duration),
    /// It was left `sending` longer ago than any send can take: its sender stopped, possibly after the
    /// provider accepted it. The row is unchanged; the caller finds out what the transport knows and then
    /// either [`reclaim`]s it or [`mark_uncertain`]s it, both only if it is still as seen (`attempts`).
    Abandoned { id: u64, attempts: u32 },
    /// The event has no row (another event for the same order owns the email).
    Missing,
}

/// Takes the email for sending, under a row lock: `pending`, `retrying` or `failed` (an operator replaying a
/// dead letter) become `sending` with one more attempt, committed before the provider is called. A row
/// already `sending` is either still in flight elsewhere (younger than `in_flight_window`) or abandoned.
/// `seen` is the row as the caller just found (or created) it, if it did: while the row is still exactly so,
/// one conditional update claims it (the usual case); otherwise the row is read under its lock to tell why.
pub async fn claim(
    pool: &MySqlPool,
    event_id: Uuid,
    seen: Option<&LoggedEmail>,
    in_flight_window: Duration,
    transport: &str,
) -> Result<Claim, sqlx::Error> {
    if let Some(seen) = seen
        && let Some(attempt) = claim_as_seen(pool, seen, transport).await?
    {
        return Ok(Claim::Claimed {
            id: seen.id,
            attempt,
        });
    }
    let event_id = &event_id.to_string();
    retry_locks(|| claim_once(pool, event_id, in_flight_window, transport)).await
}

async fn claim_once(
    pool: &MySqlPool,
    event_id: &str,
    in_flight_window: Duration,
    transport: &str,
) -> Result<Claim, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    // Row locks only, no gap locks: claims of neighbouring events never wait for each other.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *conn)
        .await?;
    let mut tx = conn.begin().await?;
    let row = sqlx::query(
        "SELECT id, state, attempts, TIMESTAMPDIFF(MICROSECOND, last_attempt_at, NOW(6)) AS age_us
         FROM email_log WHERE event_id = ? FOR UPDATE",
    )
    .bind(event_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Claim::Missing);
    };
    let id: u64 = row.try_get("id")?;
    let attempts: u32 = row.try_get("attempts")?;
    let claim = match State::parse(row.try_get("state")?)? {
        state @ (State::Sent | State::Uncertain) => Claim::Done(state),
        State::Sending => {
            let age = row
                .try_get::<Option<i64>, _>("age_us")?
                .map_or(Duration::MAX, |us| {
                    Duration::from_micros(u64::try_from(us).unwrap_or(0))
                });
            if age < in_flight_window {
                Claim::InFlight(in_flight_window - age)
            } else {
                Claim::Abandoned { id, attempts }
            }
        }
        State::Pending | State::Retrying | State::Failed => {
            sqlx::query(
                "UPDATE email_log SET state = 'sending', attempts = attempts + 1, last_attempt_at = NOW(6)
                 WHERE id = ?",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            start_attempt(&mut tx, id, attempts + 1, transport, None).await?;
            Claim::Claimed {
                id,
                attempt: attempts + 1,
            }
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// The short way to [`claim`] an email found as `seen`: one conditional update, taken only if the row is still
/// exactly as seen and may be sent (`pending`, `retrying` or `failed`). The attempt number when claimed; `None`
/// when the row changed since (or was never sendable).
async fn claim_as_seen(
    pool: &MySqlPool,
    seen: &LoggedEmail,
    transport: &str,
) -> Result<Option<u32>, sqlx::Error> {
    if !matches!(seen.state, State::Pending | State::Retrying | State::Failed) {
        return Ok(None);
    }
    retry_locks(|| async move {
        let mut tx = pool.begin().await?;
        // By primary key: a record lock on that row only, whatever the isolation level.
        let updated = sqlx::query(
            "UPDATE email_log SET state = 'sending', attempts = attempts + 1, last_attempt_at = NOW(6)
             WHERE id = ? AND state = ? AND attempts = ?",
        )
        .bind(seen.id)
        .bind(seen.state.as_str())
        .bind(seen.attempts)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        start_attempt(&mut tx, seen.id, seen.attempts + 1, transport, None).await?;
        tx.commit().await?;
        Ok(Some(seen.attempts + 1))
    })
    .await
}

/// An [abandoned](Claim::Abandoned) email the transport knows was never delivered: `sending` again, by this
/// caller, with one more attempt. `None` when the row is no longer as the caller saw it (`sending` after
/// `attempts` attempts): another handler got there first, and the caller should [`claim`] again.
pub async fn reclaim(
    pool: &MySqlPool,
    id: u64,
    attempts: u32,
    transport: &str,
) -> Result<Option<u32>, sqlx::Error> {
    retry_locks(|| async move {
        let mut tx = pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE email_log e LEFT JOIN email_attempts a ON a.email_id = e.id AND a.attempt = e.attempts
             SET e.attempts = e.attempts + 1, e.last_attempt_at = NOW(6),
                 e.last_error = 'left sending by a handler that stopped before the email was delivered; sent again',
                 a.outcome = 'interrupted', a.finished_at = NOW(6),
                 a.error = 'its handler stopped before the email was delivered'
             WHERE e.id = ? AND e.state = 'sending' AND e.attempts = ?",
        )
        .bind(id)
        .bind(attempts)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        start_attempt(&mut tx, id, attempts + 1, transport, None).await?;
        tx.commit().await?;
        Ok(Some(attempts + 1))
    })
    .await
}

/// Records attempt `attempt` of email `id` as started, in the transaction that claims the email.
pub(crate) async fn start_attempt(
    conn: &mut sqlx::MySqlConnection,
    id: u64,
    attempt: u32,
    transport: &str,
    requested_by: Option<&Actor>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_attempts (email_id, attempt, transport, requested_by_staff_id, requested_by_email)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(attempt)
    .bind(transport)
    .bind(requested_by.map(|actor| actor.staff_id))
    .bind(requested_by.map(|actor| truncate(&actor.email, 320)))
    .execute(conn)
    .await?;
    Ok(())
}

/// An [abandoned](Claim::Abandoned) email that may have been delivered: `uncertain`, never sent again. `false`
/// when the row is no longer as the caller saw it; the caller should [`claim`] again.
pub async fn mark_uncertain(pool: &MySqlPool, id: u64, attempts: u32) -> Result<bool, sqlx::Error> {
    let updated = retry_locks(|| async move {
        sqlx::query(
            "UPDATE email_log e LEFT JOIN email_attempts a ON a.email_id = e.id AND a.attempt = e.attempts
             SET e.state = 'uncertain',
                 e.last_error = 'left sending by a handler that stopped; it may have been sent, so it is not sent again',
                 a.outcome = 'uncertain', a.finished_at = NOW(6),
                 a.error = 'its handler stopped while sending; it may have been sent'
             WHERE e.id = ? AND e.state = 'sending' AND e.attempts = ?",
        )
        .bind(id)
        .bind(attempts)
        .execute(pool)
        .await
    })
    .await?;
    Ok(updated.rows_affected() >= 1)
}

/// Emails left `sending` by an operator's resend that started more than `older_than` ago, with their attempt
/// numbers: the process sending them stopped (no JetStream message will come back for a resend), so they are
/// [`mark_uncertain`]ed — they may have been sent — and the operator decides again.
pub async fn interrupted_resends(
    pool: &MySqlPool,
    older_than: std::time::Duration,
) -> Result<Vec<(u64, u32)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.attempts FROM email_log e \
         JOIN email_attempts a ON a.email_id = e.id AND a.attempt = e.attempts \
         WHERE e.state = 'sending' AND a.requested_by_staff_id IS NOT NULL \
           AND a.started_at < NOW(6) - INTERVAL ? MICROSECOND \
         LIMIT 100",
    )
    .bind(u64::try_from(older_than.as_micros()).unwrap_or(u64::MAX))
    .fetch_all(pool)
    .await
}

/// The provider accepted the email: `sent` with its message id, in one statement. Whatever else happened to
/// the row meanwhile, this is the truth.
/// The kinds whose content holds a link's secret (`Kind::holds_a_secret`), comma-separated for `FIND_IN_SET`.
fn secret_kinds() -> String {
    Kind::ALL
        .into_iter()
        .filter(|kind| kind.holds_a_secret())
        .map(Kind::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// Records the email as sent. An account link's secret is dropped from the log with it (`Kind::holds_a_secret`):
/// the log keeps that the email went out, not a way into the account.
pub async fn mark_sent(
    pool: &MySqlPool,
    id: u64,
    provider_message_id: &str,
) -> Result<(), sqlx::Error> {
    retry_locks(|| async move {
        sqlx::query(
            "UPDATE email_log e LEFT JOIN email_attempts a ON a.email_id = e.id AND a.attempt = e.attempts
             SET e.state = 'sent', e.provider_message_id = ?, e.sent_at = NOW(6), e.last_error = NULL,
                 e.content = IF(FIND_IN_SET(e.kind, ?), NULL, e.content),
                 a.outcome = 'sent', a.provider_message_id = ?, a.finished_at = NOW(6)
             WHERE e.id = ?",
        )
        .bind(truncate(provider_message_id, 255))
        .bind(secret_kinds())
        .bind(truncate(provider_message_id, 255))
        .bind(id)
        .execute(pool)
        .await
    })
    .await?;
    Ok(())
}

/// Records how this handler's attempt ended (`retrying`, `failed` or `uncertain`), if the row is still the
/// one it claimed.
pub async fn finish_attempt(
    pool: &MySqlPool,
    id: u64,
    state: State,
    error: &str,
) -> Result<(), sqlx::Error> {
    retry_locks(|| async move {
        sqlx::query(
            "UPDATE email_log e LEFT JOIN email_attempts a ON a.email_id = e.id AND a.attempt = e.attempts
             SET e.state = ?, e.last_error = ?, a.outcome = ?, a.error = ?, a.finished_at = NOW(6)
             WHERE e.id = ? AND e.state = 'sending'",
        )
        .bind(state.as_str())
        .bind(truncate(error, LAST_ERROR_MAX_CHARS))
        .bind(state.as_str())
        .bind(truncate(error, LAST_ERROR_MAX_CHARS))
        .bind(id)
        .execute(pool)
        .await
    })
    .await?;
    Ok(())
}

/// Records a failure that happened before the provider was called (rendering, an unusable address), unless
/// the row has moved on to a state that must not be overwritten.
pub async fn note_unsent(
    pool: &MySqlPool,
    id: u64,
    state: State,
    error: &str,
) -> Result<(), sqlx::Error> {
    retry_locks(|| async move {
        sqlx::query(
            "UPDATE email_log SET state = ?, last_error = ?
             WHERE id = ? AND state IN ('pending', 'retrying', 'failed')",
        )
        .bind(state.as_str())
        .bind(truncate(error, LAST_ERROR_MAX_CHARS))
        .bind(id)
        .execute(pool)
        .await
    })
    .await?;
    Ok(())
}

/// The log counted by state, for operators and the admin (`rpc.mailer.counts`). Reads the state index only.
pub async fn counts(pool: &MySqlPool) -> Result<EmailCounts, sqlx::Error> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS emails FROM email_log GROUP BY state")
        .fetch_all(pool)
        .await?;
    let mut counts = EmailCounts::default();
    for row in rows {
        let emails = u64::try_from(row.try_get::<i64, _>("emails")?).unwrap_or_default();
        let count = match State::parse(row.try_get("state")?)? {
            State::Pending => &mut counts.pending,
            State::Sending => &mut counts.sending,
            State::Sent => &mut counts.sent,
            State::Retrying => &mut counts.retrying,
            State::Failed => &mut counts.failed,
            State::Uncertain => &mut counts.uncertain,
        };
        *count = emails;
    }
    Ok(counts)
}

/// Runs `operation` again after a deadlock or a lock wait timeout (InnoDB rolled it back; running it again is
/// the documented cure), a few times, with a short growing pause.
async fn retry_locks<T, F, Fut>(mut operation: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match operation().await {
            Err(err) if tries < LOCK_TRIES && is_lock_conflict(&err) => {
                metrics::counter!("mailer_email_log_lock_retries_total").increment(1);
                tokio::time::sleep(Duration::from_millis(10 * u64::from(tries))).await;
            }
            outcome => return outcome,
        }
    }
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}
