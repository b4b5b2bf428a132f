//! JetStream from a test's side: publishing events as their producer would, and reading what is in a stream.

use std::time::{Duration, Instant};

use crate::events::{Envelope, Event};

/// Publishes `payload` on `subject` and waits for the stream's ack. Without `Nats-Msg-Id`: publishing the
/// same payload again stores a second message (a duplicate delivery, as a consumer must survive it).
pub async fn publish_raw(
    jetstream: &async_nats::jetstream::Context,
    subject: &str,
    payload: Vec<u8>,
) {
    jetstream
        .publish(subject.to_owned(), payload.into())
        .await
        .expect("publish")
        .await
        .expect("publish ack");
}

/// Publishes `envelope` on its event's subject, like [`publish_raw`].
pub async fn publish_event<T: Event>(
    jetstream: &async_nats::jetstream::Context,
    envelope: &Envelope<T>,
) {
    let payload = serde_json::to_vec(envelope).expect("an envelope serializes");
    publish_raw(jetstream, &envelope.data.subject(), payload).await;
}

/// Creates (or updates) every event stream, as their publishers would at start-up: for a test that runs a
/// consumer without the service publishing to its stream. `client` must be allowed to (`ops`).
pub async fn ensure_event_streams(client: &async_nats::Client) {
    let jetstream = async_nats::jetstream::new(client.clone());
    let settings = crate::streams::StreamSettings::from_env().expect("stream settings");
    crate::streams::ensure_streams(&jetstream, &settings.event_streams())
        .await
        .expect("event streams");
}

/// Waits until the durable consumer `durable` exists on `stream` (a service creates it in the background,
/// once the stream exists) and returns it.
pub async fn wait_for_durable(
    client: &async_nats::Client,
    stream: &str,
    durable: &str,
) -> async_nats::jetstream::consumer::PullConsumer {
    let jetstream = async_nats::jetstream::new(client.clone());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(stream) = jetstream.get_stream(stream).await
            && let Ok(consumer) = stream.get_consumer(durable).await
        {
            return consumer;
        }
        assert!(
            Instant::now() < deadline,
            "consumer {durable} on {stream} was not created within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every message currently in `stream`, read by an ephemeral consumer.
pub async fn stream_messages(
    client: &async_nats::Client,
    stream: &str,
) -> Vec<async_nats::jetstream::Message> {
    use futures::StreamExt as _;

    let jetstream = async_nats::jetstream::new(client.clone());
    let stream = jetstream.get_stream(stream).await.expect("stream exists");
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config::default())
        .await
        .expect("ephemeral consumer");
    let mut messages = consumer
        .fetch()
        .max_messages(10_000)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .expect("fetch");
    let mut all = Vec::new();
    while let Some(Ok(message)) = messages.next().await {
        all.push(message);
    }
    all
}
