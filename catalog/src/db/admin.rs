//! The queries behind the admin's product endpoints (`crate::admin`): the list (every status, keyset pages),
//! the editable product with its variants and stock, and the writes of a save (product, variants, stock of new
//! variants, category links with their copied listing keys, search prefixes). Values are always bound; only
//! fixed SQL fragments are assembled.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection, Row as _, mysql::MySqlArguments, query::Query};

use super::{placeholders, with_ids};
use crate::{db::products::prefix_score, domain::ProductStatus, text::index_prefixes};

/// A value bound to an assembled statement, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
    Money(Decimal),
    Time(DateTime<Utc>),
}

fn bind_all<'q>(
    mut query: Query<'q, sqlx::MySql, MySqlArguments>,
    args: &'q [Arg],
) -> Query<'q, sqlx::MySql, MySqlArguments> {
    for arg in args {
        query = match arg {
            Arg::Text(text) => query.bind(text.as_str()),
            Arg::Int(int) => query.bind(*int),
            Arg::Money(money) => query.bind(*money),
            Arg::Time(time) => query.bind(*time),
        };
    }
    query
}

/// The column a list is ordered by (then by id, the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Price,
    Updated,
    Created,
    /// Units available, summed over the variants (`products.available`).
    Available,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            Self::Name => "p.name",
            Self::Price => "p.price",
            Self::Updated => "p.updated_at",
            Self::Created => "p.created_at",
            Self::Available => "p.available",
        }
    }
}

/// How much can be sold, against the product's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockFilter {
    Out,
    Low,
    In,
}

/// The text search of the list: candidates from any of these, united.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSearch {
    /// A FULLTEXT boolean query over name and brand (`+trail +run*`).
    pub fulltext: Option<String>,
    /// Products whose name starts with this (words too short for FULLTEXT).
    pub name_prefix: Option<String>,
    /// Product or variant SKUs starting with this.
    pub sku_prefix: Option<String>,
}

/// One page of the admin list, as the statement needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListSpec {
    pub search: Option<TextSearch>,
    pub category: Option<u32>,
    pub brand: Option<String>,
    pub status: Option<ProductStatus>,
    pub stock: Option<StockFilter>,
    pub sort: SortColumn,
    pub descending: bool,
    /// The last row of the previous page: its sort key and id.
    pub after: Option<(Arg, u32)>,
    /// Rows to read: the page size plus one, to know whether there is more.
    pub limit: u32,
}

/// The statement of a list page and its values: `(id, sort_key)` rows in order.
pub fn list_sql(spec: &ListSpec) -> (String, Vec<Arg>) {
    let mut args = Vec::new();
    let mut joins = String::new();
    if let Some(search) = &spec.search {
        let mut branches = Vec::new();
        if let Some(fulltext) = &search.fulltext {
            branches.push(
                "SELECT id FROM products WHERE MATCH (name, brand) AGAINST (? IN BOOLEAN MODE)",
            );
            args.push(Arg::Text(fulltext.clone()));
        }
        if let Some(prefix) = &search.name_prefix {
            branches.push("SELECT id FROM products WHERE name LIKE ?");
            args.push(Arg::Text(format!("{}%", escape_like(prefix))));
        }
        if let Some(prefix) = &search.sku_prefix {
            branches.push("SELECT id FROM products WHERE sku LIKE ?");
            branches.push("SELECT product_id FROM variants WHERE sku LIKE ?");
            let pattern = format!("{}%", escape_like(prefix));
            args.push(Arg::Text(pattern.clone()));
            args.push(Arg::Text(pattern));
        }
        if branches.is_empty() {
            // A search with nothing to look for finds nothing.
            branches.push("SELECT id FROM products WHERE FALSE");
        }
        joins.push_str(&format!(
            " JOIN ({}) m ON m.id = p.id",
            branches.join(" UNION ")
        ));
    }
    let mut conditions = String::new();
    if let Some(status) = spec.status {
        conditions.push_str(" AND p.status = ?");
        args.push(Arg::Text(status.as_str().to_owned()));
    }
    if let Some(brand) = &spec.brand {
        conditions.push_str(" AND p.brand = ?");
        args.push(Arg::Text(brand.clone()));
    }
    if let Some(category) = spec.category {
        // product_categories links every ancestor too: one equality finds the category's whole subtree.
        conditions.push_str(
            " AND EXISTS (SELECT 1 FROM product_categories pc WHERE pc.category_id = ? AND pc.product_id = p.id)",
        );
        args.push(Arg::Int(category.into()));
    }
    match spec.stock {
        // `available` is positive exactly when `in_stock` is set, and a range of its index.
        Some(StockFilter::Out) => conditions.push_str(" AND p.available <= 0"),
        Some(StockFilter::Low) => {
            conditions.push_str(" AND p.available > 0 AND p.available <= p.low_stock_threshold");
        }
        Some(StockFilter::In) => {
            conditions.push_str(" AND p.available > 0 AND p.available > p.low_stock_threshold");
        }
        None => {}
    }
    let column = spec.sort.sql();
    let (compare, direction) = if spec.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((key, id)) = &spec.after {
        conditions.push_str(&format!(
            " AND ({column} {compare} ? OR ({column} = ? AND p.id {compare} ?))"
        ));
        args.push(key.clone());
        args.push(key.clone());
        args.push(Arg::Int((*id).into()));
    }
    args.push(Arg::Int(spec.limit.into()));
    let sql = format!(
        "SELECT p.id, {column} AS sort_key FROM products p{joins} WHERE TRUE{conditions} \
         ORDER BY {column} {direction}, p.id {direction} LIMIT ?"
    );
    (sql, args)
}

/// `%`, `_` and `\` match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The EXPLAIN of a list page's statement, for the index checks of the tests.
pub fn explain<'q>(sql: &'q str, args: &'q [Arg]) -> Query<'q, sqlx::MySql, MySqlArguments> {
    bind_all(sqlx::query(AssertSqlSafe(sql)), args)
}

/// The ids of a list page in order, each with its sort key (read back as the type of the sort column).
pub async fn list_page(
    conn: &mut MySqlConnection,
    spec: &ListSpec,
) -> Result<Vec<(u32, Arg)>, sqlx::Error> {
    let (sql, args) = list_sql(spec);
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &args)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let id: u32 = row.try_get("id")?;
            let key = match spec.sort {
                SortColumn::Name => Arg::Text(row.try_get("sort_key")?),
                SortColumn::Price => Arg::Money(row.try_get("sort_key")?),
                SortColumn::Updated | SortColumn::Created => Arg::Time(row.try_get("sort_key")?),
                SortColumn::Available => Arg::Int(row.try_get::<i32, _>("sort_key")?.into()),
            };
            Ok((id, key))
        })
        .collect()
}

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

/// The fields of a product a save writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFields {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub status: ProductStatus,
    pub option_names: Vec<String>,
    pub low_stock_threshold: u32,
}

fn json(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

/// Inserts a product (its price and stock flag follow from its variants, written next) and returns its id.
pub async fn insert_product(
    conn: &mut MySqlConnection,
    sku: &str,
    fields: &ProductFields,
) -> Result<u32, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO products (sku, slug, name, description, brand, price, status, option_names, \
         low_stock_threshold) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
    )
    .bind(sku)
    .bind(&fields.slug)
    .bind(&fields.name)
    .bind(&fields.description)
    .bind(&fields.brand)
    .bind(fields.status)
    .bind(json(&fields.option_names))
    .bind(fields.low_stock_threshold)
    .execute(&mut *conn)
    .await?;
    Ok(result.last_insert_id() as u32)
}

/// Replaces a product's fields and bumps its version. The content hash is cleared: the product no longer
/// matches what an import last wrote, so re-importing that file applies it again.
pub async fn update_product(
    conn: &mut MySqlConnection,
    id: u32,
    fields: &ProductFields,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products SET slug = ?, name = ?, description = ?, brand = ?, status = ?, option_names = ?, \
         low_stock_threshold = ?, content_hash = 0, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE id = ?",
    )
    .bind(&fields.slug)
    .bind(&fields.name)
    .bind(&fields.description)
    .bind(&fields.brand)
    .bind(fields.status)
    .bind(json(&fields.option_names))
    .bind(fields.low_stock_threshold)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets a product's status and bumps its version.
pub async fn set_status(
    conn: &mut MySqlConnection,
    id: u32,
    status: ProductStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products SET status = ?, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(status)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Bumps a product's version (something of it changed that its row does not hold: links, variants).
pub async fn touch(conn: &mut MySqlConnection, id: u32) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products SET content_hash = 0, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE id = ?",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves a product's variants out of the way of the unique (product, position) and (product, options)
/// keys, so a save can write them in any order (two variants may swap places or option values).
pub async fn park_variants(conn: &mut MySqlConnection, product_id: u32) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE variants SET position = position + 30000, option_values = JSON_ARRAY(CONCAT('~', id)) \
         WHERE product_id = ?",
    )
    .bind(product_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn update_variant(
    conn: &mut MySqlConnection,
    id: u32,
    price: Decimal,
    option_values: &[String],
    position: u16,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE variants SET price = ?, option_values = ?, position = ?, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE id = ?",
    )
    .bind(price)
    .bind(json(option_values))
    .bind(position)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the price of one variant.
pub async fn set_variant_price(
    conn: &mut MySqlConnection,
    id: u32,
    price: Decimal,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE variants SET price = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?")
        .bind(price)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Inserts a variant with its stock row and returns its id.
pub async fn insert_variant(
    conn: &mut MySqlConnection,
    product_id: u32,
    sku: &str,
    price: Decimal,
    option_values: &[String],
    position: u16,
    on_hand: u32,
) -> Result<u32, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO variants (product_id, sku, price, option_values, position) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(product_id)
    .bind(sku)
    .bind(price)
    .bind(json(option_values))
    .bind(position)
    .execute(&mut *conn)
    .await?;
    let id = result.last_insert_id() as u32;
    sqlx::query("INSERT INTO inventory (variant_id, on_hand, reserved) VALUES (?, ?, 0)")
        .bind(id)
        .bind(on_hand)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Sets the units on hand of a variant whose stock row is locked.
pub async fn set_on_hand(
    conn: &mut MySqlConnection,
    variant_id: u32,
    on_hand: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inventory (variant_id, on_hand, reserved) VALUES (?, ?, 0) \
         ON DUPLICATE KEY UPDATE on_hand = VALUES(on_hand), updated_at = CURRENT_TIMESTAMP(6)",
    )
    .bind(variant_id)
    .bind(on_hand)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes a variant and its stock row (the caller checked nothing refers to it).
pub async fn delete_variant(conn: &mut MySqlConnection, id: u32) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM variants WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Recomputes what a product copies from its variants (lowest price, any unit available) and rewrites its
/// category links, the listing keys they copy, and its search prefixes (only active products are searched).
/// `categories` are the categories it was put in, each with its path of ids from the root.
pub async fn refresh_product(
    conn: &mut MySqlConnection,
    id: u32,
    categories: &[Vec<u32>],
) -> Result<(), sqlx::Error> {
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE products p SET \
         p.price = COALESCE((SELECT MIN(v.price) FROM variants v WHERE v.product_id = p.id), 0), \
         p.in_stock = EXISTS (SELECT 1 FROM variants v JOIN inventory i ON i.variant_id = v.id \
                              WHERE v.product_id = p.id AND i.on_hand > i.reserved), \
         p.available = {available} \
         WHERE p.id = ?",
        available = super::products::AVAILABLE_OF_P
    )))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let product = products(conn, &[id], false)
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)?;
    let in_stock: bool = sqlx::query_scalar("SELECT in_stock FROM products WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;

    // The categories it was put in win over the same category reached as an ancestor of another.
    let mut linked: BTreeMap<u32, bool> = BTreeMap::new();
    for path in categories {
        for (depth, category) in path.iter().enumerate() {
            *linked.entry(*category).or_default() |= depth + 1 == path.len();
        }
    }
    sqlx::query("DELETE FROM product_categories WHERE product_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (category, direct) in linked {
        sqlx::query(
            "INSERT INTO product_categories \
             (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(category)
        .bind(id)
        .bind(direct)
        .bind(product.status == ProductStatus::Active)
        .bind(product.price)
        .bind(product.popularity)
        .bind(product.created_at)
        .bind(&product.brand)
        .bind(in_stock)
        .execute(&mut *conn)
        .await?;
    }

    sqlx::query("DELETE FROM search_prefixes WHERE product_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if product.status == ProductStatus::Active {
        let mut name = BTreeSet::new();
        index_prefixes(&product.name, &mut name);
        let mut brand = BTreeSet::new();
        index_prefixes(&product.brand, &mut brand);
        let rows: Vec<(&String, u64)> = name
            .iter()
            .map(|prefix| (prefix, prefix_score(2, product.popularity)))
            .chain(
                brand
                    .difference(&name)
                    .map(|prefix| (prefix, prefix_score(1, product.popularity))),
            )
            .collect();
        for chunk in rows.chunks(1_000) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO search_prefixes (prefix, score, product_id) ");
            insert.push_values(chunk, |mut row, (prefix, score)| {
                row.push_bind(prefix.as_str())
                    .push_bind(*score)
                    .push_bind(id);
            });
            insert.build().execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// A new product as a batch creation writes it: its code, fields (slug decided), the paths of the categories
/// it is put in, and its variants.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProductRow {
    pub sku: String,
    pub fields: ProductFields,
    pub category_paths: Vec<Vec<u32>>,
    pub variants: Vec<NewVariantRow>,
}

/// A variant of a [`NewProductRow`] with its first count of units on hand.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVariantRow {
    pub sku: String,
    pub price: Decimal,
    pub option_values: Vec<String>,
    pub on_hand: u32,
}

/// Rows per multi-row INSERT and ids per IN list, well below MariaDB's 65,535 placeholders per statement.
const BATCH_ROWS: usize = 1_000;

/// Creates many products with their variants, stock, category links and search prefixes in a few statements
/// per thousand products (the caller checked that no SKU or slug is taken). Returns their ids.
pub async fn create_many(
    conn: &mut MySqlConnection,
    products: &[NewProductRow],
) -> Result<Vec<u32>, sqlx::Error> {
    // What a product copies from its variants, computed here instead of re-read.
    let lowest = |product: &NewProductRow| {
        product
            .variants
            .iter()
            .map(|variant| variant.price)
            .min()
            .unwrap_or_default()
    };
    let in_stock = |product: &NewProductRow| product.variants.iter().any(|v| v.on_hand > 0);
    let available = |product: &NewProductRow| {
        product
            .variants
            .iter()
            .map(|v| i64::from(v.on_hand))
            .sum::<i64>()
            .min(i32::MAX.into())
    };
    for chunk in products.chunks(BATCH_ROWS) {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO products (sku, slug, name, description, brand, price, status, option_names, \
             low_stock_threshold, in_stock, available) ",
        );
        insert.push_values(chunk, |mut row, product| {
            row.push_bind(product.sku.as_str())
                .push_bind(product.fields.slug.as_str())
                .push_bind(product.fields.name.as_str())
                .push_bind(product.fields.description.as_str())
                .push_bind(product.fields.brand.as_str())
                .push_bind(lowest(product))
                .push_bind(product.fields.status)
                .push_bind(json(&product.fields.option_names))
                .push_bind(product.fields.low_stock_threshold)
                .push_bind(in_stock(product))
                .push_bind(available(product));
        });
        insert.build().execute(&mut *conn).await?;
    }
    let mut ids: HashMap<String, (u32, DateTime<Utc>)> = HashMap::new();
    for chunk in products.chunks(BATCH_ROWS) {
        let sql = format!(
            "SELECT id, sku, created_at FROM products WHERE sku IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for product in chunk {
            query = query.bind(product.sku.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            ids.insert(
                row.try_get("sku")?,
                (row.try_get("id")?, row.try_get("created_at")?),
            );
        }
    }
    let id_of = |product: &NewProductRow| ids.get(&product.sku).copied();

    let variants: Vec<(u32, u16, &NewVariantRow)> = products
        .iter()
        .filter_map(|product| id_of(product).map(|(id, _)| (id, product)))
        .flat_map(|(id, product)| {
            product
                .variants
                .iter()
                .enumerate()
                .map(move |(position, variant)| (id, position as u16, variant))
        })
        .collect();
    for chunk in variants.chunks(BATCH_ROWS) {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO variants (product_id, sku, price, option_values, position) ",
        );
        insert.push_values(chunk, |mut row, (product_id, position, variant)| {
            row.push_bind(*product_id)
                .push_bind(variant.sku.as_str())
                .push_bind(variant.price)
                .push_bind(json(&variant.option_values))
                .push_bind(*position);
        });
        insert.build().execute(&mut *conn).await?;
        let sql = format!(
            "INSERT INTO inventory (variant_id, on_hand, reserved) \
             SELECT v.id, CASE v.sku {} END, 0 FROM variants v WHERE v.sku IN ({})",
            "WHEN ? THEN ? ".repeat(chunk.len()),
            placeholders(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (_, _, variant) in chunk {
            query = query.bind(variant.sku.as_str()).bind(variant.on_hand);
        }
        for (_, _, variant) in chunk {
            query = query.bind(variant.sku.as_str());
        }
        query.execute(&mut *conn).await?;
    }

    struct LinkRow<'a> {
        category: u32,
        product: u32,
        direct: bool,
        created_at: DateTime<Utc>,
        from: &'a NewProductRow,
    }
    let mut links = Vec::new();
    let mut prefixes: Vec<(String, u64, u32)> = Vec::new();
    for product in products {
        let Some((id, created_at)) = id_of(product) else {
            continue;
        };
        let mut linked: BTreeMap<u32, bool> = BTreeMap::new();
        for path in &product.category_paths {
            for (depth, category) in path.iter().enumerate() {
                *linked.entry(*category).or_default() |= depth + 1 == path.len();
            }
        }
        links.extend(linked.into_iter().map(|(category, direct)| LinkRow {
            category,
            product: id,
            direct,
            created_at,
            from: product,
        }));
        if product.fields.status == ProductStatus::Active {
            let mut name = BTreeSet::new();
            index_prefixes(&product.fields.name, &mut name);
            let mut brand = BTreeSet::new();
            index_prefixes(&product.fields.brand, &mut brand);
            for prefix in &name {
                prefixes.push((prefix.clone(), prefix_score(2, 0), id));
            }
            for prefix in brand.difference(&name) {
                prefixes.push((prefix.clone(), prefix_score(1, 0), id));
            }
        }
    }
    for chunk in links.chunks(BATCH_ROWS) {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO product_categories \
             (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) ",
        );
        insert.push_values(chunk, |mut row, link| {
            row.push_bind(link.category)
                .push_bind(link.product)
                .push_bind(link.direct)
                .push_bind(link.from.fields.status == ProductStatus::Active)
                .push_bind(lowest(link.from))
                .push_bind(0u32)
                .push_bind(link.created_at)
                .push_bind(link.from.fields.brand.as_str())
                .push_bind(in_stock(link.from));
        });
        insert.build().execute(&mut *conn).await?;
    }
    for chunk in prefixes.chunks(BATCH_ROWS * 3) {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO search_prefixes (prefix, score, product_id) ");
        insert.push_values(chunk, |mut row, (prefix, score, id)| {
            row.push_bind(prefix.as_str())
                .push_bind(*score)
                .push_bind(*id);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(products
        .iter()
        .filter_map(|product| id_of(product).map(|(id, _)| id))
        .collect())
}

/// Which of `slugs` products already have.
pub async fn taken_slugs(
    conn: &mut MySqlConnection,
    slugs: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut taken = HashSet::new();
    for chunk in slugs.chunks(BATCH_ROWS) {
        let sql = format!(
            "SELECT slug FROM products WHERE slug IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
        for slug in chunk {
            query = query.bind(slug.as_str());
        }
        taken.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(taken)
}
