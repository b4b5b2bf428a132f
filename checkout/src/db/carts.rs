//! Guest carts and their lines, with the price and name the shopper saw when adding each line, and the claim
//! a place-order attempt holds on its cart.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool, Row as _};

use super::Locking;
use crate::domain::CartState;

#[derive(Debug, Clone)]
pub struct Cart {
    pub id: u64,
    pub token: String,
    pub state: CartState,
    /// The order number of the place-order attempt holding the cart (`checking_out`), or that converted it.
    pub checkout_order: Option<String>,
    /// Until when that attempt holds it.
    pub checkout_until: Option<DateTime<Utc>>,
    pub currency: String,
    pub expires_at: DateTime<Utc>,
    /// Bumped by every change of the lines: see [`touch_open`].
    pub lines_version: u32,
    /// The shopper account whose current cart this is.
    pub customer: Option<String>,
    /// The promotion code applied to the cart (normalised), checked again by the totals and place-order.
    pub coupon_code: Option<String>,
}

/// The columns [`Cart`] is read from.
pub(crate) const CART_COLUMNS: &str = "id, token, state, checkout_order, checkout_until, currency, expires_at, \
                                      lines_version, customer_id, coupon_code";

pub(crate) fn cart_from_row(row: &sqlx::mysql::MySqlRow) -> Result<Cart, sqlx::Error> {
    let state: String = row.try_get("state")?;
    Ok(Cart {
        id: row.try_get("id")?,
        token: row.try_get("token")?,
        state: CartState::parse(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".to_owned(),
            source: format!("unknown cart state {state:?}").into(),
        })?,
        checkout_order: row.try_get("checkout_order")?,
        checkout_until: row.try_get("checkout_until")?,
        currency: row.try_get("currency")?,
        expires_at: row.try_get("expires_at")?,
        lines_version: row.try_get("lines_version")?,
        customer: row.try_get("customer_id")?,
        coupon_code: row.try_get("coupon_code")?,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct CartItem {
    pub sku: platform::contracts::Sku,
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
        state: CartState::Open,
        checkout_order: None,
        checkout_until: None,
        currency: currency.to_owned(),
        expires_at,
        lines_version: 0,
        customer: None,
        coupon_code: None,
    })
}

/// The cart with `token`, unless it expired. `lock` takes a row lock (inside a transaction).
pub async fn by_token(
    conn: &mut MySqlConnection,
    token: &str,
    locking: Locking,
) -> Result<Option<Cart>, sqlx::Error> {
    let lock = locking.clause();
    // Only the two fixed strings of `Locking` are spliced in.
    let sql = format!(
        "SELECT {CART_COLUMNS} FROM carts WHERE token = ? AND expires_at > CURRENT_TIMESTAMP(6){lock}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(cart_from_row).transpose()
}

/// The cart with `id` (whatever its expiry), locked inside `conn`'s transaction.
pub async fn lock_by_id(conn: &mut MySqlConnection, id: u64) -> Result<Option<Cart>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CART_COLUMNS} FROM carts WHERE id = ? FOR UPDATE"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(cart_from_row).transpose()
}

pub async fn items(conn: &mut MySqlConnection, cart_id: u64) -> Result<Vec<CartItem>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT sku, quantity, unit_price, name, slug, image FROM cart_items WHERE cart_id = ? ORDER BY added_at, sku",
    )
    .bind(cart_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(item_from_row).collect()
}

fn item_from_row(row: &sqlx::mysql::MySqlRow) -> Result<CartItem, sqlx::Error> {
    Ok(CartItem {
        sku: row.try_get("sku")?,
        quantity: row.try_get("quantity")?,
        unit_price: row.try_get("unit_price")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        image: row.try_get("image")?,
    })
}

/// The cart with `token` (unless it expired) and its lines, in one statement.
pub async fn with_items(
    conn: &mut MySqlConnection,
    token: &str,
) -> Result<Option<(Cart, Vec<CartItem>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.token, c.state, c.checkout_order, c.checkout_until, c.currency, c.expires_at, c.lines_version, \
         c.customer_id, c.coupon_code, i.sku, i.quantity, i.unit_price, i.name, i.slug, i.image \
         FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id \
         WHERE c.token = ? AND c.expires_at > CURRENT_TIMESTAMP(6) ORDER BY i.added_at, i.sku",
    )
    .bind(token)
    .fetch_all(&mut *conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let cart = cart_from_row(first)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        // The outer join's one row of an empty cart has no line.
        if row.try_get::<Option<String>, _>("sku")?.is_some() {
            items.push(item_from_row(row)?);
        }
    }
    Ok(Some((cart, items)))
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
    // The cart's lines version moves with them (see `touch_open`).
    sqlx::query(
        "UPDATE cart_items i JOIN carts c ON c.id = i.cart_id \
         SET i.unit_price = ?, i.name = ?, c.lines_version = c.lines_version + 1 WHERE i.cart_id = ? AND i.sku = ?",
    )
        .bind(unit_price)
        .bind(name)
        .bind(cart_id)
        .bind(sku)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps the open cart `id` alive until `expires_at` and bumps its lines' version, for a change of its lines
/// read at version `seen`, taking its row lock inside `conn`'s transaction. False when the cart is not open
/// (being checked out, converted, or gone) or its lines changed since `seen`, and then nothing changed; true
/// means the lines read at `seen` are current and stay so until the transaction ends.
pub async fn touch_open(
    conn: &mut MySqlConnection,
    id: u64,
    expires_at: DateTime<Utc>,
    seen: u32,
) -> Result<bool, sqlx::Error> {
    let touched = sqlx::query(
        "UPDATE carts SET updated_at = CURRENT_TIMESTAMP(6), expires_at = ?, lines_version = lines_version + 1 \
         WHERE id = ? AND state = 'open' AND lines_version = ?",
    )
    .bind(expires_at)
    .bind(id)
    .bind(seen)
    .execute(&mut *conn)
    .await?;
    Ok(touched.rows_affected() == 1)
}

/// Lets the place-order attempt `number` hold the cart for `lease`, if the cart is open and has payment attempts
/// left in its window, or is already held by that same attempt (a retry after a crash). A single conditional
/// update, so of concurrent attempts exactly one gets the cart; the caller checks the answer.
pub async fn claim(
    conn: &mut MySqlConnection,
    token: &str,
    number: &str,
    lease: StdDuration,
    max_attempts: u32,
    attempts_window: StdDuration,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE carts SET state = 'checking_out', checkout_order = ?, \
         checkout_until = CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE token = ? AND expires_at > CURRENT_TIMESTAMP(6) AND ( \
           (state = 'open' AND (payment_attempts < ? OR attempts_since IS NULL \
                                OR attempts_since <= CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND)) \
           OR (state = 'checking_out' AND checkout_order = ?))",
    )
    .bind(number)
    .bind(micros(lease))
    .bind(token)
    .bind(max_attempts)
    .bind(micros(attempts_window))
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// How long until the cart's payment attempts window lets another attempt in; `None` when it already does.
pub async fn attempts_blocked_for(
    conn: &mut MySqlConnection,
    cart_id: u64,
    max_attempts: u32,
    attempts_window: StdDuration,
) -> Result<Option<StdDuration>, sqlx::Error> {
    let wait: Option<i64> = sqlx::query_scalar(
        "SELECT TIMESTAMPDIFF(MICROSECOND, CURRENT_TIMESTAMP(6), attempts_since + INTERVAL ? MICROSECOND) \
         FROM carts WHERE id = ? AND payment_attempts >= ? AND attempts_since IS NOT NULL",
    )
    .bind(micros(attempts_window))
    .bind(cart_id)
    .bind(max_attempts)
    .fetch_optional(&mut *conn)
    .await?
    .flatten();
    Ok(wait
        .filter(|micros| *micros > 0)
        .map(|micros| StdDuration::from_micros(micros as u64)))
}

/// Counts one payment attempt of attempt `number` on cart `cart_id` (the first of a new window starts it),
/// if that attempt still holds the cart: the update that takes the cart's row lock before the attempt writes
/// its order. False (nothing changed) when it does not hold it any more.
pub async fn hold_for_order(
    conn: &mut MySqlConnection,
    cart_id: u64,
    number: &str,
    attempts_window: StdDuration,
) -> Result<bool, sqlx::Error> {
    // MariaDB applies single-table assignments left to right: `payment_attempts` is computed from the old
    // `attempts_since`, which is moved afterwards.
    let held = sqlx::query(
        "UPDATE carts SET \
           payment_attempts = IF(attempts_since IS NULL OR attempts_since <= CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND, \
                                 1, payment_attempts + 1), \
           attempts_since = IF(attempts_since IS NULL OR attempts_since <= CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND, \
                               CURRENT_TIMESTAMP(6), attempts_since) \
         WHERE id = ? AND state = 'checking_out' AND checkout_order = ?",
    )
    .bind(micros(attempts_window))
    .bind(micros(attempts_window))
    .bind(cart_id)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(held.rows_affected() == 1)
}

/// Gives the cart back to the shopper after attempt `number` ended without an order being paid. A no-op when
/// another attempt holds the cart or it was converted.
pub async fn release_claim(
    conn: &mut MySqlConnection,
    cart_id: u64,
    number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE carts SET state = 'open', checkout_order = NULL, checkout_until = NULL, \
         updated_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND state = 'checking_out' AND checkout_order = ?",
    )
    .bind(cart_id)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets (or with `None` clears) the open cart's promotion code; false when the cart is not open.
pub async fn set_coupon(
    conn: &mut MySqlConnection,
    cart_id: u64,
    code: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE carts SET coupon_code = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND state = 'open'",
    )
    .bind(code)
    .bind(cart_id)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// The attempt `number` paid: the cart is ordered and stays so.
pub async fn convert(
    conn: &mut MySqlConnection,
    cart_id: u64,
    number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE carts SET state = 'converted', customer_cart = NULL, checkout_order = ?, checkout_until = NULL, \
         updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(number)
    .bind(cart_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Carts held by an attempt whose lease ran out more than `grace` ago: (cart id, order number).
pub async fn stale_claims(
    pool: &MySqlPool,
    grace: StdDuration,
    limit: u32,
) -> Result<Vec<(u64, platform::contracts::OrderNumber)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, checkout_order FROM carts WHERE state = 'checking_out' \
         AND checkout_until < CURRENT_TIMESTAMP(6) - INTERVAL ? MICROSECOND ORDER BY checkout_until LIMIT ?",
    )
    .bind(micros(grace))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Deletes up to `limit` carts (and their lines) that expired, except those an attempt holds; returns how many.
pub async fn delete_expired(pool: &MySqlPool, limit: u32) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query(
        "DELETE FROM carts WHERE expires_at < CURRENT_TIMESTAMP(6) AND state <> 'checking_out' LIMIT ?",
    )
    .bind(limit)
    .execute(pool)
    .await?;
    Ok(deleted.rows_affected())
}

fn micros(duration: StdDuration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
