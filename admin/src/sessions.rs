//! Sessions in the admin's schema. The browser holds a random 256-bit id in the `__Host-admin_session`
//! cookie; the table holds only its SHA-256, so reading the table (a backup, a replica) signs nobody in.
//!
//! A session is valid while its staff member is enabled, it was used within the idle timeout and it began
//! within the absolute timeout. Use refreshes `last_seen_at` at most once a minute, so browsing does not write
//! on every request. Signing in always makes a new session (a session id planted before sign-in is worth
//! nothing); signing out deletes it; disabling a staff member or changing their role or password deletes all
//! of theirs ([`end_all_of`]). Expired rows are deleted by the retention task (`lib.rs`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    config::SessionTimeouts,
    domain::{Role, random_token},
    http::extract::Client,
};

/// The session cookie's name: `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
pub const COOKIE: &str = "__Host-admin_session";

/// How often `last_seen_at` is written at most.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// The session store over the admin's pool.
#[derive(Debug, Clone)]
pub struct Sessions {
    pool: MySqlPool,
    timeouts: SessionTimeouts,
}

/// A session just created: the id for the cookie (never stored) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub csrf_token: String,
}

/// A valid session and who it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Found {
    #[sqlx(try_from = "Vec<u8>")]
    pub id_hash: IdHash,
    pub staff_id: u64,
    pub email: String,
    pub role: String,
    pub totp_enabled: bool,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
}

impl Found {
    pub fn role(&self) -> Option<Role> {
        self.role.parse().ok()
    }
}

/// The stored form of a session id.
pub use platform::tokens::TokenHash as IdHash;

fn hash_id(id: &str) -> IdHash {
    IdHash::of(id)
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

impl Sessions {
    pub fn new(pool: MySqlPool, timeouts: SessionTimeouts) -> Self {
        Self { pool, timeouts }
    }

    /// A new session for `staff_id`, signed in from `client`.
    pub async fn create(&self, staff_id: u64, client: &Client) -> Result<NewSession, sqlx::Error> {
        let session = NewSession {
            id: random_token(),
            csrf_token: random_token(),
        };
        sqlx::query(
            "INSERT INTO sessions (id_hash, staff_id, csrf_token, ip, user_agent) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(hash_id(&session.id).0.as_slice())
        .bind(staff_id)
        .bind(&session.csrf_token)
        .bind(client.ip.to_string())
        .bind(client.user_agent.chars().take(255).collect::<String>())
        .execute(&self.pool)
        .await?;
        Ok(session)
    }

    /// The valid session whose id is `id`, refreshing its idle timer when it is due.
    pub async fn find(&self, id: &str) -> Result<Option<Found>, sqlx::Error> {
        // Anything that is not one of our ids is not looked up at all.
        if id.len() != 43 {
            return Ok(None);
        }
        let found: Option<Found> = sqlx::query_as(
            "SELECT s.id_hash, s.staff_id, u.email, u.role, u.totp_secret IS NOT NULL AS totp_enabled, \
             s.csrf_token, s.last_seen_at \
             FROM sessions s JOIN staff_users u ON u.id = s.staff_id \
             WHERE s.id_hash = ? AND u.disabled_at IS NULL \
             AND s.last_seen_at > CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND \
             AND s.created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND",
        )
        .bind(hash_id(id).0.as_slice())
        .bind(micros(self.timeouts.idle))
        .bind(micros(self.timeouts.absolute))
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
                .bind(found.id_hash.0.as_slice())
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(found)
    }

    /// Ends one session (sign-out).
    pub async fn delete(&self, id_hash: IdHash) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash.0.as_slice())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Ends every session of staff member `staff_id`, in the transaction that changed what they may do.
pub async fn end_all_of(conn: &mut MySqlConnection, staff_id: u64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE staff_id = ?")
        .bind(staff_id)
        .execute(conn)
        .await?
        .rows_affected())
}
