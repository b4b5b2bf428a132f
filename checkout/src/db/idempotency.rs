//! Idempotency keys for place-order: the first request with a key records its body's fingerprint and the order
//! number and lookup token its attempt will use; when it finishes, its response. A retry with the same key and
//! body gets that response back byte for byte; with another body, 422; while the first is still running, 409.
//! A retry after the first request died resumes the same order number (see `orders::place`).

use chrono::{Duration, Utc};
use platform::contracts::OrderNumber;
use sqlx::{MySqlConnection, MySqlPool, Row as _};

/// Keys deleted per statement by [`purge_older_than`].
const PURGE_BATCH: u64 = 5_000;

/// The order number and lookup token one place-order attempt uses, whichever request runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptIds {
    pub order_number: OrderNumber,
    pub lookup_token: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// This request owns the key: go ahead with these ids, then `complete` or `forget`. `taken_over` when an
    /// earlier request with the key died (its attempt may have got as far as writing its order).
    Started { ids: AttemptIds, taken_over: bool },
    /// Finished before: send this back.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used with another body.
    Mismatch,
    /// Another request with this key is running.
    InProgress,
}

fn lock_until(lease: std::time::Duration) -> chrono::DateTime<Utc> {
    Utc::now() + Duration::from_std(lease).unwrap_or(Duration::seconds(60))
}

/// Claims `key` for a request whose body hashes to `fingerprint`, or says why not. The request holds it for
/// `lease` (`ATTEMPT_LEASE_SECS`); one that died frees it after that. `fresh` are the ids a new attempt uses; a
/// request taking over from one that died gets that one's ids instead. Each step is a single autocommitted
/// statement: concurrent duplicates never hold locks while waiting on each other.
pub async fn begin(
    pool: &MySqlPool,
    key: &str,
    fingerprint: &[u8; 32],
    fresh: AttemptIds,
    lease: std::time::Duration,
) -> Result<Begin, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (idempotency_key, fingerprint, order_number, lookup_token, state, locked_until) \
         VALUES (?, ?, ?, ?, 'in_progress', ?)",
    )
    .bind(key)
    .bind(&fingerprint[..])
    .bind(&fresh.order_number)
    .bind(&fresh.lookup_token)
    .bind(lock_until(lease))
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => {
            return Ok(Begin::Started {
                ids: fresh,
                taken_over: false,
            });
        }
        Err(err) if super::is_duplicate_key(&err) => {}
        Err(err) => return Err(err),
    }
    let Some(row) = sqlx::query(
        "SELECT fingerprint, order_number, lookup_token, state, response_status, response_body \
         FROM idempotency_keys WHERE idempotency_key = ?",
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
    // The request that holds it may have died: the first to see its lock expired takes over, with its ids.
    let taken = sqlx::query(
        "UPDATE idempotency_keys SET locked_until = ?, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE idempotency_key = ? AND state = 'in_progress' AND locked_until < CURRENT_TIMESTAMP(6)",
    )
    .bind(lock_until(lease))
    .bind(key)
    .execute(pool)
    .await?;
    if taken.rows_affected() != 1 {
        return Ok(Begin::InProgress);
    }
    let ids = match (
        row.try_get::<Option<OrderNumber>, _>("order_number")?,
        row.try_get::<Option<String>, _>("lookup_token")?,
    ) {
        (Some(order_number), Some(lookup_token)) => AttemptIds {
            order_number,
            lookup_token,
        },
        // A key written before attempts had ids of their own.
        _ => fresh,
    };
    Ok(Begin::Started {
        ids,
        taken_over: true,
    })
}

/// Records the final response of the key's request (inside the caller's transaction, when it has one).
pub async fn complete(
    conn: &mut MySqlConnection,
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
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the final response of the request using the attempt `order_number`, whatever its key (the
/// reconciler finishing an attempt whose request died). A no-op when the key is gone or already answered.
pub async fn complete_for_order(
    conn: &mut MySqlConnection,
    order_number: &str,
    status: u16,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?, \
         updated_at = CURRENT_TIMESTAMP(6) WHERE order_number = ? AND state = 'in_progress'",
    )
    .bind(status)
    .bind(body)
    .bind(order_number)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The lookup token of the attempt `order_number`, while its key is kept.
pub async fn lookup_token_for_order(
    conn: &mut MySqlConnection,
    order_number: &str,
) -> Result<Option<String>, sqlx::Error> {
    let token: Option<Option<String>> = sqlx::query_scalar(
        "SELECT lookup_token FROM idempotency_keys WHERE order_number = ? LIMIT 1",
    )
    .bind(order_number)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(token.flatten())
}

/// Frees the key after a failure worth retrying (an outage), so the same request may run again as a new attempt.
pub async fn forget(conn: &mut MySqlConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE idempotency_key = ? AND state = 'in_progress'")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Frees whichever key runs the attempt `order_number` (the reconciler gave that attempt up): a retry of
/// its request starts a new attempt.
pub async fn forget_for_order(
    conn: &mut MySqlConnection,
    order_number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE order_number = ? AND state = 'in_progress'")
        .bind(order_number)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Drops every key older than `age`, in batches; returns how many. Keeps up with any request rate the rate
/// limits allow: one pass deletes all that are due.
pub async fn purge_older_than(pool: &MySqlPool, age: Duration) -> Result<u64, sqlx::Error> {
    let cutoff = Utc::now() - age;
    let mut purged = 0;
    loop {
        let deleted = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ? LIMIT ?")
            .bind(cutoff)
            .bind(PURGE_BATCH)
            .execute(pool)
            .await?
            .rows_affected();
        purged += deleted;
        if deleted < PURGE_BATCH {
            return Ok(purged);
        }
    }
}
