//! A customer's wishlist: the variants they saved, with what they were called when saved.

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub slug: String,
    pub image: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// The customer's wishlist, newest first.
pub async fn list(pool: &MySqlPool, customer: Uuid) -> Result<Vec<Item>, sqlx::Error> {
    sqlx::query_as(
        "SELECT sku, name, slug, image, added_at FROM wishlist_items WHERE customer_id = ? \
         ORDER BY added_at DESC, sku",
    )
    .bind(customer.to_string())
    .fetch_all(pool)
    .await
}

pub async fn count(conn: &mut MySqlConnection, customer: Uuid) -> Result<u64, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wishlist_items WHERE customer_id = ?")
            .bind(customer.to_string())
            .fetch_one(conn)
            .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Saves `item` (a second save of the same SKU refreshes its name, page and picture, and keeps its place).
pub async fn put(
    conn: &mut MySqlConnection,
    customer: Uuid,
    item: &Item,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO wishlist_items (customer_id, sku, name, slug, image) VALUES (?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE name = VALUES(name), slug = VALUES(slug), image = VALUES(image)",
    )
    .bind(customer.to_string())
    .bind(&item.sku)
    .bind(&item.name)
    .bind(&item.slug)
    .bind(&item.image)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn contains(
    conn: &mut MySqlConnection,
    customer: Uuid,
    sku: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT 1 FROM wishlist_items WHERE customer_id = ? AND sku = ?",
    )
    .bind(customer.to_string())
    .bind(sku)
    .fetch_optional(conn)
    .await?
    .is_some())
}

pub async fn delete(pool: &MySqlPool, customer: Uuid, sku: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM wishlist_items WHERE customer_id = ? AND sku = ?")
        .bind(customer.to_string())
        .bind(sku)
        .execute(pool)
        .await?;
    Ok(())
}
