//! Stock as the admin manages it (`rpc.catalog.admin.stock.*`, contract in
//! `platform::contracts::catalog_admin::stock`): adjusting a variant's units on hand with a reason, the history
//! of adjustments, and the low-stock list.
//!
//! An adjustment is one more stock change: it locks the variant's stock in the order every stock change keeps
//! (`db::stock::lock_inventory`) and moves it with the same code as reserves and releases (`stock::apply`),
//! which writes the StockChanged event and keeps the product's availability flags in step. In the same
//! transaction it claims the command's key (a double submit adjusts once) and records the adjustment with its
//! author. It never takes on hand below zero or below the units reserved for orders: those are refused with
//! the numbers, and nothing is written.

use std::collections::BTreeMap;

use platform::{
    Runtime,
    contracts::{
        Sku,
        admin::{AdminReply, Command, FieldError},
        catalog_admin::{
            RPC_GROUP, STOCK_ADJUST, STOCK_HISTORY, STOCK_LOW,
            stock::{
                AdjustStock, AdjustmentReason, LowStockPage, LowStockRequest, MAX_NOTE_CHARS,
                MAX_PAGE, StockAdjusted, StockChange, StockHistoryPage, StockHistoryRequest,
            },
        },
    },
};
use sqlx::{MySqlConnection, MySqlPool};

use super::commands::{Refused, carry_out, retrying, serve_endpoint};
use crate::product_cache::ProductCache;
use crate::{
    db::{
        self,
        stock_admin::{self as queries, HistoryOf, NewAdjustment, VariantRef},
    },
    domain::reservation::Delta,
    stock,
};

/// Which variant a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum VariantKey {
    Sku(Sku),
    Id(u32),
}

/// An adjustment whose fields are all valid.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Adjustment {
    variant: VariantKey,
    change: StockChange,
    reason: AdjustmentReason,
    note: Option<String>,
    expected_on_hand: Option<u32>,
}

/// Every bad field of `body` at once, or the adjustment it asks for.
fn parse(body: &AdjustStock) -> Result<Adjustment, Vec<FieldError>> {
    let mut errors = Vec::new();
    let variant = match (&body.sku, body.variant_id) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                "sku",
                "name the variant by SKU or by id, not both",
            ));
            None
        }
        (None, None) => {
            errors.push(FieldError::new("sku", "name the variant to adjust"));
            None
        }
        (Some(sku), None) => match Sku::parse(sku.trim()) {
            Ok(sku) => Some(VariantKey::Sku(sku)),
            Err(invalid) => {
                errors.push(FieldError::new("sku", invalid.expected()));
                None
            }
        },
        (None, Some(id)) => Some(VariantKey::Id(id)),
    };
    match body.change {
        StockChange::Delta(0) => errors.push(FieldError::new("change.delta", "must not be 0")),
        StockChange::Delta(delta) if delta.unsigned_abs() > u64::from(u32::MAX) => {
            errors.push(FieldError::new("change.delta", "is too large"));
        }
        _ => {}
    }
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|note| !note.is_empty());
    if let Some(note) = note {
        if note.chars().count() > MAX_NOTE_CHARS {
            errors.push(FieldError::new(
                "note",
                format!("must be at most {MAX_NOTE_CHARS} characters"),
            ));
        } else if note
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            errors.push(FieldError::new(
                "note",
                "must not contain control characters",
            ));
        }
    } else if body.reason == AdjustmentReason::Other {
        errors.push(FieldError::new(
            "note",
            "say what happened (required with reason “other”)",
        ));
    }
    match variant {
        Some(variant) if errors.is_empty() => Ok(Adjustment {
            variant,
            change: body.change,
            reason: body.reason,
            note: note.map(str::to_owned),
            expected_on_hand: body.expected_on_hand,
        }),
        _ => Err(errors),
    }
}

/// On hand after `change` from `on_hand`, refused below zero or below what is `reserved`.
fn on_hand_after(change: StockChange, on_hand: u32, reserved: u32) -> Result<u32, Refused> {
    let after = match change {
        StockChange::Delta(delta) => i64::from(on_hand) + delta,
        StockChange::SetOnHand(count) => i64::from(count),
    };
    if after < 0 {
        return Err(Refused::conflict(format!(
            "on hand would be {after}: there are only {on_hand} on hand"
        )));
    }
    if after < i64::from(reserved) {
        return Err(Refused::conflict(format!(
            "on hand would be {after}, below the {reserved} units reserved for orders"
        )));
    }
    u32::try_from(after).map_err(|_| Refused::invalid("change.delta", "is too large"))
}

/// Changes a variant's units on hand and records why, in one transaction with its event.
pub async fn adjust(
    pool: &MySqlPool,
    command: &Command<AdjustStock>,
) -> Result<AdminReply<StockAdjusted>, sqlx::Error> {
    carry_out(pool, STOCK_ADJUST, command, async |tx| {
        match parse(&command.body) {
            Ok(adjustment) => adjust_in(tx, &adjustment, command).await,
            Err(errors) => Ok(Err(Refused::Invalid(errors))),
        }
    })
    .await
}

async fn adjust_in(
    conn: &mut MySqlConnection,
    adjustment: &Adjustment,
    command: &Command<AdjustStock>,
) -> Result<Result<StockAdjusted, Refused>, sqlx::Error> {
    let variant = match &adjustment.variant {
        VariantKey::Sku(sku) => queries::variant_by_sku(conn, sku).await?,
        VariantKey::Id(id) => queries::variant_by_id(conn, *id).await?,
    };
    let Some(variant) = variant else {
        let what = match &adjustment.variant {
            VariantKey::Sku(sku) => format!("variant with SKU {sku}"),
            VariantKey::Id(id) => format!("variant {id}"),
        };
        return Ok(Err(Refused::NotFound(what)));
    };
    let mut inventory = db::stock::lock_inventory(conn, &[variant.variant_id]).await?;
    if inventory.is_empty() {
        queries::ensure_inventory(conn, variant.variant_id).await?;
        inventory = db::stock::lock_inventory(conn, &[variant.variant_id]).await?;
    }
    let Some(current) = inventory.first() else {
        // Removed between the read and the lock.
        return Ok(Err(Refused::NotFound(format!(
            "variant {}",
            variant.variant_id
        ))));
    };
    if let Some(expected) = adjustment.expected_on_hand
        && expected != current.on_hand
    {
        return Ok(Err(Refused::conflict(format!(
            "on hand changed since you looked: it is {} now, not {expected}; check and adjust again",
            current.on_hand
        ))));
    }
    let after = match on_hand_after(adjustment.change, current.on_hand, current.reserved) {
        Ok(after) => after,
        Err(refused) => return Ok(Err(refused)),
    };
    let delta = Delta {
        on_hand: i64::from(after) - i64::from(current.on_hand),
        reserved: 0,
    };
    stock::apply_adjustment(
        conn,
        &inventory,
        &BTreeMap::from([(variant.variant_id, delta)]),
    )
    .await?;
    let recorded = queries::record_adjustment(
        conn,
        &NewAdjustment {
            variant: &variant,
            on_hand_before: current.on_hand,
            on_hand_after: after,
            reserved: current.reserved,
            reason: adjustment.reason,
            note: adjustment.note.as_deref(),
            staff_id: command.actor.staff_id,
            staff_email: &command.actor.email,
        },
    )
    .await?;
    let stock = queries::stock_of(conn, variant.variant_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(Ok(StockAdjusted {
        adjustment: recorded,
        stock,
    }))
}

/// Adjustments newest first: of a variant, of a product's variants, or of all.
pub async fn history(
    pool: &MySqlPool,
    request: &StockHistoryRequest,
) -> Result<AdminReply<StockHistoryPage>, sqlx::Error> {
    let mut errors = Vec::new();
    let before = match request.cursor.as_deref().map(str::parse::<u64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            errors.push(FieldError::new("cursor", "is not a cursor this list gave"));
            None
        }
    };
    let limit = page_size(request.limit, &mut errors);
    let named = [
        request.variant_id.is_some(),
        request.sku.is_some(),
        request.product_id.is_some(),
    ];
    if named.iter().filter(|named| **named).count() > 1 {
        errors.push(FieldError::new(
            "variant_id",
            "name one variant (by id or SKU) or one product, not several",
        ));
    }
    let sku = match request.sku.as_deref().map(|sku| Sku::parse(sku.trim())) {
        None => None,
        Some(Ok(sku)) => Some(sku),
        Some(Err(invalid)) => {
            errors.push(FieldError::new("sku", invalid.expected()));
            None
        }
    };
    if !errors.is_empty() {
        return Ok(AdminReply::Invalid { errors });
    }
    let mut conn = pool.acquire().await?;
    let of = match (request.variant_id, sku, request.product_id) {
        (Some(id), _, _) => HistoryOf::Variant(id),
        (_, Some(sku), _) => match queries::variant_by_sku(&mut conn, &sku).await? {
            Some(VariantRef { variant_id, .. }) => HistoryOf::Variant(variant_id),
            None => {
                return Ok(AdminReply::NotFound {
                    what: format!("variant with SKU {sku}"),
                });
            }
        },
        (_, _, Some(id)) => HistoryOf::Product(id),
        _ => HistoryOf::Everything,
    };
    let mut adjustments = queries::history(&mut conn, of, before, limit + 1).await?;
    let next = if adjustments.len() > limit as usize {
        adjustments.truncate(limit as usize);
        adjustments.last().map(|last| last.id.to_string())
    } else {
        None
    };
    Ok(AdminReply::Ok(StockHistoryPage { adjustments, next }))
}

/// Variants at or below their product's threshold, lowest available first.
pub async fn low(
    pool: &MySqlPool,
    request: &LowStockRequest,
) -> Result<AdminReply<LowStockPage>, sqlx::Error> {
    let mut errors = Vec::new();
    let after = match request.cursor.as_deref().map(parse_low_cursor) {
        None => None,
        Some(Some(cursor)) => Some(cursor),
        Some(None) => {
            errors.push(FieldError::new("cursor", "is not a cursor this list gave"));
            None
        }
    };
    let limit = page_size(request.limit, &mut errors);
    if !errors.is_empty() {
        return Ok(AdminReply::Invalid { errors });
    }
    let mut conn = pool.acquire().await?;
    let mut rows = queries::low_stock(&mut conn, after, limit + 1).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last()
            .map(|(_, (available, id))| format!("{available}.{id}"))
    } else {
        None
    };
    Ok(AdminReply::Ok(LowStockPage {
        variants: rows.into_iter().map(|(stock, _)| stock).collect(),
        next,
    }))
}

fn parse_low_cursor(cursor: &str) -> Option<queries::LowStockCursor> {
    let (available, id) = cursor.split_once('.')?;
    Some((available.parse().ok()?, id.parse().ok()?))
}

fn page_size(limit: Option<u32>, errors: &mut Vec<FieldError>) -> u32 {
    match limit {
        None => MAX_PAGE,
        Some(0) => {
            errors.push(FieldError::new("limit", "must be at least 1"));
            MAX_PAGE
        }
        Some(limit) => limit.min(MAX_PAGE),
    }
}

/// Adds the stock endpoints to the catalog's NATS service and answers them until shutdown.
pub async fn endpoints(runtime: &Runtime, pages: &ProductCache) -> anyhow::Result<()> {
    let group = runtime.service.group(RPC_GROUP);
    let pool = runtime.db.clone();
    serve_endpoint(
        runtime,
        &group,
        STOCK_ADJUST,
        "Adjust a variant's units on hand, with a reason",
        {
            let (pool, pages) = (pool.clone(), pages.clone());
            move |command: Command<AdjustStock>| {
                let (pool, pages) = (pool.clone(), pages.clone());
                async move {
                    pages
                        .dropped_after(retrying(|| adjust(&pool, &command)))
                        .await
                }
            }
        },
    )
    .await?;
    serve_endpoint(
        runtime,
        &group,
        STOCK_HISTORY,
        "Stock adjustments, newest first",
        {
            let pool = pool.clone();
            move |request: StockHistoryRequest| {
                let pool = pool.clone();
                async move { history(&pool, &request).await }
            }
        },
    )
    .await?;
    serve_endpoint(
        runtime,
        &group,
        STOCK_LOW,
        "Variants at or below their low-stock threshold, lowest first",
        move |request: LowStockRequest| {
            let pool = pool.clone();
            async move { low(&pool, &request).await }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(change: StockChange, reason: AdjustmentReason) -> AdjustStock {
        AdjustStock {
            sku: Some("TEE-S".to_owned()),
            variant_id: None,
            change,
            reason,
            note: None,
            expected_on_hand: None,
        }
    }

    #[test]
    fn an_adjustment_names_one_variant_a_change_and_a_note_when_the_reason_is_other() {
        assert!(parse(&request(StockChange::Delta(3), AdjustmentReason::Received)).is_ok());
        let mut both = request(StockChange::Delta(0), AdjustmentReason::Other);
        both.variant_id = Some(4);
        let fields: Vec<String> = parse(&both)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["sku", "change.delta", "note"]);
    }

    #[test]
    fn on_hand_never_goes_below_zero_or_below_what_is_reserved() {
        assert_eq!(on_hand_after(StockChange::Delta(-2), 5, 1), Ok(3));
        assert_eq!(on_hand_after(StockChange::SetOnHand(9), 5, 1), Ok(9));
        assert_eq!(
            on_hand_after(StockChange::Delta(-6), 5, 0),
            Err(Refused::conflict(
                "on hand would be -1: there are only 5 on hand"
            ))
        );
        assert_eq!(
            on_hand_after(StockChange::SetOnHand(2), 5, 3),
            Err(Refused::conflict(
                "on hand would be 2, below the 3 units reserved for orders"
            ))
        );
    }

    #[test]
    fn a_low_stock_cursor_reads_back() {
        assert_eq!(parse_low_cursor("3.1042"), Some((3, 1042)));
        assert_eq!(parse_low_cursor("-1.7"), Some((-1, 7)));
        assert_eq!(parse_low_cursor("x"), None);
    }
}
