//! Orders, their lines, payments and state history.

use chrono::{DateTime, Utc};
use platform::contracts::{
    Email, OrderNumber,
    orders::{Address, Discount, OrderLine},
};
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, Row as _};

use super::Locking;
use crate::domain::{
    OrderState, PaymentState, PaymentStatus, ShippingMethod, StockSettlement, Totals, Who,
};

/// Everything stored about a new order.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub number: &'a OrderNumber,
    pub lookup_token_hash: &'a [u8; 32],
    pub cart_id: u64,
    pub email: &'a Email,
    pub customer_name: &'a str,
    pub address: &'a Address,
    pub shipping_method: ShippingMethod,
    pub totals: Totals,
    pub currency: &'a str,
    pub lines: &'a [OrderLine],
    /// Its `created_at` (and first `updated_at`), to the microsecond as stored.
    pub created_at: DateTime<Utc>,
}

/// Inserts the order (pending), its lines and its first history entry; returns the order as written, without
/// reading it back.
pub async fn insert(
    conn: &mut MySqlConnection,
    order: &NewOrder<'_>,
) -> Result<Order, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO orders (number, lookup_token_hash, cart_id, email, customer_name, address_line1, address_line2, \
         city, region, postal_code, country, shipping_method, subtotal, discount, shipping, tax, total, currency, \
         state, created_at, updated_at, customer_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, \
         (SELECT customer_id FROM carts WHERE id = ?))",
    )
    .bind(order.number)
    .bind(&order.lookup_token_hash[..])
    .bind(order.cart_id)
    .bind(order.email)
    .bind(order.customer_name)
    .bind(&order.address.line1)
    .bind(&order.address.line2)
    .bind(&order.address.city)
    .bind(&order.address.region)
    .bind(&order.address.postal_code)
    .bind(&order.address.country)
    .bind(order.shipping_method.as_str())
    .bind(order.totals.subtotal)
    .bind(order.totals.discount)
    .bind(order.totals.shipping)
    .bind(order.totals.tax)
    .bind(order.totals.total)
    .bind(order.currency)
    .bind(order.created_at)
    .bind(order.created_at)
    .bind(order.cart_id)
    .execute(&mut *conn)
    .await?;
    let order_id = result.last_insert_id();
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO order_items (order_id, line_no, sku, name, unit_price, quantity, line_total, discount) ",
    );
    insert.push_values(order.lines.iter().enumerate(), |mut row, (i, line)| {
        row.push_bind(order_id)
            .push_bind(i as u16 + 1)
            .push_bind(&line.sku)
            .push_bind(&line.name)
            .push_bind(line.unit_price)
            .push_bind(line.quantity)
            .push_bind(line.line_total)
            .push_bind(line.discount);
    });
    insert.build().execute(&mut *conn).await?;
    record_history(
        conn,
        order_id,
        None,
        OrderState::Pending,
        None,
        &Who::Shopper,
    )
    .await?;
    Ok(Order {
        id: order_id,
        number: order.number.clone(),
        lookup_token_hash: order.lookup_token_hash.to_vec(),
        cart_id: Some(order.cart_id),
        email: order.email.clone(),
        customer_name: order.customer_name.to_owned(),
        shipping_address: order.address.clone(),
        shipping_method: order.shipping_method.as_str().to_owned(),
        subtotal: order.totals.subtotal,
        discount: order.totals.discount,
        // The caller adds them once their uses are counted.
        discounts: Vec::new(),
        shipping: order.totals.shipping,
        tax: order.totals.tax,
        total: order.totals.total,
        currency: order.currency.to_owned(),
        // The columns' defaults.
        state: OrderState::Pending,
        version: 1,
        payment_status: PaymentStatus::Pending,
        refunded_total: Decimal::ZERO,
        stock_settled: false,
        created_at: order.created_at,
        updated_at: order.created_at,
        lines: order.lines.to_vec(),
    })
}

pub async fn record_history(
    conn: &mut MySqlConnection,
    order_id: u64,
    from: Option<OrderState>,
    to: OrderState,
    reason: Option<&str>,
    by: &Who,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_state_history (order_id, from_state, to_state, reason, actor) VALUES (?, ?, ?, ?, ?)",
    )
        .bind(order_id)
        .bind(from.map(OrderState::as_str))
        .bind(to.as_str())
        .bind(reason)
        .bind(who_stored(by))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How `actor` columns store who did something: `shopper`, `system`, or the staff member's email.
pub fn who_stored(who: &Who) -> &str {
    match who {
        Who::Shopper => "shopper",
        Who::System => "system",
        Who::Staff(email) => email,
    }
}

/// Who an `actor` column names (anything but the two words is a staff email).
pub fn who_of(stored: String) -> Who {
    match stored.as_str() {
        "shopper" => Who::Shopper,
        "system" => Who::System,
        _ => Who::Staff(stored),
    }
}

/// Sets the state (the caller checked the transition under the row lock), bumping the order's version, and
/// whether the catalog has settled the order's stock.
pub async fn set_state(
    conn: &mut MySqlConnection,
    order_id: u64,
    state: OrderState,
    stock: StockSettlement,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET state = ?, stock_settled = ?, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE id = ?")
        .bind(state.as_str())
        .bind(stock == StockSettlement::Settled)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the order `number` out of `pending` to `state`, its money to `payment`, at `now`: the update that
/// takes the order's row lock for its outcome. False (nothing changed) when it was no longer pending.
pub async fn finish_pending(
    conn: &mut MySqlConnection,
    number: &str,
    (state, payment, stock_settled): (OrderState, PaymentStatus, bool),
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE orders SET state = ?, payment_status = ?, stock_settled = ?, version = version + 1, \
         updated_at = ? WHERE number = ? AND state = 'pending'",
    )
    .bind(state.as_str())
    .bind(payment.as_str())
    .bind(stock_settled)
    .bind(now)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(moved.rows_affected() == 1)
}

pub async fn mark_stock_settled(
    conn: &mut MySqlConnection,
    number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET stock_settled = TRUE WHERE number = ?")
        .bind(number)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records the charge of order `order_id` with its outcome (`state`, and the provider's `error`), written once
/// by the transaction that moves the order out of `pending`. An order left pending by an older version already
/// has its charge's row (then `pending`): it is updated instead.
pub async fn record_charge(
    conn: &mut MySqlConnection,
    order_id: u64,
    (provider, reference): (&str, &str),
    (amount, currency): (Decimal, &str),
    state: PaymentState,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payments (order_id, provider, reference, amount, currency, state, error) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE state = VALUES(state), error = VALUES(error), updated_at = CURRENT_TIMESTAMP(6)",
    )
    .bind(order_id)
    .bind(provider)
    .bind(reference)
    .bind(amount)
    .bind(currency)
    .bind(state.as_str())
    .bind(error)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An order as stored, with its lines.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub number: OrderNumber,
    pub lookup_token_hash: Vec<u8>,
    /// The cart it was placed from, until that cart expires and is deleted.
    pub cart_id: Option<u64>,
    pub email: Email,
    pub customer_name: String,
    pub shipping_address: Address,
    pub shipping_method: String,
    pub subtotal: Decimal,
    /// Taken off the lines by promotions.
    pub discount: Decimal,
    /// Each promotion the order got (its uses may since have been released).
    pub discounts: Vec<Discount>,
    /// Charged for shipping.
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub currency: String,
    pub state: OrderState,
    /// Bumped by every change of the order.
    pub version: u64,
    pub payment_status: PaymentStatus,
    /// Every refund so far.
    pub refunded_total: Decimal,
    pub stock_settled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lines: Vec<OrderLine>,
}

/// The order with `number`, its row locked when asked (inside a transaction). One statement: the order's
/// columns come with each of its lines.
pub async fn by_number(
    conn: &mut MySqlConnection,
    number: &str,
    locking: Locking,
) -> Result<Option<Order>, sqlx::Error> {
    let sql = match locking {
        Locking::None => BY_NUMBER_SQL.to_owned(),
        Locking::ForUpdate => format!("{BY_NUMBER_SQL} FOR UPDATE"),
    };
    // Only the fixed statement and clause above are spliced in.
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .fetch_all(&mut *conn)
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let mut lines = Vec::with_capacity(rows.len());
    for line in &rows {
        // An order always has lines; the outer join only keeps one that lost them readable.
        let Some(sku) = line.try_get("line_sku")? else {
            continue;
        };
        lines.push(OrderLine {
            sku,
            name: line.try_get("line_name")?,
            unit_price: line.try_get("line_unit_price")?,
            quantity: line.try_get("line_quantity")?,
            line_total: line.try_get("line_total")?,
            discount: line.try_get("line_discount")?,
        });
    }
    Ok(Some(Order {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        lookup_token_hash: row.try_get("lookup_token_hash")?,
        cart_id: row.try_get("cart_id")?,
        email: row.try_get("email")?,
        customer_name: row.try_get("customer_name")?,
        shipping_address: Address {
            line1: row.try_get("address_line1")?,
            line2: row.try_get("address_line2")?,
            city: row.try_get("city")?,
            region: row.try_get("region")?,
            postal_code: row.try_get("postal_code")?,
            country: row.try_get("country")?,
        },
        shipping_method: row.try_get("shipping_method")?,
        subtotal: row.try_get("subtotal")?,
        discount: row.try_get("discount")?,
        discounts: super::promotions::of_order(conn, number).await?,
        shipping: row.try_get("shipping")?,
        tax: row.try_get("tax")?,
        total: row.try_get("total")?,
        currency: row.try_get("currency")?,
        state: order_state(row.try_get("state")?)?,
        version: row.try_get("version")?,
        payment_status: payment_status(row.try_get("payment_status")?)?,
        refunded_total: row.try_get("refunded_total")?,
        stock_settled: row.try_get("stock_settled")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        lines,
    }))
}

const BY_NUMBER_SQL: &str = "SELECT o.*, i.sku AS line_sku, i.name AS line_name, i.unit_price AS line_unit_price, \
     i.quantity AS line_quantity, i.line_total, i.discount AS line_discount FROM orders o LEFT JOIN order_items i ON i.order_id = o.id \
     WHERE o.number = ? ORDER BY i.line_no";

/// A stored state; one this version does not know is an error where it is read, not a guess.
pub(crate) fn order_state(stored: &str) -> Result<OrderState, sqlx::Error> {
    OrderState::parse(stored).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "state".to_owned(),
        source: format!("unknown order state {stored:?}").into(),
    })
}

/// A stored payment status, read as strictly as a state.
fn payment_status(stored: &str) -> Result<PaymentStatus, sqlx::Error> {
    PaymentStatus::parse(stored).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "payment_status".to_owned(),
        source: format!("unknown payment status {stored:?}").into(),
    })
}

/// The order's id and lookup token hash: all an order lookup reads before the token is known to be right.
pub async fn lookup_key(
    conn: &mut MySqlConnection,
    number: &str,
) -> Result<Option<(u64, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT id, lookup_token_hash FROM orders WHERE number = ?")
        .bind(number)
        .fetch_optional(&mut *conn)
        .await
}

/// The cart the order `number` was placed from, while that cart exists.
pub async fn cart_of(conn: &mut MySqlConnection, number: &str) -> Result<Option<u64>, sqlx::Error> {
    let cart: Option<Option<u64>> =
        sqlx::query_scalar("SELECT cart_id FROM orders WHERE number = ?")
            .bind(number)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(cart.flatten())
}

/// Why the order's latest payment failed, if it did and the provider said.
pub async fn last_payment_error(
    conn: &mut MySqlConnection,
    order_id: u64,
) -> Result<Option<String>, sqlx::Error> {
    let error: Option<Option<String>> = sqlx::query_scalar(
        "SELECT error FROM payments WHERE order_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(error.flatten())
}

/// Orders whose stock outcome the catalog has not confirmed, with their state and age.
pub async fn unsettled(
    pool: &sqlx::MySqlPool,
    limit: u32,
) -> Result<Vec<(OrderNumber, OrderState, DateTime<Utc>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT number, state, created_at FROM orders WHERE stock_settled = FALSE ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                order_state(row.try_get(1)?)?,
                row.try_get(2)?,
            ))
        })
        .collect()
}
