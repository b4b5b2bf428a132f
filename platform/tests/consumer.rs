//! Durable consumers and dead letters against a real nats-server with the shop's permissions: the consumer
//! machinery runs as the mailer's NATS user (durable `mailer` on ORDERS), so these tests also prove that user
//! may do everything a consumer needs; the test publishes and reads the dead letters as `ops`.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures::StreamExt as _;
use platform::{
    consumer::{
        ConsumerSpec, DEAD_LETTER_STREAM, HEADER_ORIGINAL_SEQUENCE, HEADER_ORIGINAL_SUBJECT,
        HEADER_REASON, collect_max_deliveries, dead_letter, ensure_consumer, wait_for_consumer,
    },
    testing::NatsServer,
};
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

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_waits_for_its_stream_until_the_publisher_creates_it() {
    let nats = NatsServer::start();
    let mailer = jetstream::new(nats.connect_as("mailer").await);
    let shutdown = CancellationToken::new();
    let waiting = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { wait_for_consumer(&mailer, &spec(5), &shutdown).await }
    });
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
    let mailer = jetstream::new(nats.connect_as("mailer").await);
    let shutdown = CancellationToken::new();
    let waiting = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { wait_for_consumer(&mailer, &spec(5), &shutdown).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    shutdown.cancel();
    let outcome = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("waiting stops at shutdown")
        .unwrap();
    assert!(outcome.is_none());
}
