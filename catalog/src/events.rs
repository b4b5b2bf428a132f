//! What the catalog publishes: product documents and deletions, written to the outbox in the transaction that
//! changed them (stock events are written by `db::stock`). The relay in `platform::outbox` publishes them.

use platform::contracts::catalog::{ProductDeleted, ProductUpserted};
use sqlx::MySqlConnection;

use crate::{SERVICE, db, domain::Sku};

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

/// Deletes or archives the product with `sku` and writes the matching event, in the caller's transaction.
pub async fn remove_product(
    conn: &mut MySqlConnection,
    sku: &Sku,
) -> Result<db::products::Removal, sqlx::Error> {
    let removal = db::products::remove(conn, sku.as_str()).await?;
    match removal {
        db::products::Removal::Deleted { version, .. } => {
            let event = ProductDeleted {
                sku: sku.clone(),
                version,
                deleted_at: chrono::Utc::now(),
            };
            platform::outbox::enqueue(conn, SERVICE.name, event).await?;
        }
        db::products::Removal::Archived { id } => {
            product_upserted(conn, &[id]).await?;
        }
        db::products::Removal::NotFound => {}
    }
    Ok(removal)
}
