//! Durable consumers and dead letters against a real nats-server.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures::StreamExt as _;
use platform::{
    consumer::{
        ConsumerSpec, DEAD_LETTER_STREAM, HEADER_ORIGINAL_SEQUENCE, HEADER_ORIGINAL_SUBJECT,
        HEADER_REASON, collect_max_deliveries, dead_letter, ensure_consumer,
    },
    streams::StreamSettings,
    testing::NatsServer,
};
use tokio_util::sync::CancellationToken;

fn spec(max_deliver: i64) -> ConsumerSpec {
    ConsumerSpec {
        stream: "ORDERS".to_owned(),
        durable: "tester".to_owned(),
        filter_subject: "orders.*.created".to_owned(),
        max_deliver,
        backoff: vec![],
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 100,
    }
}

async fn setup() -> (NatsServer, async_nats::Client, jetstream::Context) {
    let nats = NatsServer::start();
    let client = async_nats::connect(nats.url()).await.unwrap();
    let jetstream = jetstream::new(client.clone());
    let settings = StreamSettings::from_env().unwrap();
    platform::streams::ensure_streams(&jetstream, &settings.event_streams())
        .await
        .unwrap();
    (nats, client, jetstream)
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
    let (_nats, _client, jetstream) = setup().await;
    let consumer = ensure_consumer(&jetstream, &spec(5)).await.unwrap();
    let again = ensure_consumer(&jetstream, &spec(5)).await.unwrap();
    assert_eq!(
        again.cached_info().name,
        "tester",
        "ensuring twice reuses the durable"
    );
    jetstream
        .publish("orders.SH-1.created", "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();

    let mut messages = consumer.fetch().max_messages(1).messages().await.unwrap();
    let message = messages.next().await.unwrap().unwrap();
    dead_letter(
        &jetstream,
        &message,
        "poison payload: expected an OrderCreated envelope",
    )
    .await
    .unwrap();

    let letters = dead_letters(&jetstream, 1).await;
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(
        letter.subject.as_str(),
        "deadletter.tester.orders.SH-1.created"
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
    let (_nats, client, jetstream) = setup().await;
    let consumer = ensure_consumer(&jetstream, &spec(2)).await.unwrap();
    let shutdown = CancellationToken::new();
    tokio::spawn(collect_max_deliveries(
        client.clone(),
        jetstream.clone(),
        "ORDERS".to_owned(),
        "tester".to_owned(),
        shutdown.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    jetstream
        .publish("orders.SH-2.created", "{\"fails\":true}".into())
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
    let letters = dead_letters(&jetstream, 1).await;
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
