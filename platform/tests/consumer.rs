//! Durable consumers, the consumer loop and dead letters against a real nats-server with the shop's
//! permissions: the consumer machinery runs as the mailer's NATS user (durable `mailer` on ORDERS), so these
//! tests also prove that user may do everything a consumer needs; the test publishes and reads the dead letters
//! as `ops`.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures::StreamExt as _;
use platform::{
    consumer::{
        BatchHandler, ConsumerLoop, ConsumerSpec, DEAD_LETTER_STREAM, Delivery,
        HEADER_ORIGINAL_SEQUENCE, HEADER_ORIGINAL_SUBJECT, HEADER_REASON, Handler, Settle,
        collect_max_deliveries, dead_letter, ensure_consumer, wait_for_consumer,
    },
    testing::{NatsServer, eventually},
};
use tokio::sync::{Barrier, Notify};
use tokio_util::sync::CancellationToken;

fn spec(max_deliver: i64) -> ConsumerSpec {
    ConsumerSpec {
        stream: "ORDERS".to_owned(),
        durable: "mailer".to_owned(),
        filter_subject: "orders.*.created".to_owned(),
        max_deliver,
        backoff: vec![],
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 100,
    }
}

/// The server, an `ops` JetStream context for the test's side and a `mailer` one for the consumer's.
struct Setup {
    nats: NatsServer,
    ops: jetstream::Context,
    mailer_client: async_nats::Client,
    mailer: jetstream::Context,
}

async fn setup() -> Setup {
    let nats = NatsServer::start();
    let ops = nats.ops().await;
    platform::testing::ensure_event_streams(&ops).await;
    let mailer_client = nats.connect_as("mailer").await;
    Setup {
        ops: jetstream::new(ops),
        mailer: jetstream::new(mailer_client.clone()),
        mailer_client,
        nats,
    }
}

async fn dead_letters(jetstream: &jetstream::Context, expected: usize) -> Vec<jetstream::Message> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let stream = jetstream.get_stream(DEAD_LETTER_STREAM).await.unwrap();
        let consumer = stream
            .create_consumer(pull::Config::default())
            .await
            .unwrap();
        let mut batch = consumer
            .fetch()
            .max_messages(100)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .unwrap();
        let mut found = Vec::new();
        while let Some(Ok(message)) = batch.next().await {
            found.push(message);
        }
        if found.len() >= expected || tokio::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_lettered_message_keeps_its_payload_and_says_why_and_is_not_redelivered() {
    let Setup {
        nats: _nats,
        ops,
        mailer,
        ..
    } = setup().await;
    let consumer = ensure_consumer(&mailer, &spec(5)).await.unwrap();
    let again = ensure_consumer(&mailer, &spec(5)).await.unwrap();
    assert_eq!(
        again.cached_info().name,
        "mailer",
        "ensuring twice reuses the durable"
    );
    ops.publish("orders.SH-1.created", "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();

    let mut messages = consumer.fetch().max_messages(1).messages().await.unwrap();
    let message = messages.next().await.unwrap().unwrap();
    dead_letter(
        &mailer,
        &message,
        "poison payload: expected an OrderCreated envelope",
    )
    .await
    .unwrap();

    let letters = dead_letters(&ops, 1).await;
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(
        letter.subject.as_str(),
        "deadletter.mailer.orders.SH-1.created"
    );
    assert_eq!(&letter.payload[..], b"not json");
    let headers = letter.headers.as_ref().unwrap();
    assert_eq!(
        headers.get(HEADER_ORIGINAL_SUBJECT).unwrap().as_str(),
        "orders.SH-1.created"
    );
    assert_eq!(headers.get(HEADER_ORIGINAL_SEQUENCE).unwrap().as_str(), "1");
    assert!(
        headers
            .get(HEADER_REASON)
            .unwrap()
            .as_str()
            .starts_with("poison payload")
    );

    let mut more = consumer
        .fetch()
        .max_messages(1)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    assert!(
        more.next().await.is_none(),
        "terminated messages are not delivered again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_that_uses_up_its_deliveries_is_copied_to_the_dead_letters() {
    let Setup {
        nats: _nats,
        ops,
        mailer,
        mailer_client,
    } = setup().await;
    let consumer = ensure_consumer(&mailer, &spec(2)).await.unwrap();
    let shutdown = CancellationToken::new();
    tokio::spawn(collect_max_deliveries(
        mailer_client,
        mailer.clone(),
        "ORDERS".to_owned(),
        "mailer".to_owned(),
        shutdown.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    ops.publish("orders.SH-2.created", "{\"fails\":true}".into())
        .await
        .unwrap()
        .await
        .unwrap();

    for _ in 0..2 {
        let mut messages = consumer
            .fetch()
            .max_messages(1)
            .expires(Duration::from_secs(5))
            .messages()
            .await
            .unwrap();
        let message = messages.next().await.unwrap().unwrap();
        message.ack_with(AckKind::Nak(None)).await.unwrap();
    }
    // The server gives up (and says so) when the consumer next asks for messages.
    let mut nothing = consumer
        .fetch()
        .max_messages(1)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    assert!(nothing.next().await.is_none());
    let letters = dead_letters(&ops, 1).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(&letters[0].payload[..], b"{\"fails\":true}");
    let reason = letters[0]
        .headers
        .as_ref()
        .unwrap()
        .get(HEADER_REASON)
        .unwrap()
        .as_str()
        .to_owned();
    assert!(reason.contains("2 deliveries"), "{reason}");
    shutdown.cancel();
}

/// The mailer starting before checkout: waiting in the background for the ORDERS stream to take its consumer.
async fn mailer_waits_for_its_consumer(
    nats: &NatsServer,
    shutdown: &CancellationToken,
) -> tokio::task::JoinHandle<Option<async_nats::jetstream::consumer::PullConsumer>> {
    let mailer = jetstream::new(nats.connect_as("mailer").await);
    let shutdown = shutdown.clone();
    tokio::spawn(async move { wait_for_consumer(&mailer, &spec(5), &shutdown).await })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_waits_for_its_stream_until_the_publisher_creates_it() {
    let nats = NatsServer::start();
    let shutdown = CancellationToken::new();
    let waiting = mailer_waits_for_its_consumer(&nats, &shutdown).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        !waiting.is_finished(),
        "no ORDERS stream yet: still waiting"
    );

    // Checkout starts and creates ORDERS.
    platform::testing::ensure_event_streams(&nats.ops().await).await;
    let consumer = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the consumer starts soon after its stream exists")
        .unwrap()
        .expect("a consumer, not a shutdown");
    assert_eq!(consumer.cached_info().name, "mailer");
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_for_a_stream_ends_at_shutdown() {
    let nats = NatsServer::start();
    let shutdown = CancellationToken::new();
    let waiting = mailer_waits_for_its_consumer(&nats, &shutdown).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    shutdown.cancel();
    let outcome = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("waiting stops at shutdown")
        .unwrap();
    assert!(outcome.is_none());
}

// The consumer loop: what each handler decision does to a message, batches kept alive and handed back, the
// slots, the delivery limit and shutdown.

/// Payloads with their delivery number, in the order handled.
type Handled = Vec<(String, i64)>;
/// What a handler saw.
type Seen = Arc<Mutex<Handled>>;

fn handled(message: &Delivery) -> (String, i64) {
    let payload = String::from_utf8_lossy(message.payload()).into_owned();
    (payload, message.delivered())
}

async fn publish(ops: &jetstream::Context, number: &str, payload: &str) {
    ops.publish(
        format!("orders.{number}.created"),
        payload.to_owned().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
}

/// Messages of the durable `mailer` not yet acked or not yet delivered.
async fn unsettled(mailer: &jetstream::Context) -> u64 {
    let stream = mailer.get_stream("ORDERS").await.unwrap();
    let mut consumer: jetstream::consumer::PullConsumer =
        stream.get_consumer("mailer").await.unwrap();
    let info = consumer.info().await.unwrap();
    info.num_pending + info.num_ack_pending as u64
}

fn reason(letter: &jetstream::Message) -> String {
    let headers = letter.headers.as_ref().expect("headers");
    headers.get(HEADER_REASON).expect("a reason").to_string()
}

/// A consumer loop running in the background as the mailer's user, until [`Running::stop`].
struct Running {
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Starts the loop and returns once it has created its durable consumer.
    async fn start<F>(
        client: async_nats::Client,
        spec: ConsumerSpec,
        run: impl FnOnce(ConsumerLoop) -> F,
    ) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let shutdown = CancellationToken::new();
        let (stream, durable) = (spec.stream.clone(), spec.durable.clone());
        let consumer = ConsumerLoop::new(client.clone(), spec, shutdown.clone());
        let task = tokio::spawn(run(consumer));
        platform::testing::wait_for_durable(&client, &stream, &durable).await;
        Self { shutdown, task }
    }

    /// Shuts the loop down and waits for it to end.
    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the loop ends at shutdown")
            .unwrap();
    }
}

/// Settles each message as its payload says: `ack`, `retry` (a nak with a delay, then an ack), `poison` (a dead
/// letter), `leave` (nothing, then an ack).
struct AsTold {
    seen: Seen,
    prepared: Arc<AtomicBool>,
}

impl Handler for AsTold {
    async fn prepare(&mut self, _shutdown: &CancellationToken) -> bool {
        self.prepared.store(true, Ordering::SeqCst);
        true
    }

    async fn handle(&self, message: &Delivery, _shutdown: &CancellationToken) -> Settle {
        assert!(self.prepared.load(Ordering::SeqCst), "prepared first");
        let (told, delivered) = handled(message);
        self.seen.lock().unwrap().push((told.clone(), delivered));
        match (told.as_str(), delivered) {
            ("retry", 1) => Settle::Nak(Duration::from_millis(300)),
            ("poison", _) => Settle::DeadLetter("poison:\r\nnot an order".to_owned()),
            ("leave", 1) => Settle::Leave,
            _ => Settle::Ack,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_message_is_acked_delayed_dead_lettered_or_left_as_its_handler_decides() {
    let nats = setup().await;
    let seen = Seen::default();
    let handler = AsTold {
        seen: seen.clone(),
        prepared: Arc::default(),
    };
    let spec = ConsumerSpec {
        ack_wait: Duration::from_secs(1),
        ..spec(5)
    };
    let running = Running::start(nats.mailer_client.clone(), spec, |consumer| {
        consumer.each(2, handler)
    })
    .await;
    for (number, told) in [
        ("SH-1", "ack"),
        ("SH-2", "retry"),
        ("SH-3", "poison"),
        ("SH-4", "leave"),
    ] {
        publish(&nats.ops, number, told).await;
    }

    eventually("every message settled", async || {
        seen.lock().unwrap().len() == 6 && unsettled(&nats.mailer).await == 0
    })
    .await;
    let mut deliveries = seen.lock().unwrap().clone();
    deliveries.sort();
    let expected = [
        ("ack", 1),
        ("leave", 1),
        ("leave", 2),
        ("poison", 1),
        ("retry", 1),
        ("retry", 2),
    ];
    assert_eq!(
        deliveries,
        expected.map(|(told, delivered)| (told.to_owned(), delivered))
    );
    let letters = dead_letters(&nats.ops, 1).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(
        letters[0].subject.as_str(),
        "deadletter.mailer.orders.SH-3.created"
    );
    assert_eq!(
        reason(&letters[0]),
        "poison:  not an order",
        "one header line"
    );
    running.stop().await;
}

/// Holds its first batch until told, acking only its first message; acks every later batch.
struct Holding {
    batches: Arc<Mutex<Vec<Handled>>>,
    holding: Arc<Notify>,
    release: Arc<Notify>,
}

impl BatchHandler for Holding {
    async fn handle(&self, batch: &[Delivery], _shutdown: &CancellationToken) {
        let first = {
            let mut batches = self.batches.lock().unwrap();
            batches.push(batch.iter().map(handled).collect());
            batches.len() == 1
        };
        if first {
            batch[0].settle(Settle::Ack).await;
            self.holding.notify_one();
            self.release.notified().await;
        } else {
            for message in batch {
                message.settle(Settle::Ack).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_kept_alive_while_its_handler_works_and_what_it_left_unsettled_is_handed_back() {
    let nats = setup().await;
    for n in 0..5 {
        publish(&nats.ops, &format!("SH-{n}"), &format!("m{n}")).await;
    }
    let batches = Arc::default();
    let (holding, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let handler = Holding {
        batches: Arc::clone(&batches),
        holding: holding.clone(),
        release: release.clone(),
    };
    // The batch is held for several ack waits: only the progress signals keep it from being redelivered.
    let spec = ConsumerSpec {
        ack_wait: Duration::from_secs(1),
        ..spec(-1)
    };
    let running = Running::start(nats.mailer_client.clone(), spec, |consumer| {
        consumer.batches(10, Duration::from_millis(300), handler)
    })
    .await;
    holding.notified().await;

    let stolen = platform::testing::pull_as_another_replica(
        &nats.mailer,
        "ORDERS",
        "mailer",
        Duration::from_millis(3500),
    )
    .await;
    assert!(stolen.is_empty(), "redelivered while held: {stolen:?}");
    release.notify_one();

    eventually("the handed-back messages handled again", async || {
        batches.lock().unwrap().len() >= 2 && unsettled(&nats.mailer).await == 0
    })
    .await;
    let batches = batches.lock().unwrap().clone();
    let first: Handled = (0..5).map(|n| (format!("m{n}"), 1)).collect();
    assert_eq!(batches[0], first, "one batch of everything waiting");
    let mut again: Handled = batches[1..].concat();
    again.sort();
    let handed_back: Handled = (1..5).map(|n| (format!("m{n}"), 2)).collect();
    assert_eq!(again, handed_back, "the acked message is not among them");
    running.stop().await;
}

/// Waits until two handlers are in hand at once, counting the most it ever saw.
struct InPairs {
    barrier: Barrier,
    in_hand: AtomicUsize,
    most: Arc<AtomicUsize>,
}

impl Handler for InPairs {
    async fn handle(&self, _message: &Delivery, _shutdown: &CancellationToken) -> Settle {
        let now = self.in_hand.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        self.barrier.wait().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.in_hand.fetch_sub(1, Ordering::SeqCst);
        Settle::Ack
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_are_handled_concurrently_up_to_the_free_slots_and_no_further() {
    let nats = setup().await;
    for n in 0..6 {
        publish(&nats.ops, &format!("SH-{n}"), "{}").await;
    }
    let most = Arc::new(AtomicUsize::new(0));
    let handler = InPairs {
        // With fewer than two slots the handlers would wait for each other forever.
        barrier: Barrier::new(2),
        in_hand: AtomicUsize::new(0),
        most: most.clone(),
    };
    let running = Running::start(nats.mailer_client.clone(), spec(5), |consumer| {
        consumer.each(2, handler)
    })
    .await;
    eventually("all six handled", async || {
        unsettled(&nats.mailer).await == 0
    })
    .await;
    assert_eq!(most.load(Ordering::SeqCst), 2);
    running.stop().await;
}

/// Naks every message at once, for ever.
struct NeverDone;

impl Handler for NeverDone {
    async fn handle(&self, _message: &Delivery, _shutdown: &CancellationToken) -> Settle {
        Settle::Nak(Duration::ZERO)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_that_uses_up_its_deliveries_in_the_loop_is_dead_lettered() {
    let nats = setup().await;
    let running = Running::start(nats.mailer_client.clone(), spec(3), |consumer| {
        consumer.each(1, NeverDone)
    })
    .await;
    // The advisory listener starts with the loop.
    tokio::time::sleep(Duration::from_millis(500)).await;
    publish(&nats.ops, "SH-9", "never done").await;

    let letters = dead_letters(&nats.ops, 1).await;
    assert_eq!(letters.len(), 1);
    let reason = reason(&letters[0]);
    assert!(reason.contains("3 deliveries"), "{reason}");
    running.stop().await;
}

/// Holds its message until shutdown, then acks it.
struct UntilShutdown {
    started: Arc<Notify>,
}

impl Handler for UntilShutdown {
    async fn handle(&self, _message: &Delivery, shutdown: &CancellationToken) -> Settle {
        self.started.notify_one();
        shutdown.cancelled().await;
        Settle::Ack
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_shutdown_the_loop_stops_pulling_and_lets_the_message_in_hand_finish() {
    let nats = setup().await;
    let started = Arc::new(Notify::new());
    let handler = UntilShutdown {
        started: started.clone(),
    };
    let running = Running::start(nats.mailer_client.clone(), spec(5), |consumer| {
        consumer.each(4, handler)
    })
    .await;
    publish(&nats.ops, "SH-1", "in hand").await;
    started.notified().await;

    running.stop().await;
    assert_eq!(
        unsettled(&nats.mailer).await,
        0,
        "the handler's ack was sent"
    );
    publish(&nats.ops, "SH-2", "after").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        unsettled(&nats.mailer).await,
        1,
        "nothing pulled after shutdown"
    );
}
