//! An import's creation of many products at once: a few multi-row statements per thousand products instead
//! of a save each.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection, Row as _};

use super::{BATCH_ROWS, category_links, json, search_prefixes, write::ProductFields};
use crate::{db::placeholders, domain::ProductStatus};

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
        let linked = category_links(&product.category_paths);
        links.extend(linked.into_iter().map(|(category, direct)| LinkRow {
            category,
            product: id,
            direct,
            created_at,
            from: product,
        }));
        if product.fields.status == ProductStatus::Active {
            let of_product = search_prefixes(&product.fields.name, &product.fields.brand, 0);
            prefixes.extend(
                of_product
                    .into_iter()
                    .map(|(prefix, score)| (prefix, score, id)),
            );
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
