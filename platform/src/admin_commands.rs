//! Idempotent admin commands: a double-submitted form changes nothing twice.
//!
//! The owning service handles a [`Command`] inside one transaction:
//!
//! ```text
//! let mut tx = pool.begin().await?;
//! if let Some(replay) = admin_commands::claim(&mut tx, ENDPOINT, &command).await? {
//!     return Ok(replay);            // the first submit's reply, or `Invalid` for a reused key
//! }
//! ... validate, write the change and its outbox rows; on a refusal, roll back and reply ...
//! admin_commands::record(&mut tx, &command.idempotency_key, &reply).await?;
//! tx.commit().await?;
//! ```
//!
//! [`claim`] inserts the key first, so a concurrent duplicate waits on that row until the first transaction
//! ends, then finds its reply. A refused command is rolled back with its claim: correcting the form and
//! submitting again with the same key works. The table is [`TABLE`]; a service's migration holds a copy.
//!
//! Every service serving admin commands shares the rest of that shape too: [`begin`] (READ COMMITTED),
//! [`Refused`] for the answers that write nothing, [`finish`] (record and commit, or roll back), [`carry_out`]
//! (the whole sequence around the part that decides and writes), [`retrying`] a transaction a lock conflict
//! rolled back, and [`serve_endpoint`] to answer a subject of its admin group.

use std::{collections::HashMap, future::Future};

use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest as _, Sha256};
use sqlx::{Connection as _, MySql, MySqlConnection, MySqlPool, Transaction, pool::PoolConnection};
use uuid::Uuid;

use crate::{
    Runtime,
    contracts::admin::{AdminReply, Command, FieldError, OutboxBacklog, OutboxRequest},
    rpc::{HandlerFailure, serve},
};

/// The reply to a change of a record someone else changed since the form was opened.
pub const CHANGED_SINCE: &str = "changed by someone else since you opened it";
/// Admin requests handled at once per endpoint: a few people click, rarely together.
const CONCURRENCY: usize = 16;
/// Attempts of a command whose transaction a deadlock or lock wait timeout rolled back.
const ATTEMPTS: u32 = 3;

/// The `admin_commands` table, as every service that takes admin commands creates it in a migration.
pub const TABLE: &str = include_str!("admin_commands.sql");

/// Takes `command`'s idempotency key for `endpoint`. `None`: the key is new, carry the command out and
/// [`record`] its reply in the same transaction. `Some(reply)`: the command was carried out already and this
/// is its reply, or the key was used for another command (refused as invalid).
pub async fn claim<T, R>(
    conn: &mut MySqlConnection,
    endpoint: &str,
    command: &Command<T>,
) -> Result<Option<AdminReply<R>>, sqlx::Error>
where
    T: Serialize,
    R: DeserializeOwned,
{
    let hash = request_hash(endpoint, command);
    let key = command.idempotency_key.to_string();
    let inserted = sqlx::query(
        "INSERT IGNORE INTO admin_commands (idempotency_key, endpoint, request_hash, staff_id) \
         VALUES (?, ?, ?, ?)",
    )
    .bind(&key)
    .bind(endpoint)
    .bind(hash.as_slice())
    .bind(command.actor.staff_id)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let (stored_endpoint, stored_hash, reply): (String, Vec<u8>, Option<sqlx::types::Json<serde_json::Value>>) =
        sqlx::query_as(
            "SELECT endpoint, request_hash, reply FROM admin_commands WHERE idempotency_key = ? FOR UPDATE",
        )
        .bind(&key)
        .fetch_one(&mut *conn)
        .await?;
    if stored_endpoint != endpoint || stored_hash != hash {
        return Ok(Some(AdminReply::invalid(
            "idempotency_key",
            "was already used for a different command: reload the form",
        )));
    }
    Ok(Some(
        match reply.and_then(|json| serde_json::from_value(json.0).ok()) {
            Some(reply) => reply,
            // Only a row left by a transaction that never recorded (impossible while claim and record share it).
            None => AdminReply::Conflict {
                reason: "this form was already submitted".to_owned(),
                current_version: None,
            },
        },
    ))
}

/// Stores the reply of the command whose key [`claim`] took, in the same transaction as its change.
pub async fn record<R: Serialize>(
    conn: &mut MySqlConnection,
    idempotency_key: &Uuid,
    reply: &AdminReply<R>,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_value(reply).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
    sqlx::query("UPDATE admin_commands SET reply = ? WHERE idempotency_key = ?")
        .bind(sqlx::types::Json(json))
        .bind(idempotency_key.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// What makes two commands the same: the endpoint and the body without the key and the actor.
fn request_hash<T: Serialize>(endpoint: &str, command: &Command<T>) -> [u8; 32] {
    let body = serde_json::to_vec(&command.body).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(endpoint.as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    hasher.finalize().into()
}

/// Why a command was not carried out, as the admin is told. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Invalid(Vec<FieldError>),
    Conflict {
        reason: String,
        current_version: Option<u64>,
    },
    NotFound(String),
}

impl Refused {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, reason)])
    }

    pub fn conflict(reason: impl Into<String>) -> Self {
        Self::Conflict {
            reason: reason.into(),
            current_version: None,
        }
    }

    /// The record changed since the admin read it: it is at `current_version` now.
    pub fn stale(current_version: u64) -> Self {
        Self::Conflict {
            reason: CHANGED_SINCE.to_owned(),
            current_version: Some(current_version),
        }
    }

    pub fn reply<T>(self) -> AdminReply<T> {
        match self {
            Self::Invalid(errors) => AdminReply::Invalid { errors },
            Self::Conflict {
                reason,
                current_version,
            } => AdminReply::Conflict {
                reason,
                current_version,
            },
            Self::NotFound(what) => AdminReply::NotFound { what },
        }
    }

    /// The outcome a reply stands for, for the commands that decide in replies (the catalog's product form).
    pub fn outcome<T>(reply: AdminReply<T>) -> Result<T, Self> {
        match reply {
            AdminReply::Ok(done) => Ok(done),
            AdminReply::Invalid { errors } => Err(Self::Invalid(errors)),
            AdminReply::Conflict {
                reason,
                current_version,
            } => Err(Self::Conflict {
                reason,
                current_version,
            }),
            AdminReply::NotFound { what } => Err(Self::NotFound(what)),
        }
    }
}

/// Carries out `command` in a [`begin`] transaction on a connection of `pool`, as [`carry_out_in`] does.
pub async fn carry_out<B, T>(
    pool: &MySqlPool,
    endpoint: &str,
    command: &Command<B>,
    decide: impl AsyncFnOnce(&mut MySqlConnection) -> Result<Result<T, Refused>, sqlx::Error>,
) -> Result<AdminReply<T>, sqlx::Error>
where
    B: Serialize,
    T: Serialize + DeserializeOwned,
{
    let mut conn = pool.acquire().await?;
    let tx = begin(&mut conn).await?;
    carry_out_in(tx, endpoint, command, decide).await
}

/// Carries out `command` once in `tx`: claims its key for `endpoint` (a replay is the answer, and nothing is
/// decided again), decides and writes with `decide`, then [`finish`]es.
pub async fn carry_out_in<B, T>(
    mut tx: Transaction<'_, MySql>,
    endpoint: &str,
    command: &Command<B>,
    decide: impl AsyncFnOnce(&mut MySqlConnection) -> Result<Result<T, Refused>, sqlx::Error>,
) -> Result<AdminReply<T>, sqlx::Error>
where
    B: Serialize,
    T: Serialize + DeserializeOwned,
{
    if let Some(replay) = claim(&mut tx, endpoint, command).await? {
        return Ok(replay);
    }
    let outcome = decide(&mut tx).await?;
    finish(tx, &command.idempotency_key, outcome).await
}

/// Starts a command's transaction on `conn`, READ COMMITTED: decisions are made on rows locked first, and a
/// read after waiting for a lock sees what the other transaction committed.
pub async fn begin(
    conn: &mut PoolConnection<MySql>,
) -> Result<Transaction<'_, MySql>, sqlx::Error> {
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut **conn)
        .await?;
    (**conn).begin().await
}

/// Ends a claimed command: records the reply and commits the change, or rolls everything back on a refusal.
pub async fn finish<T: Serialize>(
    mut tx: Transaction<'_, MySql>,
    idempotency_key: &Uuid,
    outcome: Result<T, Refused>,
) -> Result<AdminReply<T>, sqlx::Error> {
    match outcome {
        Ok(done) => {
            let reply = AdminReply::Ok(done);
            record(&mut tx, idempotency_key, &reply).await?;
            tx.commit().await?;
            Ok(reply)
        }
        Err(refused) => {
            tx.rollback().await?;
            Ok(refused.reply())
        }
    }
}

/// Runs `attempt` again, from the start, when a deadlock or lock wait timeout rolled its transaction back.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(err) if tries < ATTEMPTS && crate::sql::is_lock_conflict(&err) => {
                tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(tries))).await;
            }
            result => return result,
        }
    }
}

/// Adds the endpoint answering `subject` under `group` (the services API group named `group_name`, which
/// `subject` starts with; the endpoint is named `admin-<rest of the subject, dashed>`) and answers it with
/// `handler` until shutdown; a database failure is a 503 service error ("try again").
pub async fn serve_endpoint<Req, Resp, F, Fut>(
    runtime: &Runtime,
    (group, group_name): (&async_nats::service::Group, &str),
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
    let group_prefix = format!("{group_name}.");
    let local = subject
        .strip_prefix(&group_prefix)
        .ok_or_else(|| anyhow::anyhow!("{subject} is not under {group_prefix}"))?;
    let endpoint = group
        .endpoint_builder()
        .name(format!("admin-{}", local.replace('.', "-")))
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

/// Adds `subject` (`<group_name>.outbox`) answering the service's [`crate::outbox::backlog`] as an
/// [`OutboxBacklog`], for the admin's dashboard.
pub async fn serve_outbox_backlog(
    runtime: &Runtime,
    group: (&async_nats::service::Group, &str),
    subject: &'static str,
) -> anyhow::Result<()> {
    let pool = runtime.db.clone();
    serve_endpoint(
        runtime,
        group,
        subject,
        "Admin: this service's events committed but not yet published",
        move |_: OutboxRequest| {
            let pool = pool.clone();
            async move {
                let backlog = crate::outbox::backlog(&pool).await?;
                Ok(AdminReply::Ok(OutboxBacklog {
                    pending: backlog.pending,
                    oldest_age_secs: backlog.oldest_age.map(|age| age.as_secs()),
                }))
            }
        },
    )
    .await
}
