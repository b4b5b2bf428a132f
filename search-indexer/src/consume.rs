//! The live loop: pull catalog events from the durable consumer `search-indexer` in batches (the first one
//! awaited, then up to `INDEXER_BATCH` more for at most `INDEXER_LINGER_MS`), fold them per SKU, write them
//! through the [`Writer`], and ack only after Meilisearch finished the batch and the applied versions are
//! recorded.
//!
//! While Meilisearch (or the database) is down the batch stays in hand and is retried with a capped backoff;
//! its messages get `AckKind::Progress` meanwhile, so nothing is redelivered or dead-lettered for an outage.
//! A payload that is not a catalog event is dead-lettered (`deadletter.search-indexer.<subject>`); events
//! of other types on the stream are acked and ignored.

use std::{sync::Arc, time::Duration};

use async_nats::jetstream::{self, AckKind, Message, consumer::PullConsumer};
use platform::{
    backoff::Backoff,
    contracts::catalog::{ProductDeleted, ProductUpserted, StockChanged},
    events::{Envelope, Event as _},
};
use tokio_util::sync::CancellationToken;

use crate::{
    changes::{Incoming, coalesce},
    config::Config,
    index::Writer,
};

const FIRST_RETRY: Duration = Duration::from_millis(200);
const MAX_RETRY: Duration = Duration::from_secs(10);

/// What one message means to the indexer.
#[derive(Debug)]
pub enum Parsed {
    Event(Box<Incoming>),
    /// Another kind of catalog event: nothing to index.
    Ignored,
    /// Not a catalog event at all.
    Poison(String),
}

/// Reads a message payload.
pub fn parse(payload: &[u8]) -> Parsed {
    let envelope: Envelope<serde_json::Value> = match serde_json::from_slice(payload) {
        Ok(envelope) => envelope,
        Err(err) => return Parsed::Poison(format!("not an event envelope: {err}")),
    };
    fn data<T: serde::de::DeserializeOwned>(
        envelope: Envelope<serde_json::Value>,
        wrap: fn(T) -> Incoming,
    ) -> Parsed {
        match serde_json::from_value(envelope.data) {
            Ok(data) => Parsed::Event(Box::new(wrap(data))),
            Err(err) => Parsed::Poison(format!("bad {} payload: {err}", envelope.event_type)),
        }
    }
    match envelope.event_type.as_str() {
        ProductUpserted::TYPE => data(envelope, Incoming::Upserted),
        ProductDeleted::TYPE => data(envelope, Incoming::Deleted),
        StockChanged::TYPE => data(envelope, Incoming::Stock),
        _ => Parsed::Ignored,
    }
}

/// The live loop until shutdown.
pub async fn run(
    consumer: PullConsumer,
    jetstream: jetstream::Context,
    writer: Arc<Writer>,
    config: Config,
    shutdown: CancellationToken,
) {
    let mut pull_backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
    loop {
        let linger = config.linger.max(Duration::from_millis(10));
        let messages = match platform::consumer::next_batch(
            &consumer,
            config.batch,
            linger,
            &shutdown,
        )
        .await
        {
            Ok(None) => return,
            Ok(Some(messages)) => {
                pull_backoff.reset();
                messages
            }
            Err(err) => {
                tracing::warn!(error = format!("{err:#}"), "cannot pull catalog events");
                if !pull_backoff.wait(&shutdown).await {
                    return;
                }
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let every = (config.ack_wait / 3).max(Duration::from_millis(100));
        let done = platform::consumer::keep_alive(
            || messages.iter().collect(),
            every,
            index_batch(&messages, &jetstream, &writer, &shutdown),
        )
        .await;
        let kind = if done {
            AckKind::Ack
        } else {
            AckKind::Nak(None)
        };
        for message in &messages {
            if let Err(err) = message.ack_with(kind).await {
                // A lost ack is a redelivery, which the version check makes harmless.
                tracing::warn!(error = %err, "cannot acknowledge a catalog event");
            }
        }
    }
}

/// Indexes one batch; true when it is done (ack), false when shutting down before it was (nak).
async fn index_batch(
    messages: &[Message],
    jetstream: &jetstream::Context,
    writer: &Writer,
    shutdown: &CancellationToken,
) -> bool {
    let mut events = Vec::with_capacity(messages.len());
    for message in messages {
        match parse(&message.payload) {
            Parsed::Event(event) => events.push(*event),
            Parsed::Ignored => {}
            Parsed::Poison(reason) => {
                tracing::error!(subject = %message.subject, reason, "dead-lettering a catalog message");
                if let Err(err) = platform::consumer::dead_letter(jetstream, message, &reason).await
                {
                    tracing::error!(
                        error = format!("{err:#}"),
                        "cannot dead-letter; it will be redelivered"
                    );
                }
            }
        }
    }
    let changes = coalesce(events);
    let started = std::time::Instant::now();
    let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
    loop {
        match writer.apply_live(changes.clone()).await {
            Ok(written) => {
                metrics::gauge!("search_indexer_up").set(1.0);
                metrics::histogram!("search_indexer_batch_seconds")
                    .record(started.elapsed().as_secs_f64());
                tracing::debug!(events = messages.len(), ?written, "batch indexed");
                return true;
            }
            Err(err) => {
                metrics::gauge!("search_indexer_up").set(0.0);
                tracing::warn!(error = format!("{err:#}"), "cannot index a batch, retrying");
                if !backoff.wait(shutdown).await {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_sorted_into_events_ignored_and_poison() {
        assert!(matches!(parse(b"not json"), Parsed::Poison(_)));
        let other = serde_json::json!({
            "id": "0190f0a0-0000-7000-8000-000000000000", "type": "CategoryRenamed", "version": 1,
            "occurred_at": "2026-01-01T00:00:00Z", "source": "catalog", "data": {}
        });
        assert!(matches!(
            parse(other.to_string().as_bytes()),
            Parsed::Ignored
        ));
        let bad = serde_json::json!({
            "id": "0190f0a0-0000-7000-8000-000000000000", "type": "ProductDeleted", "version": 1,
            "occurred_at": "2026-01-01T00:00:00Z", "source": "catalog", "data": {"sku": 3}
        });
        assert!(matches!(
            parse(bad.to_string().as_bytes()),
            Parsed::Poison(_)
        ));
        let deleted = serde_json::json!({
            "id": "0190f0a0-0000-7000-8000-000000000000", "type": "ProductDeleted", "version": 1,
            "occurred_at": "2026-01-01T00:00:00Z", "source": "catalog",
            "data": {"sku": "A1", "version": 3, "deleted_at": "2026-01-01T00:00:00Z"}
        });
        assert!(matches!(
            parse(deleted.to_string().as_bytes()),
            Parsed::Event(event) if matches!(*event, Incoming::Deleted(_))
        ));
    }
}
