//! Guest carts and their lines, with the price and name the shopper saw when adding each line.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{MySqlConnection, MySqlPool, Row as _};

#[derive(Debug, Clone)]
pub struct Cart {
    pub id: u64,
    pub token: String,
    pub state: String,
    pub currency: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CartItem {
    pub sku: String,
    pub quantity: u32,
    pub unit_price: Decimal,
    pub name: String,
    pub slug: String,
    pub image: Option<String>,
}

/// 256 random bits as hex, from two v4 UUIDs (the OS random generator).
pub fn new_token() -> String {
    let mut token = String::with_capacity(64);
    for _ in 0..2 {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            token.push_str(&format!("{byte:02x}"));
        }
    }
    token
}

pub async fn create(pool: &MySqlPool, currency: &str, ttl: Duration) -> Result<Cart, sqlx::Error> {
    let token = new_token();
    let expires_at = Utc::now() + ttl;
    let result = sqlx::query("INSERT INTO carts (token, currency, expires_at) VALUES (?, ?, ?)")
        .bind(&token)
        .bind(currency)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(Cart {
        id: result.last_insert_id(),
        token,
        state: "open".to_owned(),
        currency: currency.to_owned(),
        expires_at,
    })
}

/// The cart with `token`, unless it expired. `lock` takes a row lock (inside a transaction).
pub async fn by_token(
    conn: &mut MySqlConnection,
    token: &str,
    lock: bool,
) -> Result<Option<Cart>, sqlx::Error> {
    let sql = if lock {
        "SELECT id, token, state, currency, expires_at FROM carts WHERE token = ? AND expires_at > CURRENT_TIMESTAMP(6) FOR UPDATE"
    } else {
        "SELECT id, token, state, currency, expires_at FROM carts WHERE token = ? AND expires_at > CURRENT_TIMESTAMP(6)"
    };
    let row = sqlx::query(sql)
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Cart {
            id: row.try_get("id")?,
            token: row.try_get("token")?,
            state: row.try_get("state")?,
            currency: row.try_get("currency")?,
            expires_at: row.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub async fn items(conn: &mut MySqlConnection, cart_id: u64) -> Result<Vec<CartItem>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT sku, quantity, unit_price, name, slug, image FROM cart_items WHERE cart_id = ? ORDER BY added_at, sku",
    )
    .bind(cart_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CartItem {
                sku: row.try_get("sku")?,
                quantity: row.try_get("quantity")?,
                unit_price: row.try_get("unit_price")?,
                name: row.try_get("name")?,
                slug: row.try_get("slug")?,
                image: row.try_get("image")?,
            })
        })
        .collect()
}

/// Adds a line or replaces its quantity and snapshots.
pub async fn put_item(
    conn: &mut MySqlConnection,
    cart_id: u64,
    item: &CartItem,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cart_items (cart_id, sku, quantity, unit_price, name, slug, image) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE quantity = VALUES(quantity), unit_price = VALUES(unit_price), \
         name = VALUES(name), slug = VALUES(slug), image = VALUES(image)",
    )
    .bind(cart_id)
    .bind(&item.sku)
    .bind(item.quantity)
    .bind(item.unit_price)
    .bind(&item.name)
    .bind(&item.slug)
    .bind(&item.image)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a line; false when there was none.
pub async fn remove_item(
    conn: &mut MySqlConnection,
    cart_id: u64,
    sku: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM cart_items WHERE cart_id = ? AND sku = ?")
        .bind(cart_id)
        .bind(sku)
        .execute(&mut *conn)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Takes the catalog's current price and name as the line's new snapshot (after the shopper was told).
pub async fn refresh_snapshot(
    conn: &mut MySqlConnection,
    cart_id: u64,
    sku: &str,
    unit_price: Decimal,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cart_items SET unit_price = ?, name = ? WHERE cart_id = ? AND sku = ?")
        .bind(unit_price)
        .bind(name)
        .bind(cart_id)
        .bind(sku)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps an active cart alive.
pub async fn touch(
    conn: &mut MySqlConnection,
    cart_id: u64,
    ttl: Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE carts SET updated_at = CURRENT_TIMESTAMP(6), expires_at = ? WHERE id = ?")
        .bind(Utc::now() + ttl)
        .bind(cart_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn mark_converted(conn: &mut MySqlConnection, cart_id: u64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE carts SET state = 'converted', updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(cart_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
