//! Loading many products at once (the importer, the demo seed, benchmarks): batches of products, each batch
//! one transaction with its events, so an interrupted import leaves whole batches and re-running it finishes.

use platform::outbox::OutboxNotifier;
use sqlx::{Connection as _, MySqlPool};

use crate::{
    db::{categories::CategoryCache, products::UpsertCounts},
    domain::NewProduct,
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
