//! The search-indexer service: keeps the Meilisearch product index (the optional advanced search) in step
//! with the catalog's events.
//!
//! - [`consume`]: the durable consumer `search-indexer` on the CATALOG stream (product documents, deletions
//!   and stock), batched and acked after Meilisearch finished each batch; it prepares the live index first.
//! - [`changes`]: events folded per SKU; an older version never overwrites a newer one.
//! - [`index`]: the single writer, and index management (create, swap, delete).
//! - [`rebuild`]: a new index filled from the catalog's snapshot and swapped in, at start-up when the index
//!   is empty or its settings changed, and on request (`nats req rpc.search.rebuild ''`).
//! - [`document`]: the document and the index settings.
//!
//! Without `MEILI_URL` the service runs and does nothing: the catalog searches with MySQL alone. It owns
//! the tables `indexed_products` (applied version per SKU) and `index_builds`. Metrics:
//! `consumer_pending{consumer="search-indexer"}` (the lag), `search_indexer_documents_written_total{kind}`,
//! `search_indexer_stale_events_total`, `search_indexer_batch_seconds`, `search_indexer_up`,
//! `search_indexer_rebuild_running`, `search_indexer_rebuild_documents`.
//!
//! Run one replica: the writer serialises the index writes of one process, not of several.

pub mod changes;
pub mod config;
pub mod consume;
pub mod db;
pub mod document;
pub mod index;
pub mod rebuild;

use std::{collections::HashMap, sync::Arc, time::Duration};

use anyhow::Context as _;
use axum::Router;
use platform::{
    Runtime, ServiceSpec,
    contracts::search::{RPC_GROUP, RebuildReply},
    rpc::serve,
};
use sqlx::migrate::Migrator;

use crate::{config::Config, consume::Indexer, index::Writer, rebuild::Rebuilder};

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "search-indexer",
    version: env!("CARGO_PKG_VERSION"),
    description: "Keeps the Meilisearch product index in step with catalog events",
    database: "search_indexer",
    default_http_port: platform::ports::port("search-indexer"),
    publishes_to: &[platform::consumer::DEAD_LETTER_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The shortest linger: a batch always gathers what is already waiting.
const MIN_LINGER: Duration = Duration::from_millis(10);

/// Starts indexing when Meilisearch is configured; returns the service's own routes.
pub async fn start(runtime: &mut Runtime, config: Config) -> anyhow::Result<Router> {
    let Some(meili) = config.meili.clone() else {
        tracing::warn!(
            "MEILI_URL is not set: no advanced search, nothing to index (the catalog searches with MySQL)"
        );
        return Ok(router());
    };
    let client = meilisearch_sdk::client::Client::new(
        &meili.url,
        meili
            .api_key
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret),
    )
    .context("MEILI_URL / MEILI_API_KEY")?;
    let writer = Arc::new(Writer::new(client, runtime.db.clone(), meili.index.clone()));
    let rebuilder = Rebuilder::new(
        writer.clone(),
        runtime.nats.clone(),
        runtime.db.clone(),
        runtime.shutdown.clone(),
    );

    let endpoint = runtime
        .service
        .group(RPC_GROUP)
        .endpoint_builder()
        .name("rebuild")
        .metadata(HashMap::from([(
            "description".to_owned(),
            "Rebuild the product index from the catalog into a new index and swap it in".to_owned(),
        )]))
        .add("rebuild")
        .await
        .map_err(|err| anyhow::anyhow!("adding the rebuild endpoint: {err}"))?;
    let on_request = rebuilder.clone();
    runtime.spawn(serve(
        endpoint,
        1,
        runtime.shutdown.clone(),
        move |_: serde_json::Value| {
            let reply: RebuildReply = on_request.start("asked by an operator");
            async move { Ok(reply) }
        },
    ));

    // CATALOG is the catalog's to create, and the catalog may start after the indexer: the loop waits for it.
    let consumer = runtime.consumer(config.consumer_spec());
    let indexer = Indexer::new(writer, runtime.db.clone(), rebuilder);
    runtime.spawn(consumer.batches(config.batch, config.linger.max(MIN_LINGER), indexer));
    Ok(router())
}

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
