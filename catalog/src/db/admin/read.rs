//! What the admin reads of products: the rows with their variants and stock, their categories and images, and
//! the checks a save makes first (taken slugs and SKUs, category paths, variants named by orders).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection, Row as _};

use super::BATCH_ROWS;
use crate::{
    db::{placeholders, with_ids},
    domain::ProductStatus,
};

/// A product row as the admin shows and edits it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRow {
    pub id: u32,
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub status: ProductStatus,
    pub price: Decimal,
    pub popularity: u32,
    pub option_names: Vec<String>,
    pub low_stock_threshold: u32,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PRODUCT_COLUMNS: &str = "id, sku, slug, name, description, brand, status, price, popularity, \
     option_names, low_stock_threshold, version, created_at, updated_at";

fn product_from_row(row: &sqlx::mysql::MySqlRow) -> Result<ProductRow, sqlx::Error> {
    Ok(ProductRow {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        brand: row.try_get("brand")?,
        status: ProductStatus::from_name(row.try_get("status")?),
        price: row.try_get("price")?,
        popularity: row.try_get("popularity")?,
        option_names: json_strings(row, "option_names")?,
        low_stock_threshold: row.try_get("low_stock_threshold")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// A JSON array of strings column (MariaDB's JSON is text).
fn json_strings(row: &sqlx::mysql::MySqlRow, column: &str) -> Result<Vec<String>, sqlx::Error> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|err| sqlx::Error::Decode(Box::new(err)))
}

/// The products with `ids`, in no particular order; `lock` takes their rows for the transaction.
pub async fn products(
    conn: &mut MySqlConnection,
    ids: &[u32],
    lock: bool,
) -> Result<Vec<ProductRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql =
        format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id IN ({{ids}}) ORDER BY id{lock}");
    let query = with_ids(&sql, ids);
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter().map(product_from_row).collect()
}

/// The product with `sku` (its own code), locked.
pub async fn product_by_sku(
    conn: &mut MySqlConnection,
    sku: &str,
) -> Result<Option<ProductRow>, sqlx::Error> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE sku = ? FOR UPDATE");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(product_from_row).transpose()
}

/// A variant with its stock.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRow {
    pub id: u32,
    pub product_id: u32,
    pub sku: String,
    pub price: Decimal,
    pub option_values: Vec<String>,
    pub on_hand: u32,
    pub reserved: u32,
}

/// The variants of `product_ids` in display order; `lock` takes their stock rows too.
pub async fn variants(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
    lock: bool,
) -> Result<Vec<VariantRow>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT v.id, v.product_id, v.sku, v.price, v.option_values, \
                CAST(COALESCE(i.on_hand, 0) AS UNSIGNED) AS on_hand, \
                CAST(COALESCE(i.reserved, 0) AS UNSIGNED) AS reserved \
         FROM variants v LEFT JOIN inventory i ON i.variant_id = v.id \
         WHERE v.product_id IN ({{ids}}) ORDER BY v.product_id, v.position, v.id{lock}"
    );
    let query = with_ids(&sql, product_ids);
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(VariantRow {
                id: row.try_get("id")?,
                product_id: row.try_get("product_id")?,
                sku: row.try_get("sku")?,
                price: row.try_get("price")?,
                option_values: json_strings(row, "option_values")?,
                on_hand: narrow(row.try_get("on_hand")?),
                reserved: narrow(row.try_get("reserved")?),
            })
        })
        .collect()
}

/// A count read as BIGINT UNSIGNED, within the INT UNSIGNED columns it comes from.
fn narrow(value: u64) -> u32 {
    value.min(u32::MAX.into()) as u32
}

/// Variant count, units on hand and available per product, over its variants.
pub async fn stock_totals(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<HashMap<u32, (u32, u32, u32)>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = with_ids(
        "SELECT v.product_id, COUNT(*) AS variants, \
                CAST(SUM(COALESCE(i.on_hand, 0)) AS UNSIGNED) AS on_hand, \
                CAST(SUM(GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0)) AS UNSIGNED) AS available \
         FROM variants v LEFT JOIN inventory i ON i.variant_id = v.id \
         WHERE v.product_id IN ({ids}) GROUP BY v.product_id",
        product_ids,
    );
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let count: i64 = row.try_get("variants")?;
            let on_hand: u64 = row.try_get("on_hand")?;
            let available: u64 = row.try_get("available")?;
            Ok((
                row.try_get("product_id")?,
                (
                    count as u32,
                    on_hand.min(u32::MAX.into()) as u32,
                    available.min(u32::MAX.into()) as u32,
                ),
            ))
        })
        .collect()
}

/// The categories each of `product_ids` was put in (not the ancestors added for listings).
pub async fn direct_categories(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<HashMap<u32, Vec<u32>>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = with_ids(
        "SELECT product_id, category_id FROM product_categories \
         WHERE product_id IN ({ids}) AND direct ORDER BY product_id, category_id",
        product_ids,
    );
    let mut by_product: HashMap<u32, Vec<u32>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        by_product
            .entry(row.try_get("product_id")?)
            .or_default()
            .push(row.try_get("category_id")?);
    }
    Ok(by_product)
}

/// An image of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub id: u32,
    pub product_id: u32,
    pub url: String,
    pub alt_text: String,
}

/// The images of `product_ids`, in display order.
pub async fn images(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<Vec<ImageRow>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = with_ids(
        "SELECT id, product_id, url, alt_text FROM product_images \
         WHERE product_id IN ({ids}) ORDER BY product_id, position",
        product_ids,
    );
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(ImageRow {
                id: row.try_get("id")?,
                product_id: row.try_get("product_id")?,
                url: row.try_get("url")?,
                alt_text: row.try_get("alt_text")?,
            })
        })
        .collect()
}

/// Which of `slug` is taken by a product other than `except`.
pub async fn slug_taken(
    conn: &mut MySqlConnection,
    slug: &str,
    except: Option<u32>,
) -> Result<bool, sqlx::Error> {
    let found: Option<u32> = sqlx::query_scalar("SELECT id FROM products WHERE slug = ?")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some_and(|id| Some(id) != except))
}

/// The product each of `skus` belongs to, among variants and products' own codes.
pub async fn sku_owners(
    conn: &mut MySqlConnection,
    skus: &[&str],
) -> Result<HashMap<String, u32>, sqlx::Error> {
    let mut owners = HashMap::new();
    for chunk in skus.chunks(BATCH_ROWS) {
        let list = placeholders(chunk.len());
        let sql = format!(
            "SELECT sku, product_id FROM variants WHERE sku IN ({list}) \
             UNION SELECT sku, id FROM products WHERE sku IN ({list})"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for _ in 0..2 {
            for sku in chunk {
                query = query.bind(*sku);
            }
        }
        for row in query.fetch_all(&mut *conn).await? {
            owners.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(owners)
}

/// Which of `ids` are categories, with their path of ids from the root (inclusive).
pub async fn category_paths(
    conn: &mut MySqlConnection,
    ids: &[u32],
) -> Result<HashMap<u32, Vec<u32>>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = with_ids("SELECT id, path FROM categories WHERE id IN ({ids})", ids);
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let path: String = row.try_get("path")?;
            Ok((
                row.try_get("id")?,
                path.split('/').filter_map(|id| id.parse().ok()).collect(),
            ))
        })
        .collect()
}

/// Whether order history (a reservation line, whatever its state) names the variant.
pub async fn variant_in_orders(conn: &mut MySqlConnection, id: u32) -> Result<bool, sqlx::Error> {
    let found: Option<u32> =
        sqlx::query_scalar("SELECT variant_id FROM reservation_lines WHERE variant_id = ? LIMIT 1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}
