//! Orders by state, unconfirmed stock releases and the provider's charges by outcome, counted for operators
//! and the admin (`rpc.checkout.counts`). Orders are counted on their state index; the other two tables stay
//! small (releases are deleted once confirmed, the mock provider's ledger is for development).

use platform::contracts::orders::{ChargeCounts, CheckoutCounts, OrderCounts};
use sqlx::{MySqlPool, Row as _};

use crate::domain::OrderState;

pub async fn counts(pool: &MySqlPool) -> Result<CheckoutCounts, sqlx::Error> {
    let mut orders = OrderCounts::default();
    for (state, count) in grouped(pool, "SELECT state, COUNT(*) FROM orders GROUP BY state").await?
    {
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
    for (state, count) in grouped(
        pool,
        "SELECT state, COUNT(*) FROM mockpay_charges GROUP BY state",
    )
    .await?
    {
        let slot = match state.as_str() {
            "succeeded" => &mut charges.succeeded,
            "declined" => &mut charges.declined,
            "voided" => &mut charges.voided,
            _ => return Err(unknown("charge", &state)),
        };
        *slot = count;
    }
    let releases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stock_releases")
        .fetch_one(pool)
        .await?;
    Ok(CheckoutCounts {
        orders,
        unconfirmed_stock_releases: u64::try_from(releases).unwrap_or_default(),
        charges,
    })
}

/// `(state, count)` rows of a `SELECT state, COUNT(*) ... GROUP BY state`.
async fn grouped(pool: &MySqlPool, sql: &'static str) -> Result<Vec<(String, u64)>, sqlx::Error> {
    sqlx::query(sql)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| {
            let count: i64 = row.try_get(1)?;
            Ok((row.try_get(0)?, u64::try_from(count).unwrap_or_default()))
        })
        .collect()
}

/// A state the schema's ENUM does not allow: the code and the schema disagree.
fn unknown(what: &str, state: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} state {state:?}").into())
}
