//! Stock: quotes, and reservations that never oversell. The rules of a reservation (its states, what each
//! request does in each of them) are in `domain::reservation`; the queries in `db::stock`; this module runs
//! them as transactions that keep these guarantees:
//!
//! - **No oversell.** Every transaction that changes inventory takes its locks in one order — the order's
//!   reservation row first, then the rows of the products concerned by ascending id, then inventory rows by
//!   ascending variant id — so concurrent reserves queue instead of deadlocking (and a deadlock that still
//!   happens is retried whole, see `retry.rs`). Enough stock is decided under those locks only. Inventory
//!   columns are UNSIGNED with `reserved <= on_hand` checked by the database as a last line.
//! - **Per variant.** Stock, quotes and reservation lines are per variant SKU (a plain product is its own single
//!   variant). Holding the product's row, a change is the only one moving any stock of that product, so the
//!   product's totals it derives (in stock, units available, carried by its StockChanged events) are exact.
//! - **Idempotent on the order number.** The reservation row is inserted first: a concurrent duplicate waits on
//!   that key and then answers the same. Reserve, release and commit repeated answer the current state and move
//!   nothing.
//! - **A release wins over the reserve it overtakes.** Releasing an order that has no reservation yet leaves a
//!   released header without lines (a tombstone), and the late reserve is refused.
//! - **Stock slots.** Reserves, releases and commits of one product queue on its row, each holding a
//!   database connection while it waits: between them they hold at most half of the pool, so a rush on one
//!   product never leaves quotes, listings and searches without a connection.
//! - **Refuse early.** A reserve that must queue for a slot is refused at once when a plain read already shows
//!   the stock cannot cover it, rather than after its turn.

mod changes;
mod retry;

use chrono::Duration;
use platform::contracts::{
    OrderNumber, Sku,
    catalog::{QuoteItem, QuoteResponse, ReleaseReason, RepricedLine, ShortLine, StockOutcome},
};
use platform::outbox::OutboxNotifier;
use sqlx::MySqlPool;
use tokio::sync::Semaphore;

use crate::{
    db::{self, documents::CURRENCY},
    domain::{InvalidValue, reservation::ReserveLines},
    product_cache::ProductCache,
};
use changes::{commit_once, release_once, reserve_once, set_on_hand_once};
use retry::with_retries;

/// Most SKUs in one quote.
pub const MAX_QUOTE_SKUS: usize = 200;

/// Why a stock operation did not do what was asked: a refusal (a business answer, rolled back) or a failure
/// of the database.
#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("invalid request: {0}")]
    Invalid(#[from] InvalidValue),
    #[error("unknown SKUs: {}", .0.join(", "))]
    UnknownSkus(Vec<Sku>),
    #[error("not for sale: {}", .0.join(", "))]
    NotSellable(Vec<Sku>),
    #[error("insufficient stock")]
    Insufficient(Vec<ShortLine>),
    #[error("prices changed")]
    Repriced(Vec<RepricedLine>),
    #[error("order {0} already reserved other lines")]
    OtherLines(OrderNumber),
    #[error("order {order_number}'s reservation was released ({reason})")]
    Released {
        order_number: OrderNumber,
        reason: ReleaseReason,
    },
    #[error("order {0} has no reservation")]
    NoReservation(OrderNumber),
    #[error("the service is shutting down")]
    ShuttingDown,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The stock operations, and the slots that bound the connections they hold.
#[derive(Debug, Clone)]
pub struct Stock {
    /// The service's pool, for plain reads (quotes).
    reads: MySqlPool,
    /// The stock changes' own pool (READ COMMITTED).
    changes: MySqlPool,
    slots: std::sync::Arc<Semaphore>,
    /// Told after every committed change: this replica's product pages and quotes of the SKUs go at once, and
    /// the outbox relay publishes the StockChanged events now rather than at its next poll. Quotes are served
    /// from the cache where it holds them.
    after_commit: Option<(ProductCache, OutboxNotifier)>,
}

impl Stock {
    /// Stock changes run on a pool of their own to the database of `pool`, half the size of the service's
    /// (`pool_size`), whose transactions are all `READ COMMITTED` (see `retry`); reserves, releases and commits
    /// hold at most those connections between them.
    pub fn new(pool: &MySqlPool, pool_size: u32) -> Self {
        let size = (pool_size / 2).max(1);
        Self {
            reads: pool.clone(),
            changes: platform::runtime::read_committed_pool(pool, size),
            slots: std::sync::Arc::new(Semaphore::new(size as usize)),
            after_commit: None,
        }
    }

    /// Tells `pages` and `outbox` after every committed change (see the field).
    pub fn telling(mut self, pages: ProductCache, outbox: OutboxNotifier) -> Self {
        self.after_commit = Some((pages, outbox));
        self
    }

    /// What a committed change of `skus` tells.
    fn committed<'a>(&self, skus: impl IntoIterator<Item = &'a str>) {
        if let Some((pages, outbox)) = &self.after_commit {
            for sku in skus {
                pages.invalidate(sku);
            }
            outbox.notify();
        }
    }

    fn committed_outcome(
        &self,
        outcome: Result<StockOutcome, StockError>,
    ) -> Result<StockOutcome, StockError> {
        if let Ok(outcome) = &outcome {
            self.committed(outcome.lines.iter().map(|line| line.sku.as_str()));
        }
        outcome
    }

    /// Current name, price and availability of variant `skus`; the values that name no variant are listed as
    /// unknown. A variant's name is its product's with the option values (`Trail Runner — 42 / Blue`).
    pub async fn quote(&self, skus: &[String]) -> Result<QuoteResponse, StockError> {
        if skus.len() > MAX_QUOTE_SKUS {
            return Err(InvalidValue::new(
                "skus",
                format!("at most {MAX_QUOTE_SKUS} SKUs per quote"),
            )
            .into());
        }
        if skus.is_empty() {
            return Ok(QuoteResponse {
                items: Vec::new(),
                unknown: Vec::new(),
            });
        }
        // Served from this replica's cache where it holds the variant; the rest read and then stored.
        let cache = self.after_commit.as_ref().map(|(cache, _)| cache);
        let ticket = cache.map(ProductCache::ticket);
        let (mut items, missing) = match cache {
            Some(cache) => cache.quotes(skus),
            None => (Vec::new(), skus.to_vec()),
        };
        if !missing.is_empty() {
            let read: Vec<(QuoteItem, String)> = db::stock::quote(&self.reads, &missing)
                .await?
                .into_iter()
                .map(|row| {
                    let item = QuoteItem {
                        name: variant_name(&row.name, &row.option_values),
                        sku: row.sku,
                        slug: row.slug,
                        price: row.price,
                        currency: CURRENCY.to_owned(),
                        available: row.available,
                        sellable: row.sellable,
                        image: row.image,
                        product_sku: Some(row.product_sku.clone()),
                        brand: Some(row.brand),
                        categories: row.categories,
                    };
                    (item, row.product_sku)
                })
                .collect();
            items.extend(read.iter().map(|(item, _)| item.clone()));
            if let (Some(cache), Some(ticket)) = (cache, ticket) {
                cache.put_quotes(ticket, read);
            }
        }
        let unknown = skus
            .iter()
            .filter(|sku| !items.iter().any(|item| item.sku == sku.as_str()))
            .cloned()
            .collect();
        Ok(QuoteResponse { items, unknown })
    }

    /// Reserves every line of the order or none, held for `ttl`, refusing lines whose SKU is unknown or not for
    /// sale, short of stock, or shown at another price than today's (checked in that order). Idempotent: the
    /// same order with the same lines answers the same outcome; with other lines, or once released, it is
    /// refused.
    pub async fn reserve(
        &self,
        order_number: &OrderNumber,
        lines: &ReserveLines,
        ttl: Duration,
    ) -> Result<StockOutcome, StockError> {
        let _slot = match self.slots.try_acquire() {
            Ok(slot) => slot,
            // A queue: a reserve the stock cannot cover any more is refused now, not after its turn.
            Err(_) => {
                self.refuse_early(order_number, lines).await?;
                self.slots
                    .acquire()
                    .await
                    .map_err(|_| StockError::ShuttingDown)?
            }
        };
        let outcome = with_retries!(&self.changes, |conn| reserve_once(
            conn,
            order_number,
            lines,
            ttl
        ));
        self.committed_outcome(outcome)
    }

    /// Refuses a reserve at once, by a plain (non-locking) read, when less is available than it asks for. For a
    /// reserve that would otherwise wait for its turn behind others of the same products: refusing on a read a
    /// moment old is safe (a shopper told "out of stock" a moment early); accepting is left to [`Self::reserve`],
    /// under the locks. A retry of an order that already holds its reservation is never refused here: its own
    /// units are what the read does not show as available. Unknown SKUs and the like are for the reserve to say.
    async fn refuse_early(
        &self,
        order_number: &OrderNumber,
        lines: &ReserveLines,
    ) -> Result<(), StockError> {
        let Some(available) =
            db::stock::available_unless_reserved(&self.reads, order_number, lines.skus()).await?
        else {
            return Ok(());
        };
        let short: Vec<ShortLine> = available
            .into_iter()
            .filter_map(|(sku, available)| {
                let requested = lines.quantity(&sku)?;
                (available < requested).then_some(ShortLine {
                    sku,
                    requested,
                    available,
                })
            })
            .collect();
        if short.is_empty() {
            Ok(())
        } else {
            Err(StockError::Insufficient(short))
        }
    }

    /// Gives the order's stock back: reserved units are released, sold units (after a commit) are restocked.
    /// Idempotent; releasing an order that never reserved anything answers state `none` and refuses any later
    /// reserve for that order (a release can overtake the reserve it cancels).
    pub async fn release(&self, order_number: &OrderNumber) -> Result<StockOutcome, StockError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| StockError::ShuttingDown)?;
        self.release_for(order_number, ReleaseReason::Released)
            .await
    }

    /// Releases a reservation that ran out without a commit (the sweeper's release: one at a time, so it takes
    /// no slot).
    pub async fn expire(&self, order_number: &OrderNumber) -> Result<StockOutcome, StockError> {
        self.release_for(order_number, ReleaseReason::Expired).await
    }

    async fn release_for(
        &self,
        order_number: &OrderNumber,
        reason: ReleaseReason,
    ) -> Result<StockOutcome, StockError> {
        let outcome = with_retries!(&self.changes, |conn| release_once(
            conn,
            order_number,
            reason
        ));
        self.committed_outcome(outcome)
    }

    /// Turns the order's reservation into a sale: units leave `on_hand` and `reserved`. Idempotent.
    pub async fn commit(&self, order_number: &OrderNumber) -> Result<StockOutcome, StockError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| StockError::ShuttingDown)?;
        let outcome = with_retries!(&self.changes, |conn| commit_once(conn, order_number));
        self.committed_outcome(outcome)
    }

    /// Sets the units on hand of a product (an admin count or a delivery). Refuses to go below what is reserved.
    pub async fn set_on_hand(&self, sku: &Sku, on_hand: u32) -> Result<u32, StockError> {
        with_retries!(&self.changes, |conn| set_on_hand_once(conn, sku, on_hand))?;
        self.committed([sku.as_str()]);
        Ok(on_hand)
    }

    /// Order numbers whose reservation expired and is still held, oldest first, at most `limit`.
    pub async fn expired(&self, limit: u32) -> Result<Vec<OrderNumber>, StockError> {
        Ok(db::stock::expired(&self.reads, limit).await?)
    }
}

/// Moves the on hand of variants whose stock the caller locked (`db::stock::lock_inventory`) in its own
/// transaction, as every stock change does: the inventory rows, the products' availability flags and one
/// StockChanged event per variant. For the admin's adjustments, which record themselves in the same transaction.
pub async fn apply_adjustment(
    conn: &mut sqlx::MySqlConnection,
    rows: &[db::stock::InventoryRow],
    deltas: &std::collections::BTreeMap<u32, crate::domain::reservation::Delta>,
) -> Result<(), sqlx::Error> {
    changes::apply(
        conn,
        rows,
        deltas,
        platform::contracts::catalog::StockChangeReason::Adjusted,
        None,
    )
    .await
}

/// The name a variant is sold under: the product's, followed by its option values when it has any.
pub fn variant_name(product_name: &str, option_values: &[String]) -> String {
    if option_values.is_empty() {
        product_name.to_owned()
    } else {
        format!("{product_name} — {}", option_values.join(" / "))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_variant_is_named_after_its_product_and_option_values() {
        let values = ["42".to_owned(), "Blue".to_owned()];
        assert_eq!(
            super::variant_name("Trail Runner", &values),
            "Trail Runner — 42 / Blue"
        );
        assert_eq!(super::variant_name("Trail Runner", &[]), "Trail Runner");
    }
}
