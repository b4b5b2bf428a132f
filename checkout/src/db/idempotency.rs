//! Idempotency keys for place-order: the first request with a key records its body's fingerprint; when it
//! finishes, its response. A retry with the same key and body gets that response back byte for byte; with
//! another body, 422; while the first is still running, 409.

use chrono::{Duration, Utc};
use sqlx::{MySqlPool, Row as _};

/// How long an in-progress request holds its key; one that died frees it after this.
const LOCK: Duration = Duration::seconds(60);

#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// This request owns the key: go ahead, then `complete` or `forget`.
    Started,
    /// Finished before: send this back.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used with another body.
    Mismatch,
    /// Another request with this key is running.
    InProgress,
}

/// Claims `key` for a request whose body hashes to `fingerprint`, or says why not. Each step is a single
/// autocommitted statement: concurrent duplicates never hold locks while waiting on each other.
pub async fn begin(
    pool: &MySqlPool,
    key: &str,
    fingerprint: &[u8; 32],
) -> Result<Begin, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (idempotency_key, fingerprint, state, locked_until) VALUES (?, ?, 'in_progress', ?)",
    )
    .bind(key)
    .bind(&fingerprint[..])
    .bind(Utc::now() + LOCK)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => return Ok(Begin::Started),
        Err(err) if super::is_duplicate_key(&err) => {}
        Err(err) => return Err(err),
    }
    let Some(row) = sqlx::query(
        "SELECT fingerprint, state, response_status, response_body FROM idempotency_keys WHERE idempotency_key = ?",
    )
    .bind(key)
    .fetch_optional(pool)
    .await?
    else {
        // Freed between our insert and this read (its request failed and may be retried): count it as busy.
        return Ok(Begin::InProgress);
    };
    let stored: Vec<u8> = row.try_get("fingerprint")?;
    if stored != fingerprint {
        return Ok(Begin::Mismatch);
    }
    if row.try_get::<String, _>("state")? == "completed" {
        let status: u16 = row.try_get("response_status")?;
        let body: Vec<u8> = row
            .try_get::<Option<Vec<u8>>, _>("response_body")?
            .unwrap_or_default();
        return Ok(Begin::Replay { status, body });
    }
    // The request that holds it may have died: the first to see its lock expired takes over.
    let taken = sqlx::query(
        "UPDATE idempotency_keys SET locked_until = ?, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE idempotency_key = ? AND state = 'in_progress' AND locked_until < CURRENT_TIMESTAMP(6)",
    )
    .bind(Utc::now() + LOCK)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(if taken.rows_affected() == 1 {
        Begin::Started
    } else {
        Begin::InProgress
    })
}

/// Records the final response of the key's request.
pub async fn complete(
    pool: &MySqlPool,
    key: &str,
    status: u16,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?, \
         updated_at = CURRENT_TIMESTAMP(6) WHERE idempotency_key = ?",
    )
    .bind(status)
    .bind(body)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Frees the key after a failure worth retrying (an outage), so the same request may run again.
pub async fn forget(pool: &MySqlPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE idempotency_key = ? AND state = 'in_progress'")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops keys older than `age`, a thousand at a time.
pub async fn purge_older_than(pool: &MySqlPool, age: Duration) -> Result<u64, sqlx::Error> {
    let result = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ? LIMIT 1000")
        .bind(Utc::now() - age)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}
