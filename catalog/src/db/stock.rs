//! Stock queries: inventory rows, reservation headers and lines, and the plain reads behind quotes and early
//! refusals. No decisions here: `crate::stock` runs these in its transactions, in the lock order it documents.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use platform::contracts::{OrderNumber, Sku, catalog::ReleaseReason};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySqlConnection, MySqlPool, Row as _};

use super::{is_duplicate_key, placeholders};
use crate::domain::reservation::{Movement, State, release_reason_from_db};

/// A variant as a quote shows it.
#[derive(Debug, Clone)]
pub struct QuoteRow {
    /// The variant's SKU.
    pub sku: Sku,
    /// The product's SKU, slug and name.
    pub product_sku: String,
    pub slug: String,
    pub name: String,
    /// The variant's option values, in its product's option order (empty for a plain product).
    pub option_values: Vec<String>,
    pub price: Decimal,
    /// Active, and so for sale.
    pub sellable: bool,
    pub available: u32,
    pub image: Option<String>,
    pub brand: String,
    /// The slugs of the product's categories and their ancestors.
    pub categories: Vec<String>,
}

/// The variants with these SKUs (values that name none are simply not found).
pub async fn quote(pool: &MySqlPool, skus: &[String]) -> Result<Vec<QuoteRow>, sqlx::Error> {
    let sql = format!(
        "SELECT v.sku, p.sku AS product_sku, p.slug, p.name, v.option_values, v.price, p.status = 'active' AS sellable, \
                GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0) AS available, \
                (SELECT url FROM product_images im WHERE im.product_id = p.id ORDER BY im.position LIMIT 1) AS image, \
                p.brand, (SELECT GROUP_CONCAT(c.slug ORDER BY c.slug SEPARATOR '\\n') FROM product_categories pc \
                          JOIN categories c ON c.id = pc.category_id WHERE pc.product_id = p.id) AS categories \
         FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN inventory i ON i.variant_id = v.id \
         WHERE v.sku IN ({})",
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
                product_sku: row.try_get("product_sku")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                option_values: json_strings(row, "option_values")?,
                price: row.try_get("price")?,
                sellable: row.try_get("sellable")?,
                available: row.try_get::<i64, _>("available")?.max(0) as u32,
                image: row.try_get("image")?,
                brand: row.try_get("brand")?,
                categories: row
                    .try_get::<Option<String>, _>("categories")?
                    .map(|slugs| slugs.split('\n').map(str::to_owned).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Units available now per variant SKU by a plain (non-locking) read, or `None` when `order_number` already
/// has a reservation. SKUs without a variant or inventory row are left out.
pub async fn available_unless_reserved<'a>(
    pool: &MySqlPool,
    order_number: &OrderNumber,
    skus: impl ExactSizeIterator<Item = &'a Sku>,
) -> Result<Option<Vec<(Sku, u32)>>, sqlx::Error> {
    let sql = format!(
        "SELECT v.sku, GREATEST(CAST(i.on_hand AS SIGNED) - CAST(i.reserved AS SIGNED), 0) AS available, \
                EXISTS (SELECT 1 FROM reservations r WHERE r.order_number = ?) AS known \
         FROM variants v JOIN inventory i ON i.variant_id = v.id WHERE v.sku IN ({})",
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

/// A variant a reserve asks for, by a plain read.
#[derive(Debug, Clone)]
pub struct ReserveCandidate {
    /// The variant's id.
    pub id: u32,
    pub product_id: u32,
    pub sku: Sku,
    pub sellable: bool,
    pub available: u32,
    pub price: Decimal,
    pub product_name: String,
    pub option_values: Vec<String>,
}

/// The variants with these SKUs, read without locks (the latest committed stock and prices).
pub async fn candidates<'a>(
    conn: &mut MySqlConnection,
    skus: impl ExactSizeIterator<Item = &'a Sku>,
) -> Result<Vec<ReserveCandidate>, sqlx::Error> {
    let sql = format!(
        "SELECT v.id, v.product_id, v.sku, p.status = 'active' AS sellable, v.price, p.name, v.option_values, \
                GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0) AS available \
         FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN inventory i ON i.variant_id = v.id \
         WHERE v.sku IN ({})",
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
                product_id: row.try_get("product_id")?,
                sku: row.try_get("sku")?,
                sellable: row.try_get("sellable")?,
                available: row.try_get::<i64, _>("available")?.max(0) as u32,
                price: row.try_get("price")?,
                product_name: row.try_get("name")?,
                option_values: json_strings(row, "option_values")?,
            })
        })
        .collect()
}

/// The id of the variant with `sku`.
pub async fn variant_id(conn: &mut MySqlConnection, sku: &Sku) -> Result<Option<u32>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM variants WHERE sku = ?")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await
}

/// One variant's stock, locked.
#[derive(Debug, Clone)]
pub struct InventoryRow {
    pub variant_id: u32,
    pub sku: Sku,
    pub on_hand: u32,
    pub reserved: u32,
    pub product_id: u32,
    /// The product's SKU and version, which stock events carry.
    pub product_sku: Sku,
    pub version: u64,
    /// The product's units available over all its variants (`products.available`), read under its lock.
    pub product_available: i32,
}

/// Locks the stock of `variant_ids`: first their products' rows in ascending product id order, then their
/// inventory rows in ascending variant id order (the lock order every stock transaction keeps). Holding the
/// product rows, the transaction is the only one changing any stock of those products, so the product totals
/// it reads here and moves with [`add_product_available`] are exact.
pub async fn lock_inventory(
    conn: &mut MySqlConnection,
    variant_ids: &[u32],
) -> Result<Vec<InventoryRow>, sqlx::Error> {
    if variant_ids.is_empty() {
        return Ok(Vec::new());
    }
    // A variant never changes product, so a plain read finds the products.
    let mut query = sqlx::query_scalar::<_, u32>(AssertSqlSafe(format!(
        "SELECT DISTINCT product_id FROM variants WHERE id IN ({})",
        placeholders(variant_ids.len())
    )));
    for id in variant_ids {
        query = query.bind(*id);
    }
    let product_ids = query.fetch_all(&mut *conn).await?;
    lock_inventory_of(conn, variant_ids, &product_ids).await
}

/// [`lock_inventory`] for a caller that already knows the variants' products (`product_ids`, every product of
/// `variant_ids`; a variant never changes product).
pub async fn lock_inventory_of(
    conn: &mut MySqlConnection,
    variant_ids: &[u32],
    product_ids: &[u32],
) -> Result<Vec<InventoryRow>, sqlx::Error> {
    let mut ids = variant_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(ids.len());
    let mut product_ids = product_ids.to_vec();
    product_ids.sort_unstable();
    product_ids.dedup();
    // Locking the products is a statement of its own, on their primary key alone: a join or subquery there
    // would lock variant rows too, in whatever order the optimizer reads them.
    if !product_ids.is_empty() {
        let mut query = sqlx::query(AssertSqlSafe(format!(
            "SELECT id FROM products WHERE id IN ({}) ORDER BY id FOR UPDATE",
            placeholders(product_ids.len())
        )));
        for id in &product_ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *conn).await?;
    }
    let sql = format!(
        "SELECT i.variant_id, v.sku, i.on_hand, i.reserved, p.id AS product_id, p.sku AS product_sku, p.version, \
                p.available AS product_available \
         FROM inventory i JOIN variants v ON v.id = i.variant_id JOIN products p ON p.id = v.product_id \
         WHERE i.variant_id IN ({list}) ORDER BY i.variant_id FOR UPDATE"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(InventoryRow {
                variant_id: row.try_get("variant_id")?,
                sku: row.try_get("sku")?,
                on_hand: row.try_get("on_hand")?,
                reserved: row.try_get("reserved")?,
                product_id: row.try_get("product_id")?,
                product_sku: row.try_get("product_sku")?,
                product_available: row.try_get("product_available")?,
                version: row.try_get("version")?,
            })
        })
        .collect()
}

/// Moves `products.available` of each product by its delta, in one statement (rows locked in id order).
pub async fn add_product_available(
    conn: &mut MySqlConnection,
    deltas: &BTreeMap<u32, i64>,
) -> Result<(), sqlx::Error> {
    if deltas.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE products SET available = available + CASE id {} END WHERE id IN ({})",
        "WHEN ? THEN ? ".repeat(deltas.len()),
        placeholders(deltas.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (id, delta) in deltas {
        query = query.bind(*id).bind(*delta);
    }
    for id in deltas.keys() {
        query = query.bind(*id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Sets a variant's counters (its row locked by [`lock_inventory`]).
pub async fn set_inventory(
    conn: &mut MySqlConnection,
    variant_id: u32,
    on_hand: u32,
    reserved: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE inventory SET on_hand = ?, reserved = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE variant_id = ?")
        .bind(on_hand)
        .bind(reserved)
        .bind(variant_id)
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

/// Moves the reservation from state `from` as `movement` says, if it is still in that state (taking its row lock
/// in the same statement); false, and nothing changed, when it is not.
pub async fn move_from(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    from: State,
    movement: Movement,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE reservations SET state = ?, release_reason = ?, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE order_number = ? AND state = ?",
    )
    .bind(movement.after().as_db())
    .bind(movement.release_reason().map(ReleaseReason::as_str))
    .bind(order_number)
    .bind(from.as_db())
    .execute(&mut *conn)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// One line of a reservation: units of a variant.
#[derive(Debug, Clone)]
pub struct HeldLine {
    pub variant_id: u32,
    /// The variant's product (a variant never changes product).
    pub product_id: u32,
    pub sku: Sku,
    pub quantity: u32,
}

/// The lines of the order's reservation, by variant id.
pub async fn lines_of(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
) -> Result<Vec<HeldLine>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.variant_id, l.sku, l.quantity, v.product_id FROM reservation_lines l \
         JOIN variants v ON v.id = l.variant_id WHERE l.order_number = ? ORDER BY l.variant_id",
    )
    .bind(order_number)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HeldLine {
                variant_id: row.try_get(0)?,
                sku: row.try_get(1)?,
                quantity: row.try_get(2)?,
                product_id: row.try_get(3)?,
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
        "INSERT INTO reservation_lines (order_number, variant_id, sku, quantity) ",
    );
    insert.push_values(lines, |mut row, line| {
        row.push_bind(order_number)
            .push_bind(line.variant_id)
            .push_bind(&line.sku)
            .push_bind(line.quantity);
    });
    insert.build().execute(&mut *conn).await?;
    Ok(())
}

/// A JSON array of strings column (option names or values).
pub(crate) fn json_strings(
    row: &sqlx::mysql::MySqlRow,
    column: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|err| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: err.into(),
    })
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
