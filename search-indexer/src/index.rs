//! The one writer of the index. Live batches and rebuild pages both go through [`Writer`], one at a time, so
//! "is this older than what was applied?" and the write that follows never interleave with another write.
//!
//! A batch is written to the live index and, while a rebuild runs, to the index being built too; the writer
//! waits until Meilisearch finished every task of the batch, and only then records the applied versions (the
//! caller acks after that). A crash in between means a redelivery that writes the same documents again.

use std::time::Duration;

use anyhow::Context as _;
use meilisearch_sdk::{
    client::{Client, SwapIndexes},
    errors::{Error as MeiliError, ErrorCode},
    task_info::TaskInfo,
    tasks::Task,
};
use serde::Serialize;
use sqlx::MySqlPool;
use tokio::sync::Mutex;

use crate::{
    changes::{Change, Plan, plan},
    db,
    document::{self, Ranking, settings},
};

/// How often a task's status is asked for while waiting.
const TASK_POLL: Duration = Duration::from_millis(50);
/// The longest wait for one task (a settings change on a big index takes a while).
const TASK_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A stock-only change, written as a partial document.
#[derive(Debug, Serialize)]
struct StockPatch<'a> {
    sku: &'a str,
    available: u32,
    in_stock: bool,
}

/// What a batch did, for logs and metrics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub put: usize,
    pub removed: usize,
    pub stock: usize,
    pub stale: usize,
}

/// The index writer: live index name, and the index a rebuild is filling, if any.
#[derive(Debug)]
pub struct Writer {
    client: Client,
    pool: MySqlPool,
    live: String,
    building: Mutex<Option<String>>,
    /// The server's ranking rules, asked once.
    ranking: tokio::sync::OnceCell<Ranking>,
}

impl Writer {
    pub fn new(client: Client, pool: MySqlPool, live: String) -> Self {
        Self {
            client,
            pool,
            live,
            building: Mutex::new(None),
            ranking: tokio::sync::OnceCell::new(),
        }
    }

    /// The ranking rules of the server, from its version (asked the first time).
    pub async fn ranking(&self) -> anyhow::Result<Ranking> {
        self.ranking
            .get_or_try_init(async || {
                let version = self
                    .client
                    .get_version()
                    .await
                    .context("asking Meilisearch its version")?;
                let ranking = Ranking::for_version(&version.pkg_version);
                tracing::info!(version = %version.pkg_version, ?ranking, "Meilisearch");
                anyhow::Ok(ranking)
            })
            .await
            .copied()
    }

    /// The fingerprint of the settings this server gets and of the document schema.
    pub async fn fingerprint(&self) -> anyhow::Result<String> {
        Ok(document::fingerprint(self.ranking().await?))
    }

    pub fn live(&self) -> &str {
        &self.live
    }

    /// Applies live changes to the live index and to the index being built.
    pub async fn apply_live(&self, changes: Vec<Change>) -> anyhow::Result<Written> {
        let building = self.building.lock().await;
        let mut targets = vec![self.live.as_str()];
        targets.extend(building.as_deref());
        self.apply(changes, &targets).await
    }

    /// Applies snapshot documents to the index being built only (the live index has them or gets them
    /// from live events).
    pub async fn apply_to_build(&self, changes: Vec<Change>) -> anyhow::Result<Written> {
        let building = self.building.lock().await;
        let target = building
            .as_deref()
            .context("no rebuild is running")?
            .to_owned();
        self.apply(changes, &[&target]).await
    }

    async fn apply(&self, changes: Vec<Change>, targets: &[&str]) -> anyhow::Result<Written> {
        if changes.is_empty() {
            return Ok(Written::default());
        }
        let skus: Vec<&str> = changes.iter().map(|change| change.sku.as_str()).collect();
        let applied = db::applied(&self.pool, &skus)
            .await
            .context("reading applied versions")?;
        let Plan {
            put,
            remove,
            stock,
            remember,
            stale,
        } = plan(changes, &applied);
        let patches: Vec<StockPatch<'_>> = stock
            .iter()
            .map(|(sku, stock)| StockPatch {
                sku,
                available: stock.available,
                in_stock: stock.in_stock,
            })
            .collect();
        let mut tasks = Vec::new();
        for target in targets {
            let index = self.client.index(*target);
            if !put.is_empty() {
                tasks.push(index.add_or_replace(&put, Some("sku")).await?);
            }
            if !remove.is_empty() {
                tasks.push(index.delete_documents(&remove).await?);
            }
            if !patches.is_empty() {
                tasks.push(index.add_or_update(&patches, Some("sku")).await?);
            }
        }
        for task in tasks {
            self.wait(task).await?;
        }
        db::remember(&self.pool, &remember)
            .await
            .context("recording applied versions")?;
        let written = Written {
            put: put.len(),
            removed: remove.len(),
            stock: patches.len(),
            stale,
        };
        metrics::counter!("search_indexer_documents_written_total", "kind" => "put")
            .increment(written.put as u64);
        metrics::counter!("search_indexer_documents_written_total", "kind" => "removed")
            .increment(written.removed as u64);
        metrics::counter!("search_indexer_documents_written_total", "kind" => "stock")
            .increment(written.stock as u64);
        metrics::counter!("search_indexer_stale_events_total").increment(written.stale as u64);
        Ok(written)
    }

    /// Waits for `task` and fails unless it succeeded.
    pub async fn wait(&self, task: TaskInfo) -> anyhow::Result<()> {
        match self
            .client
            .wait_for_task(task, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await?
        {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => Err(anyhow::anyhow!(
                "Meilisearch task {} failed: {:?}",
                content.task.uid,
                content.task.error
            )),
            other => Err(anyhow::anyhow!("Meilisearch task ended as {other:?}")),
        }
    }

    /// Documents in `uid`, `None` when the index does not exist.
    pub async fn documents_in(&self, uid: &str) -> anyhow::Result<Option<u64>> {
        match self.client.index(uid).get_stats().await {
            Ok(stats) => Ok(Some(stats.number_of_documents as u64)),
            Err(MeiliError::Meilisearch(err)) if err.error_code == ErrorCode::IndexNotFound => {
                Ok(None)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Creates index `uid` (primary key `sku`) with the current settings, and waits until it is ready.
    pub async fn create_index(&self, uid: &str) -> anyhow::Result<()> {
        let task = self.client.create_index(uid, Some("sku")).await?;
        self.wait(task)
            .await
            .with_context(|| format!("creating index {uid}"))?;
        self.apply_settings(uid).await
    }

    /// Applies the current settings to index `uid` and waits until they are in force.
    pub async fn apply_settings(&self, uid: &str) -> anyhow::Result<()> {
        let settings = settings(self.ranking().await?);
        let task = self.client.index(uid).set_settings(&settings).await?;
        self.wait(task)
            .await
            .with_context(|| format!("configuring index {uid}"))
    }

    /// Deletes index `uid`; a missing one is fine.
    pub async fn delete_index(&self, uid: &str) -> anyhow::Result<()> {
        let task = self.client.delete_index(uid).await?;
        match self
            .client
            .wait_for_task(task, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await?
        {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content }
                if content
                    .task
                    .error
                    .as_ref()
                    .is_some_and(|err| err.error_code == ErrorCode::IndexNotFound) =>
            {
                Ok(())
            }
            other => Err(anyhow::anyhow!("deleting index {uid}: {other:?}")),
        }
    }

    /// Names of indexes left behind by builds that never finished.
    pub async fn leftover_builds(&self) -> anyhow::Result<Vec<String>> {
        let prefix = build_prefix(&self.live);
        let mut query = meilisearch_sdk::indexes::IndexesQuery::new(&self.client);
        // A shop has a handful of indexes.
        query.with_limit(1_000);
        let indexes = self.client.get_indexes_with(&query).await?;
        Ok(indexes
            .results
            .into_iter()
            .map(|index| index.uid)
            .filter(|uid| uid.starts_with(&prefix))
            .collect())
    }

    /// Starts sending live changes to `uid` as well.
    pub async fn begin_build(&self, uid: &str) -> anyhow::Result<()> {
        let mut building = self.building.lock().await;
        anyhow::ensure!(building.is_none(), "a rebuild is already running");
        *building = Some(uid.to_owned());
        Ok(())
    }

    /// Stops sending live changes to the index being built (the build failed).
    pub async fn abandon_build(&self) {
        *self.building.lock().await = None;
    }

    /// Swaps the finished build in as the live index, with no live batch in between, and deletes what was
    /// the live index. Returns the documents now live.
    pub async fn finish_build(&self, uid: &str) -> anyhow::Result<u64> {
        let mut building = self.building.lock().await;
        let live_exists = self.documents_in(&self.live).await?.is_some();
        let swap = SwapIndexes {
            indexes: (self.live.clone(), uid.to_owned()),
            // No live index yet: the build simply takes its name.
            rename: (!live_exists).then_some(true),
        };
        let task = self.client.swap_indexes([&swap]).await?;
        self.wait(task).await.context("swapping indexes")?;
        *building = None;
        drop(building);
        if live_exists {
            // After the swap, `uid` holds the previous live documents.
            self.delete_index(uid).await?;
        }
        Ok(self.documents_in(&self.live).await?.unwrap_or(0))
    }
}

/// Builds of `live` are named `<live>_build_<millis>`.
pub fn build_prefix(live: &str) -> String {
    format!("{live}_build_")
}
