//! The audit log: who did what, when, from where, to which record, with the record before and after.
//!
//! [`record`] is the one way in, called for every write of the admin (in the write's own transaction when
//! the admin's schema holds the record; right after the owning service's reply otherwise), every login
//! outcome and every refused action. The log is append-only: this module inserts and reads, and no code
//! updates or deletes an entry (retention, if ever wanted, is an operator's decision: README).

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{MySqlExecutor, MySqlPool, QueryBuilder};
use uuid::Uuid;

use crate::http::extract::{Client, CurrentSession};

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Not allowed or not valid: a wrong password, a role too low, a CSRF check, a refused form.
    Refused,
    /// Allowed but could not be done: a dependency failed.
    Failed,
}

impl TryFrom<String> for Outcome {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("{value:?} is not an outcome"))
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "ok" => Some(Self::Ok),
            "refused" => Some(Self::Refused),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One entry, built with [`Entry::by`] (a signed-in staff member) or [`Entry::anonymous`] (a login attempt)
/// and the `target`, `outcome`, `before`, `after` and `detail` setters.
#[derive(Debug, Clone)]
pub struct Entry {
    pub staff_id: Option<u64>,
    pub staff_email: String,
    pub ip: IpAddr,
    pub user_agent: String,
    /// What was attempted, `area.verb`: `login.success`, `staff.role_change`, `product.save`.
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub outcome: Outcome,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub detail: String,
    /// The idempotency key of the command recorded: the entry is written once per key.
    pub command_key: Option<Uuid>,
}

impl Entry {
    /// An action of the signed-in staff member of `session`, `Ok` unless told otherwise.
    pub fn by(session: &CurrentSession, action: impl Into<String>) -> Self {
        Self::new(
            Some(session.staff.id),
            session.staff.email.clone(),
            &session.client,
            action,
        )
    }

    /// An action of someone not signed in, who gave `email` (possibly no account's).
    pub fn anonymous(client: &Client, email: &str, action: impl Into<String>) -> Self {
        Self::new(None, email.to_owned(), client, action)
    }

    /// An action from the command line (`admin create-user`).
    pub fn command_line(action: impl Into<String>) -> Self {
        Self::new(
            None,
            "(command line)".to_owned(),
            &Client {
                ip: IpAddr::from([127, 0, 0, 1]),
                user_agent: "admin CLI".to_owned(),
            },
            action,
        )
    }

    fn new(
        staff_id: Option<u64>,
        staff_email: String,
        client: &Client,
        action: impl Into<String>,
    ) -> Self {
        Self {
            staff_id,
            staff_email: truncate(&staff_email, 254),
            ip: client.ip,
            user_agent: truncate(&client.user_agent, 255),
            action: action.into(),
            target_type: String::new(),
            target_id: String::new(),
            outcome: Outcome::Ok,
            before: None,
            after: None,
            detail: String::new(),
            command_key: None,
        }
    }

    pub fn target(mut self, target_type: &str, target_id: impl ToString) -> Self {
        self.target_type = truncate(target_type, 64);
        self.target_id = truncate(&target_id.to_string(), 128);
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn before(mut self, before: impl Serialize) -> Self {
        self.before = serde_json::to_value(before).ok().filter(|v| !v.is_null());
        self
    }

    pub fn after(mut self, after: impl Serialize) -> Self {
        self.after = serde_json::to_value(after).ok().filter(|v| !v.is_null());
        self
    }

    /// The entry of the command with idempotency key `key`: a replay of the command adds no second entry.
    pub fn command(mut self, key: Uuid) -> Self {
        self.command_key = Some(key);
        self
    }

    pub fn detail(mut self, detail: impl AsRef<str>) -> Self {
        self.detail = truncate(detail.as_ref(), 1000);
        self
    }
}

fn truncate(value: &str, chars: usize) -> String {
    value.chars().take(chars).collect()
}

/// Appends `entry` to the log, on `executor` (a transaction, to record a change with the change), unless an
/// entry with its command key is there already.
pub async fn record(executor: impl MySqlExecutor<'_>, entry: &Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (staff_id, staff_email, ip, user_agent, action, target_type, target_id, \
         outcome, before_json, after_json, detail, command_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE id = id",
    )
    .bind(entry.staff_id)
    .bind(&entry.staff_email)
    .bind(entry.ip.to_string())
    .bind(&entry.user_agent)
    .bind(&entry.action)
    .bind(&entry.target_type)
    .bind(&entry.target_id)
    .bind(entry.outcome)
    .bind(entry.before.clone().map(sqlx::types::Json))
    .bind(entry.after.clone().map(sqlx::types::Json))
    .bind(&entry.detail)
    .bind(entry.command_key.map(|key| key.to_string()))
    .execute(executor)
    .await?;
    Ok(())
}

/// [`record`] where failing to record must not change the answer (a refusal is refused anyway): a failure is
/// logged as an error.
pub async fn record_or_log(pool: &MySqlPool, entry: &Entry) {
    if let Err(err) = record(pool, entry).await {
        tracing::error!(error = %err, action = %entry.action, "cannot write an audit entry");
    }
}

/// One entry as read back.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub staff_id: Option<u64>,
    pub staff_email: String,
    pub ip: String,
    pub user_agent: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    pub before_json: Option<sqlx::types::Json<Value>>,
    pub after_json: Option<sqlx::types::Json<Value>>,
    pub detail: String,
}

/// What the audit page filters by; every field optional. `before` is the keyset cursor: entries with a
/// smaller id (older), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// The staff email, exactly (case-insensitive).
    pub who: String,
    /// The action, or its area with a trailing `.` or `*` (`login.` matches every login outcome).
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    /// `ok`, `refused` or `failed`.
    pub outcome: String,
    /// First day included (UTC), `YYYY-MM-DD`.
    pub from: String,
    /// Last day included (UTC), `YYYY-MM-DD`.
    pub to: String,
    pub before: Option<u64>,
}

impl Filter {
    /// The filter without its cursor, as a query string for links and the export.
    pub fn query_string(&self) -> String {
        let without_cursor = Self {
            before: None,
            ..self.clone()
        };
        serde_urlencoded_pairs(&without_cursor)
    }

    fn day(value: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
    }

    /// Fields that cannot be used, with why.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut problems = Vec::new();
        if !self.outcome.is_empty() && Outcome::parse(&self.outcome).is_none() {
            problems.push(("outcome", "must be ok, refused or failed"));
        }
        if !self.from.trim().is_empty() && Self::day(&self.from).is_none() {
            problems.push(("from", "must be a date (YYYY-MM-DD)"));
        }
        if !self.to.trim().is_empty() && Self::day(&self.to).is_none() {
            problems.push(("to", "must be a date (YYYY-MM-DD)"));
        }
        problems
    }
}

fn serde_urlencoded_pairs(filter: &Filter) -> String {
    let pairs = [
        ("who", &filter.who),
        ("action", &filter.action),
        ("target_type", &filter.target_type),
        ("target_id", &filter.target_id),
        ("outcome", &filter.outcome),
        ("from", &filter.from),
        ("to", &filter.to),
    ];
    pairs
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", percent_encode(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// At most `limit` entries matching `filter`, newest first, older than `filter.before`. Each filter is served
/// by an index that ends in `id` (or by the primary key), so a page costs the same on a page of a million.
pub async fn page(
    pool: &MySqlPool,
    filter: &Filter,
    limit: u32,
) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let mut query = QueryBuilder::new(
        "SELECT id, at, staff_id, staff_email, ip, user_agent, action, target_type, target_id, outcome, \
         before_json, after_json, detail FROM audit_log WHERE 1 = 1",
    );
    if let Some(before) = filter.before {
        query.push(" AND id < ").push_bind(before);
    }
    if !filter.who.trim().is_empty() {
        query
            .push(" AND staff_email = ")
            .push_bind(filter.who.trim().to_lowercase());
    }
    let action = filter.action.trim();
    if let Some(area) = action
        .strip_suffix('*')
        .or_else(|| action.ends_with('.').then_some(action))
    {
        query
            .push(" AND action LIKE ")
            .push_bind(format!("{}%", area.replace('%', "\\%").replace('_', "\\_")));
    } else if !action.is_empty() {
        query.push(" AND action = ").push_bind(action.to_owned());
    }
    if !filter.target_type.trim().is_empty() {
        query
            .push(" AND target_type = ")
            .push_bind(filter.target_type.trim().to_owned());
    }
    if !filter.target_id.trim().is_empty() {
        query
            .push(" AND target_id = ")
            .push_bind(filter.target_id.trim().to_owned());
    }
    if let Some(outcome) = Outcome::parse(&filter.outcome) {
        query.push(" AND outcome = ").push_bind(outcome);
    }
    if let Some(from) = Filter::day(&filter.from) {
        query
            .push(" AND at >= ")
            .push_bind(from.and_hms_opt(0, 0, 0));
    }
    if let Some(to) = Filter::day(&filter.to).and_then(|to| to.succ_opt()) {
        query.push(" AND at < ").push_bind(to.and_hms_opt(0, 0, 0));
    }
    query.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
    query.build_query_as().fetch_all(pool).await
}

/// The newest entries of one staff member, for their dashboard.
pub async fn recent_of(
    pool: &MySqlPool,
    staff_id: u64,
    limit: u32,
) -> Result<Vec<StoredEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, staff_id, staff_email, ip, user_agent, action, target_type, target_id, outcome, \
         before_json, after_json, detail FROM audit_log WHERE staff_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(staff_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}
