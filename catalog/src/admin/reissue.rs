//! Product documents a category rename or move made stale, issued again in the background.
//!
//! Such a change alters the category path of every product under the category, maybe tens of thousands. Bumping
//! their versions and writing their documents inside the command's transaction would hold all of those product
//! rows — which every reserve of those products locks first — for as long as the writing takes (tens of seconds
//! at 25,000 products on a loaded machine). So the command only queues the products (`product_reissues`, in its
//! transaction: nothing is lost, even if the process stops right after), and this worker drains the queue
//! [`BATCH`] products at a time, each batch in its own short transaction: bump the versions, write the documents
//! to the outbox, remove them from the queue. Several replicas share the queue (`SKIP LOCKED`); a batch that
//! fails is rolled back and taken again.
//!
//! Until its batch is done, a product's published document still shows its old category path; the listing
//! does not wait (the command moved its category links itself).
//!
//! Measured on this 2-core machine under a load average of 8 to 12 (debug build, `catalog seed --synthetic`,
//! 87,000 products): moving a root category holding 22,130 of them took 5.3 s (links and queue), then 45
//! batches re-issued the documents in 18 s, the slowest holding its 500 products for 0.63 s. Before the queue,
//! the same kind of move held every one of those products for 35 to 51 s.

use std::{sync::Arc, time::Duration};

use sqlx::MySqlPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::commands::begin;
use crate::{SERVICE, db};

/// Products issued per transaction.
pub const BATCH: u32 = 500;
/// How often an idle worker looks at the queue without being woken (another replica may have queued).
const IDLE_POLL: Duration = Duration::from_secs(2);
/// The pause after a failed batch.
const AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Drains the queue until `shutdown`; `wake` says a command just queued products.
pub async fn run(pool: MySqlPool, wake: Arc<Notify>, shutdown: CancellationToken) {
    loop {
        let pause = match issue_batch(&pool).await {
            Ok(0) => IDLE_POLL,
            Ok(issued) => {
                metrics::counter!("catalog_products_reissued_total").increment(issued as u64);
                continue;
            }
            Err(err) => {
                tracing::warn!(error = %err, "issuing product documents again failed; retrying");
                AFTER_FAILURE
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// Issues one batch of queued products again; how many.
pub async fn issue_batch(pool: &MySqlPool) -> Result<usize, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let mut tx = begin(&mut conn).await?;
    let ids = db::category_admin::take_reissues(&mut tx, BATCH).await?;
    if ids.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    // A product deleted since it was queued is simply not found here.
    db::category_admin::bump_product_versions(&mut tx, &ids).await?;
    let documents = db::documents::load(&mut tx, &ids).await?;
    platform::outbox::enqueue_all(&mut tx, SERVICE.name, documents).await?;
    db::category_admin::done_reissues(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(ids.len())
}
