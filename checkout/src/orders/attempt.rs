//! What a place-order attempt takes and how it can fail: shared by its steps (`place`, `pay`, `outcome`).

use std::time::Duration;

use platform::contracts::{catalog::ShortLine, orders::Address};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    db::{idempotency::AttemptIds, promotions::Refusal},
    domain::{Email, OrderNumber, ShippingMethod, Sku, TestCard},
    promotions::CodeRefused,
};

/// A validated place-order request.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub cart_token: String,
    pub email: Email,
    pub customer_name: String,
    pub address: Address,
    pub shipping_method: ShippingMethod,
    pub card: TestCard,
    /// The total the shopper was shown (the totals preview's): an order that would charge anything else is
    /// refused rather than placed.
    pub expected_total: Option<Decimal>,
}

/// One place-order attempt: its order number and lookup token, whichever request runs it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub ids: AttemptIds,
    /// This request took the key over from one that died: the attempt may already have its order.
    pub taken_over: bool,
}

/// A line whose price changed since it was put in the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PriceChange {
    pub sku: Sku,
    pub name: String,
    pub old_price: Decimal,
    pub new_price: Decimal,
}

/// Why no order was paid.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("no such cart")]
    CartNotFound,
    #[error("this cart was already ordered")]
    CartConverted,
    #[error("another checkout of this cart is in progress")]
    CheckoutInProgress { retry_after: Duration },
    #[error("too many payment attempts for this cart")]
    TooManyAttempts { retry_after: Duration },
    #[error("the cart has no items")]
    CartEmpty,
    #[error("prices changed since the items were added")]
    PriceChanged(Vec<PriceChange>),
    #[error("some items are no longer available")]
    NoLongerAvailable(Vec<ShortLine>),
    #[error("not enough stock for some items")]
    OutOfStock(Vec<ShortLine>),
    #[error("{0}")]
    NotOrderable(String),
    #[error("the catalog is unavailable: {0}")]
    CatalogUnavailable(String),
    /// The cart's promotion code takes nothing off now (the shopper may take it off and order).
    #[error("{0}")]
    CouponRefused(CodeRefused),
    /// A promotion's last use went to another order meanwhile.
    #[error("{0}")]
    PromotionUsedUp(Refusal),
    /// The order would charge another total than the one the shopper was shown.
    #[error("the total is now {total}, not {expected}")]
    TotalChanged { expected: Decimal, total: Decimal },
    #[error("payment declined: {reason}")]
    Declined { number: OrderNumber, reason: String },
    #[error("the payment provider is unavailable")]
    ProviderUnavailable,
    /// The payment's outcome could not be known or recorded (the provider did not answer and could not be asked,
    /// or the database failed after the charge): the order stays pending, and the key keeps the attempt for a
    /// retry of the same request (or the reconciler) to finish.
    #[error("the payment's outcome is not known yet")]
    PaymentUncertain,
    /// The reconciler gave this attempt up (its request had died); a new attempt may start.
    #[error("this checkout attempt was abandoned")]
    AttemptAbandoned,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}
