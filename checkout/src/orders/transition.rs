//! Moving an order through its life cycle: the state machine's rules (in `domain`) applied under the order's row
//! lock, with the history row and the events (OrderStatusChanged, and OrderCancelled) written in the same
//! transaction, and the stock settled with the catalog afterwards.

use chrono::Utc;
use platform::contracts::orders::{OrderCancelled, OrderStatusChanged};
use platform::outbox;
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    SERVICE,
    catalog::{CatalogClient, CatalogError},
    db,
    domain::{IllegalTransition, OrderNumber, OrderState, StockSettlement, Who},
};

/// Why a transition did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("no order {0}")]
    NotFound(OrderNumber),
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// A pending order is being paid: checkout itself finishes it (paid or cancelled) within
    /// `ABANDONED_ORDER_SECS`; moving it by hand could cancel an order whose payment is going through.
    #[error("order {0} is still being paid; it is finished automatically within minutes")]
    PaymentInProgress(OrderNumber),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Moves the locked `order` from `from` to `to` inside `conn`'s transaction: history, OrderStatusChanged
/// (and OrderCancelled) in the outbox, the order's version bumped. `stock` says whether the catalog side is
/// already done; `by` is who asked.
pub async fn record_transition(
    conn: &mut MySqlConnection,
    order: &db::orders::Order,
    (from, to): (OrderState, OrderState),
    reason: Option<&str>,
    stock: StockSettlement,
    by: &Who,
) -> Result<(), TransitionError> {
    from.transition(to)?;
    db::orders::set_state(conn, order.id, to, stock).await?;
    let mut events = outbox::Batch::new(SERVICE.name);
    record_moved(conn, order, (from, to), reason, by, &mut events).await?;
    events.write(conn).await?;
    Ok(())
}

/// What follows a move of the order already written (its state set under its row lock): the history row, and
/// OrderStatusChanged (and OrderCancelled) added to `events`, which the caller writes with its own events.
pub async fn record_moved(
    conn: &mut MySqlConnection,
    order: &db::orders::Order,
    (from, to): (OrderState, OrderState),
    reason: Option<&str>,
    by: &Who,
    events: &mut outbox::Batch<'_>,
) -> Result<(), sqlx::Error> {
    let number = &order.number;
    db::orders::record_history(conn, order.id, Some(from), to, reason, by).await?;
    let now = Utc::now();
    events.add(OrderStatusChanged {
        number: number.clone(),
        from: Some(from.into()),
        to: to.into(),
        reason: reason.map(str::to_owned),
        changed_at: now,
    })?;
    if matches!(to, OrderState::Cancelled | OrderState::PaymentFailed) {
        // Never shipped: the promotions' uses go back (a refunded order keeps them).
        db::promotions::release(conn, number).await?;
    }
    if to == OrderState::Cancelled {
        events.add(OrderCancelled {
            number: number.clone(),
            reason: reason.map(str::to_owned),
            cancelled_at: now,
            email: Some(order.email.clone()),
            customer_name: Some(order.customer_name.clone()),
        })?;
    }
    Ok(())
}

/// An admin or operator moves an order (`rpc.checkout.transition`). Cancelling gives the stock back to the
/// catalog (released, or restocked when it was sold); if the catalog is down, the reconciler finishes it.
pub async fn transition(
    pool: &MySqlPool,
    catalog: &CatalogClient,
    number: &OrderNumber,
    to: OrderState,
    reason: Option<&str>,
) -> Result<OrderState, TransitionError> {
    let mut tx = pool.begin().await?;
    let order = db::orders::by_number(&mut tx, number, db::Locking::ForUpdate)
        .await?
        .ok_or_else(|| TransitionError::NotFound(number.clone()))?;
    let from = order.state;
    if from == OrderState::Pending {
        return Err(TransitionError::PaymentInProgress(number.clone()));
    }
    let gives_stock_back = to == OrderState::Cancelled;
    record_transition(
        &mut tx,
        &order,
        (from, to),
        reason,
        if !gives_stock_back && order.stock_settled {
            StockSettlement::Settled
        } else {
            StockSettlement::Pending
        },
        // An operator over rpc.checkout.transition, not a staff member of the admin.
        &Who::System,
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
    number: &OrderNumber,
    state: OrderState,
) -> bool {
    let settled = ask_catalog_to_settle(catalog, number, state).await == StockSettlement::Settled;
    if settled {
        let marked = async {
            let mut conn = pool.acquire().await?;
            db::orders::mark_stock_settled(&mut conn, number).await
        };
        if let Err(err) = marked.await {
            tracing::warn!(%number, error = %err, "cannot record settled stock; the reconciler will retry");
            return false;
        }
    }
    settled
}

/// Asks the catalog for the stock outcome `state` implies; `Settled` when done (or refused for good: nothing
/// more can be done automatically). For a caller that records it itself.
pub async fn ask_catalog_to_settle(
    catalog: &CatalogClient,
    number: &OrderNumber,
    state: OrderState,
) -> StockSettlement {
    let outcome = match state {
        OrderState::Paid | OrderState::Processing | OrderState::Shipped | OrderState::Delivered => {
            catalog.commit(number).await
        }
        OrderState::PaymentFailed | OrderState::Cancelled => catalog.release(number).await,
        OrderState::Pending | OrderState::Refunded => return StockSettlement::Pending,
    };
    match outcome {
        Ok(_) => StockSettlement::Settled,
        Err(CatalogError::Rejected(rejection)) => {
            // Nothing more can be done automatically (an expired reservation of a paid order): say so loudly.
            tracing::error!(%number, %rejection, "the catalog refused to settle an order's stock");
            metrics::counter!("checkout_stock_settlement_refused_total").increment(1);
            StockSettlement::Settled
        }
        Err(CatalogError::Unavailable(err)) => {
            tracing::warn!(%number, error = %err, "settling stock later: the catalog is unavailable");
            StockSettlement::Pending
        }
    }
}
