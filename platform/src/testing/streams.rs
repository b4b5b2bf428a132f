//! JetStream from a test's side: publishing events as their producer would, and reading what is in a stream.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

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

/// What another replica of a consumer would get if it pulled from the durable `durable` on `stream` for
/// `during`: each message's payload and delivery number (more than 1 means JetStream redelivered it). Each
/// one is handed back with a nak delayed by `during`, so it does not come straight back to this pull.
pub async fn pull_as_another_replica(
    jetstream: &async_nats::jetstream::Context,
    stream: &str,
    durable: &str,
    during: Duration,
) -> Vec<(bytes::Bytes, i64)> {
    use async_nats::jetstream::{AckKind, consumer::PullConsumer};
    use futures::StreamExt as _;

    let consumer: PullConsumer = jetstream
        .get_stream(stream)
        .await
        .expect("stream exists")
        .get_consumer(durable)
        .await
        .expect("durable exists");
    let mut pulled = consumer
        .batch()
        .max_messages(100)
        .expires(during)
        .messages()
        .await
        .expect("pull");
    let mut got = Vec::new();
    while let Some(message) = pulled.next().await {
        let message = message.expect("pulled message");
        let delivered = message.info().map_or(1, |info| info.delivered);
        message
            .ack_with(AckKind::Nak(Some(during)))
            .await
            .expect("nak");
        got.push((message.payload.clone(), delivered));
    }
    got
}

/// Every message currently in `stream`, read by an ephemeral consumer.
pub async fn stream_messages(
    client: &async_nats::Client,
    stream: &str,
) -> Vec<async_nats::jetstream::Message> {
    stream_messages_on(client, stream, None).await
}

/// Every message currently in `stream` whose subject matches `filter` (all of them without one).
pub async fn stream_messages_on(
    client: &async_nats::Client,
    stream: &str,
    filter: Option<&str>,
) -> Vec<async_nats::jetstream::Message> {
    use futures::StreamExt as _;

    let jetstream = async_nats::jetstream::new(client.clone());
    let stream = jetstream.get_stream(stream).await.expect("stream exists");
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            filter_subject: filter.unwrap_or_default().to_owned(),
            ..Default::default()
        })
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

/// Every event of type `T` currently in `stream` on subjects matching `filter`, in stream order (events of
/// other types on those subjects are left out).
pub async fn events_on<T: Event + DeserializeOwned>(
    client: &async_nats::Client,
    stream: &str,
    filter: &str,
) -> Vec<Envelope<T>> {
    stream_messages_on(client, stream, Some(filter))
        .await
        .iter()
        .filter_map(|message| {
            serde_json::from_slice::<Envelope<serde_json::Value>>(&message.payload).ok()
        })
        .filter(|envelope| envelope.event_type == T::TYPE)
        .map(|envelope| Envelope {
            data: serde_json::from_value(envelope.data).unwrap_or_else(|err| {
                panic!("event {} is not a valid {}: {err}", envelope.id, T::TYPE)
            }),
            id: envelope.id,
            event_type: envelope.event_type,
            version: envelope.version,
            occurred_at: envelope.occurred_at,
            source: envelope.source,
        })
        .collect()
}

/// The last message stored on `subject` in `stream`, if any.
pub async fn last_message(
    client: &async_nats::Client,
    stream: &str,
    subject: &str,
) -> Option<async_nats::jetstream::message::StreamMessage> {
    use async_nats::jetstream::stream::LastRawMessageErrorKind;

    let jetstream = async_nats::jetstream::new(client.clone());
    let stream = jetstream.get_stream(stream).await.expect("stream exists");
    match stream.get_last_raw_message_by_subject(subject).await {
        Ok(message) => Some(message),
        Err(err) if err.kind() == LastRawMessageErrorKind::NoMessageFound => None,
        Err(err) => panic!("reading the last message on {subject}: {err}"),
    }
}

/// Writes a dead letter as consumer `consumer` would after giving up on `payload`, first published on
/// `original_subject` of `original_stream` at `original_sequence`, and returns its sequence in `DEADLETTER`
/// (which must exist: [`ensure_event_streams`]). `jetstream` must be allowed to publish there (`ops`).
pub async fn publish_dead_letter(
    jetstream: &async_nats::jetstream::Context,
    consumer: &str,
    (original_stream, original_subject, original_sequence): (&str, &str, u64),
    payload: Vec<u8>,
    reason: &str,
) -> u64 {
    use crate::consumer::{
        HEADER_ORIGINAL_SEQUENCE, HEADER_ORIGINAL_STREAM, HEADER_ORIGINAL_SUBJECT, HEADER_REASON,
    };
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(HEADER_ORIGINAL_SUBJECT, original_subject);
    headers.insert(HEADER_ORIGINAL_STREAM, original_stream);
    headers.insert(
        HEADER_ORIGINAL_SEQUENCE,
        original_sequence.to_string().as_str(),
    );
    headers.insert(HEADER_REASON, reason);
    jetstream
        .publish_with_headers(
            format!("deadletter.{consumer}.{original_subject}"),
            headers,
            payload.into(),
        )
        .await
        .expect("publish a dead letter")
        .await
        .expect("dead letter ack")
        .sequence
}
