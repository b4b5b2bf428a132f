//! What the catalog publishes: product documents and deletions, written to the outbox in the transaction that
//! changed them (stock events are written by `db::stock`). The relay in `platform::outbox` publishes them.

use platform::contracts::catalog::ProductUpserted;
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
