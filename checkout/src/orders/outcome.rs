//! How a place-order attempt ends, recorded once, by whoever gets there first: the request that charged the
//! card, a retry of it after a crash, or the reconciler finishing an attempt whose request died.
//!
//! Everything the outcome changes is written in one transaction under the order's row lock (taken by the
//! update that moves it out of `pending`, and only if it still is): the charge's payment row, the state change with its
//! events, the cart (ordered, or given back to the shopper), when paid, the final answer of the attempt's
//! Idempotency-Key, and the day's sales summary (`db::reports`: the sale, or the payment failure). So a crash can never leave a paid order whose key still
//! answers "not done" or that the reports miss, and two finishers never both move the order (or count it).

use chrono::{SubsecRound as _, Utc};
use platform::{
    contracts::orders::{OrderCreated, OrderPaid},
    outbox,
};
use serde::Serialize;

use crate::{
    Checkout, SERVICE,
    db::{self, orders::Order, reports::ProductDelta},
    domain::{OrderNumber, OrderState, PaymentState, PaymentStatus, StockSettlement, Who},
    orders::{transition::record_moved, view::OrderView},
    payments,
};

/// What the shopper gets back for a paid order: the order, and the secret link to reopen it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PlacedOrder)]
pub struct Placed {
    #[serde(flatten)]
    pub order: OrderView,
    /// Opens the order with `GET /api/orders/{number}?token=`; shown once, kept by the shopper.
    pub lookup_token: String,
    /// The storefront's page of the order, token included.
    pub order_url: String,
}

impl Placed {
    pub fn new(checkout: &Checkout, order: Order, lookup_token: String) -> Self {
        let order_url = format!(
            "{}/orders/{}?token={lookup_token}",
            checkout.config.public_base_url.trim_end_matches('/'),
            order.number
        );
        Self {
            order: order.into(),
            lookup_token,
            order_url,
        }
    }

    /// The 201 body, as sent and as replayed for the attempt's key.
    pub fn body(&self) -> Vec<u8> {
        // Serializing plain data into a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// How the payment of a pending order ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    /// Declined, or the provider was unavailable: nothing was charged.
    PaymentFailed {
        reason: String,
    },
    /// The request died before charging; the provider confirmed nothing was charged (and never will be).
    Abandoned,
}

impl Outcome {
    /// The state the pending order moves to.
    pub fn state(&self) -> OrderState {
        match self {
            Self::Paid => OrderState::Paid,
            Self::PaymentFailed { .. } => OrderState::PaymentFailed,
            Self::Abandoned => OrderState::Cancelled,
        }
    }
}

/// Who recorded the outcome.
#[derive(Debug)]
pub enum Recorded {
    /// This call moved the order: the order as it left it. When paid, its answer is
    /// `Placed::new(checkout, order, lookup_token)`, which is what the key replays.
    Now(Order),
    /// Someone else had already finished the attempt: the order as they left it.
    Already(Order),
}

/// Records `outcome` for the pending order `number`, placed from `cart_id` (see the module docs).
/// `lookup_token` is the attempt's token when known: it goes into OrderCreated (for the confirmation email's
/// link) and into the key's answer. `by` is whose request finishes it: the shopper's, or the reconciler.
/// `stock` says whether the caller has already settled the order's stock with the catalog for this outcome
/// (it asks first: an order whose outcome is recorded without it waits for the reconciler to settle it).
/// `known` is the order as its attempt wrote it, when the caller has it: then it is not read again.
pub async fn record(
    checkout: &Checkout,
    number: &OrderNumber,
    cart_id: Option<u64>,
    outcome: &Outcome,
    (lookup_token, by): (Option<&str>, &Who),
    stock: StockSettlement,
    known: Option<Order>,
) -> Result<Recorded, sqlx::Error> {
    let to = outcome.state();
    let mut tx = checkout.pool.begin().await?;
    // Rows are locked in the order every step of an attempt takes them, the cart and then the order: a retry of
    // the same attempt writing this order under its cart's lock must not wait for this transaction while this
    // one waits for that cart (a deadlock seen under load). The cart's change is undone below if the order
    // turns out to be finished already.
    if let Some(cart_id) = cart_id {
        if to == OrderState::Paid {
            db::carts::convert(&mut tx, cart_id, number).await?;
        } else {
            db::carts::release_claim(&mut tx, cart_id, number).await?;
        }
    }
    let money = if to == OrderState::Paid {
        PaymentStatus::Paid
    } else {
        PaymentStatus::Failed
    };
    let now = Utc::now().trunc_subsecs(6);
    // Only a pending order moves: of two finishers, the second finds it moved and changes nothing.
    let settled = stock == StockSettlement::Settled;
    if !db::orders::finish_pending(&mut tx, number, (to, money, settled), now).await? {
        tx.rollback().await?;
        let mut conn = checkout.pool.acquire().await?;
        return match db::orders::by_number(&mut conn, number, db::Locking::None).await? {
            Some(order) => Ok(Recorded::Already(order)),
            None => Err(sqlx::Error::RowNotFound),
        };
    }
    let order = match known {
        Some(mut order) => {
            order.state = to;
            order.payment_status = money;
            order.version += 1;
            order.stock_settled = settled;
            order.updated_at = now;
            order
        }
        None => db::orders::by_number(&mut tx, number, db::Locking::None)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?,
    };
    let reference = payments::reference_for(number);
    let (payment_state, reason) = match outcome {
        Outcome::Paid => (PaymentState::Succeeded, None),
        Outcome::PaymentFailed { reason } => (PaymentState::Declined, Some(reason.as_str())),
        Outcome::Abandoned => (PaymentState::Failed, Some("abandoned before the payment")),
    };
    db::orders::record_charge(
        &mut tx,
        order.id,
        (payments::PROVIDER, &reference),
        (order.total, &order.currency),
        payment_state,
        reason,
    )
    .await?;
    let history_reason = match outcome {
        Outcome::Abandoned => Some("abandoned"),
        _ => reason,
    };
    let mut events = outbox::Batch::new(SERVICE.name);
    record_moved(
        &mut tx,
        &order,
        (OrderState::Pending, to),
        history_reason,
        by,
        &mut events,
    )
    .await?;
    if to == OrderState::Paid {
        add_paid_events(&mut events, &order, &reference, lookup_token)?;
    }
    events.write(&mut tx).await?;
    if to == OrderState::Paid {
        if let Some(token) = lookup_token {
            let answer = Placed::new(checkout, order.clone(), token.to_owned());
            db::idempotency::complete_for_order(&mut tx, number, 201, &answer.body()).await?;
        }
    } else {
        if *outcome == Outcome::Abandoned {
            // A retry of the dead request starts a new attempt rather than resuming this one.
            db::idempotency::forget_for_order(&mut tx, number).await?;
        }
    }
    // Last: the day's row is every order's, so its lock is held only from here to the commit.
    record_in_summary(&mut tx, &order, outcome).await?;
    tx.commit().await?;
    checkout.outbox.notify();
    metrics::counter!("checkout_orders_total", "outcome" => to.as_str()).increment(1);
    Ok(Recorded::Now(order))
}

/// Counts the outcome in the sales of the day the order was placed (UTC): a sale when paid, a payment failure
/// when declined or the provider failed; an abandoned attempt charged nothing and failed no card.
async fn record_in_summary(
    tx: &mut sqlx::MySqlConnection,
    order: &Order,
    outcome: &Outcome,
) -> Result<(), sqlx::Error> {
    let day = order.created_at.date_naive();
    match outcome {
        Outcome::Paid => {
            let lines: Vec<ProductDelta<'_>> = order
                .lines
                .iter()
                .map(|line| ProductDelta {
                    sku: line.sku.as_str(),
                    name: &line.name,
                    units: line.quantity.into(),
                    revenue: line.line_total - line.discount,
                })
                .collect();
            db::reports::record_paid(tx, day, order.total, &lines).await
        }
        Outcome::PaymentFailed { .. } => db::reports::record_payment_failure(tx, day).await,
        Outcome::Abandoned => Ok(()),
    }
}

fn add_paid_events(
    events: &mut outbox::Batch<'_>,
    order: &Order,
    reference: &str,
    lookup_token: Option<&str>,
) -> Result<(), sqlx::Error> {
    events.add(OrderCreated {
        number: order.number.clone(),
        email: order.email.clone(),
        customer_name: order.customer_name.clone(),
        lines: order.lines.clone(),
        subtotal: order.subtotal,
        discount: order.discount,
        discounts: order.discounts.clone(),
        shipping: order.shipping,
        tax: order.tax,
        total: order.total,
        currency: order.currency.clone(),
        shipping_method: order.shipping_method.clone(),
        shipping_address: order.shipping_address.clone(),
        state: OrderState::Paid.into(),
        created_at: order.created_at,
        lookup_token: lookup_token.map(str::to_owned),
    })?;
    events.add(OrderPaid {
        number: order.number.clone(),
        amount: order.total,
        currency: order.currency.clone(),
        provider: payments::PROVIDER.to_owned(),
        payment_reference: reference.to_owned(),
        paid_at: Utc::now(),
    })?;
    Ok(())
}
