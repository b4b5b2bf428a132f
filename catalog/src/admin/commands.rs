//! What the catalog's admin commands share: the transaction each runs in, how a refusal becomes its reply,
//! the retry of a transaction a lock conflict rolled back, and how an endpoint is added and served.
//!
//! A command runs as `platform::admin_commands` describes: [`begin`], `claim` the key (a replay answers at
//! once), decide and write, then [`finish`]: an accepted command records its reply and commits with its change;
//! a [`Refused`] one rolls back, its claim included, so the corrected form can be sent again with the same key.
//! [`carry_out`] is that whole sequence around the part that decides and writes.

use std::{collections::HashMap, future::Future};

use platform::{
    Runtime, admin_commands,
    contracts::admin::{AdminReply, Command, FieldError},
    rpc::{HandlerFailure, serve},
};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::{Connection as _, MySql, MySqlConnection, MySqlPool, Transaction, pool::PoolConnection};
use uuid::Uuid;

/// Admin requests handled at once per endpoint: a few people click, rarely together.
const CONCURRENCY: usize = 16;
/// Attempts of a command whose transaction a deadlock or lock wait timeout rolled back.
const ATTEMPTS: u32 = 3;

/// Why a command was not carried out, as the admin is told. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    Invalid(Vec<FieldError>),
    Conflict {
        reason: String,
        current_version: Option<u64>,
    },
    NotFound(String),
}

impl Refused {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, reason)])
    }

    pub(crate) fn conflict(reason: impl Into<String>) -> Self {
        Self::Conflict {
            reason: reason.into(),
            current_version: None,
        }
    }

    /// The record changed since the admin read it at `expected`.
    pub(crate) fn stale(current_version: u64) -> Self {
        Self::Conflict {
            reason: super::CHANGED_SINCE.to_owned(),
            current_version: Some(current_version),
        }
    }

    pub(crate) fn reply<T>(self) -> AdminReply<T> {
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

    /// The outcome a reply stands for, for the commands that decide in replies (the product form).
    pub(crate) fn outcome<T>(reply: AdminReply<T>) -> Result<T, Self> {
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

/// Starts a command's transaction on `conn`, READ COMMITTED like the stock changes: decisions are made on rows
/// locked first, and a read after waiting for a lock sees what the other transaction committed.
pub(crate) async fn begin(
    conn: &mut PoolConnection<MySql>,
) -> Result<Transaction<'_, MySql>, sqlx::Error> {
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut **conn)
        .await?;
    (**conn).begin().await
}

/// Ends a claimed command: records the reply and commits the change, or rolls everything back on a refusal.
pub(crate) async fn finish<T: Serialize>(
    mut tx: Transaction<'_, MySql>,
    idempotency_key: &Uuid,
    outcome: Result<T, Refused>,
) -> Result<AdminReply<T>, sqlx::Error> {
    match outcome {
        Ok(done) => {
            let reply = AdminReply::Ok(done);
            admin_commands::record(&mut tx, idempotency_key, &reply).await?;
            tx.commit().await?;
            Ok(reply)
        }
        Err(refused) => {
            tx.rollback().await?;
            Ok(refused.reply())
        }
    }
}

/// Carries out `command` in a [`begin`] transaction on a connection of `pool`, as [`carry_out_in`] does.
pub(crate) async fn carry_out<B, T>(
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
pub(crate) async fn carry_out_in<B, T>(
    mut tx: Transaction<'_, MySql>,
    endpoint: &str,
    command: &Command<B>,
    decide: impl AsyncFnOnce(&mut MySqlConnection) -> Result<Result<T, Refused>, sqlx::Error>,
) -> Result<AdminReply<T>, sqlx::Error>
where
    B: Serialize,
    T: Serialize + DeserializeOwned,
{
    if let Some(replay) = admin_commands::claim(&mut tx, endpoint, command).await? {
        return Ok(replay);
    }
    let outcome = decide(&mut tx).await?;
    finish(tx, &command.idempotency_key, outcome).await
}

/// Runs `attempt` again, from the start, when a deadlock or lock wait timeout rolled its transaction back.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(err) if tries < ATTEMPTS && platform::sql::is_lock_conflict(&err) => {
                tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(tries))).await;
            }
            result => return result,
        }
    }
}

/// Adds the endpoint answering `subject` (under `group`, whose name it starts with) and answers it with
/// `handler` until shutdown; a database failure is a 503 service error ("try again").
pub(crate) async fn serve_endpoint<Req, Resp, F, Fut>(
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
    let group_prefix = format!("{}.", platform::contracts::catalog_admin::RPC_GROUP);
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
