//! Charging a pending order and recording how it went: the second half of place-order ([`super::place`]), also
//! where a retry of a request that died after writing its order carries on.
//!
//! The charge goes to the order's payment reference, so charging again (a retry) returns the first outcome and
//! never takes the money twice. A provider that did not answer may still have charged: it is asked before the
//! attempt is called failed, and when it cannot be asked the order stays pending for a retry of the same key
//! (or the reconciler) to find out.

use super::{
    attempt::{Attempt, PlaceError, PlaceOrder},
    outcome::{self, Outcome, Placed, Recorded},
    transition::ask_catalog_to_settle,
};
use crate::{
    Checkout,
    db::{self, orders::Order},
    domain::{OrderState, Who},
    payments::{self, ChargeStatus, PaymentResult},
};

/// Carries on with the attempt's order written by an earlier request with the same key.
pub(super) async fn resume(
    checkout: &Checkout,
    attempt: &Attempt,
    request: &PlaceOrder,
    order: Order,
) -> Result<Placed, PlaceError> {
    tracing::info!(number = %order.number, state = %order.state, "a retry carries on with its attempt's order");
    match order.state {
        OrderState::Pending => pay(checkout, attempt, request, order).await,
        _ => finished(checkout, attempt, order).await,
    }
}

/// The answer for an attempt someone else already finished.
async fn finished(
    checkout: &Checkout,
    attempt: &Attempt,
    order: Order,
) -> Result<Placed, PlaceError> {
    match order.state {
        OrderState::PaymentFailed => {
            let mut conn = checkout.pool.acquire().await?;
            let reason = db::orders::last_payment_error(&mut conn, order.id)
                .await?
                .unwrap_or_else(|| "declined".to_owned());
            Err(PlaceError::Declined {
                number: order.number,
                reason,
            })
        }
        OrderState::Cancelled | OrderState::Pending => Err(PlaceError::AttemptAbandoned),
        // Paid, and maybe moved on since.
        OrderState::Paid
        | OrderState::Processing
        | OrderState::Shipped
        | OrderState::Delivered
        | OrderState::Refunded => Ok(Placed::new(
            checkout,
            order,
            attempt.ids.lookup_token.clone(),
        )),
    }
}

/// Charges the pending `order` (at most once, by its reference), settles the stock with the catalog (sold, or
/// given back) and records the outcome.
pub(super) async fn pay(
    checkout: &Checkout,
    attempt: &Attempt,
    request: &PlaceOrder,
    order: Order,
) -> Result<Placed, PlaceError> {
    let number = order.number.clone();
    let reference = payments::reference_for(&number);
    let mut result = payments::charge(&checkout.pool, request.card, &reference, order.total).await;
    if result == PaymentResult::Unavailable {
        // A provider that did not answer may still have taken the money: ask before calling it failed.
        match payments::resolve(&checkout.pool, &reference).await {
            Ok(ChargeStatus::Charged) => result = PaymentResult::Succeeded,
            Ok(ChargeStatus::NotCharged) => {}
            Err(err) => {
                // Left pending: a retry with the same key, or the reconciler, asks again and finishes it.
                tracing::warn!(%number, error = %err, "cannot tell whether an order was charged");
                return Err(PlaceError::PaymentUncertain);
            }
        }
    }
    let outcome = match &result {
        PaymentResult::Succeeded => Outcome::Paid,
        PaymentResult::Declined { reason } => Outcome::PaymentFailed {
            reason: reason.clone(),
        },
        PaymentResult::Unavailable => Outcome::PaymentFailed {
            reason: "payment provider unavailable".to_owned(),
        },
    };
    // Settled before the outcome is recorded, so the record says so in the same write. Safe to ask first: the
    // charge's outcome is the provider's and final, so whoever records this order records the same state.
    let stock = ask_catalog_to_settle(&checkout.catalog, &number, outcome.state()).await;
    let recorded = outcome::record(
        checkout,
        &number,
        order.cart_id,
        &outcome,
        (Some(&attempt.ids.lookup_token), &Who::Shopper),
        stock,
        Some(order),
    )
    .await
    .map_err(|err| {
        // Charged or not, the order is still pending: the key keeps the attempt, and its retry (or the
        // reconciler) charges the same reference again, which answers the first outcome.
        tracing::warn!(%number, error = %err, "cannot record how a payment ended yet");
        PlaceError::PaymentUncertain
    })?;
    let order = match recorded {
        Recorded::Now(order) => {
            return match result {
                // The same answer the outcome's transaction recorded for the key.
                PaymentResult::Succeeded => Ok(Placed::new(
                    checkout,
                    order,
                    attempt.ids.lookup_token.clone(),
                )),
                PaymentResult::Declined { reason } => Err(PlaceError::Declined { number, reason }),
                PaymentResult::Unavailable => Err(PlaceError::ProviderUnavailable),
            };
        }
        Recorded::Already(order) => order,
    };
    finished(checkout, attempt, order).await
}
