//! The queries behind the admin's stock endpoints (`crate::admin::stock`): finding a variant, recording an
//! adjustment, a variant's stock as the admin sees it, the history of adjustments and the low-stock list. The
//! change of the stock itself goes through `crate::stock` like every other stock change.

use chrono::{DateTime, Utc};
use platform::contracts::{
    Sku,
    catalog_admin::stock::{AdjustmentReason, StockAdjustment, VariantStock},
};
use sqlx::{MySqlConnection, Row as _, mysql::MySqlRow};

/// A variant and its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRef {
    pub variant_id: u32,
    pub product_id: u32,
    pub sku: Sku,
}

/// The variant with `sku`.
pub async fn variant_by_sku(
    conn: &mut MySqlConnection,
    sku: &Sku,
) -> Result<Option<VariantRef>, sqlx::Error> {
    let row = sqlx::query("SELECT id, product_id, sku FROM variants WHERE sku = ?")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(variant_ref).transpose()
}

/// The variant with `id`.
pub async fn variant_by_id(
    conn: &mut MySqlConnection,
    id: u32,
) -> Result<Option<VariantRef>, sqlx::Error> {
    let row = sqlx::query("SELECT id, product_id, sku FROM variants WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(variant_ref).transpose()
}

fn variant_ref(row: &MySqlRow) -> Result<VariantRef, sqlx::Error> {
    Ok(VariantRef {
        variant_id: row.try_get("id")?,
        product_id: row.try_get("product_id")?,
        sku: row.try_get("sku")?,
    })
}

/// Gives a variant without a stock row one with nothing on hand (the stock changes lock existing rows only).
pub async fn ensure_inventory(
    conn: &mut MySqlConnection,
    variant_id: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT IGNORE INTO inventory (variant_id, on_hand, reserved) VALUES (?, 0, 0)")
        .bind(variant_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An adjustment to record.
#[derive(Debug, Clone)]
pub struct NewAdjustment<'a> {
    pub variant: &'a VariantRef,
    pub on_hand_before: u32,
    pub on_hand_after: u32,
    pub reserved: u32,
    pub reason: AdjustmentReason,
    pub note: Option<&'a str>,
    pub staff_id: u64,
    pub staff_email: &'a str,
}

/// Records an adjustment; returns it as stored.
pub async fn record_adjustment(
    conn: &mut MySqlConnection,
    new: &NewAdjustment<'_>,
) -> Result<StockAdjustment, sqlx::Error> {
    let id = sqlx::query(
        "INSERT INTO stock_adjustments (product_id, variant_id, sku, delta, on_hand_before, on_hand_after, \
             reserved, reason, note, staff_id, staff_email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new.variant.product_id)
    .bind(new.variant.variant_id)
    .bind(&new.variant.sku)
    .bind(i64::from(new.on_hand_after) - i64::from(new.on_hand_before))
    .bind(new.on_hand_before)
    .bind(new.on_hand_after)
    .bind(new.reserved)
    .bind(new.reason.as_str())
    .bind(new.note)
    .bind(new.staff_id)
    .bind(new.staff_email)
    .execute(&mut *conn)
    .await?
    .last_insert_id();
    let sql = format!("SELECT {ADJUSTMENT_COLUMNS} FROM stock_adjustments WHERE id = ?");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    adjustment(&row)
}

const ADJUSTMENT_COLUMNS: &str = "id, product_id, variant_id, sku, delta, on_hand_before, on_hand_after, \
     reserved, reason, note, staff_id, staff_email, created_at";

fn adjustment(row: &MySqlRow) -> Result<StockAdjustment, sqlx::Error> {
    let reason: String = row.try_get("reason")?;
    Ok(StockAdjustment {
        id: row.try_get("id")?,
        product_id: row.try_get("product_id")?,
        variant_id: row.try_get("variant_id")?,
        sku: row.try_get("sku")?,
        delta: row.try_get("delta")?,
        on_hand_before: row.try_get("on_hand_before")?,
        on_hand_after: row.try_get("on_hand_after")?,
        reserved: row.try_get("reserved")?,
        reason: AdjustmentReason::from_name(&reason).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "reason".to_owned(),
            source: format!("unknown adjustment reason {reason:?}").into(),
        })?,
        note: row.try_get("note")?,
        staff_id: row.try_get("staff_id")?,
        staff_email: row.try_get("staff_email")?,
        at: row.try_get::<DateTime<Utc>, _>("created_at")?,
    })
}

/// Whose adjustments to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryOf {
    Variant(u32),
    Product(u32),
    Everything,
}

/// Adjustments newest first, older than adjustment `before` (from the newest without it), at most `limit`.
pub async fn history(
    conn: &mut MySqlConnection,
    of: HistoryOf,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<StockAdjustment>, sqlx::Error> {
    let filter = match of {
        HistoryOf::Variant(_) => "variant_id = ? AND",
        HistoryOf::Product(_) => "product_id = ? AND",
        HistoryOf::Everything => "",
    };
    let sql = format!(
        "SELECT {ADJUSTMENT_COLUMNS} FROM stock_adjustments WHERE {filter} id < ? ORDER BY id DESC LIMIT ?"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    match of {
        HistoryOf::Variant(id) | HistoryOf::Product(id) => query = query.bind(id),
        HistoryOf::Everything => {}
    }
    let rows = query
        .bind(before.unwrap_or(u64::MAX))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(adjustment).collect()
}

const STOCK_COLUMNS: &str = "p.id AS product_id, p.name AS product_name, v.id AS variant_id, v.sku, \
     v.option_values, i.on_hand, i.reserved, p.low_stock_threshold";

fn variant_stock(row: &MySqlRow) -> Result<VariantStock, sqlx::Error> {
    let on_hand: u32 = row.try_get("on_hand")?;
    let reserved: u32 = row.try_get("reserved")?;
    let option_values: String = row.try_get("option_values")?;
    Ok(VariantStock {
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        variant_id: row.try_get("variant_id")?,
        sku: row.try_get("sku")?,
        option_values: serde_json::from_str(&option_values).map_err(|err| {
            sqlx::Error::ColumnDecode {
                index: "option_values".to_owned(),
                source: Box::new(err),
            }
        })?,
        on_hand,
        reserved,
        available: on_hand.saturating_sub(reserved),
        low_stock_threshold: row.try_get("low_stock_threshold")?,
    })
}

/// One variant's stock.
pub async fn stock_of(
    conn: &mut MySqlConnection,
    variant_id: u32,
) -> Result<Option<VariantStock>, sqlx::Error> {
    let sql = format!(
        "SELECT {STOCK_COLUMNS} FROM variants v JOIN products p ON p.id = v.product_id \
         JOIN inventory i ON i.variant_id = v.id WHERE v.id = ?"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(variant_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(variant_stock).transpose()
}

/// The low-stock page query: binds the highest threshold, the cursor (available, variant id) twice as
/// `available, available, variant_id`, and the limit. It reads `inventory` by `ix_inventory_available` from the
/// cursor on and stops at the highest threshold any product has, so a page costs its rows plus the variants in
/// that range whose own product's threshold is lower, never a scan of the catalog.
pub fn low_stock_sql() -> String {
    format!(
        "SELECT {STOCK_COLUMNS}, i.available FROM inventory i FORCE INDEX (ix_inventory_available) \
         JOIN variants v ON v.id = i.variant_id JOIN products p ON p.id = v.product_id \
         WHERE i.available <= ? AND (i.available > ? OR (i.available = ? AND i.variant_id > ?)) \
           AND i.available <= p.low_stock_threshold AND p.status <> 'archived' \
         ORDER BY i.available, i.variant_id LIMIT ?"
    )
}

/// Where a low-stock page starts: after the variant with this (available, id).
pub type LowStockCursor = (i64, u32);

/// Variants whose available units are at or below their product's threshold, lowest first, after `after`.
pub async fn low_stock(
    conn: &mut MySqlConnection,
    after: Option<LowStockCursor>,
    limit: u32,
) -> Result<Vec<(VariantStock, LowStockCursor)>, sqlx::Error> {
    let highest: Option<u32> = sqlx::query_scalar("SELECT MAX(low_stock_threshold) FROM products")
        .fetch_one(&mut *conn)
        .await?;
    let Some(highest) = highest else {
        return Ok(Vec::new());
    };
    let (available, variant_id) = after.unwrap_or((i64::MIN, 0));
    let rows = sqlx::query(sqlx::AssertSqlSafe(low_stock_sql()))
        .bind(highest)
        .bind(available)
        .bind(available)
        .bind(variant_id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let stock = variant_stock(row)?;
            let available: i64 = row.try_get("available")?;
            let cursor = (available, stock.variant_id);
            Ok((stock, cursor))
        })
        .collect()
}
