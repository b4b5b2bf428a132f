//! The live loop's handler: catalog events from the durable consumer `search-indexer`, handed over by the
//! shared [`ConsumerLoop`](platform::consumer::ConsumerLoop) in batches (the first awaited, then up to
//! `INDEXER_BATCH` in all for at most `INDEXER_LINGER_MS`), folded per SKU, written through the [`Writer`],
//! and acked only after Meilisearch finished the batch and the applied versions are recorded.
//!
//! Before the first batch the live index must exist (Meilisearch would create it with no settings when the
//! first document arrives), and Meilisearch may not be up yet: [`Indexer`] waits for it without holding up
//! the service, and starts a rebuild when the index is empty or was built with other settings.
//!
//! While Meilisearch (or the database) is down the batch stays in hand and is retried with a capped backoff;
//! the loop keeps its messages alive meanwhile, so nothing is redelivered or dead-lettered for an outage. On
//! shutdown a batch not yet written is handed back to JetStream. A payload that is not a catalog event, or a
//! product or stock event of a version this indexer does not know, is dead-lettered
//! (`deadletter.search-indexer.<subject>`); events of other types on the stream are acked and ignored.

use std::{sync::Arc, time::Duration};

use platform::{
    backoff::Backoff,
    consumer::{BatchHandler, Delivery, Settle},
    contracts::catalog::{ProductDeleted, ProductUpserted, StockChanged},
    events::{EventKind, RawEnvelope},
};
use sqlx::MySqlPool;
use tokio_util::sync::CancellationToken;

use crate::{
    changes::{Incoming, coalesce},
    db,
    index::Writer,
    rebuild::Rebuilder,
};

const FIRST_RETRY: Duration = Duration::from_millis(200);
const MAX_RETRY: Duration = Duration::from_secs(10);

/// The events the indexer reads.
const KNOWN_EVENTS: &[EventKind] = &[
    EventKind::of::<ProductUpserted>(),
    EventKind::of::<ProductDeleted>(),
    EventKind::of::<StockChanged>(),
];

/// What one message means to the indexer.
#[derive(Debug)]
pub enum Parsed {
    Event(Box<Incoming>),
    /// Another kind of catalog event: nothing to index.
    Ignored,
    /// Not a catalog event this indexer can read.
    Poison(String),
}

/// Reads a message payload.
pub fn parse(payload: &[u8]) -> Parsed {
    let envelope = match RawEnvelope::parse(payload) {
        Ok(envelope) => envelope,
        Err(err) => return Parsed::Poison(err.to_string()),
    };
    let incoming = if envelope.is::<ProductUpserted>() {
        envelope
            .read()
            .map(|envelope| Incoming::Upserted(Box::new(envelope.data)))
    } else if envelope.is::<ProductDeleted>() {
        envelope
            .read()
            .map(|envelope| Incoming::Deleted(envelope.data))
    } else if envelope.is::<StockChanged>() {
        envelope
            .read()
            .map(|envelope| Incoming::Stock(envelope.data))
    } else if envelope.has_type_of(KNOWN_EVENTS) {
        // A version this indexer does not know may change what the fields mean: it waits in the dead
        // letters for an indexer that knows it, rather than being indexed as the old one.
        Err(envelope.unknown(KNOWN_EVENTS))
    } else {
        return Parsed::Ignored;
    };
    match incoming {
        Ok(incoming) => Parsed::Event(Box::new(incoming)),
        Err(err) => Parsed::Poison(err.to_string()),
    }
}

/// Indexes batches of catalog events ([`BatchHandler`]).
#[derive(Debug)]
pub struct Indexer {
    writer: Arc<Writer>,
    pool: MySqlPool,
    rebuilder: Rebuilder,
}

impl Indexer {
    pub fn new(writer: Arc<Writer>, pool: MySqlPool, rebuilder: Rebuilder) -> Self {
        Self {
            writer,
            pool,
            rebuilder,
        }
    }

    /// Removes unfinished builds, creates the live index when missing, and says why the index needs a
    /// rebuild, if it does.
    async fn prepare_index(&self) -> anyhow::Result<Option<&'static str>> {
        let writer = &self.writer;
        for leftover in writer.leftover_builds().await? {
            tracing::info!(index = %leftover, "deleting an unfinished build");
            writer.delete_index(&leftover).await?;
        }
        let documents = match writer.documents_in(writer.live()).await? {
            Some(documents) => documents,
            None => {
                writer.create_index(writer.live()).await?;
                0
            }
        };
        metrics::gauge!("search_indexer_up").set(1.0);
        let built = db::built_fingerprint(&self.pool, writer.live()).await?;
        Ok(if documents == 0 {
            Some("the index is empty")
        } else if built.as_deref() != Some(writer.fingerprint().await?.as_str()) {
            Some("the index settings or document schema changed")
        } else {
            // Same settings as built: applying them again is a no-op for Meilisearch, and undoes a hand edit.
            writer.apply_settings(writer.live()).await?;
            None
        })
    }

    /// Writes `events` until Meilisearch took them; false when shutting down before it did.
    async fn index(&self, events: Vec<Incoming>, shutdown: &CancellationToken) -> bool {
        let count = events.len();
        let changes = coalesce(events);
        let started = std::time::Instant::now();
        let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
        loop {
            match self.writer.apply_live(changes.clone()).await {
                Ok(written) => {
                    metrics::gauge!("search_indexer_up").set(1.0);
                    metrics::histogram!("search_indexer_batch_seconds")
                        .record(started.elapsed().as_secs_f64());
                    tracing::debug!(events = count, ?written, "batch indexed");
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
}

impl BatchHandler for Indexer {
    /// Retries until Meilisearch answers; false on shutdown.
    async fn prepare(&mut self, shutdown: &CancellationToken) -> bool {
        let mut backoff = Backoff::new(Duration::from_millis(500), MAX_RETRY);
        loop {
            match self.prepare_index().await {
                Ok(Some(why)) => {
                    self.rebuilder.start(why);
                    return true;
                }
                Ok(None) => return true,
                Err(err) => {
                    metrics::gauge!("search_indexer_up").set(0.0);
                    tracing::warn!(error = format!("{err:#}"), "Meilisearch is not ready");
                    if !backoff.wait(shutdown).await {
                        return false;
                    }
                }
            }
        }
    }

    async fn handle(&self, batch: &[Delivery], shutdown: &CancellationToken) {
        let mut events = Vec::with_capacity(batch.len());
        for delivery in batch {
            match parse(delivery.payload()) {
                Parsed::Event(event) => events.push(*event),
                Parsed::Ignored => {}
                Parsed::Poison(reason) => delivery.settle(Settle::DeadLetter(reason)).await,
            }
        }
        if self.index(events, shutdown).await {
            for delivery in batch {
                // A lost ack is a redelivery, which the version check makes harmless.
                delivery.settle(Settle::Ack).await;
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
        let mut deleted = serde_json::json!({
            "id": "0190f0a0-0000-7000-8000-000000000000", "type": "ProductDeleted", "version": 1,
            "occurred_at": "2026-01-01T00:00:00Z", "source": "catalog",
            "data": {"sku": "A1", "version": 3, "deleted_at": "2026-01-01T00:00:00Z"}
        });
        assert!(matches!(
            parse(deleted.to_string().as_bytes()),
            Parsed::Event(event) if matches!(*event, Incoming::Deleted(_))
        ));
        deleted["version"] = serde_json::json!(2);
        assert!(matches!(
            parse(deleted.to_string().as_bytes()),
            Parsed::Poison(reason) if reason.starts_with("unknown event \"ProductDeleted\" version 2")
        ));
    }
}
