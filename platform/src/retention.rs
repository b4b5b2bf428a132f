//! Retention: rows a service no longer needs are deleted after a configurable time, in small batches, by a
//! periodic task of the service that owns them ([`run`]).
//!
//! # How long is long enough
//!
//! The consumers' idempotency records (the mailer's `email_log`, the bridge's `forwarded_events`) are what
//! makes a redelivered event harmless. Deleting one while its event can still
//! come back would send a second email or a second SQS message. An event can come back for as long as it is
//! in its stream (`STREAM_MAX_AGE_SECS`, and a consumer recreated from the start of the stream sees all of
//! it again); and once a consumer gave up on it, for as long as it is in the `DEADLETTER` stream (90 days),
//! from where an operator may replay it into its stream, where it stays another `STREAM_MAX_AGE_SECS`.
//! Replaying a dead letter of one consumer redelivers the event to every consumer of its subject. So
//! [`idempotency_retention`] refuses, at start-up, a retention that is not longer than that
//! [`replay_horizon`] (120 days with the default 30-day streams) and names the variables; it does not clamp
//! silently, because a setting that quietly means something else is worse than a service that says why it
//! will not start. The defaults ([`DEFAULT_IDEMPOTENCY_RETENTION_DAYS`]) leave two months to spare.
//!
//! Published outbox rows are nobody's idempotency record: the relay never reads a published row again, and
//! JetStream's duplicate detection is keyed by the event id in the stream, not by the row. Their retention
//! (`OUTBOX_RETENTION_HOURS`, [`outbox_retention`]) is only how long they are kept to look at.
//!
//! # How rows are deleted
//!
//! One purge deletes the rows whose timestamp column is older than the retention, at most [`PURGE_BATCH`] per
//! statement, each in its own short `READ COMMITTED` transaction (row locks only, so the service's own inserts
//! never wait behind a purge), until a batch comes back short. The statement is a range on the timestamp
//! column, served by that column's index (each table has one, checked with EXPLAIN in the service's tests).
//! Replicas may purge at the same time: deleting is idempotent. Metric: `retention_deleted_rows_total{table}`.

use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection as _, MySqlPool, Row as _};
use tokio_util::sync::CancellationToken;

use crate::{
    config::vars::{ConfigError, var},
    streams::StreamSettings,
};

/// Rows per delete: small enough that no delete holds locks for long.
pub const PURGE_BATCH: u64 = 1000;
/// How often services purge (the first time right after start).
pub const PURGE_EVERY: Duration = Duration::from_secs(600);
/// The default retention of every idempotency record, in days: well past the default [`replay_horizon`].
pub const DEFAULT_IDEMPOTENCY_RETENTION_DAYS: u64 = 180;
/// The default retention of published outbox rows, in hours (a week).
pub const DEFAULT_OUTBOX_RETENTION_HOURS: u64 = 7 * 24;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// One table purged by the age of one timestamp column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purge {
    /// The table, spelled in the code (never from input).
    pub table: &'static str,
    /// Its timestamp column, with an index of its own (or leading one).
    pub column: &'static str,
    /// Rows whose column is older than this are deleted.
    pub retention: Duration,
}

impl Purge {
    pub const fn new(table: &'static str, column: &'static str, retention: Duration) -> Self {
        Self {
            table,
            column,
            retention,
        }
    }

    /// The statement deleting one batch; its one parameter is the retention in microseconds (EXPLAIN it in
    /// a test to see the index serve it).
    pub fn batch_sql(&self) -> String {
        format!(
            "DELETE FROM {} WHERE {} < CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND LIMIT {PURGE_BATCH}",
            self.table, self.column
        )
    }

    /// How the database would run one batch now (`EXPLAIN`): the access type and the index it would use.
    pub async fn plan(&self, pool: &MySqlPool) -> Result<Plan, sqlx::Error> {
        let row = sqlx::query(AssertSqlSafe(format!("EXPLAIN {}", self.batch_sql())))
            .bind(self.retention_micros())
            .fetch_one(pool)
            .await?;
        Ok(Plan {
            access: row.try_get("type")?,
            key: row.try_get("key")?,
        })
    }

    fn retention_micros(&self) -> i64 {
        i64::try_from(self.retention.as_micros()).unwrap_or(i64::MAX)
    }

    /// Deletes every row past the retention, a batch per transaction; stops early on `shutdown`. Returns how
    /// many rows it deleted.
    pub async fn run_once(
        &self,
        pool: &MySqlPool,
        shutdown: &CancellationToken,
    ) -> Result<u64, sqlx::Error> {
        let sql = self.batch_sql();
        let mut deleted = 0;
        while !shutdown.is_cancelled() {
            let rows = self.delete_batch(pool, &sql).await?;
            deleted += rows;
            metrics::counter!("retention_deleted_rows_total", "table" => self.table)
                .increment(rows);
            if rows < PURGE_BATCH {
                break;
            }
        }
        if deleted > 0 {
            tracing::info!(
                table = self.table,
                deleted,
                retention = ?self.retention,
                "deleted rows past their retention"
            );
        }
        Ok(deleted)
    }

    async fn delete_batch(&self, pool: &MySqlPool, sql: &str) -> Result<u64, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        // Applies to the next transaction on this connection only.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            .execute(&mut *conn)
            .await?;
        let mut tx = conn.begin().await?;
        let deleted = sqlx::query(AssertSqlSafe(sql))
            .bind(self.retention_micros())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }
}

/// What EXPLAIN says about one purge batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `range` when an index bounds the rows read; `ALL` for a full scan.
    pub access: String,
    /// The index used, if any.
    pub key: Option<String>,
}

/// Purges `purges` every `every` (the first time right away) until `shutdown`. Failures are logged and
/// tried again next time.
pub async fn run(
    pool: MySqlPool,
    purges: Vec<Purge>,
    every: Duration,
    shutdown: CancellationToken,
) {
    for purge in &purges {
        // Present at zero from the start, for dashboards.
        metrics::counter!("retention_deleted_rows_total", "table" => purge.table).increment(0);
    }
    loop {
        for purge in &purges {
            if let Err(err) = purge.run_once(&pool, &shutdown).await {
                tracing::warn!(error = %err, table = purge.table, "cannot delete rows past their retention, will try again");
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// The DEADLETTER stream's maximum age.
pub fn dead_letter_max_age() -> Duration {
    crate::consumer::dead_letter_stream(1).max_age
}

/// How long after it first arrived an event can still reach a consumer: its stream's max age, plus the
/// dead letters' max age followed by another stream max age once replayed (see the module docs).
pub fn replay_horizon(streams: &StreamSettings) -> Duration {
    streams.max_age.saturating_add(dead_letter_max_age())
}

/// The retention of an idempotency record, from `name` in whole days (default `default_days`). Refuses a
/// value that is not longer than the [`replay_horizon`] of `streams`.
pub fn idempotency_retention(
    name: &str,
    default_days: u64,
    streams: &StreamSettings,
) -> Result<Duration, ConfigError> {
    let days: u64 = var(name, default_days)?;
    check_idempotency_retention(name, days, streams)
}

fn check_idempotency_retention(
    name: &str,
    days: u64,
    streams: &StreamSettings,
) -> Result<Duration, ConfigError> {
    let retention = DAY.saturating_mul(u32::try_from(days).unwrap_or(u32::MAX));
    let horizon = replay_horizon(streams);
    if retention <= horizon {
        return Err(ConfigError {
            name: name.to_owned(),
            value: days.to_string(),
            reason: format!(
                "must be more than {:.1} days: these rows are what stops a redelivered or replayed event from \
                 being sent twice, and an event can come back for STREAM_MAX_AGE_SECS ({:.1} days) plus the \
                 {:.0} days it may spend in DEADLETTER; raise it, or lower STREAM_MAX_AGE_SECS",
                days_of(horizon),
                days_of(streams.max_age),
                days_of(dead_letter_max_age()),
            ),
        });
    }
    Ok(retention)
}

fn days_of(duration: Duration) -> f64 {
    duration.as_secs_f64() / DAY.as_secs_f64()
}

/// `OUTBOX_RETENTION_HOURS` (default a week, at least 1): how long published outbox rows are kept.
pub fn outbox_retention() -> Result<Duration, ConfigError> {
    check_outbox_retention(var(
        "OUTBOX_RETENTION_HOURS",
        DEFAULT_OUTBOX_RETENTION_HOURS,
    )?)
}

fn check_outbox_retention(hours: u64) -> Result<Duration, ConfigError> {
    if hours == 0 {
        return Err(ConfigError {
            name: "OUTBOX_RETENTION_HOURS".to_owned(),
            value: hours.to_string(),
            reason: "must be at least 1".to_owned(),
        });
    }
    Ok(Duration::from_secs(3600).saturating_mul(u32::try_from(hours).unwrap_or(u32::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streams(max_age_days: u64) -> StreamSettings {
        StreamSettings {
            replicas: 1,
            max_age: DAY * u32::try_from(max_age_days).unwrap(),
            max_bytes: 1,
            max_message_size: 1,
            duplicate_window: Duration::from_secs(600),
        }
    }

    #[test]
    fn the_default_retention_outlasts_every_replay_of_the_default_streams() {
        let streams = streams(30);
        assert_eq!(replay_horizon(&streams), DAY * 120);
        assert_eq!(
            check_idempotency_retention("X", DEFAULT_IDEMPOTENCY_RETENTION_DAYS, &streams).unwrap(),
            DAY * 180
        );
        assert_eq!(
            check_idempotency_retention("X", 121, &streams).unwrap(),
            DAY * 121
        );
    }

    #[test]
    fn a_retention_an_event_could_outlive_is_refused_naming_the_variables() {
        for days in [0, 30, 31, 90, 120] {
            let err = check_idempotency_retention("EMAIL_LOG_RETENTION_DAYS", days, &streams(30))
                .unwrap_err();
            assert_eq!(err.name, "EMAIL_LOG_RETENTION_DAYS");
            assert!(err.reason.contains("STREAM_MAX_AGE_SECS"), "{err}");
            assert!(err.reason.contains("120.0 days"), "{err}");
        }
        // A longer stream needs a longer retention than the default.
        assert!(
            check_idempotency_retention("X", DEFAULT_IDEMPOTENCY_RETENTION_DAYS, &streams(365))
                .is_err()
        );
        assert!(check_idempotency_retention("X", u64::MAX, &streams(365)).is_ok());
    }

    #[test]
    fn published_outbox_rows_are_kept_a_week_by_default_and_at_least_an_hour() {
        assert_eq!(
            check_outbox_retention(DEFAULT_OUTBOX_RETENTION_HOURS).unwrap(),
            DAY * 7
        );
        assert_eq!(
            check_outbox_retention(1).unwrap(),
            Duration::from_secs(3600)
        );
        assert_eq!(
            check_outbox_retention(0).unwrap_err().name,
            "OUTBOX_RETENTION_HOURS"
        );
    }

    #[test]
    fn purges_delete_one_bounded_batch_by_the_timestamp_column() {
        let purge = Purge::new("email_log", "created_at", DAY);
        assert_eq!(
            purge.batch_sql(),
            "DELETE FROM email_log WHERE created_at < CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND \
             LIMIT 1000"
        );
        assert_eq!(purge.retention_micros(), 86_400_000_000);
        assert_eq!(
            Purge::new("t", "c", Duration::MAX).retention_micros(),
            i64::MAX
        );
    }
}
