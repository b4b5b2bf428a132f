//! Consuming events: durable JetStream pull consumers, the one loop every consuming service runs on them, and
//! dead letters.
//!
//! A consumer is a durable pull consumer with explicit acks, shared by every replica of its service (they
//! split the messages), with a bounded or unbounded number of deliveries. The service creates it
//! ([`ensure_consumer`], or [`wait_for_consumer`] while the stream's publisher has not created the stream yet)
//! and hands it to a [`ConsumerLoop`], which pulls, keeps messages alive while they are worked on, settles
//! each as its [`Handler`] or [`BatchHandler`] decides, and dead-letters what can never succeed
//! ([`dead_letter`], [`collect_max_deliveries`]). Operators see and replay dead letters with the `nats` CLI
//! (README, "Dead letters"), staff in the web admin, through the producer of the events ([`replay`]).

pub mod dead_letters;
pub mod event_loop;
pub mod replay;

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{
    self,
    consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull},
};
use tokio_util::sync::CancellationToken;

pub use dead_letters::{
    DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, HEADER_ORIGINAL_SEQUENCE, HEADER_ORIGINAL_STREAM,
    HEADER_ORIGINAL_SUBJECT, HEADER_REASON, collect_max_deliveries, dead_letter,
    dead_letter_stream,
};
pub use event_loop::{BatchHandler, ConsumerLoop, Delivery, Handler, Settle};

use crate::backoff::Backoff;

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

/// Publishes the consumer's backlog (`num_pending`, messages not yet delivered, plus those awaiting an ack)
/// as the gauge `consumer_pending{consumer}` every `every`, until `shutdown`.
async fn report_lag(
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
