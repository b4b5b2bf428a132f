//! Promotions, their codes and redemptions. Uses are counted by conditional updates inside the order's
//! transaction ([`redeem`]): the promotion's row lock, taken by the first of them, queues every other order
//! redeeming it, so no limit can be passed however many orders race for the last use.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool, Row as _};

use crate::promotions::rules::{Benefit, Promotion, Scope};

const COLUMNS: &str = "id, name, kind, value, scope, min_subtotal, starts_at, ends_at, automatic, \
                       first_order_only, state";

fn promotion(row: &sqlx::mysql::MySqlRow, targets: Vec<String>) -> Result<Promotion, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let value: Option<Decimal> = row.try_get("value")?;
    let decode = |what: &str| sqlx::Error::ColumnDecode {
        index: "kind".to_owned(),
        source: format!("promotion {what}").into(),
    };
    let benefit = match (kind.as_str(), value) {
        ("percent_off", Some(percent)) => Benefit::PercentOff(percent),
        ("amount_off", Some(amount)) => Benefit::AmountOff(amount),
        ("free_shipping", _) => Benefit::FreeShipping,
        _ => return Err(decode("without a value")),
    };
    let scope: String = row.try_get("scope")?;
    let scope = match scope.as_str() {
        "order" => Scope::Order,
        "categories" => Scope::Categories(targets),
        "brands" => Scope::Brands(targets),
        "skus" => Scope::Skus(targets),
        _ => return Err(decode("of an unknown scope")),
    };
    let state: String = row.try_get("state")?;
    Ok(Promotion {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        benefit,
        scope,
        min_subtotal: row.try_get("min_subtotal")?,
        starts_at: row.try_get("starts_at")?,
        ends_at: row.try_get("ends_at")?,
        automatic: row.try_get("automatic")?,
        first_order_only: row.try_get("first_order_only")?,
        active: state == "active",
    })
}

/// The targets of promotion `id` (category slugs, brands or SKUs), in order.
pub(crate) async fn targets_of<'e>(
    executor: impl sqlx::MySqlExecutor<'e>,
    id: u64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT target FROM promotion_targets WHERE promotion_id = ? ORDER BY target",
    )
    .bind(id)
    .fetch_all(executor)
    .await
}

/// The promotions that apply without a code: active, with uses left.
const AUTOMATIC: &str = "automatic AND state = 'active' AND (max_uses IS NULL OR uses < max_uses)";

/// Every active automatic promotion with uses left, and their targets read in one more statement (every
/// cart view, totals preview and order asks).
pub async fn automatic(pool: &MySqlPool) -> Result<Vec<Promotion>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM promotions WHERE {AUTOMATIC} ORDER BY id"
    )))
    .fetch_all(pool)
    .await?;
    let mut targets: HashMap<u64, Vec<String>> = HashMap::new();
    if !rows.is_empty() {
        let listed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT t.promotion_id, t.target FROM promotion_targets t \
             WHERE t.promotion_id IN (SELECT id FROM promotions WHERE {AUTOMATIC}) ORDER BY t.target"
        )))
        .fetch_all(pool)
        .await?;
        for row in &listed {
            targets
                .entry(row.try_get("promotion_id")?)
                .or_default()
                .push(row.try_get("target")?);
        }
    }
    rows.iter()
        .map(|row| {
            let id: u64 = row.try_get("id")?;
            promotion(row, targets.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// A code's promotion, and whether the promotion or the code has no use left (as last counted: the count
/// that decides is [`redeem`]'s, with the order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coded {
    pub promotion: Promotion,
    pub used_up: bool,
}

/// The promotion of `code` (normalised by the caller), whatever its state.
pub async fn by_code(pool: &MySqlPool, code: &str) -> Result<Option<Coded>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.{COLUMNS}, \
         ((p.max_uses IS NOT NULL AND p.uses >= p.max_uses) OR (c.max_uses IS NOT NULL AND c.uses >= c.max_uses)) \
         AS used_up FROM promotion_codes c JOIN promotions p ON p.id = c.promotion_id WHERE c.code = ?"
    )))
    .bind(code)
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) => {
            let id: u64 = row.try_get("id")?;
            Ok(Some(Coded {
                promotion: promotion(&row, targets_of(pool, id).await?)?,
                used_up: row.try_get::<i64, _>("used_up")? != 0,
            }))
        }
        None => Ok(None),
    }
}

/// Whether the shopper (`customer`, or a guest's `email`) has an order that was paid.
pub async fn has_ordered(
    conn: &mut MySqlConnection,
    customer: Option<&str>,
    email: Option<&str>,
) -> Result<bool, sqlx::Error> {
    if customer.is_none() && email.is_none() {
        return Ok(false);
    }
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM orders WHERE (customer_id = ? OR email = ?) \
         AND state IN ('paid', 'processing', 'shipped', 'delivered', 'refunded'))",
    )
    .bind(customer)
    .bind(email)
    .fetch_one(conn)
    .await
    .map(|exists: i64| exists != 0)
}

/// The discounts order `number` got, in the order they were applied.
pub async fn of_order(
    conn: &mut MySqlConnection,
    number: &str,
) -> Result<Vec<platform::contracts::orders::Discount>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name, code, amount, shipping FROM redemptions WHERE order_number = ? ORDER BY id",
    )
    .bind(number)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(platform::contracts::orders::Discount {
                name: row.try_get("name")?,
                code: row.try_get("code")?,
                amount: row.try_get("amount")?,
                shipping: row.try_get("shipping")?,
            })
        })
        .collect()
}

/// Why a use could not be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this promotion has been used up")]
    UsedUp,
    #[error("this code has been used up")]
    CodeUsedUp,
    #[error("this code was already used")]
    CustomerLimit,
}

/// One use of a promotion by an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption<'a> {
    pub promotion_id: u64,
    /// The promotion's name as the shopper saw it.
    pub name: &'a str,
    pub code: Option<&'a str>,
    pub order_number: &'a str,
    /// The account's key, or the email's for a guest (see `promotions::Shopper`).
    pub customer_key: [u8; 32],
    /// The order's email's key: a per-customer limit counts uses under either key.
    pub email_key: [u8; 32],
    /// Off the lines.
    pub amount: Decimal,
    /// Off shipping.
    pub shipping: Decimal,
}

/// Counts one use for the order in its transaction `conn`, or says which limit it would pass; on a refusal
/// the caller rolls the transaction back (a use counted before the refusal goes with it).
pub async fn redeem(
    conn: &mut MySqlConnection,
    redemption: &Redemption<'_>,
) -> Result<Result<(), Refusal>, sqlx::Error> {
    let counted = sqlx::query(
        "UPDATE promotions SET uses = uses + 1 \
         WHERE id = ? AND state = 'active' AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(redemption.promotion_id)
    .execute(&mut *conn)
    .await?;
    if counted.rows_affected() == 0 {
        return Ok(Err(Refusal::UsedUp));
    }
    if let Some(code) = redemption.code {
        let counted = sqlx::query(
            "UPDATE promotion_codes SET uses = uses + 1 \
             WHERE code = ? AND promotion_id = ? AND (max_uses IS NULL OR uses < max_uses)",
        )
        .bind(code)
        .bind(redemption.promotion_id)
        .execute(&mut *conn)
        .await?;
        if counted.rows_affected() == 0 {
            return Ok(Err(Refusal::CodeUsedUp));
        }
    }
    // The promotion's row is locked by the update above: the customer's other orders queue behind it.
    let limit: Option<u32> =
        sqlx::query_scalar("SELECT max_uses_per_customer FROM promotions WHERE id = ?")
            .bind(redemption.promotion_id)
            .fetch_one(&mut *conn)
            .await?;
    if let Some(limit) = limit {
        let used: i64 = sqlx::query_scalar(
            // A locking read: it sees every use committed before the promotion's lock was granted.
            "SELECT COUNT(*) FROM redemptions WHERE promotion_id = ? AND state = 'held' \
             AND (customer_key = ? OR customer_key = ? OR email_key = ?) FOR UPDATE",
        )
        .bind(redemption.promotion_id)
        .bind(redemption.customer_key.as_slice())
        .bind(redemption.email_key.as_slice())
        .bind(redemption.email_key.as_slice())
        .fetch_one(&mut *conn)
        .await?;
        if used >= i64::from(limit) {
            return Ok(Err(Refusal::CustomerLimit));
        }
    }
    sqlx::query(
        "INSERT INTO redemptions (promotion_id, name, code, order_number, customer_key, email_key, amount, shipping) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(redemption.promotion_id)
    .bind(redemption.name)
    .bind(redemption.code)
    .bind(redemption.order_number)
    .bind(redemption.customer_key.as_slice())
    .bind(redemption.email_key.as_slice())
    .bind(redemption.amount)
    .bind(redemption.shipping)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(()))
}

/// Gives back the uses the order `number` holds (it failed, or was cancelled before shipping); returns how
/// many. Safe to repeat: a redemption is released by the update that finds it held, and only then are the
/// counts lowered.
pub async fn release(conn: &mut MySqlConnection, number: &str) -> Result<u64, sqlx::Error> {
    let held = sqlx::query(
        "SELECT id, promotion_id, code FROM redemptions WHERE order_number = ? AND state = 'held' \
         ORDER BY promotion_id",
    )
    .bind(number)
    .fetch_all(&mut *conn)
    .await?;
    let mut released = 0;
    for row in &held {
        let id: u64 = row.try_get("id")?;
        let promotion: u64 = row.try_get("promotion_id")?;
        let code: Option<String> = row.try_get("code")?;
        let updated = sqlx::query(
            "UPDATE redemptions SET state = 'released', released_at = CURRENT_TIMESTAMP(6) \
             WHERE id = ? AND state = 'held'",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() == 0 {
            continue;
        }
        released += 1;
        sqlx::query("UPDATE promotions SET uses = uses - 1 WHERE id = ? AND uses > 0")
            .bind(promotion)
            .execute(&mut *conn)
            .await?;
        if let Some(code) = code {
            sqlx::query("UPDATE promotion_codes SET uses = uses - 1 WHERE code = ? AND uses > 0")
                .bind(code)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(released)
}
