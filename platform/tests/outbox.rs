//! The outbox relay against a real MariaDB and nats-server: what reaches the stream, how often, in which
//! order, and what the table says afterwards.

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use async_nats::jetstream::{self, message::PublishMessage};
use futures::StreamExt as _;
use platform::{
    events::{Envelope, Event},
    outbox::{self, OutboxNotifier, OutboxRelay},
    streams::{CATALOG_STREAM, StreamSettings},
    testing::{NatsServer, TestDatabase, eventually},
};
use serde::{Deserialize, Serialize};
use sqlx::MySqlPool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const SUBJECT: &str = "catalog.test.thing_happened";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ThingHappened {
    n: u32,
}

impl Event for ThingHappened {
    const TYPE: &'static str = "ThingHappened";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        SUBJECT.to_owned()
    }
}

/// An event on a subject no stream captures: JetStream refuses every publish of it.
#[derive(Debug, Clone, Serialize)]
struct Misrouted;

impl Event for Misrouted {
    const TYPE: &'static str = "Misrouted";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        "nowhere.misrouted".to_owned()
    }
}

struct Harness {
    nats: NatsServer,
    db: TestDatabase,
    pool: MySqlPool,
    client: async_nats::Client,
    jetstream: jetstream::Context,
}

impl Harness {
    async fn start(label: &str) -> Self {
        let nats = NatsServer::start();
        let db = TestDatabase::create(label).await;
        let pool = db.pool(None).await;
        sqlx::raw_sql(platform::outbox::TABLE)
            .execute(&pool)
            .await
            .unwrap();
        let client = connect(&nats).await;
        let jetstream = jetstream::new(client.clone());
        let settings = StreamSettings {
            replicas: 1,
            max_age: Duration::from_secs(3600),
            max_bytes: 10 * 1024 * 1024,
            max_message_size: 64 * 1024,
            duplicate_window: Duration::from_secs(60),
        };
        platform::streams::ensure_streams(&jetstream, &settings.event_streams())
            .await
            .unwrap();
        Self {
            nats,
            db,
            pool,
            client,
            jetstream,
        }
    }

    /// A relay tuned for tests: quick polls, short backoff and ack timeout.
    fn relay(&self) -> OutboxRelay {
        OutboxRelay::new(self.pool.clone(), self.jetstream.clone())
            .poll_interval(Duration::from_millis(50))
            .max_backoff(Duration::from_millis(400))
            .ack_timeout(Duration::from_secs(1))
    }

    /// Enqueues one event per `n` in one transaction, commits and notifies.
    async fn enqueue(
        &self,
        ns: impl IntoIterator<Item = u32>,
        notifier: &OutboxNotifier,
    ) -> Vec<Uuid> {
        let mut tx = self.pool.begin().await.unwrap();
        let mut ids = Vec::new();
        for n in ns {
            let envelope = outbox::enqueue(&mut tx, "test", ThingHappened { n })
                .await
                .unwrap();
            ids.push(envelope.id);
        }
        tx.commit().await.unwrap();
        notifier.notify();
        ids
    }

    async fn stream_messages(&self) -> u64 {
        match self.jetstream.get_stream(CATALOG_STREAM).await {
            Ok(mut stream) => stream.info().await.map_or(0, |info| info.state.messages),
            Err(_) => 0,
        }
    }

    /// The event ids in the stream, in stream order, checking that each message's `Nats-Msg-Id` is the id
    /// in its envelope.
    async fn stream_event_ids(&self) -> Vec<Uuid> {
        let mut stream = self.jetstream.get_stream(CATALOG_STREAM).await.unwrap();
        let state = stream.info().await.unwrap().state.clone();
        let mut ids = Vec::new();
        if state.messages == 0 {
            return ids;
        }
        for sequence in state.first_sequence..=state.last_sequence {
            let message = stream.get_raw_message(sequence).await.unwrap();
            let envelope: Envelope<ThingHappened> =
                serde_json::from_slice(&message.payload).unwrap();
            let msg_id = message
                .headers
                .get("Nats-Msg-Id")
                .expect("every event carries Nats-Msg-Id");
            assert_eq!(msg_id.as_str(), envelope.id.to_string());
            assert_eq!(envelope.event_type, "ThingHappened");
            assert_eq!(envelope.source, "test");
            ids.push(envelope.id);
        }
        ids
    }

    async fn pending_rows(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn all_rows(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn finish(self) {
        self.pool.close().await;
        self.db.drop_database().await;
    }
}

/// As `ops`: these tests publish to a subject no stream captures, which no service's user may.
async fn connect(nats: &NatsServer) -> async_nats::Client {
    platform::nats::connect(
        "outbox-test",
        &nats.url(),
        &nats.credentials("ops"),
        Duration::from_secs(10),
    )
    .await
    .unwrap()
}

struct Running {
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl Running {
    fn spawn(relay: OutboxRelay) -> Self {
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(relay.run(shutdown.clone()));
        Self { shutdown, task }
    }

    /// Stops the relay and checks that it stops promptly.
    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(3), self.task)
            .await
            .expect("the relay stops promptly when cancelled")
            .unwrap();
    }
}

/// Counts what a core subscription received: every publish that reached the server, duplicates included.
async fn count_deliveries(subscription: &mut async_nats::Subscriber) -> Vec<Uuid> {
    let mut ids = Vec::new();
    while let Ok(Some(message)) =
        tokio::time::timeout(Duration::from_millis(500), subscription.next()).await
    {
        let envelope: Envelope<ThingHappened> = serde_json::from_slice(&message.payload).unwrap();
        ids.push(envelope.id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn committed_events_are_published_once_in_order_and_rolled_back_ones_never() {
    let metrics = platform::telemetry::metrics_handle();
    let h = Harness::start("outbox_publish").await;
    let relay = h.relay();
    let notifier = relay.notifier();
    let running = Running::spawn(relay);

    let mut expected = h.enqueue(0..5, &notifier).await;
    let mut rolled_back = Vec::new();
    {
        let mut tx = h.pool.begin().await.unwrap();
        for n in 100..103 {
            let envelope = outbox::enqueue(&mut tx, "test", ThingHappened { n })
                .await
                .unwrap();
            rolled_back.push(envelope.id);
        }
        tx.rollback().await.unwrap();
        notifier.notify();
    }
    expected.extend(h.enqueue(5..8, &notifier).await);

    eventually(
        "8 events are in the stream and none is pending",
        async || h.stream_messages().await == 8 && h.pending_rows().await == 0,
    )
    .await;
    // Give a double publish the time to show.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.stream_event_ids().await, expected);
    assert!(rolled_back.iter().all(|id| !expected.contains(id)));
    assert_eq!(h.all_rows().await, 8, "rolled-back rows never exist");

    let rows: Vec<(String, u32, bool)> = sqlx::query_as(
        "SELECT event_id, attempts, published_at IS NOT NULL FROM outbox ORDER BY id",
    )
    .fetch_all(&h.pool)
    .await
    .unwrap();
    let row_ids: Vec<String> = rows.iter().map(|(id, _, _)| id.clone()).collect();
    let expected_ids: Vec<String> = expected.iter().map(Uuid::to_string).collect();
    assert_eq!(row_ids, expected_ids);
    assert!(
        rows.iter()
            .all(|(_, attempts, published)| *attempts == 0 && *published)
    );

    running.stop().await;
    let rendered = metrics.render();
    for metric in [
        "outbox_published_total",
        "outbox_pending",
        "outbox_oldest_pending_age_seconds",
    ] {
        assert!(
            rendered.contains(metric),
            "{metric} missing from {rendered}"
        );
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn events_written_while_nats_is_down_are_published_exactly_once_when_it_returns() {
    let mut h = Harness::start("outbox_outage").await;
    let relay = h.relay();
    let notifier = relay.notifier();
    let running = Running::spawn(relay);
    let mut expected = h.enqueue([0], &notifier).await;
    eventually("the first event is published", async || {
        h.pending_rows().await == 0
    })
    .await;

    h.nats.stop();
    expected.extend(h.enqueue(1..6, &notifier).await);
    // The relay now holds those rows while it waits for acks that do not come; the service's next
    // transaction must not wait for it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    expected.extend(h.enqueue(6..11, &notifier).await);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "writing to the outbox waited {:?} for the relay's locks",
        started.elapsed()
    );
    eventually("the relay has tried and failed", async || {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE attempts >= 2")
            .fetch_one(&h.pool)
            .await
            .unwrap()
            > 0
    })
    .await;
    assert_eq!(
        h.pending_rows().await,
        10,
        "nothing is marked published while NATS is down"
    );
    let last_error: Option<String> = sqlx::query_scalar(
        "SELECT last_error FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(&h.pool)
    .await
    .unwrap();
    assert!(last_error.is_some_and(|error| !error.is_empty()));

    h.nats.start_again();
    eventually("every event is published", async || {
        h.pending_rows().await == 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.stream_messages().await, 11);
    assert_eq!(h.stream_event_ids().await, expected);

    running.stop().await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_relays_on_one_table_publish_every_event_exactly_once_and_in_order() {
    let h = Harness::start("outbox_replicas").await;
    let mut deliveries = h.client.subscribe("catalog.>").await.unwrap();
    h.client.flush().await.unwrap();

    // Two replicas: their own NATS connections, the same table, small batches so they contend.
    let replica = async || {
        let jetstream = jetstream::new(connect(&h.nats).await);
        OutboxRelay::new(h.pool.clone(), jetstream)
            .batch_size(7)
            .poll_interval(Duration::from_millis(10))
    };
    let (first, second) = (replica().await, replica().await);
    let notifiers = [first.notifier(), second.notifier()];

    // A backlog for both to start on at once, then more while they run.
    let mut expected = Vec::new();
    for batch in 0..20 {
        expected.extend(h.enqueue(batch * 5..batch * 5 + 5, &notifiers[0]).await);
    }
    let running = [Running::spawn(first), Running::spawn(second)];
    for batch in 20..40 {
        expected.extend(h.enqueue(batch * 5..batch * 5 + 5, &notifiers[0]).await);
        notifiers[1].notify();
    }
    eventually("all 200 events are published", async || {
        h.pending_rows().await == 0
    })
    .await;

    let delivered = count_deliveries(&mut deliveries).await;
    assert_eq!(
        delivered.len(),
        200,
        "each event was published exactly once (core subscribers see duplicates JetStream drops)"
    );
    assert_eq!(delivered.iter().collect::<HashSet<_>>().len(), 200);
    assert_eq!(h.stream_messages().await, 200);
    let published = h.stream_event_ids().await;
    let failed_attempts: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(attempts), 0) AS SIGNED) FROM outbox")
            .fetch_one(&h.pool)
            .await
            .unwrap();
    if failed_attempts == 0 {
        assert_eq!(published, expected, "in outbox order");
    } else {
        // A publish that timed out on a loaded machine lets the rows pipelined behind it overtake it (see the
        // module docs); every event is still there exactly once.
        assert_eq!(
            published.iter().collect::<HashSet<_>>(),
            expected.iter().collect::<HashSet<_>>()
        );
    }

    for relay in running {
        relay.stop().await;
    }
    h.finish().await;
}

/// The connection holding the database's publishing lock: the leading relay's.
async fn leader_connection(pool: &MySqlPool) -> Option<u64> {
    sqlx::query_scalar(
        "SELECT CAST(IS_USED_LOCK(CONCAT('shop-outbox-relay.', DATABASE())) AS UNSIGNED)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_publishing_relay_loses_its_connection_another_replica_takes_over() {
    let h = Harness::start("outbox_takeover").await;
    let (first, second) = (h.relay(), h.relay());
    let notifier = first.notifier();
    let running = [Running::spawn(first), Running::spawn(second)];
    let mut expected = h.enqueue(0..5, &notifier).await;
    eventually("the first events are published", async || {
        h.pending_rows().await == 0
    })
    .await;
    let leader = leader_connection(&h.pool)
        .await
        .expect("one relay holds the lock");

    // As if its process died or the network dropped it: MariaDB ends the session and lets the lock go.
    sqlx::query(sqlx::AssertSqlSafe(format!("KILL CONNECTION {leader}")))
        .execute(&h.pool)
        .await
        .unwrap();
    expected.extend(h.enqueue(5..10, &notifier).await);
    eventually("another relay publishes the later events", async || {
        h.pending_rows().await == 0
    })
    .await;
    let now = leader_connection(&h.pool).await.expect("a new leader");
    assert_ne!(now, leader, "the lock moved to a live connection");
    assert_eq!(h.stream_event_ids().await, expected, "each once, in order");

    for relay in running {
        relay.stop().await;
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_published_again_within_the_duplicate_window_is_dropped_by_jetstream() {
    let h = Harness::start("outbox_dedup").await;
    let mut deliveries = h.client.subscribe("catalog.>").await.unwrap();
    h.client.flush().await.unwrap();
    let relay = h.relay();
    let notifier = relay.notifier();
    let running = Running::spawn(relay);
    let ids = h.enqueue([1], &notifier).await;
    eventually("the event is published", async || {
        h.pending_rows().await == 0
    })
    .await;

    // Someone publishes the same event again by hand.
    let payload: Vec<u8> = sqlx::query_scalar("SELECT payload FROM outbox")
        .fetch_one(&h.pool)
        .await
        .unwrap();
    let ack = h
        .jetstream
        .send_publish(
            SUBJECT,
            PublishMessage::build()
                .payload(payload.into())
                .message_id(ids[0].to_string()),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(ack.duplicate, "JetStream recognised the Nats-Msg-Id");

    // The process died between the ack and the commit: the row is still pending, and goes out again.
    sqlx::query("UPDATE outbox SET published_at = NULL")
        .execute(&h.pool)
        .await
        .unwrap();
    notifier.notify();
    eventually("the event is marked published again", async || {
        h.pending_rows().await == 0
    })
    .await;

    assert_eq!(count_deliveries(&mut deliveries).await, vec![ids[0]; 3]);
    assert_eq!(h.stream_messages().await, 1);
    assert_eq!(h.stream_event_ids().await, ids);

    running.stop().await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_event_is_retried_with_its_error_recorded_and_later_events_wait_behind_it() {
    let h = Harness::start("outbox_refused").await;
    let relay = h
        .relay()
        .retention(Duration::ZERO)
        .cleanup_interval(Duration::from_millis(50));
    let notifier = relay.notifier();
    let running = Running::spawn(relay);

    let mut tx = h.pool.begin().await.unwrap();
    outbox::enqueue(&mut tx, "test", Misrouted).await.unwrap();
    tx.commit().await.unwrap();
    notifier.notify();
    eventually("the refused row has failed", async || {
        sqlx::query_scalar::<_, u32>("SELECT attempts FROM outbox")
            .fetch_one(&h.pool)
            .await
            .unwrap()
            >= 1
    })
    .await;
    h.enqueue([1, 2], &notifier).await;
    eventually("the refused row has failed twice more", async || {
        sqlx::query_scalar::<_, u32>("SELECT attempts FROM outbox ORDER BY id LIMIT 1")
            .fetch_one(&h.pool)
            .await
            .unwrap()
            >= 3
    })
    .await;

    let rows: Vec<(String, u32, Option<String>, bool)> = sqlx::query_as(
        "SELECT subject, attempts, last_error, published_at IS NOT NULL FROM outbox ORDER BY id",
    )
    .fetch_all(&h.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3, "pending rows are never deleted");
    let (subject, _, last_error, published) = &rows[0];
    assert_eq!(subject, "nowhere.misrouted");
    assert!(!published);
    let last_error = last_error.as_deref().unwrap_or_default();
    assert!(last_error.contains("no stream"), "last_error: {last_error}");
    for (_, attempts, last_error, published) in &rows[1..] {
        assert_eq!((*attempts, last_error, *published), (0, &None, false));
    }
    assert_eq!(h.stream_messages().await, 0);

    // Once the refused row is out of the way (an operator deleted it), the others go out and, with a
    // zero retention, are deleted soon after.
    sqlx::query("DELETE FROM outbox WHERE subject = 'nowhere.misrouted'")
        .execute(&h.pool)
        .await
        .unwrap();
    eventually(
        "the waiting events are published and then deleted",
        async || h.stream_messages().await == 2 && h.all_rows().await == 0,
    )
    .await;

    running.stop().await;
    h.finish().await;
}

/// `count` rows published `minutes` minutes ago.
async fn published_rows(pool: &MySqlPool, count: u32, minutes: u32) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO outbox (event_id, subject, payload, created_at, published_at)
         SELECT UUID(), '{SUBJECT}', '{{}}', NOW(6) - INTERVAL {minutes} MINUTE - INTERVAL seq SECOND,
                NOW(6) - INTERVAL {minutes} MINUTE
         FROM seq_1_to_{count}"
    )))
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn published_rows_past_the_retention_are_deleted_through_their_index_and_younger_ones_kept() {
    let h = Harness::start("outbox_retention").await;
    let relay = h
        .relay()
        .retention(Duration::from_secs(3600))
        .cleanup_interval(Duration::from_millis(50));

    // What a purge finds in a running service: many recent rows, a few just past the retention.
    published_rows(&h.pool, 3_000, 10).await;
    published_rows(&h.pool, 20, 120).await;
    sqlx::query("ANALYZE TABLE outbox")
        .execute(&h.pool)
        .await
        .unwrap();
    let plan = relay.purge().plan(&h.pool).await.unwrap();
    assert_eq!(
        (plan.access.as_str(), plan.key.as_deref()),
        ("range", Some("ix_outbox_pending")),
        "{plan:?}"
    );

    // More than two batches past the retention.
    published_rows(&h.pool, 2_480, 61).await;
    let notifier = relay.notifier();
    let running = Running::spawn(relay);
    let ids = h.enqueue([1], &notifier).await;
    eventually("the rows past the retention are deleted", async || {
        h.all_rows().await == 3_001 && h.pending_rows().await == 0
    })
    .await;
    let oldest_minutes: i64 =
        sqlx::query_scalar("SELECT TIMESTAMPDIFF(MINUTE, MIN(published_at), NOW(6)) FROM outbox")
            .fetch_one(&h.pool)
            .await
            .unwrap();
    assert_eq!(oldest_minutes, 10, "the younger rows are the ones kept");
    assert_eq!(h.stream_event_ids().await, ids);

    running.stop().await;
    h.finish().await;
}
