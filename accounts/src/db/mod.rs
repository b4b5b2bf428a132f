//! The accounts schema's queries: customers and the tokens of the links emailed to them here, saved addresses
//! and wishlists in their modules. Sessions are in [`crate::sessions`].

pub mod addresses;
pub mod wishlist;

use chrono::{DateTime, Utc};
use platform::tokens::TokenHash;
use sqlx::{MySqlConnection, MySqlPool, types::uuid::fmt::Hyphenated};
use uuid::Uuid;

/// A customer as the sign-in and the account pages see them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Customer {
    #[sqlx(try_from = "Hyphenated")]
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub sign_up_notice_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A query reading [`Customer`]s, ending with `$tail`.
macro_rules! select_customer {
    ($tail:literal) => {
        concat!(
            "SELECT id, email, name, password_hash, email_verified_at, sign_up_notice_at, created_at \
             FROM customers ",
            $tail
        )
    };
}

pub async fn customer_by_email(
    pool: &MySqlPool,
    email: &str,
) -> Result<Option<Customer>, sqlx::Error> {
    sqlx::query_as(select_customer!("WHERE email = ?"))
        .bind(email)
        .fetch_optional(pool)
        .await
}

/// The customer with `email`, locked until the transaction ends.
pub async fn lock_customer_by_email(
    conn: &mut MySqlConnection,
    email: &str,
) -> Result<Option<Customer>, sqlx::Error> {
    sqlx::query_as(select_customer!("WHERE email = ? FOR UPDATE"))
        .bind(email)
        .fetch_optional(conn)
        .await
}

pub async fn customer(pool: &MySqlPool, id: Uuid) -> Result<Option<Customer>, sqlx::Error> {
    sqlx::query_as(select_customer!("WHERE id = ?"))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await
}

/// The customer `id`, locked until the transaction ends.
pub async fn lock_customer(
    conn: &mut MySqlConnection,
    id: Uuid,
) -> Result<Option<Customer>, sqlx::Error> {
    sqlx::query_as(select_customer!("WHERE id = ? FOR UPDATE"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

/// Inserts a new, unconfirmed customer. `Ok(false)` when the address was taken meanwhile.
pub async fn insert_customer(
    conn: &mut MySqlConnection,
    id: Uuid,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT IGNORE INTO customers (id, email, name, password_hash) VALUES (?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
        }
    }
}

/// When the last link for `purpose` was made for the customer, if ever.
pub async fn last_token_at(
    conn: &mut MySqlConnection,
    customer: Uuid,
    purpose: Purpose,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MAX(created_at) FROM email_tokens WHERE customer_id = ? AND purpose = ?",
    )
    .bind(customer.to_string())
    .bind(purpose.as_str())
    .fetch_one(conn)
    .await
}

/// Stores a new link's token (its hash) for the customer.
pub async fn insert_token(
    conn: &mut MySqlConnection,
    token: &TokenHash,
    customer: Uuid,
    purpose: Purpose,
    password_hash: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, customer_id, purpose, password_hash, expires_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(token.as_slice())
    .bind(customer.to_string())
    .bind(purpose.as_str())
    .bind(password_hash)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A link's token that still works.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UsableToken {
    #[sqlx(try_from = "Hyphenated")]
    pub customer_id: Uuid,
    pub password_hash: Option<String>,
}

/// Takes the token for `purpose` if it is unused and unexpired: marks it used, and every other unused link of
/// the customer for the same purpose with it (a newer link makes the older ones worthless, and one use ends
/// them all). `None` when there is no such usable token.
pub async fn take_token(
    conn: &mut MySqlConnection,
    token: &TokenHash,
    purpose: Purpose,
) -> Result<Option<UsableToken>, sqlx::Error> {
    let found: Option<UsableToken> = sqlx::query_as(
        "SELECT customer_id, password_hash FROM email_tokens \
         WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > CURRENT_TIMESTAMP(6) \
         FOR UPDATE",
    )
    .bind(token.as_slice())
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(found) = &found {
        sqlx::query(
            "UPDATE email_tokens SET used_at = CURRENT_TIMESTAMP(6) \
             WHERE customer_id = ? AND purpose = ? AND used_at IS NULL",
        )
        .bind(found.customer_id.to_string())
        .bind(purpose.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(found)
}

/// Confirms the customer's address (if it was not yet) and sets the password.
pub async fn confirm_and_set_password(
    conn: &mut MySqlConnection,
    customer: Uuid,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE customers SET password_hash = ?, password_changed_at = CURRENT_TIMESTAMP(6), \
         email_verified_at = COALESCE(email_verified_at, CURRENT_TIMESTAMP(6)) WHERE id = ?",
    )
    .bind(password_hash)
    .bind(customer.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the pending password of an unconfirmed customer (a newer sign-up for the same address).
pub async fn set_pending_password(
    conn: &mut MySqlConnection,
    customer: Uuid,
    name: &str,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE customers SET password_hash = ?, name = ? WHERE id = ? AND email_verified_at IS NULL",
    )
    .bind(password_hash)
    .bind(name)
    .bind(customer.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the owner was told of a sign-up with their address.
pub async fn mark_sign_up_notice(
    conn: &mut MySqlConnection,
    customer: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE customers SET sign_up_notice_at = CURRENT_TIMESTAMP(6) WHERE id = ?")
        .bind(customer.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the customer; their sessions, links, addresses and wishlist go with them (foreign keys).
pub async fn delete_customer(
    conn: &mut MySqlConnection,
    customer: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM customers WHERE id = ?")
        .bind(customer.to_string())
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// A session as the customer's data export lists it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SessionRow {
    pub ip: String,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn sessions_of(pool: &MySqlPool, customer: Uuid) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT ip, user_agent, created_at, last_seen_at FROM sessions WHERE customer_id = ? \
         ORDER BY created_at DESC",
    )
    .bind(customer.to_string())
    .fetch_all(pool)
    .await
}
