//! The counts operators and the admin ask for (`rpc.checkout.counts`, see `orders::counts`): plain grouped
//! queries. Orders are counted on their state index; the other two tables stay small (releases are deleted
//! once confirmed, the mock provider's ledger is for development).

use sqlx::{MySqlPool, Row as _};

/// Orders by state (the admin's dashboard shows it too): read from an index on the state alone, never the rows.
pub const ORDERS_BY_STATE_SQL: &str = "SELECT state, COUNT(*) FROM orders GROUP BY state";

/// `(state, count)` of every order state in use.
pub async fn orders_by_state(pool: &MySqlPool) -> Result<Vec<(String, u64)>, sqlx::Error> {
    grouped(pool, ORDERS_BY_STATE_SQL).await
}

/// Orders waiting for staff, by state (the admin's dashboard): a range of the state index per waiting state, so
/// the cost follows the orders that wait, never the whole history.
pub const WAITING_BY_STATE_SQL: &str = "SELECT state, COUNT(*) FROM orders \
     WHERE state IN ('paid', 'processing', 'shipped') GROUP BY state";

/// `(state, count)` of the waiting states that have orders.
pub async fn waiting_by_state(pool: &MySqlPool) -> Result<Vec<(String, u64)>, sqlx::Error> {
    grouped(pool, WAITING_BY_STATE_SQL).await
}

/// `(state, count)` of the mock provider's ledger.
pub async fn charges_by_state(pool: &MySqlPool) -> Result<Vec<(String, u64)>, sqlx::Error> {
    grouped(
        pool,
        "SELECT state, COUNT(*) FROM mockpay_charges GROUP BY state",
    )
    .await
}

/// Stock releases the catalog has not confirmed yet.
pub async fn unconfirmed_releases(pool: &MySqlPool) -> Result<u64, sqlx::Error> {
    let releases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stock_releases")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(releases).unwrap_or_default())
}

/// `(state, count)` rows of a `SELECT state, COUNT(*) ... GROUP BY state`.
async fn grouped(pool: &MySqlPool, sql: &'static str) -> Result<Vec<(String, u64)>, sqlx::Error> {
    sqlx::query(sql)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| {
            let count: i64 = row.try_get(1)?;
            Ok((row.try_get(0)?, u64::try_from(count).unwrap_or_default()))
        })
        .collect()
}
