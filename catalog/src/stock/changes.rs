//! The stock changes, one transaction body each, run by `with_retries!` from the operations in `stock`:
//! reserve, release, commit and set on hand, and how each moves the inventory rows it locked (one StockChanged
//! event per variant, in the same transaction). The lock order of the module's doc is kept here: the
//! reservation row first, then product rows by ascending id, then inventory rows by ascending variant id
//! (`db::stock::lock_inventory` takes the last two).

use std::collections::BTreeMap;

use chrono::{Duration, SubsecRound as _, Utc};
use platform::contracts::{
    OrderNumber, Sku,
    catalog::{
        ProductStock, ReleaseReason, RepricedLine, ReservationState, ReservedLine, ShortLine,
        StockChangeReason, StockChanged, StockOutcome,
    },
};
use sqlx::MySqlConnection;

use super::StockError;
use crate::{
    db::{
        self,
        stock::{Header, HeldLine, InventoryRow},
    },
    domain::reservation::{Delta, Movement, Refusal, ReserveLines, State},
    events,
};

/// Writes the reservation header first (the order's lock), checks the variants by a plain read, then locks
/// their stock and decides under the locks.
pub(super) async fn reserve_once(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    lines: &ReserveLines,
    ttl: Duration,
) -> Result<StockOutcome, StockError> {
    // Microseconds, as the column stores them, so a replayed answer is identical to the first one.
    let expires_at = (Utc::now() + ttl).trunc_subsecs(6);
    if !db::stock::insert_reservation(conn, order_number, expires_at).await? {
        // Reserved before (or right now, by a concurrent request we waited for): answer what it was.
        return existing_reservation(conn, order_number, lines).await;
    }

    let mut ids: BTreeMap<Sku, (u32, u32)> = BTreeMap::new();
    let mut not_sellable = Vec::new();
    let mut short = Vec::new();
    let mut repriced = Vec::new();
    for variant in db::stock::candidates(conn, lines.skus()).await? {
        if !variant.sellable {
            not_sellable.push(variant.sku.clone());
        }
        if lines.repriced(&variant.sku, variant.price) {
            repriced.push(RepricedLine {
                sku: variant.sku.clone(),
                name: super::variant_name(&variant.product_name, &variant.option_values),
                price: variant.price,
            });
        }
        if let Some(requested) = lines.quantity(&variant.sku)
            && variant.available < requested
        {
            short.push(ShortLine {
                sku: variant.sku.clone(),
                requested,
                available: variant.available,
            });
        }
        ids.insert(variant.sku, (variant.id, variant.product_id));
    }
    let unknown: Vec<Sku> = lines
        .skus()
        .filter(|sku| !ids.contains_key(*sku))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(StockError::UnknownSkus(unknown));
    }
    if !not_sellable.is_empty() {
        return Err(StockError::NotSellable(not_sellable));
    }
    // Short already by this plain read (the latest committed stock, no lock): refused without queueing on the
    // inventory rows behind the reserves that may still get the units. Enough stock by this read is checked
    // again under the locks below.
    if !short.is_empty() {
        return Err(StockError::Insufficient(short));
    }
    // The buyer agreed to the prices they saw, not to these.
    if !repriced.is_empty() {
        return Err(StockError::Repriced(repriced));
    }

    let variant_ids: Vec<u32> = ids.values().map(|(variant, _)| *variant).collect();
    let product_ids: Vec<u32> = ids.values().map(|(_, product)| *product).collect();
    let inventory = db::stock::lock_inventory_of(conn, &variant_ids, &product_ids).await?;
    let mut short = Vec::new();
    let mut held = Vec::with_capacity(lines.len());
    for (sku, quantity) in lines.iter() {
        let (variant_id, product_id) = ids[sku];
        let available = inventory
            .iter()
            .find(|row| row.variant_id == variant_id)
            .map_or(0, |row| row.on_hand.saturating_sub(row.reserved));
        if available < quantity {
            short.push(ShortLine {
                sku: sku.clone(),
                requested: quantity,
                available,
            });
        }
        held.push(HeldLine {
            variant_id,
            product_id,
            sku: sku.clone(),
            quantity,
        });
    }
    if !short.is_empty() {
        return Err(StockError::Insufficient(short));
    }
    db::stock::insert_lines(conn, order_number, &held).await?;
    let movement = Movement::Reserve;
    apply(
        conn,
        &inventory,
        &deltas(&held, movement),
        movement.stock_reason(),
        Some(order_number),
    )
    .await?;
    Ok(StockOutcome {
        order_number: order_number.clone(),
        state: ReservationState::Reserved,
        lines: lines.reserved_lines(),
        expires_at: Some(expires_at),
    })
}

async fn existing_reservation(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    lines: &ReserveLines,
) -> Result<StockOutcome, StockError> {
    let Some(header) = db::stock::lock_reservation(conn, order_number).await? else {
        // Gone between the insert attempt and now: cannot happen (rows are never deleted); a failure the caller
        // may retry.
        return Err(sqlx::Error::RowNotFound.into());
    };
    // Released first (by its caller giving up, or expired): refused whatever the lines, unread.
    if header.state == State::Released {
        return Err(refused(order_number, &header, Refusal::Released));
    }
    let outcome = outcome_of(
        order_number,
        (header.state, Some(header.expires_at)),
        db::stock::lines_of(conn, order_number).await?,
    );
    header
        .state
        .reserve_again(lines, &outcome.lines)
        .map_err(|refusal| refused(order_number, &header, refusal))?;
    Ok(outcome)
}

/// Locks the header (or leaves a tombstone when there is none) and moves the stock as its state says.
pub(super) async fn release_once(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    reason: ReleaseReason,
) -> Result<StockOutcome, StockError> {
    let header = match db::stock::lock_reservation(conn, order_number).await? {
        Some(header) => header,
        None => match leave_tombstone(conn, order_number, reason).await? {
            Some(header) => header,
            None => {
                return Ok(StockOutcome {
                    order_number: order_number.clone(),
                    state: ReservationState::None,
                    lines: Vec::new(),
                    expires_at: None,
                });
            }
        },
    };
    let held = db::stock::lines_of(conn, order_number).await?;
    let header = match header.state.release(reason) {
        Some(movement) => move_reservation(conn, order_number, &header, &held, movement).await?,
        None => header,
    };
    Ok(outcome_of(
        order_number,
        (header.state, Some(header.expires_at)),
        held,
    ))
}

/// A release of an order that has no reservation (yet): its caller gave up waiting for the reserve, which may
/// still arrive. A `released` header with no lines is left so that the late reserve is refused
/// ([`existing_reservation`]) instead of holding stock that nobody will ever commit. `None` once the tombstone
/// is written; if a reserve wrote its header first (our insert waited for it), that header, locked, to release.
async fn leave_tombstone(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    reason: ReleaseReason,
) -> Result<Option<Header>, sqlx::Error> {
    if db::stock::insert_tombstone(conn, order_number, reason).await? {
        return Ok(None);
    }
    db::stock::lock_reservation(conn, order_number)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
        .map(Some)
}

/// Locks the header; sells the reserved units once, answers a repeat as it stands.
pub(super) async fn commit_once(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
) -> Result<StockOutcome, StockError> {
    // Nearly always the reservation is still held: then the update that moves it is also the one that takes
    // its lock (one statement, not a locking read and an update). Otherwise its state says what to answer.
    if let Ok(Some(movement)) = State::Reserved.commit()
        && db::stock::move_from(conn, order_number, State::Reserved, movement).await?
    {
        let held = db::stock::lines_of(conn, order_number).await?;
        move_stock(conn, order_number, &held, movement).await?;
        return Ok(outcome_of(order_number, (movement.after(), None), held));
    }
    let Some(header) = db::stock::lock_reservation(conn, order_number).await? else {
        return Err(StockError::NoReservation(order_number.clone()));
    };
    let movement = header
        .state
        .commit()
        .map_err(|refusal| refused(order_number, &header, refusal))?;
    let held = db::stock::lines_of(conn, order_number).await?;
    let header = match movement {
        Some(movement) => move_reservation(conn, order_number, &header, &held, movement).await?,
        None => header,
    };
    Ok(outcome_of(
        order_number,
        (header.state, Some(header.expires_at)),
        held,
    ))
}

/// Locks the variant's stock and sets its units on hand, never below what is reserved.
pub(super) async fn set_on_hand_once(
    conn: &mut MySqlConnection,
    sku: &Sku,
    on_hand: u32,
) -> Result<(), StockError> {
    let Some(variant_id) = db::stock::variant_id(conn, sku).await? else {
        return Err(StockError::UnknownSkus(vec![sku.clone()]));
    };
    let inventory = db::stock::lock_inventory(conn, &[variant_id]).await?;
    let current = inventory.first().map_or(0, |row| row.on_hand);
    let reserved = inventory.first().map_or(0, |row| row.reserved);
    if on_hand < reserved {
        return Err(StockError::Insufficient(vec![ShortLine {
            sku: sku.clone(),
            requested: reserved,
            available: on_hand,
        }]));
    }
    let delta = Delta {
        on_hand: i64::from(on_hand) - i64::from(current),
        reserved: 0,
    };
    apply(
        conn,
        &inventory,
        &BTreeMap::from([(variant_id, delta)]),
        StockChangeReason::Adjusted,
        None,
    )
    .await?;
    Ok(())
}

/// Moves the stock of every held line as `movement` says (locking their stock in the lock order) and records
/// the reservation's new state; returns the header as it now stands.
async fn move_reservation(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    header: &Header,
    held: &[HeldLine],
    movement: Movement,
) -> Result<Header, sqlx::Error> {
    move_stock(conn, order_number, held, movement).await?;
    // The header's row is locked by this transaction: it is still in the state read.
    let moved = db::stock::move_from(conn, order_number, header.state, movement).await?;
    debug_assert!(moved, "a locked reservation changed state");
    Ok(Header {
        state: movement.after(),
        release_reason: movement.release_reason(),
        expires_at: header.expires_at,
    })
}

/// Moves the stock of every held line as `movement` says, locking their stock in the lock order.
async fn move_stock(
    conn: &mut MySqlConnection,
    order_number: &OrderNumber,
    held: &[HeldLine],
    movement: Movement,
) -> Result<(), sqlx::Error> {
    let variant_ids: Vec<u32> = held.iter().map(|line| line.variant_id).collect();
    let product_ids: Vec<u32> = held.iter().map(|line| line.product_id).collect();
    let inventory = db::stock::lock_inventory_of(conn, &variant_ids, &product_ids).await?;
    apply(
        conn,
        &inventory,
        &deltas(held, movement),
        movement.stock_reason(),
        Some(order_number),
    )
    .await
}

fn deltas(held: &[HeldLine], movement: Movement) -> BTreeMap<u32, Delta> {
    held.iter()
        .map(|line| (line.variant_id, movement.delta(line.quantity)))
        .collect()
}

/// Applies a change of `on_hand` and `reserved` per variant to its locked `rows`, refreshes the availability
/// flags of the products that flip and writes one StockChanged event per variant, with its product's totals.
pub(super) async fn apply(
    conn: &mut MySqlConnection,
    rows: &[InventoryRow],
    deltas: &BTreeMap<u32, Delta>,
    reason: StockChangeReason,
    order_number: Option<&OrderNumber>,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let changed: Vec<&InventoryRow> = rows
        .iter()
        .filter(|row| deltas.contains_key(&row.variant_id))
        .collect();
    let mut product_ids: Vec<u32> = changed.iter().map(|row| row.product_id).collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    let mut counters = Vec::with_capacity(changed.len());
    let mut product_deltas: BTreeMap<u32, i64> = BTreeMap::new();
    for row in &changed {
        let delta = deltas[&row.variant_id];
        let on_hand = u32::try_from(i64::from(row.on_hand) + delta.on_hand);
        let reserved = u32::try_from(i64::from(row.reserved) + delta.reserved);
        let (Ok(on_hand), Ok(reserved)) = (on_hand, reserved) else {
            // The locks make this unreachable; refuse rather than let the column's range fail obscurely.
            return Err(invalid_stock(&row.sku));
        };
        if reserved > on_hand {
            // Likewise, rather than the CHECK constraint.
            return Err(invalid_stock(&row.sku));
        }
        db::stock::set_inventory(conn, row.variant_id, on_hand, reserved).await?;
        *product_deltas.entry(row.product_id).or_default() +=
            i64::from(on_hand - reserved) - i64::from(row.on_hand.saturating_sub(row.reserved));
        counters.push((row, on_hand, reserved));
    }
    // The products' totals (read with their rows locked by `lock_inventory`) move by the change.
    product_deltas.retain(|_, delta| *delta != 0);
    db::stock::add_product_available(conn, &product_deltas).await?;
    let before: BTreeMap<u32, i64> = changed
        .iter()
        .map(|row| (row.product_id, i64::from(row.product_available)))
        .collect();
    let after: BTreeMap<u32, u32> = before
        .iter()
        .map(|(id, before)| {
            let after = before + product_deltas.get(id).copied().unwrap_or(0);
            (*id, u32::try_from(after).unwrap_or(0))
        })
        .collect();
    let before = |id: &u32| before.get(id).copied().unwrap_or(0);
    for (row, on_hand, reserved) in counters {
        let available = on_hand - reserved;
        let product_available = after.get(&row.product_id).copied().unwrap_or(0);
        events::stock_changed(
            conn,
            StockChanged {
                sku: row.sku.clone(),
                on_hand,
                reserved,
                available,
                in_stock: available > 0,
                reason,
                order_number: order_number.cloned(),
                product_version: row.version,
                changed_at: now,
                product: Some(ProductStock {
                    sku: row.product_sku.clone(),
                    available: product_available,
                    in_stock: product_available > 0,
                }),
            },
        )
        .await?;
    }
    // Products whose "in stock" flag flips; only their denormalized copies need rewriting. Rewriting the flag
    // of every product would hold its category rows locked for nothing while concurrent reserves of the same
    // product queue on its row.
    let flipped: Vec<u32> = product_ids
        .into_iter()
        .filter(|id| (before(id) > 0) != (after.get(id).copied().unwrap_or(0) > 0))
        .collect();
    db::products::refresh_in_stock(conn, &flipped).await
}

fn invalid_stock(sku: &Sku) -> sqlx::Error {
    sqlx::Error::Protocol(format!("stock of {sku} would become invalid"))
}

/// The refusal of a request for an existing reservation.
fn refused(order_number: &OrderNumber, header: &Header, refusal: Refusal) -> StockError {
    match refusal {
        Refusal::Released => StockError::Released {
            order_number: order_number.clone(),
            // Every released header is written with its reason.
            reason: header.release_reason.unwrap_or(ReleaseReason::Unknown),
        },
        Refusal::OtherLines => StockError::OtherLines(order_number.clone()),
    }
}

/// The order's stock as a reply shows it: lines in SKU order, the expiry while reserved.
fn outcome_of(
    order_number: &OrderNumber,
    (state, expires_at): (State, Option<chrono::DateTime<Utc>>),
    held: Vec<HeldLine>,
) -> StockOutcome {
    let mut lines: Vec<ReservedLine> = held
        .into_iter()
        .map(|line| ReservedLine {
            sku: line.sku,
            quantity: line.quantity,
        })
        .collect();
    lines.sort_by(|a, b| a.sku.cmp(&b.sku));
    StockOutcome {
        order_number: order_number.clone(),
        state: state.shown(),
        lines,
        expires_at: (state == State::Reserved).then_some(expires_at).flatten(),
    }
}
