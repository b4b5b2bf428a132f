//! Order operations that span the database and events: placing an order ([`place`], then charging it in
//! `pay`) and recording how its payment ended ([`outcome`]), finishing what a dead request left ([`recovery`]), moving an order through the
//! state machine (history row and OrderStatusChanged in the same transaction), and settling its stock with the
//! catalog.

pub mod outcome;
mod pay;
pub mod place;
pub mod recovery;
mod view;

use chrono::Utc;
use platform::contracts::orders::{OrderCancelled, OrderStatusChanged};
use sha2::{Digest as _, Sha256};
use sqlx::{MySqlConnection, MySqlPool};

pub use view::OrderView;

use crate::{
    SERVICE,
    catalog::{CatalogClient, CatalogError},
    db,
    domain::{IllegalTransition, OrderState},
};

/// A human-friendly order number: `SH-` and 8 characters of Crockford base 32 (no I, L, O, U).
pub fn new_order_number() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random = uuid::Uuid::new_v4();
    let mut number = String::from("SH-");
    for byte in &random.as_bytes()[..8] {
        number.push(ALPHABET[usize::from(*byte) % 32] as char);
    }
    number
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares without an early exit, so the time taken says nothing about how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a transition did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("no order {0}")]
    NotFound(String),
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// A pending order is being paid: checkout itself finishes it (paid or cancelled) within
    /// `ABANDONED_ORDER_SECS`; moving it by hand could cancel an order whose payment is going through.
    #[error("order {0} is still being paid; it is finished automatically within minutes")]
    PaymentInProgress(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Moves the locked order `id` from `from` to `to` inside `conn`'s transaction: history, OrderStatusChanged
/// (and OrderCancelled) in the outbox. `stock_settled` says whether the catalog side is already done.
pub async fn record_transition(
    conn: &mut MySqlConnection,
    id: u64,
    number: &str,
    from: OrderState,
    to: OrderState,
    reason: Option<&str>,
    stock_settled: bool,
) -> Result<(), TransitionError> {
    from.transition(to)?;
    db::orders::set_state(conn, id, to, stock_settled).await?;
    db::orders::record_history(conn, id, Some(from), to, reason).await?;
    let now = Utc::now();
    let changed = OrderStatusChanged {
        number: number.to_owned(),
        from: Some(from.as_str().to_owned()),
        to: to.as_str().to_owned(),
        reason: reason.map(str::to_owned),
        changed_at: now,
    };
    platform::outbox::enqueue(conn, SERVICE.name, changed).await?;
    if to == OrderState::Cancelled {
        let cancelled = OrderCancelled {
            number: number.to_owned(),
            reason: reason.map(str::to_owned),
            cancelled_at: now,
        };
        platform::outbox::enqueue(conn, SERVICE.name, cancelled).await?;
    }
    Ok(())
}

/// An admin or operator moves an order (`rpc.checkout.transition`). Cancelling gives the stock back to the
/// catalog (released, or restocked when it was sold); if the catalog is down, the reconciler finishes it.
pub async fn transition(
    pool: &MySqlPool,
    catalog: &CatalogClient,
    number: &str,
    to: OrderState,
    reason: Option<&str>,
) -> Result<OrderState, TransitionError> {
    let mut tx = pool.begin().await?;
    let order = db::orders::by_number(&mut tx, number, true)
        .await?
        .ok_or_else(|| TransitionError::NotFound(number.to_owned()))?;
    let from = OrderState::parse(&order.state).unwrap_or(OrderState::Pending);
    if from == OrderState::Pending {
        return Err(TransitionError::PaymentInProgress(number.to_owned()));
    }
    let gives_stock_back = to == OrderState::Cancelled;
    record_transition(
        &mut tx,
        order.id,
        number,
        from,
        to,
        reason,
        !gives_stock_back && order.stock_settled,
    )
    .await?;
    tx.commit().await?;
    if gives_stock_back {
        settle_stock(pool, catalog, number, to).await;
    }
    Ok(from)
}

/// Asks the catalog for the stock outcome `state` implies (sold for paid orders, given back for failed or
/// cancelled ones) and records that it is done. Failures are left for the reconciler.
pub async fn settle_stock(
    pool: &MySqlPool,
    catalog: &CatalogClient,
    number: &str,
    state: OrderState,
) -> bool {
    let outcome = match state {
        OrderState::Paid | OrderState::Processing | OrderState::Shipped | OrderState::Delivered => {
            catalog.commit(number).await
        }
        OrderState::PaymentFailed | OrderState::Cancelled => catalog.release(number).await,
        OrderState::Pending | OrderState::Refunded => return false,
    };
    let settled = match outcome {
        Ok(_) => true,
        Err(CatalogError::Rejected(rejection)) => {
            // Nothing more can be done automatically (an expired reservation of a paid order): say so loudly.
            tracing::error!(number, %rejection, "the catalog refused to settle an order's stock");
            metrics::counter!("checkout_stock_settlement_refused_total").increment(1);
            true
        }
        Err(CatalogError::Unavailable(err)) => {
            tracing::warn!(number, error = %err, "settling stock later: the catalog is unavailable");
            false
        }
    };
    if settled {
        let marked = async {
            let mut conn = pool.acquire().await?;
            db::orders::mark_stock_settled(&mut conn, number).await
        };
        if let Err(err) = marked.await {
            tracing::warn!(number, error = %err, "cannot record settled stock; the reconciler will retry");
            return false;
        }
    }
    settled
}
