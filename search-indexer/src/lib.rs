//! The search-indexer service: keeps the Meilisearch product index (the optional advanced search) in step
//! with the catalog's events.
//!
//! - [`consume`]: the durable consumer `search-indexer` on the CATALOG stream (product documents, deletions
//!   and stock), batched and acked after Meilisearch finished each batch.
//! - [`changes`]: events folded per SKU; an older version never overwrites a newer one.
//! - [`index`]: the single writer, and index management (create, swap, delete).
//! - [`rebuild`]: a new index filled from the catalog's snapshot and swapped in, at start-up when the index
//!   is empty or its settings changed, and on request (`nats req rpc.search.rebuild ''`).
//! - [`document`]: the document and the index settings.
//!
//! Without `MEILI_URL` the service runs and does nothing: the catalog searches with MySQL alone. It owns
//! the tables `indexed_products` (applied version per SKU) and `index_builds`, and deletes `processed_events`
//! rows after `PROCESSED_EVENTS_RETENTION_DAYS` (`platform::retention`). Metrics:
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
    retention::Purge,
    rpc::serve,
};
use sqlx::migrate::Migrator;
use tokio_util::sync::CancellationToken;

use crate::{config::Config, index::Writer, rebuild::Rebuilder};

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "search-indexer",
    version: env!("CARGO_PKG_VERSION"),
    description: "Keeps the Meilisearch product index in step with catalog events",
    database: "search_indexer",
    default_http_port: 8084,
    publishes_to: &[platform::consumer::DEAD_LETTER_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// How often the consumer's backlog is published as `consumer_pending`.
const LAG_REPORT_EVERY: Duration = Duration::from_secs(10);

/// Starts indexing when Meilisearch is configured; returns the service's own routes.
pub async fn start(runtime: &mut Runtime, config: Config) -> anyhow::Result<Router> {
    runtime.spawn(platform::retention::run(
        runtime.db.clone(),
        vec![Purge::new(
            "processed_events",
            "processed_at",
            config.processed_events_retention,
        )],
        config.purge_every,
        runtime.shutdown.clone(),
    ));
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

    let (jetstream, shutdown) = (runtime.jetstream.clone(), runtime.shutdown.clone());
    let pool = runtime.db.clone();
    runtime.spawn(async move {
        // CATALOG is the catalog's to create, and the catalog may start after the indexer.
        let spec = config.consumer_spec();
        let Some(consumer) =
            platform::consumer::wait_for_consumer(&jetstream, &spec, &shutdown).await
        else {
            return;
        };
        let lag = platform::consumer::report_lag(
            consumer.clone(),
            config::CONSUMER.to_owned(),
            LAG_REPORT_EVERY,
            shutdown.clone(),
        );
        let indexing = async {
            // The live index must exist before live events are written (Meilisearch would create it with no
            // settings), and Meilisearch may not be up yet: wait for it without holding up the service.
            if prepare(&writer, &pool, &rebuilder, &shutdown).await {
                consume::run(consumer, jetstream, writer, config, shutdown.clone()).await;
            }
        };
        tokio::join!(lag, indexing);
    });
    Ok(router())
}

/// Removes unfinished builds, creates the live index when missing, and starts a rebuild when it is empty or
/// built with other settings. Retries until Meilisearch answers; false on shutdown.
async fn prepare(
    writer: &Writer,
    pool: &sqlx::MySqlPool,
    rebuilder: &Rebuilder,
    shutdown: &CancellationToken,
) -> bool {
    let mut wait = Duration::from_millis(500);
    loop {
        match try_prepare(writer, pool).await {
            Ok(Some(why)) => {
                rebuilder.start(why);
                return true;
            }
            Ok(None) => return true,
            Err(err) => {
                metrics::gauge!("search_indexer_up").set(0.0);
                tracing::warn!(error = format!("{err:#}"), retry_in = ?wait, "Meilisearch is not ready");
                tokio::select! {
                    () = shutdown.cancelled() => return false,
                    () = tokio::time::sleep(wait) => {}
                }
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Why the index needs a rebuild, if it does.
async fn try_prepare(
    writer: &Writer,
    pool: &sqlx::MySqlPool,
) -> anyhow::Result<Option<&'static str>> {
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
    let built = db::built_fingerprint(pool, writer.live()).await?;
    Ok(if documents == 0 {
        Some("the index is empty")
    } else if built.as_deref() != Some(document::fingerprint().as_str()) {
        Some("the index settings or document schema changed")
    } else {
        // Same settings as built: applying them again is a no-op for Meilisearch, and undoes a hand edit.
        writer.apply_settings(writer.live()).await?;
        None
    })
}

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
