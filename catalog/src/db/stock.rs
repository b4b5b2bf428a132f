//! Stock: quotes, and reservations that never oversell. Every transaction that changes inventory takes its
//! locks in one order — the order's reservation row first, then inventory rows by ascending product id — so
//! concurrent reserves queue instead of deadlocking (and a deadlock that still happens is retried whole).
//! Inventory columns are UNSIGNED with `reserved <= on_hand` checked by the database as a last line.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use platform::contracts::{
    OrderNumber,
    catalog::{
        QuoteItem, QuoteResponse, ShortLine, StockChanged, StockLine, StockOutcome, StockRejection,
        StockReply,
    },
};
use sqlx::{AssertSqlSafe, Connection as _, MySqlConnection, MySqlPool, Row as _};

use super::{
    documents::CURRENCY, is_duplicate_key, is_retryable, placeholders, products::refresh_in_stock,
};
use crate::domain::Sku;

/// Most lines in one reservation, and most units of one line.
pub const MAX_LINES: usize = 100;
pub const MAX_QUANTITY: u32 = 10_000;
/// Most SKUs in one quote.
pub const MAX_QUOTE_SKUS: usize = 200;
const ATTEMPTS: u32 = 5;

/// Current name, price and availability of `skus`.
pub async fn quote(
    pool: &MySqlPool,
    skus: &[String],
) -> Result<Result<QuoteResponse, StockRejection>, sqlx::Error> {
    if skus.len() > MAX_QUOTE_SKUS {
        return Ok(Err(invalid(
            "skus",
            format!("at most {MAX_QUOTE_SKUS} SKUs per quote"),
        )));
    }
    if skus.is_empty() {
        return Ok(Ok(QuoteResponse {
            items: Vec::new(),
            unknown: Vec::new(),
        }));
    }
    let sql = format!(
        "SELECT p.sku, p.slug, p.name, p.price, p.status, \
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
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let status: String = row.try_get("status")?;
        items.push(QuoteItem {
            sku: row.try_get("sku")?,
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            price: row.try_get("price")?,
            currency: CURRENCY.to_owned(),
            available: row.try_get::<i64, _>("available")? as u32,
            sellable: status == "active",
            image: row.try_get("image")?,
        });
    }
    let unknown = skus
        .iter()
        .filter(|sku| !items.iter().any(|item| &item.sku == *sku))
        .cloned()
        .collect();
    Ok(Ok(QuoteResponse { items, unknown }))
}

fn invalid(field: &str, reason: impl Into<String>) -> StockRejection {
    StockRejection::InvalidRequest {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn check_order_number(order_number: &str) -> Result<OrderNumber, StockRejection> {
    OrderNumber::parse(order_number).map_err(|err| invalid("order_number", err.expected))
}

/// Validated lines: SKUs parsed, duplicates merged, quantities in range.
fn check_lines(lines: &[StockLine]) -> Result<BTreeMap<String, u32>, StockRejection> {
    if lines.is_empty() {
        return Err(invalid("lines", "at least one line"));
    }
    if lines.len() > MAX_LINES {
        return Err(invalid("lines", format!("at most {MAX_LINES} lines")));
    }
    let mut merged = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let sku = Sku::parse(&line.sku)
            .map_err(|err| invalid(&format!("lines[{i}].sku"), err.expected))?;
        if line.quantity == 0 || line.quantity > MAX_QUANTITY {
            return Err(invalid(
                &format!("lines[{i}].quantity"),
                format!("between 1 and {MAX_QUANTITY}"),
            ));
        }
        let total: &mut u32 = merged.entry(sku.to_string()).or_default();
        *total = total.saturating_add(line.quantity).min(MAX_QUANTITY + 1);
        if *total > MAX_QUANTITY {
            return Err(invalid(
                &format!("lines[{i}].quantity"),
                format!("at most {MAX_QUANTITY} per SKU"),
            ));
        }
    }
    Ok(merged)
}

/// Why a stock transaction did not commit: the database failed, or the request was refused (rolled back).
#[derive(Debug)]
enum TxError {
    Db(sqlx::Error),
    Rejected(StockRejection),
}

impl From<sqlx::Error> for TxError {
    fn from(err: sqlx::Error) -> Self {
        Self::Db(err)
    }
}

fn reject<T>(rejection: StockRejection) -> Result<T, TxError> {
    Err(TxError::Rejected(rejection))
}

/// One stock change, run as a transaction by [`with_retries`].
enum Operation<'a> {
    Reserve {
        order_number: &'a OrderNumber,
        wanted: &'a BTreeMap<String, u32>,
        ttl: Duration,
    },
    Release {
        order_number: &'a OrderNumber,
        reason: &'a str,
    },
    Commit {
        order_number: &'a OrderNumber,
    },
    SetOnHand {
        sku: &'a str,
        on_hand: u32,
    },
}

impl Operation<'_> {
    async fn run(&self, conn: &mut MySqlConnection) -> Result<StockOutcome, TxError> {
        match *self {
            Self::Reserve {
                order_number,
                wanted,
                ttl,
            } => reserve_once(conn, order_number, wanted, ttl).await,
            Self::Release {
                order_number,
                reason,
            } => release_once(conn, order_number, reason).await,
            Self::Commit { order_number } => commit_once(conn, order_number).await,
            Self::SetOnHand { sku, on_hand } => set_on_hand_once(conn, sku, on_hand).await,
        }
    }
}

/// Runs `operation` in a fresh READ COMMITTED transaction, again after a deadlock or lock timeout, and turns
/// a rejection into the reply. READ COMMITTED takes no gap locks, so reserves of different orders never block
/// each other's inserts.
async fn with_retries(
    pool: &MySqlPool,
    operation: Operation<'_>,
) -> Result<StockReply, sqlx::Error> {
    let mut tries = 0;
    loop {
        tries += 1;
        let mut conn = pool.acquire().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            .execute(&mut *conn)
            .await?;
        let mut tx = conn.begin().await?;
        match operation.run(&mut tx).await {
            Ok(outcome) => {
                tx.commit().await?;
                return Ok(StockReply::Ok(outcome));
            }
            Err(TxError::Rejected(rejection)) => {
                tx.rollback().await?;
                return Ok(StockReply::Rejected(rejection));
            }
            Err(TxError::Db(err)) if tries < ATTEMPTS && is_retryable(&err) => {
                drop(tx);
                metrics::counter!("catalog_stock_transaction_retries_total").increment(1);
                tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(tries))).await;
            }
            Err(TxError::Db(err)) => return Err(err),
        }
    }
}

struct InventoryRow {
    product_id: u32,
    sku: Sku,
    on_hand: u32,
    reserved: u32,
    version: u64,
}

/// Locks the inventory rows of `product_ids` in ascending id order.
async fn lock_inventory(
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

/// Applies `(on_hand delta, reserved delta)` per product, refreshes the availability flags that flip and writes
/// one StockChanged event per product.
async fn apply(
    conn: &mut MySqlConnection,
    rows: &[InventoryRow],
    deltas: &BTreeMap<u32, (i64, i64)>,
    reason: &str,
    order_number: Option<&OrderNumber>,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    // Products whose "in stock" flag flips; only their denormalized copies need rewriting.
    let mut flipped = Vec::new();
    for row in rows {
        let Some((on_hand_delta, reserved_delta)) = deltas.get(&row.product_id) else {
            continue;
        };
        let on_hand = i64::from(row.on_hand) + on_hand_delta;
        let reserved = i64::from(row.reserved) + reserved_delta;
        if on_hand < 0 || reserved < 0 || reserved > on_hand {
            // The locks make this unreachable; refuse rather than let the CHECK constraint fail obscurely.
            return Err(sqlx::Error::Protocol(format!(
                "stock of {} would become invalid",
                row.sku
            )));
        }
        sqlx::query("UPDATE inventory SET on_hand = ?, reserved = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE product_id = ?")
            .bind(on_hand)
            .bind(reserved)
            .bind(row.product_id)
            .execute(&mut *conn)
            .await?;
        let available = (on_hand - reserved) as u32;
        if (row.on_hand > row.reserved) != (available > 0) {
            flipped.push(row.product_id);
        }
        platform::outbox::enqueue(
            conn,
            crate::SERVICE.name,
            StockChanged {
                sku: row.sku.clone(),
                on_hand: on_hand as u32,
                reserved: reserved as u32,
                available,
                in_stock: available > 0,
                reason: reason.to_owned(),
                order_number: order_number.cloned(),
                product_version: row.version,
                changed_at: now,
            },
        )
        .await?;
    }
    // Rewriting the flag of every product would hold its rows (and its category rows) locked for nothing
    // while concurrent reserves of the same product queue on the inventory row.
    refresh_in_stock(conn, &flipped).await
}

struct Header {
    state: String,
    release_reason: Option<String>,
    expires_at: DateTime<Utc>,
}

async fn lines_of(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
) -> Result<Vec<(u32, String, u32)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT product_id, sku, quantity FROM reservation_lines WHERE order_number = ? ORDER BY product_id",
    )
    .bind(order_number)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect()
}

async fn outcome_of(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    header: &Header,
) -> Result<StockOutcome, sqlx::Error> {
    let mut lines: Vec<StockLine> = lines_of(conn, order_number)
        .await?
        .into_iter()
        .map(|(_, sku, quantity)| StockLine { sku, quantity })
        .collect();
    lines.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok(StockOutcome {
        order_number: order_number.to_string(),
        state: header.state.clone(),
        lines,
        expires_at: (header.state == "reserved").then_some(header.expires_at),
    })
}

async fn lock_header(
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
        Ok(Header {
            state: row.try_get("state")?,
            release_reason: row.try_get("release_reason")?,
            expires_at: row.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Whether a reserve can be refused at once, by a plain (non-locking) read: the request is invalid, or less is
/// available than it asks for. For a reserve that would otherwise wait for its turn behind others of the same
/// products (see the catalog's `rpc`): refusing on a read a moment old is safe (a shopper told "out of stock" a
/// moment early); accepting is left to [`reserve`], under the locks. A retry of an order that already holds its
/// reservation is never refused here: its own units are what the read does not show as available.
pub async fn refuse_early(
    pool: &MySqlPool,
    order_number: &str,
    lines: &[StockLine],
) -> Result<Option<StockRejection>, sqlx::Error> {
    let order_number = match check_order_number(order_number) {
        Ok(number) => number,
        Err(rejection) => return Ok(Some(rejection)),
    };
    let wanted = match check_lines(lines) {
        Ok(wanted) => wanted,
        Err(rejection) => return Ok(Some(rejection)),
    };
    let sql = format!(
        "SELECT p.sku, GREATEST(CAST(i.on_hand AS SIGNED) - CAST(i.reserved AS SIGNED), 0) AS available, \
                EXISTS (SELECT 1 FROM reservations r WHERE r.order_number = ?) AS known \
         FROM products p JOIN inventory i ON i.product_id = p.id WHERE p.sku IN ({})",
        placeholders(wanted.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(order_number);
    for sku in wanted.keys() {
        query = query.bind(sku);
    }
    let mut short = Vec::new();
    for row in query.fetch_all(pool).await? {
        if row.try_get::<bool, _>("known")? {
            return Ok(None);
        }
        let sku: String = row.try_get("sku")?;
        let available = row.try_get::<i64, _>("available")?.max(0) as u32;
        if let Some(&requested) = wanted.get(&sku)
            && available < requested
        {
            short.push(ShortLine {
                sku,
                requested,
                available,
            });
        }
    }
    // Unknown SKUs and the like are for `reserve` to say.
    Ok((!short.is_empty()).then_some(StockRejection::InsufficientStock { lines: short }))
}

/// Reserves every line of the order or none. Idempotent: the same order with the same lines answers the
/// same outcome; with other lines it is refused.
pub async fn reserve(
    pool: &MySqlPool,
    order_number: &str,
    lines: &[StockLine],
    ttl: Duration,
) -> Result<StockReply, sqlx::Error> {
    let order_number = match check_order_number(order_number) {
        Ok(number) => number,
        Err(rejection) => return Ok(StockReply::Rejected(rejection)),
    };
    let wanted = match check_lines(lines) {
        Ok(wanted) => wanted,
        Err(rejection) => return Ok(StockReply::Rejected(rejection)),
    };
    with_retries(
        pool,
        Operation::Reserve {
            order_number: &order_number,
            wanted: &wanted,
            ttl,
        },
    )
    .await
}

async fn reserve_once(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    wanted: &BTreeMap<String, u32>,
    ttl: Duration,
) -> Result<StockOutcome, TxError> {
    // Microseconds, as the column stores them, so a replayed answer is identical to the first one.
    let expires_at = (Utc::now() + ttl).trunc_subsecs(6);
    let inserted = sqlx::query(
        "INSERT INTO reservations (order_number, state, expires_at) VALUES (?, 'reserved', ?)",
    )
    .bind(order_number)
    .bind(expires_at)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        // Reserved before (or right now, by a concurrent request we waited for): answer what it was.
        Err(err) if is_duplicate_key(&err) => {
            return existing_reservation(conn, order_number, wanted).await;
        }
        Err(err) => return Err(err.into()),
    }

    let sql = format!(
        "SELECT p.id, p.sku, p.status, \
                GREATEST(CAST(COALESCE(i.on_hand, 0) AS SIGNED) - CAST(COALESCE(i.reserved, 0) AS SIGNED), 0) AS available \
         FROM products p LEFT JOIN inventory i ON i.product_id = p.id WHERE p.sku IN ({})",
        placeholders(wanted.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in wanted.keys() {
        query = query.bind(sku);
    }
    let products = query.fetch_all(&mut *conn).await?;
    let mut ids = BTreeMap::new();
    let mut not_sellable = Vec::new();
    let mut short = Vec::new();
    for row in &products {
        let sku: String = row.try_get("sku")?;
        if row.try_get::<String, _>("status")? != "active" {
            not_sellable.push(sku.clone());
        }
        let available = row.try_get::<i64, _>("available")?.max(0) as u32;
        if let Some(&requested) = wanted.get(&sku)
            && available < requested
        {
            short.push(ShortLine {
                sku: sku.clone(),
                requested,
                available,
            });
        }
        ids.insert(sku, row.try_get::<u32, _>("id")?);
    }
    let unknown: Vec<String> = wanted
        .keys()
        .filter(|sku| !ids.contains_key(*sku))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return reject(StockRejection::UnknownSku { skus: unknown });
    }
    if !not_sellable.is_empty() {
        return reject(StockRejection::NotSellable { skus: not_sellable });
    }
    // Short already by this plain read (the latest committed stock, no lock): refused without queueing on the
    // inventory rows behind the reserves that may still get the units. Enough stock by this read is checked
    // again under the locks below.
    if !short.is_empty() {
        return reject(StockRejection::InsufficientStock { lines: short });
    }

    let product_ids: Vec<u32> = ids.values().copied().collect();
    let inventory = lock_inventory(conn, &product_ids).await?;
    let mut short = Vec::new();
    let mut deltas = BTreeMap::new();
    for (sku, quantity) in wanted {
        let id = ids[sku];
        let available = inventory
            .iter()
            .find(|row| row.product_id == id)
            .map_or(0, |row| row.on_hand.saturating_sub(row.reserved));
        if available < *quantity {
            short.push(ShortLine {
                sku: sku.clone(),
                requested: *quantity,
                available,
            });
        }
        deltas.insert(id, (0, i64::from(*quantity)));
    }
    if !short.is_empty() {
        return reject(StockRejection::InsufficientStock { lines: short });
    }
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO reservation_lines (order_number, product_id, sku, quantity) ",
    );
    insert.push_values(wanted, |mut row, (sku, quantity)| {
        row.push_bind(order_number)
            .push_bind(ids[sku])
            .push_bind(sku)
            .push_bind(*quantity);
    });
    insert.build().execute(&mut *conn).await?;
    apply(conn, &inventory, &deltas, "reserved", Some(order_number)).await?;
    Ok(StockOutcome {
        order_number: order_number.to_string(),
        state: "reserved".to_owned(),
        lines: wanted
            .iter()
            .map(|(sku, quantity)| StockLine {
                sku: sku.clone(),
                quantity: *quantity,
            })
            .collect(),
        expires_at: Some(expires_at),
    })
}

async fn existing_reservation(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    wanted: &BTreeMap<String, u32>,
) -> Result<StockOutcome, TxError> {
    let Some(header) = lock_header(conn, order_number).await? else {
        // Deleted between the insert attempt and now: cannot happen (rows are never deleted); retry.
        return Err(TxError::Db(sqlx::Error::RowNotFound));
    };
    // Released first (by its caller giving up, or expired): refused, whatever the lines.
    if header.state == "released" {
        return reject(StockRejection::ReservationReleased {
            order_number: order_number.to_string(),
            reason: header.release_reason.unwrap_or_default(),
        });
    }
    let outcome = outcome_of(conn, order_number, &header).await?;
    let same = outcome.lines.len() == wanted.len()
        && outcome
            .lines
            .iter()
            .all(|line| wanted.get(&line.sku) == Some(&line.quantity));
    if !same {
        return reject(StockRejection::ConflictingReservation {
            order_number: order_number.to_string(),
        });
    }
    Ok(outcome)
}

/// Gives the order's stock back: reserved units are released, sold units (after a commit) are restocked.
/// Idempotent; releasing an order that never reserved anything answers state `none` and refuses any later
/// reserve for that order (a release can overtake the reserve it cancels).
pub async fn release(
    pool: &MySqlPool,
    order_number: &str,
    reason: &str,
) -> Result<StockReply, sqlx::Error> {
    let order_number = match check_order_number(order_number) {
        Ok(number) => number,
        Err(rejection) => return Ok(StockReply::Rejected(rejection)),
    };
    with_retries(
        pool,
        Operation::Release {
            order_number: &order_number,
            reason,
        },
    )
    .await
}

async fn release_once(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    reason: &str,
) -> Result<StockOutcome, TxError> {
    let header = match lock_header(conn, order_number).await? {
        Some(header) => header,
        None => match leave_tombstone(conn, order_number, reason).await? {
            Some(header) => header,
            None => {
                return Ok(StockOutcome {
                    order_number: order_number.to_string(),
                    state: "none".to_owned(),
                    lines: Vec::new(),
                    expires_at: None,
                });
            }
        },
    };
    let (reason, on_hand_sign) = match header.state.as_str() {
        "reserved" => (reason, 0),
        "committed" => ("restocked", 1),
        _ => return Ok(outcome_of(conn, order_number, &header).await?),
    };
    let lines = lines_of(conn, order_number).await?;
    let ids: Vec<u32> = lines.iter().map(|(id, _, _)| *id).collect();
    let inventory = lock_inventory(conn, &ids).await?;
    let deltas: BTreeMap<u32, (i64, i64)> = lines
        .iter()
        .map(|(id, _, quantity)| {
            let quantity = i64::from(*quantity);
            // Reserved units leave `reserved`; sold units come back to `on_hand`.
            if on_hand_sign == 0 {
                (*id, (0, -quantity))
            } else {
                (*id, (quantity, 0))
            }
        })
        .collect();
    apply(conn, &inventory, &deltas, reason, Some(order_number)).await?;
    sqlx::query(
        "UPDATE reservations SET state = 'released', release_reason = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE order_number = ?",
    )
    .bind(reason)
    .bind(order_number)
    .execute(&mut *conn)
    .await?;
    let header = Header {
        state: "released".to_owned(),
        release_reason: Some(reason.to_owned()),
        expires_at: header.expires_at,
    };
    Ok(outcome_of(conn, order_number, &header).await?)
}

/// A release of an order that has no reservation (yet): its caller gave up waiting for the reserve, which may
/// still arrive. A `released` header with no lines is left so that the late reserve is refused
/// ([`existing_reservation`]) instead of holding stock that nobody will ever commit. `None` once the tombstone
/// is written; if a reserve wrote its header first (our insert waited for it), that header, locked, to release.
async fn leave_tombstone(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    reason: &str,
) -> Result<Option<Header>, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO reservations (order_number, state, release_reason, expires_at) \
         VALUES (?, 'released', ?, CURRENT_TIMESTAMP(6))",
    )
    .bind(order_number)
    .bind(reason)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => Ok(None),
        Err(err) if is_duplicate_key(&err) => lock_header(conn, order_number)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
            .map(Some),
        Err(err) => Err(err),
    }
}

/// Turns the order's reservation into a sale: units leave `on_hand` and `reserved`. Idempotent.
pub async fn commit(pool: &MySqlPool, order_number: &str) -> Result<StockReply, sqlx::Error> {
    let order_number = match check_order_number(order_number) {
        Ok(number) => number,
        Err(rejection) => return Ok(StockReply::Rejected(rejection)),
    };
    with_retries(
        pool,
        Operation::Commit {
            order_number: &order_number,
        },
    )
    .await
}

async fn commit_once(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
) -> Result<StockOutcome, TxError> {
    let Some(header) = lock_header(conn, order_number).await? else {
        return reject(StockRejection::NoReservation {
            order_number: order_number.to_string(),
        });
    };
    match header.state.as_str() {
        "committed" => return Ok(outcome_of(conn, order_number, &header).await?),
        "released" => {
            return reject(StockRejection::ReservationReleased {
                order_number: order_number.to_string(),
                reason: header.release_reason.unwrap_or_default(),
            });
        }
        _ => {}
    }
    let lines = lines_of(conn, order_number).await?;
    let ids: Vec<u32> = lines.iter().map(|(id, _, _)| *id).collect();
    let inventory = lock_inventory(conn, &ids).await?;
    let deltas = lines
        .iter()
        .map(|(id, _, quantity)| (*id, (-i64::from(*quantity), -i64::from(*quantity))))
        .collect();
    apply(conn, &inventory, &deltas, "committed", Some(order_number)).await?;
    sqlx::query("UPDATE reservations SET state = 'committed', updated_at = CURRENT_TIMESTAMP(6) WHERE order_number = ?")
        .bind(order_number)
        .execute(&mut *conn)
        .await?;
    let header = Header {
        state: "committed".to_owned(),
        release_reason: None,
        expires_at: header.expires_at,
    };
    Ok(outcome_of(conn, order_number, &header).await?)
}

/// Order numbers whose reservation expired and is still held, oldest first.
pub async fn expired(pool: &MySqlPool, limit: u32) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT order_number FROM reservations WHERE state = 'reserved' AND expires_at < CURRENT_TIMESTAMP(6) \
         ORDER BY expires_at LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Sets the units on hand of a product (an admin count or a delivery). Refuses to go below what is reserved.
pub async fn set_on_hand(
    pool: &MySqlPool,
    sku: &str,
    on_hand: u32,
) -> Result<Result<u32, StockRejection>, sqlx::Error> {
    match with_retries(pool, Operation::SetOnHand { sku, on_hand }).await? {
        StockReply::Ok(_) => Ok(Ok(on_hand)),
        StockReply::Rejected(rejection) => Ok(Err(rejection)),
    }
}

async fn set_on_hand_once(
    conn: &mut MySqlConnection,
    sku: &str,
    on_hand: u32,
) -> Result<StockOutcome, TxError> {
    let id: Option<u32> = sqlx::query_scalar("SELECT id FROM products WHERE sku = ?")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(id) = id else {
        return reject(StockRejection::UnknownSku {
            skus: vec![sku.to_owned()],
        });
    };
    let inventory = lock_inventory(conn, &[id]).await?;
    let current = inventory.first().map_or(0, |row| row.on_hand);
    let reserved = inventory.first().map_or(0, |row| row.reserved);
    if on_hand < reserved {
        return reject(StockRejection::InsufficientStock {
            lines: vec![ShortLine {
                sku: sku.to_owned(),
                requested: reserved,
                available: on_hand,
            }],
        });
    }
    let deltas = BTreeMap::from([(id, (i64::from(on_hand) - i64::from(current), 0))]);
    apply(conn, &inventory, &deltas, "adjusted", None).await?;
    Ok(StockOutcome {
        order_number: String::new(),
        state: "adjusted".to_owned(),
        lines: Vec::new(),
        expires_at: None,
    })
}
