//! Stock queries: inventory rows, reservation headers and lines, and the plain reads behind quotes and early
//! refusals. No decisions here: `crate::stock` runs these in its transactions, in the lock order it documents.

use chrono::{DateTime, Utc};
use platform::contracts::{OrderNumber, Sku, catalog::ReleaseReason};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection, MySqlPool, Row as _};

use super::{is_duplicate_key, placeholders};
use crate::domain::reservation::{State, release_reason_from_db};

/// A product as a quote shows it.
#[derive(Debug, Clone)]
pub struct QuoteRow {
    pub sku: Sku,
    pub slug: String,
    pub name: String,
    pub price: Decimal,
    /// Active, and so for sale.
    pub sellable: bool,
    pub available: u32,
    pub image: Option<String>,
}

/// The products with these SKUs (values that name none are simply not found).
pub async fn quote(pool: &MySqlPool, skus: &[String]) -> Result<Vec<QuoteRow>, sqlx::Error> {
    let sql = format!(
        "SELECT p.sku, p.slug, p.name, p.price, p.status = 'active' AS sellable, \
                GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0) AS available, \
                (SELECT url FROM product_images im WHERE im.product_id = p.id ORDER BY im.position LIMIT 1) AS image \
         FROM products p LEFT JOIN inventory i ON i.product_id = p.id WHERE p.sku IN ({})",
        placeholders(skus.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in skus {
        query = query.bind(sku);
    }
    let rows = query.fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok(QuoteRow {
                sku: row.try_get("sku")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                price: row.try_get("price")?,
                sellable: row.try_get("sellable")?,
                available: row.try_get::<i64, _>("available")?.max(0) as u32,
                image: row.try_get("image")?,
            })
        })
        .collect()
}

/// Units available now per SKU by a plain (non-locking) read, or `None` when `order_number` already has a
/// reservation. SKUs without a product or inventory row are left out.
pub async fn available_unless_reserved<'a>(
    pool: &MySqlPool,
    order_number: &OrderNumber,
    skus: impl ExactSizeIterator<Item = &'a Sku>,
) -> Result<Option<Vec<(Sku, u32)>>, sqlx::Error> {
    let sql = format!(
        "SELECT p.sku, GREATEST(CAST(i.on_hand AS SIGNED) - CAST(i.reserved AS SIGNED), 0) AS available, \
                EXISTS (SELECT 1 FROM reservations r WHERE r.order_number = ?) AS known \
         FROM products p JOIN inventory i ON i.product_id = p.id WHERE p.sku IN ({})",
        placeholders(skus.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(order_number);
    for sku in skus {
        query = query.bind(sku);
    }
    let mut available = Vec::new();
    for row in query.fetch_all(pool).await? {
        if row.try_get::<bool, _>("known")? {
            return Ok(None);
        }
        available.push((
            row.try_get("sku")?,
            row.try_get::<i64, _>("available")?.max(0) as u32,
        ));
    }
    Ok(Some(available))
}

/// A product a reserve asks for, by a plain read.
#[derive(Debug, Clone)]
pub struct ReserveCandidate {
    pub id: u32,
    pub sku: Sku,
    pub sellable: bool,
    pub available: u32,
}

/// The products with these SKUs, read without locks (the latest committed stock).
pub async fn candidates<'a>(
    conn: &mut MySqlConnection,
    skus: impl ExactSizeIterator<Item = &'a Sku>,
) -> Result<Vec<ReserveCandidate>, sqlx::Error> {
    let sql = format!(
        "SELECT p.id, p.sku, p.status = 'active' AS sellable, \
                GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0) AS available \
         FROM products p LEFT JOIN inventory i ON i.product_id = p.id WHERE p.sku IN ({})",
        placeholders(skus.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in skus {
        query = query.bind(sku);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(ReserveCandidate {
                id: row.try_get("id")?,
                sku: row.try_get("sku")?,
                sellable: row.try_get("sellable")?,
                available: row.try_get::<i64, _>("available")?.max(0) as u32,
            })
        })
        .collect()
}

/// The id of the product with `sku`.
pub async fn product_id(conn: &mut MySqlConnection, sku: &Sku) -> Result<Option<u32>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM products WHERE sku = ?")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await
}

/// One product's stock, locked.
#[derive(Debug, Clone)]
pub struct InventoryRow {
    pub product_id: u32,
    pub sku: Sku,
    pub on_hand: u32,
    pub reserved: u32,
    /// The product's version, which stock events carry.
    pub version: u64,
}

/// Locks the inventory rows of `product_ids` in ascending id order (the lock order every stock transaction
/// keeps).
pub async fn lock_inventory(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<Vec<InventoryRow>, sqlx::Error> {
    let mut ids = product_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let sql = format!(
        "SELECT i.product_id, p.sku, i.on_hand, i.reserved, p.version FROM inventory i \
         JOIN products p ON p.id = i.product_id WHERE i.product_id IN ({}) ORDER BY i.product_id FOR UPDATE",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(InventoryRow {
                product_id: row.try_get("product_id")?,
                sku: row.try_get("sku")?,
                on_hand: row.try_get("on_hand")?,
                reserved: row.try_get("reserved")?,
                version: row.try_get("version")?,
            })
        })
        .collect()
}

/// Sets a product's counters (its row locked by [`lock_inventory`]).
pub async fn set_inventory(
    conn: &mut MySqlConnection,
    product_id: u32,
    on_hand: u32,
    reserved: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE inventory SET on_hand = ?, reserved = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE product_id = ?")
        .bind(on_hand)
        .bind(reserved)
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A reservation's header.
#[derive(Debug, Clone)]
pub struct Header {
    pub state: State,
    pub release_reason: Option<ReleaseReason>,
    pub expires_at: DateTime<Utc>,
}

/// Writes the header of a new reservation, in state reserved. `false` when the order has one already (then
/// after waiting for a concurrent writer of it to finish).
pub async fn insert_reservation(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    expires_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO reservations (order_number, state, expires_at) VALUES (?, 'reserved', ?)",
    )
    .bind(order_number)
    .bind(expires_at)
    .execute(&mut *conn)
    .await;
    first_header(inserted)
}

/// Writes a released header without lines for `order_number`. `false` when the order has one already.
pub async fn insert_tombstone(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    reason: ReleaseReason,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO reservations (order_number, state, release_reason, expires_at) \
         VALUES (?, 'released', ?, CURRENT_TIMESTAMP(6))",
    )
    .bind(order_number)
    .bind(reason.as_str())
    .execute(&mut *conn)
    .await;
    first_header(inserted)
}

/// Whether an insert wrote the order's header: `false` when the order has one already (its unique key).
fn first_header(
    inserted: Result<sqlx::mysql::MySqlQueryResult, sqlx::Error>,
) -> Result<bool, sqlx::Error> {
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if is_duplicate_key(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

/// The order's reservation header, locked.
pub async fn lock_reservation(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
) -> Result<Option<Header>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT state, release_reason, expires_at FROM reservations WHERE order_number = ? FOR UPDATE",
    )
    .bind(order_number)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        let state: String = row.try_get("state")?;
        let state = State::from_db(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".to_owned(),
            source: format!("unknown reservation state {state:?}").into(),
        })?;
        Ok(Header {
            state,
            release_reason: row
                .try_get::<Option<String>, _>("release_reason")?
                .as_deref()
                .map(release_reason_from_db),
            expires_at: row.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Records the reservation's new state (and, once released, why).
pub async fn set_state(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    state: State,
    release_reason: Option<ReleaseReason>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reservations SET state = ?, release_reason = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE order_number = ?",
    )
    .bind(state.as_db())
    .bind(release_reason.map(ReleaseReason::as_str))
    .bind(order_number)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One line of a reservation.
#[derive(Debug, Clone)]
pub struct HeldLine {
    pub product_id: u32,
    pub sku: Sku,
    pub quantity: u32,
}

/// The lines of the order's reservation, by product id.
pub async fn lines_of(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
) -> Result<Vec<HeldLine>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT product_id, sku, quantity FROM reservation_lines WHERE order_number = ? ORDER BY product_id",
    )
    .bind(order_number)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HeldLine {
                product_id: row.try_get(0)?,
                sku: row.try_get(1)?,
                quantity: row.try_get(2)?,
            })
        })
        .collect()
}

/// Writes the lines of a new reservation.
pub async fn insert_lines(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    lines: &[HeldLine],
) -> Result<(), sqlx::Error> {
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO reservation_lines (order_number, product_id, sku, quantity) ",
    );
    insert.push_values(lines, |mut row, line| {
        row.push_bind(order_number)
            .push_bind(line.product_id)
            .push_bind(&line.sku)
            .push_bind(line.quantity);
    });
    insert.build().execute(&mut *conn).await?;
    Ok(())
}

/// Order numbers whose reservation expired and is still held, oldest first.
pub async fn expired(pool: &MySqlPool, limit: u32) -> Result<Vec<OrderNumber>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT order_number FROM reservations WHERE state = 'reserved' AND expires_at < CURRENT_TIMESTAMP(6) \
         ORDER BY expires_at LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}
