//! Durable JetStream consumers and dead letters, shared by every service that consumes events.
//!
//! A consumer is a durable pull consumer with explicit acks, a bounded number of deliveries and a backoff
//! between them. A message that cannot ever succeed (a poison payload, a permanent rejection) is copied to the
//! `DEADLETTER` stream with why, then terminated; one that used up its deliveries is copied there by
//! [`collect_max_deliveries`], which listens to JetStream's `MAX_DELIVERIES` advisory. Operators see and
//! replay dead letters with the `nats` CLI (README, "Dead letters").

use std::time::Duration;

use anyhow::Context as _;
use async_nats::{
    HeaderMap,
    jetstream::{
        self, AckKind,
        consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull},
        stream,
    },
};
use futures::StreamExt as _;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;

/// The stream holding dead letters of every consumer.
pub const DEAD_LETTER_STREAM: &str = "DEADLETTER";
/// Its subjects: `deadletter.<consumer>.<original subject>`.
pub const DEAD_LETTER_SUBJECTS: &str = "deadletter.>";

/// Headers on a dead letter.
pub const HEADER_ORIGINAL_SUBJECT: &str = "Shop-Original-Subject";
pub const HEADER_ORIGINAL_STREAM: &str = "Shop-Original-Stream";
pub const HEADER_ORIGINAL_SEQUENCE: &str = "Shop-Original-Sequence";
pub const HEADER_REASON: &str = "Shop-Dead-Letter-Reason";

/// The dead-letter stream's configuration: kept longer than events, for operators to look at.
pub fn dead_letter_stream(replicas: usize) -> stream::Config {
    stream::Config {
        name: DEAD_LETTER_STREAM.to_owned(),
        description: Some(
            "Messages a consumer gave up on, with the reason; replay them with the nats CLI"
                .to_owned(),
        ),
        subjects: vec![DEAD_LETTER_SUBJECTS.to_owned()],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        max_age: Duration::from_secs(90 * 24 * 3600),
        max_bytes: 1024 * 1024 * 1024,
        // Spelled as the server stores "unlimited", so the start-up comparison sees no change.
        max_message_size: -1,
        duplicate_window: Duration::from_secs(600),
        ..Default::default()
    }
}

/// A durable consumer as a service wants it.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    pub stream: String,
    /// The durable name, shared by every replica of the service (they split the messages).
    pub durable: String,
    pub filter_subject: String,
    /// Deliveries before the message is given up on (and dead-lettered).
    pub max_deliver: i64,
    /// Waits between redeliveries after a nak without delay or an ack timeout.
    pub backoff: Vec<Duration>,
    pub ack_wait: Duration,
    pub max_ack_pending: i64,
}

impl ConsumerSpec {
    fn config(&self) -> pull::Config {
        pull::Config {
            durable_name: Some(self.durable.clone()),
            description: Some(format!("{} ({})", self.durable, self.filter_subject)),
            filter_subject: self.filter_subject.clone(),
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::Explicit,
            ack_wait: self.ack_wait,
            max_deliver: self.max_deliver,
            backoff: self.backoff.clone(),
            max_ack_pending: self.max_ack_pending,
            ..Default::default()
        }
    }
}

/// Creates the durable consumer, or takes the existing one.
pub async fn ensure_consumer(
    jetstream: &jetstream::Context,
    spec: &ConsumerSpec,
) -> anyhow::Result<PullConsumer> {
    let stream = jetstream
        .get_stream(&spec.stream)
        .await
        .with_context(|| format!("looking up stream {}", spec.stream))?;
    match stream.create_consumer(spec.config()).await {
        Ok(consumer) => Ok(consumer),
        Err(create_err) => {
            // An existing consumer with other settings: keep it (and its position), and say so. Changing a
            // durable's settings is an operator's decision: `nats consumer edit`.
            tracing::warn!(consumer = %spec.durable, error = %create_err, "keeping the consumer's current settings");
            stream.get_consumer(&spec.durable).await.map_err(|err| {
                anyhow::anyhow!(
                    "getting consumer {} on {}: {err}",
                    spec.durable,
                    spec.stream
                )
            })
        }
    }
}

/// [`ensure_consumer`], retried until it succeeds or `shutdown` (then `None`). The stream belongs to its
/// publisher, which creates it at its own start-up and may start after this service: until then this waits,
/// logging why every few tries, instead of failing the whole service.
pub async fn wait_for_consumer(
    jetstream: &jetstream::Context,
    spec: &ConsumerSpec,
    shutdown: &CancellationToken,
) -> Option<PullConsumer> {
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    for attempt in 0u64.. {
        if shutdown.is_cancelled() {
            return None;
        }
        match ensure_consumer(jetstream, spec).await {
            Ok(consumer) => {
                if attempt > 0 {
                    tracing::info!(stream = %spec.stream, consumer = %spec.durable, "consumer ready");
                }
                return Some(consumer);
            }
            // The first failure, then one line every ten tries (half a minute or more apart once backed off).
            Err(err) if attempt % 10 == 0 => tracing::warn!(
                stream = %spec.stream,
                consumer = %spec.durable,
                error = format!("{err:#}"),
                "waiting for the stream (created by its publisher) before consuming"
            ),
            Err(_) => {}
        }
        if !backoff.wait(shutdown).await {
            return None;
        }
    }
    None
}

/// Copies `message` to the dead-letter stream with `reason`, then terminates it (no more deliveries).
pub async fn dead_letter(
    jetstream: &jetstream::Context,
    message: &jetstream::Message,
    reason: &str,
) -> anyhow::Result<()> {
    let info = message
        .info()
        .map_err(|err| anyhow::anyhow!("message info: {err}"))?;
    let original = Original {
        consumer: info.consumer,
        stream: info.stream,
        sequence: info.stream_sequence,
        subject: message.subject.as_str(),
        headers: message.headers.clone().unwrap_or_default(),
    };
    publish_dead_letter(jetstream, original, reason, message.payload.clone()).await?;
    message
        .ack_with(AckKind::Term)
        .await
        .map_err(|err| anyhow::anyhow!("terminating: {err}"))?;
    Ok(())
}

/// Where a dead letter came from.
struct Original<'a> {
    consumer: &'a str,
    stream: &'a str,
    sequence: u64,
    subject: &'a str,
    headers: HeaderMap,
}

async fn publish_dead_letter(
    jetstream: &jetstream::Context,
    original: Original<'_>,
    reason: &str,
    payload: bytes::Bytes,
) -> anyhow::Result<()> {
    let Original {
        consumer,
        stream,
        sequence,
        subject,
        mut headers,
    } = original;
    // A dead letter is a new message: it must not be dropped as a duplicate of the original, and the same
    // one reported twice (two replicas, a retry) must be kept once.
    headers.insert(
        "Nats-Msg-Id",
        format!("dl-{consumer}-{stream}-{sequence}").as_str(),
    );
    headers.insert(HEADER_ORIGINAL_SUBJECT, subject);
    headers.insert(HEADER_ORIGINAL_STREAM, stream);
    headers.insert(HEADER_ORIGINAL_SEQUENCE, sequence.to_string().as_str());
    headers.insert(HEADER_REASON, header_text(reason, 500).as_str());
    jetstream
        .publish_with_headers(format!("deadletter.{consumer}.{subject}"), headers, payload)
        .await?
        .await
        .context("publishing a dead letter")?;
    metrics::counter!("dead_letters_total", "consumer" => consumer.to_owned()).increment(1);
    Ok(())
}

/// `text` fit for a header value: one line (control characters, CR and LF included, become spaces: a reason
/// quoting a provider's or a payload's words must not add a header), at most `max` characters.
fn header_text(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[derive(Debug, Deserialize)]
struct MaxDeliveriesAdvisory {
    stream: String,
    consumer: String,
    stream_seq: u64,
    deliveries: u64,
}

/// Copies every message `consumer` gave up on after its last delivery into the dead-letter stream, until
/// `shutdown`. Run by every replica: the copy's `Nats-Msg-Id` makes duplicates harmless.
pub async fn collect_max_deliveries(
    client: async_nats::Client,
    jetstream: jetstream::Context,
    stream: String,
    consumer: String,
    shutdown: CancellationToken,
) {
    let subject = format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.{consumer}");
    let mut advisories = match client.subscribe(subject.clone()).await {
        Ok(subscription) => subscription,
        Err(err) => {
            tracing::error!(error = %err, subject, "cannot listen for max-deliveries advisories");
            return;
        }
    };
    loop {
        let advisory = tokio::select! {
            () = shutdown.cancelled() => return,
            advisory = advisories.next() => match advisory { Some(a) => a, None => return },
        };
        let Ok(advisory) = serde_json::from_slice::<MaxDeliveriesAdvisory>(&advisory.payload)
        else {
            continue;
        };
        if let Err(err) = copy_from_stream(&jetstream, &advisory).await {
            tracing::error!(error = %err, seq = advisory.stream_seq, "cannot dead-letter a message that used up its deliveries");
        }
    }
}

async fn copy_from_stream(
    jetstream: &jetstream::Context,
    advisory: &MaxDeliveriesAdvisory,
) -> anyhow::Result<()> {
    let stream = jetstream.get_stream(&advisory.stream).await?;
    let message = stream.get_raw_message(advisory.stream_seq).await?;
    let original = Original {
        consumer: &advisory.consumer,
        stream: &advisory.stream,
        sequence: advisory.stream_seq,
        subject: message.subject.as_str(),
        headers: message.headers.clone(),
    };
    let reason = format!("not acknowledged after {} deliveries", advisory.deliveries);
    publish_dead_letter(jetstream, original, &reason, message.payload.clone()).await?;
    tracing::warn!(consumer = %advisory.consumer, seq = advisory.stream_seq, "dead-lettered a message after its last delivery");
    Ok(())
}

/// How long an idle pull waits for a first message before the caller asks again.
const IDLE_PULL: Duration = Duration::from_secs(5);

/// The next batch of at most `max` messages from `consumer`: the first one awaited, the others gathered for at
/// most `linger` (none waited for when it is zero). Both pulls expire on the server, so nothing delivered to
/// this process is ever without an owner. `None` on shutdown; an empty batch when the idle pull expired.
pub async fn next_batch(
    consumer: &PullConsumer,
    max: usize,
    linger: Duration,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<Vec<jetstream::Message>>> {
    if shutdown.is_cancelled() {
        return Ok(None);
    }
    let mut idle = consumer
        .batch()
        .max_messages(1)
        .expires(IDLE_PULL)
        .messages()
        .await?;
    let first = tokio::select! {
        () = shutdown.cancelled() => return Ok(None),
        first = idle.next() => match first {
            Some(first) => first.map_err(|err| anyhow::anyhow!("{err}"))?,
            None => return Ok(Some(Vec::new())),
        },
    };
    let mut messages = vec![first];
    let more = max.saturating_sub(1);
    if more == 0 {
        return Ok(Some(messages));
    }
    let pulled = if linger.is_zero() {
        consumer.fetch().max_messages(more).messages().await
    } else {
        consumer
            .batch()
            .max_messages(more)
            .expires(linger)
            .messages()
            .await
    };
    match pulled {
        Ok(mut pulled) => {
            while let Some(message) = pulled.next().await {
                match message {
                    Ok(message) => messages.push(message),
                    Err(err) => {
                        tracing::warn!(error = %err, "pulling more messages for the batch");
                        break;
                    }
                }
            }
        }
        // The message in hand is worked on alone.
        Err(err) => tracing::warn!(error = %err, "pulling more messages for the batch"),
    }
    Ok(Some(messages))
}

/// Runs `work`, sending `AckKind::Progress` every `every` for each message `unsettled` yields at that moment,
/// so JetStream does not redeliver messages still being worked on (however long an outage makes that).
pub async fn keep_alive<'a, F, M>(unsettled: M, every: Duration, work: F) -> F::Output
where
    F: Future,
    M: Fn() -> Vec<&'a jetstream::Message>,
{
    let mut work = std::pin::pin!(work);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            output = &mut work => return output,
            _ = ticks.tick() => {
                for message in unsettled() {
                    if let Err(err) = message.ack_with(AckKind::Progress).await {
                        tracing::warn!(error = %err, "cannot signal progress on a message");
                    }
                }
            }
        }
    }
}

/// Publishes the consumer's backlog (`num_pending`, messages not yet delivered, plus those awaiting an ack)
/// as the gauge `consumer_pending{consumer}` every `every`, until `shutdown`.
pub async fn report_lag(
    mut consumer: PullConsumer,
    name: String,
    every: Duration,
    shutdown: CancellationToken,
) {
    loop {
        if let Ok(info) = consumer.info().await {
            let pending = info.num_pending + info.num_ack_pending as u64;
            metrics::gauge!("consumer_pending", "consumer" => name.clone()).set(pending as f64);
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reason_becomes_one_bounded_header_line() {
        assert_eq!(
            super::header_text("rejected:\r\nX-Forged: yes\tok", 500),
            "rejected:  X-Forged: yes ok"
        );
        assert_eq!(
            super::header_text(&"é".repeat(600), 500).chars().count(),
            500
        );
    }
}
