//! A product's gallery (`product_images`): stored photos (with a `storage_key`, see migration 0006) and the
//! external URLs imports bring. Positions run from 0 without gaps; the first row is the main photo.

use platform::contracts::catalog_admin::images::ProductImage;
use sqlx::{MySqlConnection, Row as _};

/// One row of a gallery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub id: u32,
    pub position: u16,
    pub url: String,
    pub storage_key: Option<String>,
    pub width: Option<u16>,
    pub height: Option<u16>,
    pub alt_text: String,
}

impl ImageRow {
    /// The URL of one of the photo's sizes; an external image has only its one URL.
    pub fn size_url(&self, size: &str) -> String {
        match &self.storage_key {
            Some(key) => size_url(key, size),
            None => self.url.clone(),
        }
    }

    /// As the admin shows it.
    pub fn to_contract(&self) -> ProductImage {
        ProductImage {
            id: self.id,
            position: self.position,
            alt_text: self.alt_text.clone(),
            thumb: self.size_url("thumb"),
            card: self.size_url("card"),
            large: self.size_url("large"),
            width: self.width.map(u32::from),
            height: self.height.map(u32::from),
            stored: self.storage_key.is_some(),
        }
    }
}

/// Where shoppers get a stored photo's size: the same path as its bucket key, under the catalog's `/images/`.
pub fn size_url(key: &str, size: &str) -> String {
    format!("/images/{key}/{size}.jpg")
}

/// A product's gallery in display order.
pub async fn of_product(
    conn: &mut MySqlConnection,
    product_id: u32,
) -> Result<Vec<ImageRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, position, url, storage_key, width, height, alt_text FROM product_images \
         WHERE product_id = ? ORDER BY position, id",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ImageRow {
                id: row.try_get("id")?,
                position: row.try_get("position")?,
                url: row.try_get("url")?,
                storage_key: row.try_get("storage_key")?,
                width: row.try_get("width")?,
                height: row.try_get("height")?,
                alt_text: row.try_get("alt_text")?,
            })
        })
        .collect()
}

/// A stored photo to append to a gallery.
#[derive(Debug, Clone, Copy)]
pub struct NewStoredImage<'a> {
    pub storage_key: &'a str,
    pub width: u32,
    pub height: u32,
    pub alt_text: &'a str,
}

/// Appends `image` after the last photo of the product; returns its id.
pub async fn append(
    conn: &mut MySqlConnection,
    product_id: u32,
    image: NewStoredImage<'_>,
) -> Result<u32, sqlx::Error> {
    let next: Option<u16> = sqlx::query_scalar(
        "SELECT CAST(MAX(position) + 1 AS UNSIGNED) FROM product_images WHERE product_id = ?",
    )
    .bind(product_id)
    .fetch_one(&mut *conn)
    .await
    .map(|next: Option<u64>| next.map(|n| n as u16))?;
    let id = sqlx::query(
        "INSERT INTO product_images (product_id, url, storage_key, width, height, alt_text, position) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(product_id)
    .bind(size_url(image.storage_key, "card"))
    .bind(image.storage_key)
    .bind(image.width.min(u32::from(u16::MAX)) as u16)
    .bind(image.height.min(u32::from(u16::MAX)) as u16)
    .bind(image.alt_text)
    .bind(next.unwrap_or(0))
    .execute(&mut *conn)
    .await?
    .last_insert_id();
    Ok(id as u32)
}

pub async fn set_alt_text(
    conn: &mut MySqlConnection,
    image_id: u32,
    alt_text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE product_images SET alt_text = ? WHERE id = ?")
        .bind(alt_text)
        .bind(image_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Puts the product's photos in the order of `ids` (every photo of the product, each once).
pub async fn reorder(
    conn: &mut MySqlConnection,
    product_id: u32,
    ids: &[u32],
) -> Result<(), sqlx::Error> {
    // Positions are unique per product and checked row by row: move every row out of the way first.
    sqlx::query("UPDATE product_images SET position = position + 1000 WHERE product_id = ?")
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    for (position, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE product_images SET position = ? WHERE id = ? AND product_id = ?")
            .bind(position as u16)
            .bind(*id)
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes a photo and closes the gap it leaves.
pub async fn delete(
    conn: &mut MySqlConnection,
    image: &ImageRow,
    product_id: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM product_images WHERE id = ?")
        .bind(image.id)
        .execute(&mut *conn)
        .await?;
    // In position order, so each row moves into a place already freed.
    sqlx::query(
        "UPDATE product_images SET position = position - 1 \
         WHERE product_id = ? AND position > ? ORDER BY position",
    )
    .bind(product_id)
    .bind(image.position)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether any product still shows the stored photo `storage_key`.
pub async fn key_in_use(
    conn: &mut MySqlConnection,
    storage_key: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM product_images WHERE storage_key = ? LIMIT 1",
    )
    .bind(storage_key)
    .fetch_one(&mut *conn)
    .await
    .map(|count| count > 0)
}

/// The product's version, its row locked until the transaction ends (every gallery change bumps it).
pub async fn lock_product(
    conn: &mut MySqlConnection,
    product_id: u32,
) -> Result<Option<u64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM products WHERE id = ? FOR UPDATE")
        .bind(product_id)
        .fetch_optional(&mut *conn)
        .await
}

/// Bumps the product's version after a gallery change; returns the new one.
pub async fn bump_version(conn: &mut MySqlConnection, product_id: u32) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE products SET version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(product_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT version FROM products WHERE id = ?")
        .bind(product_id)
        .fetch_one(&mut *conn)
        .await
}

/// The id of the product with `sku`.
pub async fn product_id_by_sku(
    conn: &mut MySqlConnection,
    sku: &str,
) -> Result<Option<u32>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM products WHERE sku = ?")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await
}
