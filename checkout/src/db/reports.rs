//! The daily sales summaries behind the admin's dashboard and reports (migration 0006): written in the
//! transaction that pays an order, fails its payment or refunds it, read by ranges of days of their primary keys.
//!
//! Days are UTC days. Each write adds to a row with `INSERT … ON DUPLICATE KEY UPDATE`, which takes the row's
//! write lock at once (never a shared lock first, which two transactions could both hold and then deadlock
//! upgrading), so concurrent orders of one day add up one after the other. A transaction touches the day's
//! `sales_daily` row before any `product_sales_daily` row, and those in SKU order, so two of them always take
//! their locks in the same order.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool, Row as _};

/// The units and money of one SKU in one write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDelta<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub units: i64,
    pub revenue: Decimal,
}

/// An order placed on `day` was paid: one more order, its units and its total; its lines per product.
pub async fn record_paid(
    conn: &mut MySqlConnection,
    day: NaiveDate,
    total: Decimal,
    lines: &[ProductDelta<'_>],
) -> Result<(), sqlx::Error> {
    let units: i64 = lines.iter().map(|line| line.units).sum();
    sqlx::query(
        "INSERT INTO sales_daily (day, orders, units, revenue) VALUES (?, 1, ?, ?) \
         ON DUPLICATE KEY UPDATE orders = orders + 1, units = units + VALUES(units), \
         revenue = revenue + VALUES(revenue)",
    )
    .bind(day)
    .bind(units)
    .bind(total)
    .execute(&mut *conn)
    .await?;
    add_to_products(conn, day, lines).await
}

/// The payment of an order placed on `day` failed.
pub async fn record_payment_failure(
    conn: &mut MySqlConnection,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sales_daily (day, payment_failures) VALUES (?, 1) \
         ON DUPLICATE KEY UPDATE payment_failures = payment_failures + 1",
    )
    .bind(day)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `amount` went back to a shopper on `day`; `lines` (negative units and money) are the units refunded by
/// line, taken off the products' rows of `order_day`, the day their order was placed.
pub async fn record_refund(
    conn: &mut MySqlConnection,
    day: NaiveDate,
    amount: Decimal,
    (order_day, lines): (NaiveDate, &[ProductDelta<'_>]),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sales_daily (day, refunds_amount, refunds_count) VALUES (?, ?, 1) \
         ON DUPLICATE KEY UPDATE refunds_amount = refunds_amount + VALUES(refunds_amount), \
         refunds_count = refunds_count + 1",
    )
    .bind(day)
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    add_to_products(conn, order_day, lines).await
}

/// Adds `lines` to the products' rows of `day`, in SKU order (see the module docs); a name replaces the
/// stored one, so a row shows the name a product was last sold under.
async fn add_to_products(
    conn: &mut MySqlConnection,
    day: NaiveDate,
    lines: &[ProductDelta<'_>],
) -> Result<(), sqlx::Error> {
    let mut by_sku: BTreeMap<&str, (&str, i64, Decimal)> = BTreeMap::new();
    for line in lines {
        let entry = by_sku
            .entry(line.sku)
            .or_insert((line.name, 0, Decimal::ZERO));
        entry.1 += line.units;
        entry.2 += line.revenue;
    }
    for (sku, (name, units, revenue)) in by_sku {
        sqlx::query(
            "INSERT INTO product_sales_daily (day, sku, name, units, revenue) VALUES (?, ?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE name = VALUES(name), units = units + VALUES(units), \
             revenue = revenue + VALUES(revenue)",
        )
        .bind(day)
        .bind(sku)
        .bind(name)
        .bind(units)
        .bind(revenue)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The summary rows of days `from` to `to` (both included), in order; days without a row are absent.
pub const SALES_DAYS_SQL: &str = "SELECT day, orders, units, revenue, refunds_amount, refunds_count, \
     payment_failures FROM sales_daily WHERE day BETWEEN ? AND ? ORDER BY day";

/// A day's row of `sales_daily`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRow {
    pub day: NaiveDate,
    pub orders: u64,
    pub units: u64,
    pub revenue: Decimal,
    pub refunds_amount: Decimal,
    pub refunds_count: u64,
    pub payment_failures: u64,
}

pub async fn sales_days(
    conn: &mut MySqlConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayRow>, sqlx::Error> {
    let rows = sqlx::query(SALES_DAYS_SQL)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(DayRow {
                day: row.try_get("day")?,
                orders: row.try_get::<u32, _>("orders")?.into(),
                units: row.try_get::<u32, _>("units")?.into(),
                revenue: row.try_get("revenue")?,
                refunds_amount: row.try_get("refunds_amount")?,
                refunds_count: row.try_get::<u32, _>("refunds_count")?.into(),
                payment_failures: row.try_get::<u32, _>("payment_failures")?.into(),
            })
        })
        .collect()
}

/// What a top-products report ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    Units,
    Revenue,
}

/// The products of days `from` to `to` (both included) added up, best first, ties by SKU; `LIMIT ?`.
/// The name is the one of the latest day (names are at most 255 characters, far inside GROUP_CONCAT's limit).
pub fn top_products_sql(ranking: Ranking) -> &'static str {
    match ranking {
        Ranking::Units => {
            "SELECT sku, SUBSTRING_INDEX(GROUP_CONCAT(name ORDER BY day DESC SEPARATOR '\\n'), '\\n', 1) AS name, \
             CAST(SUM(units) AS SIGNED) AS units, SUM(revenue) AS revenue FROM product_sales_daily \
             WHERE day BETWEEN ? AND ? GROUP BY sku ORDER BY units DESC, revenue DESC, sku LIMIT ?"
        }
        Ranking::Revenue => {
            "SELECT sku, SUBSTRING_INDEX(GROUP_CONCAT(name ORDER BY day DESC SEPARATOR '\\n'), '\\n', 1) AS name, \
             CAST(SUM(units) AS SIGNED) AS units, SUM(revenue) AS revenue FROM product_sales_daily \
             WHERE day BETWEEN ? AND ? GROUP BY sku ORDER BY revenue DESC, units DESC, sku LIMIT ?"
        }
    }
}

/// A product's figures over a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub sku: String,
    pub name: String,
    pub units: i64,
    pub revenue: Decimal,
}

pub async fn top_products(
    conn: &mut MySqlConnection,
    (from, to): (NaiveDate, NaiveDate),
    ranking: Ranking,
    limit: u32,
) -> Result<Vec<ProductRow>, sqlx::Error> {
    let rows = sqlx::query(top_products_sql(ranking))
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ProductRow {
                sku: row.try_get("sku")?,
                name: row.try_get("name")?,
                units: row.try_get("units")?,
                revenue: row.try_get("revenue")?,
            })
        })
        .collect()
}

/// Rebuilds both summaries from the orders, their lines and their refunds, with the backfill statements of the
/// migration that introduced them (after its `-- Backfill` line), in one transaction: for orders written
/// without going through checkout's own paths (`checkout seed-orders`), and to check that the summaries kept
/// as orders are paid and refunded agree with the orders.
pub async fn rebuild(pool: &MySqlPool) -> Result<(), sqlx::Error> {
    let migration = include_str!("../../migrations/0006_sales_reports.sql");
    let (_, backfill) = migration
        .split_once("-- Backfill")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .expect("migration 0006 marks its backfill");
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM sales_daily")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM product_sales_daily")
        .execute(&mut *tx)
        .await?;
    for statement in backfill.split(";\n") {
        let sql: String = statement
            .lines()
            .filter(|line| !line.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if !sql.trim().is_empty() {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}
