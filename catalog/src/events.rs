//! What the catalog publishes, written to the outbox in the transaction that makes the change (the relay in
//! `platform::outbox` publishes them once it commits): product documents and deletions, and stock changes.

use platform::contracts::{
    Sku,
    catalog::{ProductDeleted, ProductUpserted, StockChanged},
};
use sqlx::MySqlConnection;

use crate::{SERVICE, db};

/// Writes a ProductUpserted event with the current document of each of `ids`.
pub async fn product_upserted(
    conn: &mut MySqlConnection,
    ids: &[u32],
) -> Result<Vec<ProductUpserted>, sqlx::Error> {
    let documents = db::documents::load(conn, ids).await?;
    for document in &documents {
        platform::outbox::enqueue(conn, SERVICE.name, document.clone()).await?;
    }
    Ok(documents)
}

/// Writes a ProductDeleted event: the product with `sku` is gone at `version`.
pub async fn product_deleted(
    conn: &mut MySqlConnection,
    sku: &Sku,
    version: u64,
) -> Result<(), sqlx::Error> {
    let event = ProductDeleted {
        sku: sku.clone(),
        version,
        deleted_at: chrono::Utc::now(),
    };
    platform::outbox::enqueue(conn, SERVICE.name, event).await?;
    Ok(())
}

/// Writes a StockChanged event for one variant, and announces the back-in-stock alerts the change answers
/// ([`crate::alerts`]), in the caller's transaction.
pub async fn stock_changed(
    conn: &mut MySqlConnection,
    event: StockChanged,
) -> Result<(), sqlx::Error> {
    crate::alerts::on_stock_changed(conn, &event).await?;
    platform::outbox::enqueue(conn, SERVICE.name, event).await?;
    Ok(())
}
