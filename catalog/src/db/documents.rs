//! Reads products back: as the documents events carry ([`ProductUpserted`]), the snapshot pages of index
//! rebuilds, and what the product page adds (its images).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::contracts::catalog::{CategoryRef, ProductStatus, ProductUpserted, VariantDocument};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection, Row as _};

use super::{placeholders, stock::json_strings};

/// The shop's currency; prices are stored in it.
pub const CURRENCY: &str = "USD";

/// The full documents of `ids` (in no particular order; unknown ids are skipped).
pub async fn load(
    conn: &mut MySqlConnection,
    ids: &[u32],
) -> Result<Vec<ProductUpserted>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(ids.len());
    let sql = format!(
        "SELECT p.id, p.sku, p.slug, p.name, p.description, p.brand, p.status, p.price, p.popularity, \
                p.created_at, p.updated_at, p.version, p.option_names, \
                (SELECT url FROM product_images im WHERE im.product_id = p.id ORDER BY im.position LIMIT 1) AS image \
         FROM products p WHERE p.id IN ({list})"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut categories = categories_of(conn, ids).await?;
    let mut variants = variants_of(conn, ids).await?;

    rows.iter()
        .map(|row| {
            let id: u32 = row.try_get("id")?;
            let (category_path, all) = categories.remove(&id).unwrap_or_default();
            let variants = variants.remove(&id).unwrap_or_default();
            let available = variants
                .iter()
                .fold(0_u32, |sum, variant| sum.saturating_add(variant.available));
            Ok(ProductUpserted {
                sku: row.try_get("sku")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                brand: row.try_get("brand")?,
                status: ProductStatus::from_name(row.try_get("status")?),
                category_path,
                categories: all,
                price: row.try_get::<Decimal, _>("price")?,
                currency: CURRENCY.to_owned(),
                available,
                in_stock: available > 0,
                popularity: row.try_get("popularity")?,
                image: row.try_get("image")?,
                created_at: row.try_get::<DateTime<Utc>, _>("created_at")?,
                updated_at: row.try_get::<DateTime<Utc>, _>("updated_at")?,
                version: row.try_get("version")?,
                option_names: json_strings(row, "option_names")?,
                variants,
            })
        })
        .collect()
}

/// The variants of each product of `ids`, in display order, with their stock.
async fn variants_of(
    conn: &mut MySqlConnection,
    ids: &[u32],
) -> Result<HashMap<u32, Vec<VariantDocument>>, sqlx::Error> {
    let sql = format!(
        "SELECT v.product_id, v.sku, v.option_values, v.price, \
                GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0) AS available \
         FROM variants v LEFT JOIN inventory i ON i.variant_id = v.id \
         WHERE v.product_id IN ({}) ORDER BY v.product_id, v.position",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let mut by_product: HashMap<u32, Vec<VariantDocument>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        let available = row
            .try_get::<i64, _>("available")?
            .clamp(0, i64::from(u32::MAX)) as u32;
        by_product
            .entry(row.try_get("product_id")?)
            .or_default()
            .push(VariantDocument {
                sku: row.try_get("sku")?,
                option_values: json_strings(&row, "option_values")?,
                price: row.try_get("price")?,
                available,
                in_stock: available > 0,
            });
    }
    Ok(by_product)
}

/// The id of the active product with `slug`.
pub async fn active_id_by_slug(
    conn: &mut MySqlConnection,
    slug: &str,
) -> Result<Option<u32>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM products WHERE slug = ? AND status = 'active'")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await
}

/// An image of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub url: String,
    pub alt_text: String,
}

/// Every image of a product, in display order.
pub async fn images(conn: &mut MySqlConnection, id: u32) -> Result<Vec<ImageRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT url, alt_text FROM product_images WHERE product_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ImageRow {
                url: row.try_get("url")?,
                alt_text: row.try_get("alt_text")?,
            })
        })
        .collect()
}

/// Most documents per snapshot page: a page must stay well under NATS's 1 MB message limit.
pub const SNAPSHOT_MAX_PAGE: u32 = 250;

/// The active products after SKU `after` (all from the start without it), at most `limit` of them in SKU
/// order, and the cursor of the next page when there may be more.
pub async fn snapshot(
    conn: &mut MySqlConnection,
    after: Option<&str>,
    limit: u32,
) -> Result<(Vec<ProductUpserted>, Option<String>), sqlx::Error> {
    let limit = limit.clamp(1, SNAPSHOT_MAX_PAGE);
    let ids: Vec<(u32, String)> = sqlx::query_as(
        "SELECT id, sku FROM products WHERE status = 'active' AND sku > ? ORDER BY sku LIMIT ?",
    )
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let next = (ids.len() == limit as usize)
        .then(|| ids.last().map(|(_, sku)| sku.clone()))
        .flatten();
    let ids: Vec<u32> = ids.into_iter().map(|(id, _)| id).collect();
    let mut documents = load(conn, &ids).await?;
    documents.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok((documents, next))
}

/// Per product: its main category path (the deepest category it was put in, root first) and every category
/// it is in, ancestors included.
async fn categories_of(
    conn: &mut MySqlConnection,
    ids: &[u32],
) -> Result<HashMap<u32, (Vec<CategoryRef>, Vec<CategoryRef>)>, sqlx::Error> {
    let sql = format!(
        "SELECT pc.product_id, pc.direct, c.id, c.slug, c.name, c.path, c.depth \
         FROM product_categories pc JOIN categories c ON c.id = pc.category_id \
         WHERE pc.product_id IN ({}) ORDER BY pc.product_id, c.depth, c.id",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;

    struct Linked {
        id: u32,
        direct: bool,
        depth: u8,
        path: String,
        category: CategoryRef,
    }
    let mut by_product: HashMap<u32, Vec<Linked>> = HashMap::new();
    for row in &rows {
        let depth: u8 = row.try_get("depth")?;
        by_product
            .entry(row.try_get("product_id")?)
            .or_default()
            .push(Linked {
                id: row.try_get("id")?,
                direct: row.try_get("direct")?,
                depth,
                path: row.try_get("path")?,
                category: CategoryRef {
                    slug: row.try_get("slug")?,
                    name: row.try_get("name")?,
                    depth: Some(depth),
                },
            });
    }
    Ok(by_product
        .into_iter()
        .map(|(product_id, linked)| {
            let main = linked
                .iter()
                .filter(|l| l.direct)
                .max_by_key(|l| (l.depth, std::cmp::Reverse(l.id)));
            let path = main
                .map(|main| {
                    main.path
                        .split('/')
                        .filter_map(|id| id.parse::<u32>().ok())
                        .filter_map(|id| {
                            linked
                                .iter()
                                .find(|l| l.id == id)
                                .map(|l| l.category.clone())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let all = linked.into_iter().map(|l| l.category).collect();
            (product_id, (path, all))
        })
        .collect())
}
