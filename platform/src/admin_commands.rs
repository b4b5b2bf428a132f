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

use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest as _, Sha256};
use sqlx::MySqlConnection;
use uuid::Uuid;

use crate::contracts::admin::{AdminReply, Command};

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
