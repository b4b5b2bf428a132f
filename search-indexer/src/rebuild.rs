//! Rebuilding the index without downtime: a new index `<live>_build_<millis>` is created with the current
//! settings and filled from the catalog's snapshot (`rpc.catalog.snapshot`, page by page in SKU order),
//! while live events keep going to both indexes; then the two are swapped in one Meilisearch task and the old
//! one deleted. Searches see the old index until the swap and the complete new one after it.
//!
//! A stock change written to the new index before the snapshot reached its product creates a partial
//! document that the snapshot's full one then replaces, with the stock read at snapshot time: availability in
//! the index may trail by one stock change until the next one. It is advisory anyway (checkout asks the
//! catalog).
//!
//! It runs at start-up when the live index is empty or was built with other settings (see
//! [`crate::document::fingerprint`]), and when an operator asks: `nats req rpc.search.rebuild ''` or
//! `search-indexer rebuild`.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use platform::{
    backoff::Backoff,
    contracts::{
        catalog::{SNAPSHOT, SnapshotPage, SnapshotRequest},
        search::RebuildReply,
    },
    rpc::{self, RpcError},
};
use tokio_util::sync::CancellationToken;

use crate::{
    changes::{Incoming, coalesce},
    db,
    index::{Writer, build_prefix},
};

/// Documents per snapshot page (NATS messages stay far below their 1 MB limit).
const PAGE: u32 = 250;
/// Documents per write to the new index: Meilisearch indexes a few big batches much faster than many small
/// ones (each task has a fixed cost), and live batches wait for at most one such write.
const WRITE: usize = 5_000;
/// How long one snapshot page may take to arrive.
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);
/// The first and the longest wait between attempts while the catalog cannot answer.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(10);

/// Starts rebuilds, one at a time.
#[derive(Debug, Clone)]
pub struct Rebuilder {
    writer: Arc<Writer>,
    nats: async_nats::Client,
    pool: sqlx::MySqlPool,
    shutdown: CancellationToken,
    running: Arc<std::sync::Mutex<Option<String>>>,
}

impl Rebuilder {
    pub fn new(
        writer: Arc<Writer>,
        nats: async_nats::Client,
        pool: sqlx::MySqlPool,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            writer,
            nats,
            pool,
            shutdown,
            running: Arc::default(),
        }
    }

    /// Starts a rebuild in the background unless one is running.
    pub fn start(&self, why: &str) -> RebuildReply {
        let uid = {
            let mut running = self
                .running
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(index) = running.as_ref() {
                return RebuildReply::AlreadyRunning {
                    index: index.clone(),
                };
            }
            let uid = format!(
                "{}{}",
                build_prefix(self.writer.live()),
                chrono::Utc::now().timestamp_millis()
            );
            *running = Some(uid.clone());
            uid
        };
        tracing::info!(index = %uid, why, "rebuilding the search index");
        let this = self.clone();
        let index = uid.clone();
        tokio::spawn(async move {
            metrics::gauge!("search_indexer_rebuild_running").set(1.0);
            let started = std::time::Instant::now();
            match this.rebuild(&index).await {
                Ok(documents) => {
                    tracing::info!(index = %this.writer.live(), documents, took = ?started.elapsed(), "search index rebuilt and swapped in")
                }
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), index = %index, "search index rebuild failed; the live index is unchanged");
                    this.writer.abandon_build().await;
                    if let Err(err) = this.writer.delete_index(&index).await {
                        tracing::warn!(error = format!("{err:#}"), index = %index, "cannot delete the unfinished build");
                    }
                }
            }
            metrics::gauge!("search_indexer_rebuild_running").set(0.0);
            *this
                .running
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        });
        RebuildReply::Started { index: uid }
    }

    async fn rebuild(&self, uid: &str) -> anyhow::Result<u64> {
        self.writer.create_index(uid).await?;
        self.writer.begin_build(uid).await?;
        let mut after: Option<String> = None;
        let mut copied = 0u64;
        let mut pending = Vec::with_capacity(WRITE);
        loop {
            let page = self.page(after.clone()).await?;
            pending.extend(
                page.products
                    .into_iter()
                    .map(|product| Incoming::Upserted(Box::new(product))),
            );
            if pending.len() >= WRITE || page.next.is_none() {
                copied += pending.len() as u64;
                let changes = coalesce(std::mem::take(&mut pending));
                self.writer.apply_to_build(changes).await?;
                metrics::gauge!("search_indexer_rebuild_documents").set(copied as f64);
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let documents = self.writer.finish_build(uid).await?;
        let fingerprint = self.writer.fingerprint().await?;
        db::record_build(&self.pool, self.writer.live(), &fingerprint, documents)
            .await
            .context("recording the build")?;
        Ok(documents)
    }

    /// One snapshot page, retried while the catalog is unavailable; fails on shutdown.
    async fn page(&self, after: Option<String>) -> anyhow::Result<SnapshotPage> {
        let request = SnapshotRequest {
            after,
            limit: Some(PAGE),
        };
        let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
        loop {
            match rpc::call::<_, SnapshotPage>(&self.nats, SNAPSHOT, &request, PAGE_TIMEOUT).await {
                Ok(page) => return Ok(page),
                Err(err) if err.is_unavailable() => {
                    tracing::warn!(error = %err, "the catalog cannot send its snapshot, retrying");
                    if !backoff.wait(&self.shutdown).await {
                        anyhow::bail!("shutting down");
                    }
                }
                Err(err @ (RpcError::Codec(_) | RpcError::Service { .. })) => {
                    return Err(err).context("reading the catalog snapshot");
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
}
