//! Queries about signed-in customers' orders: their history, claiming guest orders, forgetting them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool, Row as _};

use super::carts::{CART_COLUMNS, Cart, cart_from_row};

/// Which cart to lock.
#[derive(Debug, Clone, Copy)]
pub enum CartKey<'a> {
    /// The customer's current cart (their id).
    Customer(&'a str),
    /// The cart with this token.
    Token(&'a str),
}

/// A cart row and whose it is.
#[derive(Debug, Clone)]
pub struct Owned {
    pub cart: Cart,
    pub customer: Option<String>,
}

/// The cart `key` names (whatever its expiry), locked inside `conn`'s transaction.
pub async fn lock_cart(
    conn: &mut MySqlConnection,
    key: CartKey<'_>,
) -> Result<Option<Owned>, sqlx::Error> {
    let (sql, value) = match key {
        CartKey::Customer(customer) => (
            format!("SELECT {CART_COLUMNS} FROM carts WHERE customer_cart = ? FOR UPDATE"),
            customer,
        ),
        CartKey::Token(token) => (
            format!("SELECT {CART_COLUMNS} FROM carts WHERE token = ? FOR UPDATE"),
            token,
        ),
    };
    // Only the fixed statements above are spliced in.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        Ok(Owned {
            cart: cart_from_row(&row)?,
            customer: row.try_get("customer_id")?,
        })
    })
    .transpose()
}

/// Makes cart `id`, nobody's yet, the customer's current cart. A unique key violation means the customer got
/// another current cart meanwhile.
pub async fn link_cart(
    conn: &mut MySqlConnection,
    id: u64,
    customer: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE carts SET customer_id = ?, customer_cart = ? WHERE id = ? AND customer_id IS NULL",
    )
    .bind(customer)
    .bind(customer)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cart `id` is nobody's any more (it expired).
pub async fn unlink_cart(conn: &mut MySqlConnection, id: u64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE carts SET customer_id = NULL, customer_cart = NULL WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Cart `id`'s lines changed (a merge or a reorder): its lines' version moves and it lives at least until
/// `expires_at`.
pub async fn lines_changed(
    conn: &mut MySqlConnection,
    id: u64,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE carts SET updated_at = CURRENT_TIMESTAMP(6), lines_version = lines_version + 1, \
         expires_at = GREATEST(expires_at, ?) WHERE id = ?",
    )
    .bind(expires_at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes cart `id` and its lines (a guest cart merged into a customer's).
pub async fn delete_cart(conn: &mut MySqlConnection, id: u64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM carts WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One order of a customer's history, without its lines.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: u64,
    pub number: String,
    pub created_at: DateTime<Utc>,
    pub state: String,
    pub total: Decimal,
    pub currency: String,
}

/// The customer's orders before `(created_at, id)` (newest first), `limit` of them.
pub async fn history(
    pool: &MySqlPool,
    customer: &str,
    before: Option<(DateTime<Utc>, u64)>,
    limit: u32,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let rows = match before {
        Some((at, id)) => {
            sqlx::query(
                "SELECT id, number, created_at, state, total, currency FROM orders \
                 WHERE customer_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) \
                 ORDER BY created_at DESC, id DESC LIMIT ?",
            )
            .bind(customer)
            .bind(at)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(
                "SELECT id, number, created_at, state, total, currency FROM orders \
                 WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            )
            .bind(customer)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter()
        .map(|row| {
            Ok(HistoryRow {
                id: row.try_get("id")?,
                number: row.try_get("number")?,
                created_at: row.try_get("created_at")?,
                state: row.try_get("state")?,
                total: row.try_get("total")?,
                currency: row.try_get("currency")?,
            })
        })
        .collect()
}

/// The lines of orders `ids` as `(order id, sku, name, quantity)`, in line order.
pub async fn lines_of(
    pool: &MySqlPool,
    ids: &[u64],
) -> Result<Vec<(u64, String, String, u32)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = sqlx::QueryBuilder::new(
        "SELECT order_id, sku, name, quantity FROM order_items WHERE order_id IN (",
    );
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    query.push(") ORDER BY order_id, line_no");
    query.build_query_as().fetch_all(pool).await
}

/// Whether order `number` is the customer's; its id.
pub async fn order_of(
    conn: &mut MySqlConnection,
    customer: &str,
    number: &str,
) -> Result<Option<u64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM orders WHERE number = ? AND customer_id = ?")
        .bind(number)
        .bind(customer)
        .fetch_optional(conn)
        .await
}

/// Orders placed as a guest with `email` that no customer has (the column's collation ignores letter case).
pub async fn claimable(pool: &MySqlPool, email: &str) -> Result<u64, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE customer_id IS NULL AND email = ?")
            .bind(email)
            .fetch_one(pool)
            .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Gives the customer the guest orders placed with `email`.
pub async fn claim(pool: &MySqlPool, customer: &str, email: &str) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE orders SET customer_id = ? WHERE customer_id IS NULL AND email = ?")
            .bind(customer)
            .bind(email)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

/// Orders of the customer still on their way to them (pending, paid or processing).
pub async fn open_orders(conn: &mut MySqlConnection, customer: &str) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE customer_id = ? \
         AND state IN ('pending', 'paid', 'processing') FOR UPDATE",
    )
    .bind(customer)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Replaces the personal fields of the customer's orders (name, email, street address) and unlinks them;
/// what the books need stays: lines, amounts, country, dates, states.
pub async fn anonymise_orders(
    conn: &mut MySqlConnection,
    customer: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE orders SET email = CONCAT('deleted-', id, '@customers.invalid'), \
         customer_name = 'Deleted customer', address_line1 = '-', address_line2 = NULL, city = '-', \
         region = NULL, postal_code = '-', customer_id = NULL, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE customer_id = ?",
    )
    .bind(customer)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Deletes the customer's carts (an ordered one only loses its link to the order, which keeps its copy).
pub async fn delete_carts(conn: &mut MySqlConnection, customer: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM carts WHERE customer_id = ?")
        .bind(customer)
        .execute(conn)
        .await?
        .rows_affected())
}
