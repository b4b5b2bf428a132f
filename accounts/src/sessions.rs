//! Signed-in browsers. The browser holds a random 256-bit id in the `__Host-shop_session` cookie (HttpOnly,
//! Secure, SameSite=Strict, `platform::cookies`); the table holds only its SHA-256.
//!
//! A session is valid while it was used within the idle timeout and began within the absolute timeout. Use
//! refreshes `last_seen_at` at most once a minute. Signing in always makes a new session (an id planted in
//! the browser before sign-in is worth nothing); signing out deletes it; a password change or reset deletes
//! every other session of the customer ([`end_all_of`]); deleting the account deletes them all (the foreign
//! key). Expired rows are deleted by the retention task (`lib.rs`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::tokens::{TokenHash, looks_like_token, random_token};
use sqlx::{MySqlConnection, MySqlPool, types::uuid::fmt::Hyphenated};
use uuid::Uuid;

/// The session cookie's name: `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
pub const COOKIE: &str = "__Host-shop_session";

/// How often `last_seen_at` is written at most.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// The session store over the accounts pool.
#[derive(Debug, Clone)]
pub struct Sessions {
    pool: MySqlPool,
    idle: Duration,
    max: Duration,
}

/// A valid session and whose it is.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Found {
    #[sqlx(try_from = "Vec<u8>")]
    pub id_hash: TokenHash,
    #[sqlx(try_from = "Hyphenated")]
    pub customer_id: Uuid,
    pub last_seen_at: DateTime<Utc>,
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

impl Sessions {
    pub fn new(pool: MySqlPool, idle: Duration, max: Duration) -> Self {
        Self { pool, idle, max }
    }

    /// How long a session can last at most: the cookie's Max-Age.
    pub fn max_age(&self) -> Duration {
        self.max
    }

    /// How long an unused session lasts.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// A new session for `customer`, in the transaction `conn` (which signs them in); returns its id for the
    /// cookie, never stored.
    pub async fn create(
        &self,
        conn: &mut MySqlConnection,
        customer: Uuid,
        ip: &str,
        user_agent: &str,
    ) -> Result<String, sqlx::Error> {
        let id = random_token();
        sqlx::query(
            "INSERT INTO sessions (id_hash, customer_id, ip, user_agent) VALUES (?, ?, ?, ?)",
        )
        .bind(TokenHash::of(&id).as_slice())
        .bind(customer.to_string())
        .bind(ip)
        .bind(user_agent.chars().take(255).collect::<String>())
        .execute(conn)
        .await?;
        Ok(id)
    }

    /// The valid session whose id is `id`, refreshing its idle timer when it is due.
    pub async fn find(&self, id: &str) -> Result<Option<Found>, sqlx::Error> {
        // Anything that is not one of our ids is not looked up at all.
        if !looks_like_token(id) {
            return Ok(None);
        }
        let found: Option<Found> = sqlx::query_as(
            "SELECT id_hash, customer_id, last_seen_at FROM sessions \
             WHERE id_hash = ? \
             AND last_seen_at > CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND \
             AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND",
        )
        .bind(TokenHash::of(id).as_slice())
        .bind(micros(self.idle))
        .bind(micros(self.max))
        .fetch_optional(&self.pool)
        .await?;
        if let Some(found) = &found {
            let idle = (Utc::now() - found.last_seen_at)
                .to_std()
                .unwrap_or(Duration::ZERO);
            if idle >= REFRESH_EVERY {
                sqlx::query(
                    "UPDATE sessions SET last_seen_at = CURRENT_TIMESTAMP(6) WHERE id_hash = ?",
                )
                .bind(found.id_hash.as_slice())
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(found)
    }

    /// Ends one session (sign-out).
    pub async fn delete(&self, id_hash: &TokenHash) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash.as_slice())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Ends every session of `customer` but `keep`, in the transaction that changed their password.
pub async fn end_all_of(
    conn: &mut MySqlConnection,
    customer: Uuid,
    keep: Option<&TokenHash>,
) -> Result<u64, sqlx::Error> {
    let keep = keep.map_or(&[0u8; 32][..], TokenHash::as_slice);
    Ok(
        sqlx::query("DELETE FROM sessions WHERE customer_id = ? AND id_hash <> ?")
            .bind(customer.to_string())
            .bind(keep)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
