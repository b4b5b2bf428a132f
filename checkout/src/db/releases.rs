//! Stock releases the catalog has not confirmed yet: an attempt that may hold a reservation with no order to
//! show for it (its reserve timed out, or its order could not be written) is written here in the same
//! transaction that gives the cart back, and stays until the catalog answers the release.

use sqlx::{MySqlConnection, MySqlPool};

/// Remembers that the stock of `order_number` must be given back.
pub async fn record(conn: &mut MySqlConnection, order_number: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT IGNORE INTO stock_releases (order_number) VALUES (?)")
        .bind(order_number)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The catalog confirmed the release.
pub async fn done(pool: &MySqlPool, order_number: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM stock_releases WHERE order_number = ?")
        .bind(order_number)
        .execute(pool)
        .await?;
    Ok(())
}

/// The release failed this time; `error` says why (for operators).
pub async fn failed(pool: &MySqlPool, order_number: &str, error: &str) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(255).collect();
    sqlx::query(
        "UPDATE stock_releases SET attempts = attempts + 1, last_error = ?, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE order_number = ?",
    )
    .bind(error)
    .bind(order_number)
    .execute(pool)
    .await?;
    Ok(())
}

/// Releases still to be confirmed, least recently tried first.
pub async fn pending(
    pool: &MySqlPool,
    limit: u32,
) -> Result<Vec<platform::contracts::OrderNumber>, sqlx::Error> {
    sqlx::query_scalar("SELECT order_number FROM stock_releases ORDER BY updated_at LIMIT ?")
        .bind(limit)
        .fetch_all(pool)
        .await
}
