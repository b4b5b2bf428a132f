//! What checkout holds, counted for operators and the admin (`rpc.checkout.counts`): orders by state, stock
//! releases the catalog has not confirmed, and the mock provider's charges by outcome.

use platform::contracts::orders::{ChargeCounts, CheckoutCounts, OrderCounts};
use sqlx::MySqlPool;

use crate::{db, domain::OrderState};

pub async fn counts(pool: &MySqlPool) -> Result<CheckoutCounts, sqlx::Error> {
    let mut orders = OrderCounts::default();
    for (state, count) in db::counts::orders_by_state(pool).await? {
        let slot = match OrderState::parse(&state) {
            Some(OrderState::Pending) => &mut orders.pending,
            Some(OrderState::Paid) => &mut orders.paid,
            Some(OrderState::Processing) => &mut orders.processing,
            Some(OrderState::Shipped) => &mut orders.shipped,
            Some(OrderState::Delivered) => &mut orders.delivered,
            Some(OrderState::Cancelled) => &mut orders.cancelled,
            Some(OrderState::PaymentFailed) => &mut orders.payment_failed,
            Some(OrderState::Refunded) => &mut orders.refunded,
            None => return Err(unknown("order", &state)),
        };
        *slot = count;
    }
    let mut charges = ChargeCounts::default();
    for (state, count) in db::counts::charges_by_state(pool).await? {
        let slot = match state.as_str() {
            "succeeded" => &mut charges.succeeded,
            "declined" => &mut charges.declined,
            "voided" => &mut charges.voided,
            _ => return Err(unknown("charge", &state)),
        };
        *slot = count;
    }
    Ok(CheckoutCounts {
        orders,
        unconfirmed_stock_releases: db::counts::unconfirmed_releases(pool).await?,
        charges,
    })
}

/// A state the schema's ENUM does not allow: the code and the schema disagree.
fn unknown(what: &str, state: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} state {state:?}").into())
}
