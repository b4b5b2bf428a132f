//! The transactional outbox: how a service publishes an event *because of* a database change without ever
//! publishing one for a change that was rolled back, or losing one for a change that was committed.
//!
//! A handler writes the event with [`enqueue`] inside the same transaction as the change, commits, and pokes
//! the [`OutboxNotifier`]. The [`OutboxRelay`], a background task of the same service, takes committed rows
//! in id order, publishes each to JetStream with header `Nats-Msg-Id` = event id, and marks a row published
//! only after JetStream has acknowledged it. The table is the relay's only state, so it survives restarts.
//!
//! # Guarantees
//!
//! - **Nothing committed is lost.** A row stays pending until its publish is acknowledged. When NATS or the
//!   database fails, the relay logs, backs off ([`crate::backoff`]: 100 ms doubling up to
//!   [`OutboxRelay::max_backoff`], with jitter) and retries forever; no row is ever skipped.
//! - **Effectively once.** Publishing is at-least-once; JetStream drops a message whose `Nats-Msg-Id` it has
//!   already stored within the stream's duplicate window (`STREAM_DUPLICATE_WINDOW_SECS`, 10 minutes by
//!   default). If the process dies after the ack but before the rows are marked published, they are still
//!   pending and are published again by the next relay, and JetStream drops them, *as long as that happens
//!   within the duplicate window*. After a longer outage a duplicate can reach the stream, which is why
//!   consumers record event ids and are idempotent too.
//! - **Several replicas, one publisher.** Of the replicas of a service, one relay publishes: the one holding
//!   the database's named lock `shop-outbox-relay.<database>` (`GET_LOCK`) on its own connection. The others
//!   try to take it every poll interval. The lock belongs to the leader's session, so when that relay's process
//!   dies, or its connection breaks, MariaDB lets it go at once and another replica takes over; a relay whose
//!   statement fails drops its connection (and with it the lock) before it tries again. So the leader reads
//!   and marks rows with plain statements, two per batch, no transaction and no row locks held across the
//!   publish, and never blocks the service's own inserts into the table. In the moment of a takeover, the old
//!   leader's last batch may be published by both: JetStream drops the second copy (above).
//! - **No wait for the marking.** A batch's rows are marked published on a second connection while the next
//!   batch is read (leaving those rows out by id) and published: an event committed during a mark does not
//!   wait for it. At most one mark is in flight; a mark that fails leaves its rows pending, to be published
//!   again (and dropped by JetStream as duplicates).
//! - **Order.** Events reach the stream in outbox id order. Within a batch publishes are pipelined and then
//!   every ack is awaited; if one row fails, the acked rows are still marked published, the failed ones get
//!   `attempts + 1` and `last_error`, and the batch ends there. A row that has failed before is then retried
//!   on its own, ahead of everything after it, until it succeeds. The only overtaking possible is inside the
//!   batch in which a row is refused for the first time on its own (no stream for its subject, larger than the
//!   stream's message size limit): the rows pipelined behind it in that batch were already stored. Ids follow
//!   insert order, not commit order, so two transactions committing at the same moment may see their events
//!   in either order.
//!
//! Published rows older than [`OutboxRelay::retention`] are deleted in small batches so that no delete
//! holds locks for long ([`crate::retention`]). A published row is nobody's idempotency record, so any
//! retention is safe; it is how long rows are kept to look at.
//!
//! # Metrics
//!
//! `outbox_published_total` and `outbox_publish_failures_total` (counters), `outbox_pending` (pending
//! rows) and `outbox_oldest_pending_age_seconds` (gauges, refreshed about every second while the relay is idle
//! and every few seconds while it drains a backlog: not after every batch, which under load is every commit).
//!
//! One file on purpose, over the usual length: the guarantee above and the relay that keeps it are read together.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_nats::{
    HeaderMap,
    header::NATS_MESSAGE_ID,
    jetstream::{self, message::PublishMessage},
};
use sqlx::{Connection as _, MySqlConnection, MySqlPool};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{
    backoff::Backoff,
    events::{Envelope, Event},
    retention::Purge,
};

/// `last_error` is a `VARCHAR(1000)`.
/// The outbox table, beside the queries that use it. A service that publishes through the outbox has this exact
/// text as its first migration (`migrations/0001_outbox.sql`, byte for byte, checked by a test in that crate):
/// sqlx keeps each service's schema history in its own migrations, and an applied migration never changes.
pub const TABLE: &str = include_str!("outbox.sql");

const LAST_ERROR_MAX_CHARS: usize = 1000;
/// Largest batch the relay accepts: one `IN (…)` list, and far below JetStream's in-flight ack limit.
const MAX_BATCH_SIZE: usize = 1000;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// How stale the gauges may get while the relay is busy draining a backlog.
const GAUGES_MAX_AGE: Duration = Duration::from_secs(5);
/// How often the gauges are refreshed otherwise: not after every batch, which under load is every order.
const GAUGES_IDLE_EVERY: Duration = Duration::from_secs(1);

/// Writes `event` to the outbox in its envelope, on `conn`, which should be the transaction that makes the
/// change the event describes; the event is published only if that transaction commits. Call
/// [`OutboxNotifier::notify`] after the commit so the relay does not wait for its next poll.
pub async fn enqueue<E: Event>(
    conn: &mut MySqlConnection,
    source: &str,
    event: E,
) -> Result<Envelope<E>, sqlx::Error> {
    let subject = event.subject();
    let envelope = Envelope::new(source, event);
    let payload =
        serde_json::to_vec(&envelope).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
    sqlx::query("INSERT INTO outbox (event_id, subject, payload) VALUES (?, ?, ?)")
        .bind(envelope.id.to_string())
        .bind(subject)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(envelope)
}

/// Rows per statement of [`Batch::write`]: product documents are a few KiB each, well under MariaDB's packet
/// limit.
const ENQUEUE_ROWS_PER_STATEMENT: usize = 200;

/// Events of any types written to the outbox together, a few hundred rows per statement: for a transaction
/// that announces several things at once (an order paid: its status change, OrderCreated and OrderPaid) or
/// thousands (a category move re-issues every product under it), where one round trip per event would
/// dominate the transaction. Rows keep the order the events were added in.
#[derive(Debug)]
pub struct Batch<'a> {
    source: &'a str,
    rows: Vec<(String, String, Vec<u8>)>,
}

impl<'a> Batch<'a> {
    /// An empty batch of events from service `source`.
    pub fn new(source: &'a str) -> Self {
        Self {
            source,
            rows: Vec::new(),
        }
    }

    /// Adds `event` in its envelope; returns the envelope (its id and time) as [`enqueue`] does.
    pub fn add<E: Event>(&mut self, event: E) -> Result<Envelope<E>, sqlx::Error> {
        let subject = event.subject();
        let envelope = Envelope::new(self.source, event);
        let payload =
            serde_json::to_vec(&envelope).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
        self.rows.push((envelope.id.to_string(), subject, payload));
        Ok(envelope)
    }

    /// Writes every event added, on `conn` (the transaction making the change); returns how many.
    pub async fn write(self, conn: &mut MySqlConnection) -> Result<usize, sqlx::Error> {
        for chunk in self.rows.chunks(ENQUEUE_ROWS_PER_STATEMENT) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO outbox (event_id, subject, payload) ");
            insert.push_values(chunk, |mut row, (id, subject, payload)| {
                row.push_bind(id).push_bind(subject).push_bind(payload);
            });
            insert.build().execute(&mut *conn).await?;
        }
        Ok(self.rows.len())
    }
}

/// Writes every one of `events` (of one type) to the outbox like [`enqueue`] does, through a [`Batch`].
pub async fn enqueue_all<E: Event>(
    conn: &mut MySqlConnection,
    source: &str,
    events: impl IntoIterator<Item = E>,
) -> Result<usize, sqlx::Error> {
    let mut batch = Batch::new(source);
    for event in events {
        batch.add(event)?;
    }
    batch.write(conn).await
}

/// Wakes the relay right after a commit that wrote outbox rows. Cheap to clone; a notification sent while
/// the relay is busy is kept, so none is lost.
#[derive(Debug, Clone, Default)]
pub struct OutboxNotifier(Arc<Notify>);

impl OutboxNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Tells the relay there are new rows. Call it after the commit: before, the rows are not visible yet.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Publishes the outbox table of one service to JetStream; see the [module docs](self) for its guarantees.
#[derive(Debug)]
pub struct OutboxRelay {
    db: MySqlPool,
    jetstream: jetstream::Context,
    notifier: OutboxNotifier,
    batch_size: usize,
    poll_interval: Duration,
    max_backoff: Duration,
    ack_timeout: Duration,
    retention: Duration,
    cleanup_interval: Duration,
}

impl OutboxRelay {
    /// A relay for the `outbox` table reachable through `db`, publishing through `jetstream`.
    pub fn new(db: MySqlPool, jetstream: jetstream::Context) -> Self {
        Self {
            db,
            jetstream,
            notifier: OutboxNotifier::new(),
            batch_size: 100,
            poll_interval: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            ack_timeout: Duration::from_secs(10),
            retention: Duration::from_secs(7 * 24 * 3600),
            cleanup_interval: Duration::from_secs(600),
        }
    }

    /// Rows claimed and published per transaction (default 100, at most 1000).
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.clamp(1, MAX_BATCH_SIZE);
        self
    }

    /// How often an idle relay looks for rows nobody notified it about, e.g. written by another replica
    /// (default 250 ms).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The longest wait between retries after a failure (default 30 s). Keep it well below the streams'
    /// duplicate window.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff.max(FIRST_BACKOFF);
        self
    }

    /// How long a batch may wait to send its publishes and to receive their acks (default 10 s); a row
    /// without an ack by then counts as failed and is retried.
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = timeout;
        self
    }

    /// How long published rows are kept before they are deleted (default 7 days; services pass
    /// `OUTBOX_RETENTION_HOURS`, [`crate::config::CommonConfig::outbox_retention`]).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// How often published rows past their retention are deleted (default 10 minutes; the first time soon
    /// after start).
    pub fn cleanup_interval(mut self, interval: Duration) -> Self {
        self.cleanup_interval = interval;
        self
    }

    /// Makes the relay listen to `notifier`, for a service that hands out its notifier before the relay is
    /// built.
    pub fn with_notifier(mut self, notifier: OutboxNotifier) -> Self {
        self.notifier = notifier;
        self
    }

    /// The notifier to call after each commit that wrote outbox rows.
    pub fn notifier(&self) -> OutboxNotifier {
        self.notifier.clone()
    }

    /// Publishes until `shutdown` is cancelled; a batch in flight finishes (and commits) first. Failures are
    /// logged and retried, never returned.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(batch_size = self.batch_size, "outbox relay started");
        let mut backoff = Backoff::new(FIRST_BACKOFF, self.max_backoff);
        // `None` when the interval is too long to schedule: then it never comes round.
        let mut next_cleanup = Some(Instant::now());
        let mut gauges_refreshed: Option<Instant> = None;
        let mut leader = Leader::default();
        let mut marking = Marking::default();
        while !shutdown.is_cancelled() {
            let batch = async {
                match leader.connection(&self.db).await? {
                    Some(conn) => self.publish_batch(conn, &mut marking).await,
                    None => Ok(Found::HeldByAnotherRelay),
                }
            };
            let batch = batch.await;
            if batch.is_err() {
                // Whatever broke, the lock goes with the connection; the next try starts afresh.
                leader = Leader::default();
            }
            let wait = match batch {
                Ok(Found::More) => {
                    backoff.reset();
                    self.refresh_gauges_every(GAUGES_MAX_AGE, &mut gauges_refreshed)
                        .await;
                    continue;
                }
                Ok(Found::Drained) => {
                    backoff.reset();
                    Wait::Idle
                }
                Ok(Found::HeldByAnotherRelay) => Wait::Poll,
                Ok(Found::Failed) => Wait::Backoff,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay: database error, will retry");
                    Wait::Backoff
                }
            };

            self.refresh_gauges_every(GAUGES_IDLE_EVERY, &mut gauges_refreshed)
                .await;
            if next_cleanup.is_some_and(|due| Instant::now() >= due) {
                self.delete_old_rows(&shutdown).await;
                next_cleanup = Instant::now().checked_add(self.cleanup_interval);
            }

            let pause = match wait {
                Wait::Idle | Wait::Poll => self.poll_interval,
                Wait::Backoff => backoff.next_delay(),
            };
            tokio::select! {
                biased;
                () = shutdown.cancelled() => {}
                () = self.notifier.0.notified(), if matches!(wait, Wait::Idle) => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        marking.close().await;
        leader.resign().await;
        tracing::info!("outbox relay stopped");
    }

    /// Publishes the oldest pending rows (but those of the mark in flight) and records the outcome, the
    /// published rows by a mark of their own; only the leader calls it, on its connection.
    async fn publish_batch(
        &self,
        conn: &mut MySqlConnection,
        marking: &mut Marking,
    ) -> Result<Found, sqlx::Error> {
        if marking.is_done() {
            marking.finish().await;
        }
        let mut rows: Vec<PendingRow> = sqlx::query_as(
            "SELECT id, event_id, subject, payload, attempts FROM outbox \
             WHERE published_at IS NULL AND FIND_IN_SET(id, ?) = 0 ORDER BY id LIMIT ?",
        )
        .bind(marking.ids())
        .bind(self.batch_size as u64)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(Found::Drained);
        }

        // A row that failed before may be one the stream refuses; alone, it cannot drag later rows ahead.
        let mut more = rows.len() == self.batch_size;
        if rows[0].attempts > 0 && rows.len() > 1 {
            rows.truncate(1);
            more = true;
        }

        let outcomes = self.publish(&mut rows).await;
        let mut published = Vec::with_capacity(outcomes.len());
        let mut failures = 0_u64;
        for (row, outcome) in rows.iter().zip(outcomes) {
            match outcome {
                Ok(()) => published.push(row.id),
                Err(error) => {
                    // One warning per batch is enough to see an outage; the rest only at debug level.
                    let attempts = row.attempts.saturating_add(1);
                    if failures == 0 {
                        tracing::warn!(
                            event_id = %row.event_id, subject = %row.subject, attempts, %error,
                            "outbox relay: publish failed, will retry"
                        );
                    } else {
                        tracing::debug!(
                            event_id = %row.event_id, subject = %row.subject, attempts, %error,
                            "outbox relay: publish failed, will retry"
                        );
                    }
                    failures += 1;
                    record_failure(conn, row.id, &error).await?;
                }
            }
        }
        let published_rows = published.len() as u64;
        marking.finish().await;
        marking.start(&self.db, published);
        if failures > 0 {
            metrics::counter!("outbox_publish_failures_total").increment(failures);
        }
        metrics::counter!("outbox_published_total").increment(published_rows);

        Ok(if failures > 0 {
            Found::Failed
        } else if more {
            Found::More
        } else {
            Found::Drained
        })
    }

    /// Sends every row, in order, then awaits all acks together. Returns one outcome per row it got to:
    /// sending stops at the first row that could not be sent, and the rows after it are left untouched.
    async fn publish(&self, rows: &mut [PendingRow]) -> Vec<Result<(), String>> {
        let mut acks = Vec::with_capacity(rows.len());
        let mut send_failure = None;
        for row in rows.iter_mut() {
            let mut headers = HeaderMap::new();
            headers.insert(NATS_MESSAGE_ID, row.event_id.as_str());
            let message = PublishMessage::build()
                .payload(std::mem::take(&mut row.payload).into())
                .headers(headers);
            let send = self.jetstream.send_publish(row.subject.clone(), message);
            match tokio::time::timeout(self.ack_timeout, send).await {
                Ok(Ok(ack)) => acks.push(ack.into_future()),
                Ok(Err(err)) => {
                    send_failure = Some(format!("sending the publish: {err}"));
                    break;
                }
                Err(_elapsed) => {
                    send_failure = Some("sending the publish: timed out".to_owned());
                    break;
                }
            }
        }

        let sent = acks.len();
        let mut outcomes: Vec<Result<(), String>> =
            match tokio::time::timeout(self.ack_timeout, futures::future::join_all(acks)).await {
                Ok(acks) => acks
                    .into_iter()
                    .map(|ack| match ack {
                        Ok(ack) => {
                            if ack.duplicate {
                                tracing::debug!(
                                    stream = %ack.stream,
                                    sequence = ack.sequence,
                                    "outbox relay: JetStream dropped an already stored event"
                                );
                            }
                            Ok(())
                        }
                        Err(err) => Err(format!("awaiting the publish ack: {err}")),
                    })
                    .collect(),
                Err(_elapsed) => vec![Err("awaiting the publish ack: timed out".to_owned()); sent],
            };
        if let Some(error) = send_failure {
            outcomes.push(Err(error));
        }
        outcomes
    }

    /// Refreshes the gauges when the last refresh is older than `every`.
    async fn refresh_gauges_every(&self, every: Duration, refreshed: &mut Option<Instant>) {
        if refreshed.is_none_or(|at| at.elapsed() >= every) {
            self.refresh_gauges().await;
            *refreshed = Some(Instant::now());
        }
    }

    async fn refresh_gauges(&self) {
        match backlog(&self.db).await {
            Ok(backlog) => {
                metrics::gauge!("outbox_pending").set(backlog.pending as f64);
                let age = backlog.oldest_age.unwrap_or_default().as_secs_f64();
                metrics::gauge!("outbox_oldest_pending_age_seconds").set(age);
            }
            Err(err) => tracing::debug!(error = %err, "outbox relay: cannot count pending rows"),
        }
    }

    /// The deletion of published rows past the retention (a pending row has no `published_at`, so it never
    /// matches); [`Purge::plan`] shows how the database runs it.
    pub fn purge(&self) -> Purge {
        Purge::new("outbox", "published_at", self.retention)
    }

    /// Deletes published rows past the retention, a small batch per transaction, until none is left.
    async fn delete_old_rows(&self, shutdown: &CancellationToken) {
        if let Err(err) = self.purge().run_once(&self.db, shutdown).await {
            tracing::warn!(error = %err, "outbox relay: cannot delete old published rows");
        }
    }
}

/// The rows the relay has not published yet, as the gauges and the admin's dashboard show them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub pending: u64,
    /// How long the oldest pending row has waited; `None` when nothing waits.
    pub oldest_age: Option<Duration>,
}

/// Counts the pending rows of the service's outbox (a range of `ix_outbox_pending`: the published rows, however
/// many, are not read).
pub async fn backlog(db: &MySqlPool) -> Result<Backlog, sqlx::Error> {
    let (pending, oldest_micros): (i64, Option<i64>) =
        sqlx::query_as(BACKLOG_SQL).fetch_one(db).await?;
    Ok(Backlog {
        pending: u64::try_from(pending).unwrap_or_default(),
        oldest_age: oldest_micros
            .map(|micros| Duration::from_micros(u64::try_from(micros).unwrap_or_default())),
    })
}

/// The statement of [`backlog`], for the index checks of the services' tests.
pub const BACKLOG_SQL: &str = "SELECT COUNT(*), TIMESTAMPDIFF(MICROSECOND, MIN(created_at), CURRENT_TIMESTAMP(6)) \
     FROM outbox WHERE published_at IS NULL";

/// What a batch found, deciding what the relay does next.
enum Found {
    /// Everything claimed was published and more rows may be waiting: go again at once.
    More,
    /// Nothing (more) to publish right now.
    Drained,
    /// Another replica's relay leads: try again after the poll interval.
    HeldByAnotherRelay,
    /// A publish failed: back off.
    Failed,
}

enum Wait {
    Idle,
    Poll,
    Backoff,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: u64,
    event_id: String,
    subject: String,
    payload: Vec<u8>,
    attempts: u32,
}

/// The relay's own connection to the database, and whether it holds the publishing lock on it.
#[derive(Default)]
struct Leader {
    conn: Option<MySqlConnection>,
    leading: bool,
}

/// The named lock of the relay that publishes, one per database (lock names are server-wide).
const LEAD_SQL: &str =
    "SELECT CAST(GET_LOCK(CONCAT('shop-outbox-relay.', DATABASE()), 0) AS SIGNED)";

impl Leader {
    /// The connection to publish on when this relay leads (taking the lead if nobody holds it); `None` while
    /// another relay does.
    async fn connection(
        &mut self,
        db: &MySqlPool,
    ) -> Result<Option<&mut MySqlConnection>, sqlx::Error> {
        let mut conn = match self.conn.take() {
            Some(conn) => conn,
            None => MySqlConnection::connect_with(&db.connect_options()).await?,
        };
        if !self.leading {
            let taken: Option<i64> = sqlx::query_scalar(LEAD_SQL).fetch_one(&mut conn).await?;
            self.leading = taken == Some(1);
            if self.leading {
                tracing::info!("outbox relay: this replica publishes");
            }
        }
        let conn = self.conn.insert(conn);
        Ok(self.leading.then_some(conn))
    }

    /// Lets the lock go with the connection, for another replica to take.
    async fn resign(self) {
        if let Some(conn) = self.conn
            && let Err(err) = conn.close().await
        {
            tracing::debug!(error = %err, "outbox relay: closing its connection");
        }
    }
}

/// The mark of the last batch published, on a connection of its own (never queueing behind the service's
/// requests for a pooled one), while the relay goes on with the next.
#[derive(Default)]
struct Marking {
    /// The rows being marked, as the comma-separated list `FIND_IN_SET` reads.
    ids: String,
    /// The marking connection, while no mark holds it.
    conn: Option<MySqlConnection>,
    task: Option<MarkTask>,
}

/// A mark in flight: it hands its connection back unless the connection failed.
type MarkTask = tokio::task::JoinHandle<(Option<MySqlConnection>, Result<(), sqlx::Error>)>;

impl Marking {
    fn ids(&self) -> &str {
        &self.ids
    }

    /// Whether the mark in flight has ended (or there is none).
    fn is_done(&self) -> bool {
        self.task.as_ref().is_none_or(|task| task.is_finished())
    }

    /// Waits for the mark in flight, if any: from here its rows are read again unless marked (a failed mark is
    /// logged; its rows are published again, and JetStream drops the copies).
    async fn finish(&mut self) {
        if let Some(task) = self.task.take() {
            let failed = match task.await {
                Ok((conn, marked)) => {
                    self.conn = conn;
                    marked.err().map(|err| err.to_string())
                }
                Err(join) => Some(join.to_string()),
            };
            if let Some(error) = failed {
                tracing::warn!(%error, "outbox relay: cannot mark rows published; they will be published again");
            }
        }
        self.ids.clear();
    }

    /// Waits for the mark in flight, then closes the marking connection.
    async fn close(&mut self) {
        self.finish().await;
        if let Some(conn) = self.conn.take()
            && let Err(err) = conn.close().await
        {
            tracing::debug!(error = %err, "outbox relay: closing its marking connection");
        }
    }

    /// Marks `ids` published in the background; call [`Self::finish`] first.
    fn start(&mut self, db: &MySqlPool, ids: Vec<u64>) {
        if ids.is_empty() {
            return;
        }
        self.ids = ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let options = db.connect_options();
        let conn = self.conn.take();
        self.task = Some(tokio::spawn(async move {
            let mut conn = match conn {
                Some(conn) => conn,
                None => match MySqlConnection::connect_with(&options).await {
                    Ok(conn) => conn,
                    Err(err) => return (None, Err(err)),
                },
            };
            match mark_published(&mut conn, &ids).await {
                Ok(()) => (Some(conn), Ok(())),
                // Whatever broke, the next mark starts on a new connection.
                Err(err) => (None, Err(err)),
            }
        }));
    }
}

async fn record_failure(tx: &mut MySqlConnection, id: u64, error: &str) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(LAST_ERROR_MAX_CHARS).collect();
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?")
        .bind(error)
        .bind(id)
        .execute(tx)
        .await?;
    Ok(())
}

async fn mark_published(tx: &mut MySqlConnection, ids: &[u64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; ids.len()].join(", ");
    // Only `?` placeholders are spliced in; the ids themselves are bound.
    let sql = format!(
        "UPDATE outbox SET published_at = CURRENT_TIMESTAMP(6) WHERE id IN ({placeholders})"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(tx).await?;
    Ok(())
}
