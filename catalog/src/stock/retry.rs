//! The transaction every stock change runs in, and its retry policy.

/// Attempts of one stock change before a deadlock or lock timeout is reported as a failure.
pub(super) const ATTEMPTS: u32 = 5;

/// `with_retries!(pool, |conn| change(conn, …))` runs the change (an async call taking
/// `&mut MySqlConnection` and returning `Result<_, StockError>`) in a fresh transaction of the stock's pool
/// (READ COMMITTED, `platform::runtime::read_committed_pool`) and
/// commits it; again, from the start, after a deadlock or lock wait timeout (with a short growing pause). A
/// refusal rolls back and is returned as it is. READ COMMITTED takes no gap locks, so reserves of different
/// orders never block each other's inserts.
///
/// A macro rather than a function taking an async closure: the future of such a closure, generic over the
/// connection's lifetime, cannot be shown to be `Send`, and the NATS endpoints run on every worker thread.
macro_rules! with_retries {
    ($pool:expr, |$conn:ident| $change:expr) => {{
        let pool: &sqlx::MySqlPool = $pool;
        let mut tries = 0;
        loop {
            tries += 1;
            // The stock's own pool: its connections' transactions are READ COMMITTED.
            let mut tx = pool.begin().await?;
            let result = {
                let $conn: &mut sqlx::MySqlConnection = &mut tx;
                $change.await
            };
            match result {
                Ok(done) => {
                    tx.commit().await?;
                    break Ok(done);
                }
                Err(StockError::Database(err))
                    if tries < $crate::stock::retry::ATTEMPTS
                        && $crate::db::is_lock_conflict(&err) =>
                {
                    drop(tx);
                    metrics::counter!("catalog_stock_transaction_retries_total").increment(1);
                    tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(tries)))
                        .await;
                }
                Err(StockError::Database(err)) => break Err(StockError::Database(err)),
                Err(refused) => {
                    tx.rollback().await?;
                    break Err(refused);
                }
            }
        }
    }};
}

pub(super) use with_retries;
