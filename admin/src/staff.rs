//! Staff accounts: creating them, changing their role or password, disabling and enabling them. Every change
//! is written with its audit entry in one transaction, and a change that affects what a person may do
//! (disabled, another role, another password) ends their sessions in the same transaction.

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    audit::{self, Entry},
    domain::{Email, Role},
    sessions,
    totp::TotpKey,
};

/// A staff member as the pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StaffMember {
    pub id: u64,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: RoleColumn,
    pub totp_enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: u32,
}

impl StaffMember {
    pub fn role(&self) -> Role {
        self.role.0
    }
}

/// The `role` column, read through [`Role`]'s parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RoleColumn(pub Role);

impl TryFrom<String> for RoleColumn {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse().map(Self)
    }
}

const MEMBER_COLUMNS: &str = "id, email, role, totp_secret IS NOT NULL AS totp_enabled, disabled_at, \
                              created_at, version";

/// What a login needs to know about an email's account (no `Debug`: it holds the second factor's secret).
#[derive(Clone)]
pub struct Credentials {
    pub id: u64,
    pub email: String,
    pub password_hash: String,
    /// The TOTP secret, opened.
    pub totp_secret: Option<Vec<u8>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: u64,
    email: String,
    password_hash: String,
    totp_secret: Option<Vec<u8>>,
    totp_sealed: bool,
    disabled_at: Option<DateTime<Utc>>,
}

/// The secret of member `id` from its stored form. A secret that does not open (sealed under another
/// `ADMIN_TOTP_KEY`, or altered) is an error, never "no second factor".
fn open_totp(key: &TotpKey, id: u64, stored: &[u8], sealed: bool) -> Result<Vec<u8>, sqlx::Error> {
    sealed
        .then(|| key.open(id, stored))
        .flatten()
        .ok_or_else(|| {
            sqlx::Error::Decode(
                format!(
                    "the TOTP secret of staff member {id} does not open with ADMIN_TOTP_KEY \
                     (was the key changed?)"
                )
                .into(),
            )
        })
}

/// Why a change to a staff account was refused.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("a staff member with this email exists already")]
    EmailTaken,
    #[error("no such staff member")]
    NotFound,
    #[error("changed by someone else since you opened it")]
    Changed,
    #[error("you cannot change your own role or disable yourself; ask another owner")]
    OwnAccount,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Password(#[from] platform::password::PasswordError),
}

pub async fn list(pool: &MySqlPool) -> Result<Vec<StaffMember>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM staff_users ORDER BY disabled_at IS NOT NULL, email"
    )))
    .fetch_all(pool)
    .await
}

pub async fn get(
    executor: impl sqlx::MySqlExecutor<'_>,
    id: u64,
) -> Result<Option<StaffMember>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM staff_users WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(executor)
    .await
}

async fn lock(conn: &mut MySqlConnection, id: u64) -> Result<StaffMember, StaffError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM staff_users WHERE id = ? FOR UPDATE"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StaffError::NotFound)
}

pub async fn credentials(
    pool: &MySqlPool,
    key: &TotpKey,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<CredentialsRow> = sqlx::query_as(
        "SELECT id, email, password_hash, totp_secret, totp_sealed, disabled_at \
         FROM staff_users WHERE email = ?",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let totp_secret = match &row.totp_secret {
        Some(stored) => Some(open_totp(key, row.id, stored, row.totp_sealed)?),
        None => None,
    };
    Ok(Some(Credentials {
        id: row.id,
        email: row.email,
        password_hash: row.password_hash,
        totp_secret,
        disabled_at: row.disabled_at,
    }))
}

pub async fn any_owner(pool: &MySqlPool) -> Result<bool, sqlx::Error> {
    let found: Option<u64> = sqlx::query_scalar(
        "SELECT id FROM staff_users WHERE role = 'owner' AND disabled_at IS NULL LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Adds a staff member with `password` (checked by the caller), recording `audit` (its target and `after`
/// are filled in here).
pub async fn create(
    pool: &MySqlPool,
    email: &Email,
    role: Role,
    password: SecretString,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    let hash = platform::password::hash(password).await?;
    let mut tx = pool.begin().await?;
    let inserted =
        sqlx::query("INSERT INTO staff_users (email, role, password_hash) VALUES (?, ?, ?)")
            .bind(email.as_str())
            .bind(role.as_str())
            .bind(&hash)
            .execute(&mut *tx)
            .await;
    let id = match inserted {
        Ok(done) => done.last_insert_id(),
        Err(err) if platform::sql::is_duplicate_key(&err) => return Err(StaffError::EmailTaken),
        Err(err) => return Err(err.into()),
    };
    let member = get(&mut *tx, id).await?.ok_or(StaffError::NotFound)?;
    audit::record(
        &mut *tx,
        &audit.target("staff", id).after(snapshot(&member)),
    )
    .await?;
    tx.commit().await?;
    Ok(member)
}

/// What the audit log keeps of a staff member (never a hash or a secret).
fn snapshot(member: &StaffMember) -> serde_json::Value {
    serde_json::json!({
        "email": member.email,
        "role": member.role(),
        "disabled": member.disabled_at.is_some(),
        "totp_enabled": member.totp_enabled,
        "version": member.version,
    })
}

/// Changes what staff member `id` may do, checking the version the owner saw; ends their sessions.
async fn change(
    pool: &MySqlPool,
    id: u64,
    expected_version: u32,
    actor_id: u64,
    audit: Entry,
    statement: &'static str,
    bind: Option<String>,
) -> Result<StaffMember, StaffError> {
    if id == actor_id {
        return Err(StaffError::OwnAccount);
    }
    let mut tx = pool.begin().await?;
    let before = lock(&mut tx, id).await?;
    if before.version != expected_version {
        return Err(StaffError::Changed);
    }
    let mut query = sqlx::query(statement);
    if let Some(value) = bind {
        query = query.bind(value);
    }
    query.bind(id).execute(&mut *tx).await?;
    sessions::end_all_of(&mut tx, id).await?;
    let after = lock(&mut tx, id).await?;
    audit::record(
        &mut *tx,
        &audit
            .target("staff", id)
            .before(snapshot(&before))
            .after(snapshot(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn set_role(
    pool: &MySqlPool,
    id: u64,
    expected_version: u32,
    role: Role,
    actor_id: u64,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    change(
        pool,
        id,
        expected_version,
        actor_id,
        audit,
        "UPDATE staff_users SET role = ?, version = version + 1 WHERE id = ?",
        Some(role.as_str().to_owned()),
    )
    .await
}

pub async fn set_disabled(
    pool: &MySqlPool,
    id: u64,
    expected_version: u32,
    disabled: bool,
    actor_id: u64,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    let statement = if disabled {
        "UPDATE staff_users SET disabled_at = COALESCE(disabled_at, CURRENT_TIMESTAMP(6)), \
         version = version + 1 WHERE id = ?"
    } else {
        "UPDATE staff_users SET disabled_at = NULL, version = version + 1 WHERE id = ?"
    };
    change(pool, id, expected_version, actor_id, audit, statement, None).await
}

/// Sets the password of staff member `id` (checked by the caller) and ends their sessions. `expected_version`
/// is `None` when a person changes their own password (they proved it with the current one).
pub async fn set_password(
    pool: &MySqlPool,
    id: u64,
    expected_version: Option<u32>,
    password: SecretString,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    let hash = platform::password::hash(password).await?;
    let mut tx = pool.begin().await?;
    let before = lock(&mut tx, id).await?;
    if expected_version.is_some_and(|expected| expected != before.version) {
        return Err(StaffError::Changed);
    }
    sqlx::query("UPDATE staff_users SET password_hash = ?, version = version + 1 WHERE id = ?")
        .bind(&hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sessions::end_all_of(&mut tx, id).await?;
    let after = lock(&mut tx, id).await?;
    audit::record(
        &mut *tx,
        &audit
            .target("staff", id)
            .before(snapshot(&before))
            .after(snapshot(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Turns the second factor on (`Some(secret)`, with the step of the code that confirmed it) or off.
pub async fn set_totp(
    pool: &MySqlPool,
    key: &TotpKey,
    id: u64,
    totp: Option<(&[u8], i64)>,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    set_totp_checked(pool, key, id, None, totp, audit).await
}

/// Turns the second factor of member `id` off for them (an owner's action: a lost phone, or a changed
/// `ADMIN_TOTP_KEY`), if their record is still at `expected_version`.
pub async fn turn_off_totp(
    pool: &MySqlPool,
    key: &TotpKey,
    id: u64,
    expected_version: u32,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    set_totp_checked(pool, key, id, Some(expected_version), None, audit).await
}

async fn set_totp_checked(
    pool: &MySqlPool,
    key: &TotpKey,
    id: u64,
    expected_version: Option<u32>,
    totp: Option<(&[u8], i64)>,
    audit: Entry,
) -> Result<StaffMember, StaffError> {
    let mut tx = pool.begin().await?;
    let before = lock(&mut tx, id).await?;
    if expected_version.is_some_and(|expected| expected != before.version) {
        return Err(StaffError::Changed);
    }
    let (secret, step) = match totp {
        Some((secret, step)) => (Some(key.seal(id, secret)), Some(step)),
        None => (None, None),
    };
    sqlx::query(
        "UPDATE staff_users SET totp_secret = ?, totp_sealed = TRUE, totp_last_step = ?, \
         version = version + 1 WHERE id = ?",
    )
    .bind(secret)
    .bind(step)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = lock(&mut tx, id).await?;
    audit::record(
        &mut *tx,
        &audit
            .target("staff", id)
            .before(snapshot(&before))
            .after(snapshot(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Takes the TOTP time step `step` for staff member `id`: true only the first time a step (or a later one)
/// is used, so a code that was seen once is never accepted again.
pub async fn take_totp_step(pool: &MySqlPool, id: u64, step: i64) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(
        "UPDATE staff_users SET totp_last_step = ? \
         WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
    )
    .bind(step)
    .bind(id)
    .bind(step)
    .execute(pool)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// The id and password hash of the member with `email`, if any.
pub async fn password_of(
    pool: &MySqlPool,
    email: &Email,
) -> Result<Option<(u64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash FROM staff_users WHERE email = ?")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
}

pub async fn password_hash(pool: &MySqlPool, id: u64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM staff_users WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The opened TOTP secret of member `id`, if they enrolled one.
pub async fn totp_secret(
    pool: &MySqlPool,
    key: &TotpKey,
    id: u64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let stored: Option<(Option<Vec<u8>>, bool)> =
        sqlx::query_as("SELECT totp_secret, totp_sealed FROM staff_users WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    match stored {
        Some((Some(stored), sealed)) => open_totp(key, id, &stored, sealed).map(Some),
        _ => Ok(None),
    }
}

/// Seals the TOTP secrets stored in the clear (enrolled before secrets were sealed); run at start. Returns
/// how many there were.
pub async fn seal_clear_totp_secrets(
    pool: &MySqlPool,
    key: &TotpKey,
) -> Result<usize, sqlx::Error> {
    let clear: Vec<(u64, Vec<u8>)> = sqlx::query_as(
        "SELECT id, totp_secret FROM staff_users WHERE totp_secret IS NOT NULL AND NOT totp_sealed",
    )
    .fetch_all(pool)
    .await?;
    for (id, secret) in &clear {
        sqlx::query(
            "UPDATE staff_users SET totp_secret = ?, totp_sealed = TRUE WHERE id = ? AND NOT totp_sealed",
        )
        .bind(key.seal(*id, secret))
        .bind(id)
        .execute(pool)
        .await?;
    }
    Ok(clear.len())
}
