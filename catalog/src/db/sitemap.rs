//! What the sitemap lists: active products by id range, and every category.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

/// The id ranges ("chunks" of `chunk` ids: ids `n * chunk + 1 ..= (n + 1) * chunk`) that hold an active product,
/// ascending.
pub async fn product_chunks(pool: &MySqlPool, chunk: u32) -> Result<Vec<u32>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT CAST((id - 1) DIV ? AS UNSIGNED) AS n FROM products WHERE status = 'active' ORDER BY n",
    )
    .bind(chunk)
    .fetch_all(pool)
    .await
    .map(|chunks: Vec<u64>| {
        chunks
            .into_iter()
            .filter_map(|n| u32::try_from(n).ok())
            .collect()
    })
}

/// The slug and last change of every active product in chunk `n`, by id.
pub async fn products_in_chunk(
    pool: &MySqlPool,
    chunk: u32,
    n: u32,
) -> Result<Vec<(String, DateTime<Utc>)>, sqlx::Error> {
    let first = u64::from(n) * u64::from(chunk) + 1;
    let last = first + u64::from(chunk) - 1;
    sqlx::query_as(
        "SELECT slug, updated_at FROM products WHERE id BETWEEN ? AND ? AND status = 'active' ORDER BY id",
    )
    .bind(first)
    .bind(last)
    .fetch_all(pool)
    .await
}

/// The slug of every category, parents first.
pub async fn category_slugs(pool: &MySqlPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM categories ORDER BY depth, slug")
        .fetch_all(pool)
        .await
}
