//! The indexer's own tables: what it last applied per SKU (`indexed_products`) and which settings the live
//! index was built with (`index_builds`).

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, MySqlPool, Row as _};

use crate::changes::Applied;

/// What was applied for each of `skus` that the indexer has seen.
pub async fn applied(
    pool: &MySqlPool,
    skus: &[&str],
) -> Result<HashMap<String, Applied>, sqlx::Error> {
    if skus.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT sku, version, indexed, deleted_at FROM indexed_products WHERE sku IN ({})",
        vec!["?"; skus.len()].join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in skus {
        query = query.bind(*sku);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("sku")?,
                Applied {
                    version: row.try_get("version")?,
                    indexed: row.try_get("indexed")?,
                    deleted_at: row.try_get("deleted_at")?,
                },
            ))
        })
        .collect()
}

/// Rows per INSERT: far below the placeholder limit, and small enough to keep lock times short.
const ROWS_PER_STATEMENT: usize = 500;

/// Records what was applied, in one transaction.
pub async fn remember(pool: &MySqlPool, rows: &[(String, Applied)]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO indexed_products (sku, version, indexed, deleted_at) VALUES {} \
             ON DUPLICATE KEY UPDATE version = VALUES(version), indexed = VALUES(indexed), \
             deleted_at = VALUES(deleted_at)",
            vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (sku, applied) in chunk {
            query = query
                .bind(sku)
                .bind(applied.version)
                .bind(applied.indexed)
                .bind(applied.deleted_at);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// The fingerprint the live index `index` was built with, if it was ever built.
pub async fn built_fingerprint(
    pool: &MySqlPool,
    index: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT fingerprint FROM index_builds WHERE index_name = ?")
        .bind(index)
        .fetch_optional(pool)
        .await
}

/// Records that `index` now holds a build with `fingerprint`.
pub async fn record_build(
    pool: &MySqlPool,
    index: &str,
    fingerprint: &str,
    documents: u64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO index_builds (index_name, fingerprint, documents) VALUES (?, ?, ?) \
         ON DUPLICATE KEY UPDATE fingerprint = VALUES(fingerprint), documents = VALUES(documents), \
         built_at = CURRENT_TIMESTAMP(6)",
    )
    .bind(index)
    .bind(fingerprint)
    .bind(documents)
    .execute(pool)
    .await?;
    Ok(())
}
