//! The product write path: a batch of [`NewProduct`]s becomes products, category links (with ancestors and
//! the listing's sort keys), images, variants with their initial inventory and search prefixes, in the
//! caller's transaction.
//! Unchanged products (same content hash) are skipped, so re-importing a file writes nothing new.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, MySqlConnection, QueryBuilder, Row as _};

use super::{categories::CategoryCache, placeholders};
use crate::{
    domain::{NewProduct, NewVariant, ProductStatus, Sku},
    text::{MAX_PREFIX, index_prefixes},
};

/// What a batch upsert did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpsertCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::ops::AddAssign for UpsertCounts {
    fn add_assign(&mut self, other: Self) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// Rows per multi-row INSERT, below MariaDB's 65,535 placeholders per statement.
const ROWS_PER_INSERT: usize = 5_000;

/// Creates or updates `products` (SKU is the key). Returns the counts and the ids of products that changed,
/// whose events the caller writes to the outbox in the same transaction.
pub async fn upsert(
    conn: &mut MySqlConnection,
    categories: &mut CategoryCache,
    products: &[NewProduct],
) -> Result<(UpsertCounts, Vec<u32>), sqlx::Error> {
    let mut counts = UpsertCounts::default();
    if products.is_empty() {
        return Ok((counts, Vec::new()));
    }
    let skus: Vec<&str> = products.iter().map(|p| p.sku.as_str()).collect();
    let existing = existing_hashes(conn, &skus).await?;
    let changed: Vec<&NewProduct> = products
        .iter()
        .filter(|product| existing.get(product.sku.as_str()) != Some(&product.content_hash()))
        .collect();
    for product in &changed {
        if existing.contains_key(product.sku.as_str()) {
            counts.updated += 1;
        } else {
            counts.created += 1;
        }
    }
    counts.unchanged = products.len() - changed.len();
    if changed.is_empty() {
        return Ok((counts, Vec::new()));
    }

    write_products(conn, &changed).await?;
    let ids = ids_by_sku(conn, &changed).await?;
    let id_list: Vec<u32> = changed.iter().map(|p| ids[p.sku.as_str()].0).collect();

    write_links(conn, categories, &changed, &ids).await?;
    write_images(conn, &changed, &ids).await?;
    write_variants(conn, &changed, &ids).await?;
    refresh_in_stock(conn, &id_list).await?;
    write_search_prefixes(conn, &changed, &ids).await?;
    Ok((counts, id_list))
}

async fn existing_hashes(
    conn: &mut MySqlConnection,
    skus: &[&str],
) -> Result<HashMap<String, u64>, sqlx::Error> {
    let sql = format!(
        "SELECT sku, content_hash FROM products WHERE sku IN ({}) FOR UPDATE",
        placeholders(skus.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in skus {
        query = query.bind(*sku);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("sku")?, row.try_get("content_hash")?)))
        .collect()
}

async fn write_products(
    conn: &mut MySqlConnection,
    products: &[&NewProduct],
) -> Result<(), sqlx::Error> {
    let mut insert = QueryBuilder::new(
        "INSERT INTO products (sku, slug, name, description, brand, price, status, popularity, content_hash, \
         option_names) ",
    );
    insert.push_values(products, |mut row, product| {
        row.push_bind(product.sku.as_str())
            .push_bind(product.slug.as_str())
            .push_bind(&product.name)
            .push_bind(&product.description)
            .push_bind(&product.brand)
            .push_bind(product.price)
            .push_bind(product.status)
            .push_bind(product.popularity)
            .push_bind(product.content_hash())
            .push_bind(json_array(&product.option_names));
    });
    insert.push(
        " ON DUPLICATE KEY UPDATE slug = VALUES(slug), name = VALUES(name), \
         description = VALUES(description), brand = VALUES(brand), price = VALUES(price), \
         status = VALUES(status), popularity = VALUES(popularity), content_hash = VALUES(content_hash), \
         option_names = VALUES(option_names), version = version + 1, updated_at = CURRENT_TIMESTAMP(6)",
    );
    insert.build().execute(&mut *conn).await?;
    Ok(())
}

async fn ids_by_sku(
    conn: &mut MySqlConnection,
    products: &[&NewProduct],
) -> Result<HashMap<String, (u32, DateTime<Utc>)>, sqlx::Error> {
    let sql = format!(
        "SELECT id, sku, created_at FROM products WHERE sku IN ({})",
        placeholders(products.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for product in products {
        query = query.bind(product.sku.as_str());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("sku")?,
                (row.try_get("id")?, row.try_get("created_at")?),
            ))
        })
        .collect()
}

async fn delete_for(
    conn: &mut MySqlConnection,
    table: &str,
    ids: &[u32],
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "DELETE FROM {table} WHERE product_id IN ({})",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

struct Link {
    category_id: u32,
    product_id: u32,
    direct: bool,
}

async fn write_links(
    conn: &mut MySqlConnection,
    categories: &mut CategoryCache,
    products: &[&NewProduct],
    ids: &HashMap<String, (u32, DateTime<Utc>)>,
) -> Result<(), sqlx::Error> {
    let mut links = Vec::new();
    let mut by_product: HashMap<u32, &NewProduct> = HashMap::new();
    for product in products {
        let product_id = ids[product.sku.as_str()].0;
        by_product.insert(product_id, product);
        // direct wins over ancestor when a category is both (one path inside another).
        let mut linked: BTreeMap<u32, bool> = BTreeMap::new();
        for path in &product.category_paths {
            let chain = categories.ensure_path(conn, path).await?;
            for (depth, category_id) in chain.iter().enumerate() {
                let direct = depth + 1 == chain.len();
                *linked.entry(*category_id).or_default() |= direct;
            }
        }
        links.extend(linked.into_iter().map(|(category_id, direct)| Link {
            category_id,
            product_id,
            direct,
        }));
    }
    let product_ids: Vec<u32> = by_product.keys().copied().collect();
    delete_for(conn, "product_categories", &product_ids).await?;
    for chunk in links.chunks(ROWS_PER_INSERT / 2) {
        let mut insert = QueryBuilder::new(
            "INSERT INTO product_categories \
             (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) ",
        );
        insert.push_values(chunk, |mut row, link| {
            let product = by_product[&link.product_id];
            row.push_bind(link.category_id)
                .push_bind(link.product_id)
                .push_bind(link.direct)
                .push_bind(product.status == ProductStatus::Active)
                .push_bind(product.price)
                .push_bind(product.popularity)
                .push_bind(ids[product.sku.as_str()].1)
                .push_bind(&product.brand)
                .push_bind(false);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn write_images(
    conn: &mut MySqlConnection,
    products: &[&NewProduct],
    ids: &HashMap<String, (u32, DateTime<Utc>)>,
) -> Result<(), sqlx::Error> {
    let product_ids: Vec<u32> = products.iter().map(|p| ids[p.sku.as_str()].0).collect();
    // The import's images are external URLs; photos stored by the catalog (uploaded in the admin) stay, and
    // the imported ones follow them.
    let list = placeholders(product_ids.len());
    let mut delete = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM product_images WHERE storage_key IS NULL AND product_id IN ({list})"
    )));
    for id in &product_ids {
        delete = delete.bind(*id);
    }
    delete.execute(&mut *conn).await?;
    let mut next_position = sqlx::query(AssertSqlSafe(format!(
        "SELECT product_id, CAST(MAX(position) + 1 AS UNSIGNED) AS next FROM product_images \
         WHERE product_id IN ({list}) GROUP BY product_id"
    )));
    for id in &product_ids {
        next_position = next_position.bind(*id);
    }
    let kept: HashMap<u32, u64> = next_position
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("product_id")?, row.try_get("next")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let images: Vec<_> = products
        .iter()
        .flat_map(|product| {
            let product_id = ids[product.sku.as_str()].0;
            let first = kept.get(&product_id).copied().unwrap_or(0) as usize;
            product
                .images
                .iter()
                .enumerate()
                .map(move |(position, image)| (product_id, first + position, image))
        })
        .collect();
    for chunk in images.chunks(ROWS_PER_INSERT) {
        let mut insert =
            QueryBuilder::new("INSERT INTO product_images (product_id, url, alt_text, position) ");
        insert.push_values(chunk, |mut row, (product_id, position, image)| {
            row.push_bind(*product_id)
                .push_bind(&image.url)
                .push_bind(&image.alt_text)
                .push_bind(*position as u16);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

fn json_array(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

/// Writes each product's variants: new ones with their initial stock, existing ones (same SKU) with their new
/// values and current stock, and removes those the product no longer has (refused by the database when
/// orders refer to them). A SKU that is another product's variant is refused.
async fn write_variants(
    conn: &mut MySqlConnection,
    products: &[&NewProduct],
    ids: &HashMap<String, (u32, DateTime<Utc>)>,
) -> Result<(), sqlx::Error> {
    let variants: Vec<(u32, NewVariant)> = products
        .iter()
        .flat_map(|product| {
            let product_id = ids[product.sku.as_str()].0;
            product
                .sold_as()
                .into_owned()
                .into_iter()
                .map(move |variant| (product_id, variant))
        })
        .collect();
    let skus: Vec<&str> = variants.iter().map(|(_, v)| v.sku.as_str()).collect();
    for chunk in skus.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT v.sku, p.sku AS product_sku, v.product_id FROM variants v JOIN products p ON p.id = v.product_id \
             WHERE v.sku IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind(*sku);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let sku: String = row.try_get("sku")?;
            let owner: u32 = row.try_get("product_id")?;
            if variants
                .iter()
                .any(|(product_id, v)| v.sku.as_str() == sku && *product_id != owner)
            {
                let product_sku: String = row.try_get("product_sku")?;
                return Err(sqlx::Error::Protocol(format!(
                    "SKU {sku} is already a variant of product {product_sku}"
                )));
            }
        }
    }
    let product_ids: Vec<u32> = products.iter().map(|p| ids[p.sku.as_str()].0).collect();
    // Variants that are gone; then the others' positions out of the way, so that reordering never meets a
    // position still held by the row that gives it up.
    let list = placeholders(product_ids.len());
    let mut gone = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM variants WHERE product_id IN ({list}) AND sku NOT IN ({})",
        placeholders(skus.len())
    )));
    for id in &product_ids {
        gone = gone.bind(*id);
    }
    for sku in &skus {
        gone = gone.bind(*sku);
    }
    gone.execute(&mut *conn).await?;
    let mut aside = sqlx::query(AssertSqlSafe(format!(
        "UPDATE variants SET position = position + 32768 WHERE product_id IN ({list})"
    )));
    for id in &product_ids {
        aside = aside.bind(*id);
    }
    aside.execute(&mut *conn).await?;

    let mut position = HashMap::<u32, u16>::new();
    let rows: Vec<(u32, u16, &NewVariant)> = variants
        .iter()
        .map(|(product_id, variant)| {
            let at = position.entry(*product_id).or_default();
            *at += 1;
            (*product_id, *at - 1, variant)
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT / 2) {
        let mut insert = QueryBuilder::new(
            "INSERT INTO variants (product_id, sku, price, option_values, position) ",
        );
        insert.push_values(chunk, |mut row, (product_id, position, variant)| {
            row.push_bind(*product_id)
                .push_bind(variant.sku.as_str())
                .push_bind(variant.price)
                .push_bind(json_array(&variant.option_values))
                .push_bind(*position);
        });
        insert.push(
            " ON DUPLICATE KEY UPDATE price = VALUES(price), option_values = VALUES(option_values), \
             position = VALUES(position), updated_at = CURRENT_TIMESTAMP(6)",
        );
        insert.build().execute(&mut *conn).await?;
    }
    let mut variant_ids: HashMap<String, u32> = HashMap::new();
    for chunk in skus.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT id, sku FROM variants WHERE sku IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query_as::<_, (u32, String)>(AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind(*sku);
        }
        variant_ids.extend(
            query
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id, sku)| (sku, id)),
        );
    }
    for chunk in variants.chunks(ROWS_PER_INSERT) {
        let mut inventory =
            QueryBuilder::new("INSERT IGNORE INTO inventory (variant_id, on_hand) ");
        inventory.push_values(chunk, |mut row, (_, variant)| {
            row.push_bind(variant_ids[variant.sku.as_str()])
                .push_bind(variant.initial_stock);
        });
        inventory.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Units available of product `p` over its variants, from inventory (`products.available` recomputed).
pub(crate) const AVAILABLE_OF_P: &str = "(SELECT COALESCE(SUM(CAST(i.on_hand AS SIGNED) - CAST(i.reserved AS SIGNED)), 0) \
     FROM variants v JOIN inventory i ON i.variant_id = v.id WHERE v.product_id = p.id)";

/// Recomputes the denormalized `in_stock` flags of products `ids` (any variant with units available) from
/// inventory, on products (with their units available) and their links.
pub async fn refresh_in_stock(conn: &mut MySqlConnection, ids: &[u32]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = placeholders(ids.len());
    let any_available = "EXISTS (SELECT 1 FROM variants v JOIN inventory i ON i.variant_id = v.id \
                         WHERE v.product_id = {id} AND i.on_hand > i.reserved)";
    for sql in [
        format!(
            "UPDATE products p SET p.in_stock = {}, p.available = {AVAILABLE_OF_P} WHERE p.id IN ({list})",
            any_available.replace("{id}", "p.id")
        ),
        format!(
            "UPDATE product_categories pc SET pc.in_stock = {} WHERE pc.product_id IN ({list})",
            any_available.replace("{id}", "pc.product_id")
        ),
    ] {
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Search score: the field weight above popularity, so a name match always ranks above a brand-only one.
pub(crate) fn prefix_score(weight: u64, popularity: u32) -> u64 {
    (weight << 32) | u64::from(popularity)
}

async fn write_search_prefixes(
    conn: &mut MySqlConnection,
    products: &[&NewProduct],
    ids: &HashMap<String, (u32, DateTime<Utc>)>,
) -> Result<(), sqlx::Error> {
    let product_ids: Vec<u32> = products.iter().map(|p| ids[p.sku.as_str()].0).collect();
    delete_for(conn, "search_prefixes", &product_ids).await?;
    let mut rows: Vec<(String, u64, u32)> = Vec::new();
    for product in products
        .iter()
        .filter(|p| p.status == ProductStatus::Active)
    {
        let product_id = ids[product.sku.as_str()].0;
        let mut name = BTreeSet::new();
        index_prefixes(&product.name, &mut name);
        let mut brand = BTreeSet::new();
        index_prefixes(&product.brand, &mut brand);
        for prefix in &name {
            rows.push((
                prefix.clone(),
                prefix_score(2, product.popularity),
                product_id,
            ));
        }
        for prefix in brand.difference(&name) {
            rows.push((
                prefix.clone(),
                prefix_score(1, product.popularity),
                product_id,
            ));
        }
    }
    debug_assert!(
        rows.iter()
            .all(|(prefix, _, _)| prefix.chars().count() <= MAX_PREFIX)
    );
    for chunk in rows.chunks(ROWS_PER_INSERT * 3) {
        let mut insert =
            QueryBuilder::new("INSERT INTO search_prefixes (prefix, score, product_id) ");
        insert.push_values(chunk, |mut row, (prefix, score, product_id)| {
            row.push_bind(prefix)
                .push_bind(*score)
                .push_bind(*product_id);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// What happened to a product asked to be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Gone, with its links, images, stock and search entries; ProductDeleted is due.
    Deleted {
        id: u32,
        version: u64,
    },
    /// Orders reference it, so it was archived instead (no longer listed or sold); ProductUpserted is due.
    Archived {
        id: u32,
    },
    NotFound,
}

/// Deletes the product with `sku`, or archives it when reservations reference it (order history must keep
/// pointing at something).
pub async fn remove(conn: &mut MySqlConnection, sku: &Sku) -> Result<Removal, sqlx::Error> {
    let row = sqlx::query("SELECT id, version FROM products WHERE sku = ? FOR UPDATE")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(Removal::NotFound);
    };
    let id: u32 = row.try_get("id")?;
    let version: u64 = row.try_get("version")?;
    let referenced: Option<u32> = sqlx::query_scalar(
        "SELECT rl.variant_id FROM variants v JOIN reservation_lines rl ON rl.variant_id = v.id \
         WHERE v.product_id = ? LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if referenced.is_some() {
        sqlx::query(
            "UPDATE products SET status = 'archived', version = version + 1, updated_at = CURRENT_TIMESTAMP(6) \
             WHERE id = ?",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE product_categories SET active = FALSE WHERE product_id = ?")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM search_prefixes WHERE product_id = ?")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        return Ok(Removal::Archived { id });
    }
    // Links, images, variants with their inventory and search entries go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM products WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Removal::Deleted {
        id,
        version: version + 1,
    })
}
