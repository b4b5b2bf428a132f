//! Loading many products at once (the importer, the demo seed, benchmarks): batches of products, each batch
//! one transaction with its events, so an interrupted import leaves whole batches and re-running it finishes.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use platform::outbox::OutboxNotifier;
use sqlx::{Connection as _, MySqlPool};

use crate::{
    db::{categories::CategoryCache, products::UpsertCounts},
    domain::{NewProduct, Sku},
    events,
};

/// Products per transaction.
pub const BATCH: usize = 500;

/// Creates or updates `products`; unchanged ones are skipped. Emits ProductUpserted for each change.
pub async fn import(
    pool: &MySqlPool,
    notifier: Option<&OutboxNotifier>,
    products: impl IntoIterator<Item = NewProduct>,
) -> anyhow::Result<UpsertCounts> {
    let mut categories = CategoryCache::default();
    let mut counts = UpsertCounts::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut conn = pool.acquire().await?;
    let mut products = products.into_iter().peekable();
    while products.peek().is_some() {
        batch.clear();
        batch.extend(products.by_ref().take(BATCH));
        let mut tx = conn.begin().await?;
        let (batch_counts, changed) =
            crate::db::products::upsert(&mut tx, &mut categories, &batch).await?;
        events::product_upserted(&mut tx, &changed).await?;
        tx.commit().await?;
        if let Some(notifier) = notifier {
            notifier.notify();
        }
        counts += batch_counts;
    }
    Ok(counts)
}

/// A demo store product's photos, to attach through the images pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPhotos {
    /// The product's SKU (the key of its product events).
    pub sku: Sku,
    /// Image files in display order, in the demo store's `images/` folder.
    pub files: Vec<PathBuf>,
}

/// Loads the demo store in `dir` (`products.json`, see `seed::parse_demo_store`) like [`import`], and returns
/// each product's photos for the caller to attach (the catalog stores images through its images pipeline, not
/// here).
pub async fn import_demo_store(
    pool: &MySqlPool,
    notifier: Option<&OutboxNotifier>,
    dir: &Path,
) -> anyhow::Result<(UpsertCounts, Vec<DemoPhotos>)> {
    let path = dir.join("products.json");
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let demo = crate::seed::parse_demo_store(&bytes, 42)?;
    let photos = demo
        .iter()
        .map(|item| DemoPhotos {
            sku: item.product.sku.clone(),
            files: item
                .photos
                .iter()
                .map(|file| dir.join("images").join(file))
                .collect(),
        })
        .collect();
    let counts = import(pool, notifier, demo.into_iter().map(|item| item.product)).await?;
    Ok((counts, photos))
}
