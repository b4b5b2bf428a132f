//! The writes of a save: the product's fields, its variants and their stock, and `refresh_product`, which
//! rewrites what a product copies from its variants, its category links and its search prefixes.

use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection};

use super::{category_links, json, read::products, search_prefixes};
use crate::domain::ProductStatus;

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
        available = crate::db::products::AVAILABLE_OF_P
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

    sqlx::query("DELETE FROM product_categories WHERE product_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (category, direct) in category_links(categories) {
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
        let rows = search_prefixes(&product.name, &product.brand, product.popularity);
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
