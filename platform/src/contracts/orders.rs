//! What checkout publishes on the `ORDERS` stream, and its request/reply endpoints.
//!
//! | subject                            | event                 |
//! |------------------------------------|-----------------------|
//! | `orders.<NUMBER>.created`          | [`OrderCreated`]      |
//! | `orders.<NUMBER>.paid`             | [`OrderPaid`]         |
//! | `orders.<NUMBER>.status_changed`   | [`OrderStatusChanged`]|
//! | `orders.<NUMBER>.cancelled`        | [`OrderCancelled`]    |
//! | `orders.<NUMBER>.shipped`          | [`OrderShipped`]      |
//! | `orders.<NUMBER>.refunded`         | [`OrderRefunded`]     |
//!
//! Every move of an order also publishes its [`OrderStatusChanged`]; [`OrderCancelled`], [`OrderShipped`] and
//! [`OrderRefunded`] carry what the shopper is told about (the mailer writes to them), including who they are, so
//! no consumer needs to ask checkout.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    contracts::{Email, InvalidField, OrderNumber, Sku},
    events::Event,
};

/// Filter for OrderCreated only (the mailer's and the bridge's default).
pub const ORDER_CREATED: &str = "orders.*.created";
/// Filter for every order event.
pub const ALL_ORDER_EVENTS: &str = "orders.>";

/// Move an order through its life cycle (the admin and operators).
pub const TRANSITION: &str = "rpc.checkout.transition";
/// Orders by state, and what checkout still has to finish (the admin and operators).
pub const COUNTS: &str = "rpc.checkout.counts";

/// Where an order is in its life, as events and replies name it. Checkout owns the rules (which move is
/// allowed); this is only the vocabulary. A state added by a newer checkout reads as [`OrderStatus::Unknown`]
/// in an older consumer instead of failing the whole event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
    PaymentFailed,
    Refunded,
    #[serde(other)]
    Unknown,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Processing => "processing",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::PaymentFailed => "payment_failed",
            Self::Refunded => "refunded",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest address line (and name of the person at the address).
pub const MAX_LINE_CHARS: usize = 200;
/// Longest city or region.
pub const MAX_CITY_CHARS: usize = 100;
/// Longest postal code.
pub const MAX_POSTAL_CODE_CHARS: usize = 20;

/// Required text: trimmed, 1 to `max` characters, no control characters.
pub fn text_field(field: &str, value: &str, max: usize) -> Result<String, InvalidField> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InvalidField::new(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(InvalidField::new(
            field,
            format!("at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidField::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// Optional text: absent or blank is none; otherwise as [`text_field`].
pub fn optional_text_field(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, InvalidField> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => text_field(field, value, max).map(Some),
        None => Ok(None),
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default)]
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

impl Address {
    /// The address with every field checked (trimmed, within its limits, the country upper case); errors
    /// name the field under `prefix` (`shipping_address.city`). Checkout's orders and the accounts service's
    /// saved addresses take the same addresses. An empty `prefix` names the fields alone (`city`).
    pub fn parse(&self, prefix: &str) -> Result<Self, InvalidField> {
        let field = |name: &str| {
            if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            }
        };
        let country = self.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(InvalidField::new(
                &field("country"),
                "an ISO 3166-1 alpha-2 code like US",
            ));
        }
        Ok(Self {
            line1: text_field(&field("line1"), &self.line1, MAX_LINE_CHARS)?,
            line2: optional_text_field(&field("line2"), self.line2.as_deref(), MAX_LINE_CHARS)?,
            city: text_field(&field("city"), &self.city, MAX_CITY_CHARS)?,
            region: optional_text_field(&field("region"), self.region.as_deref(), MAX_CITY_CHARS)?,
            postal_code: text_field(
                &field("postal_code"),
                &self.postal_code,
                MAX_POSTAL_CODE_CHARS,
            )?,
            country,
        })
    }
}

/// One line of an order, as it was sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub sku: Sku,
    pub name: String,
    pub unit_price: Decimal,
    pub quantity: u32,
    /// `unit_price` times `quantity`, before any discount.
    pub line_total: Decimal,
    /// This line's share of the order's discounts (what a refund of its units does not give back).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub discount: Decimal,
}

/// A promotion an order got: its name, the code typed for it (none for an automatic one), and what it took
/// off the lines and off shipping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discount {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub code: Option<String>,
    /// Off the lines.
    pub amount: Decimal,
    /// Off shipping.
    pub shipping: Decimal,
}

/// An order was placed and paid: everything a confirmation email or an outside system needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    pub number: OrderNumber,
    pub email: Email,
    pub customer_name: String,
    pub lines: Vec<OrderLine>,
    pub subtotal: Decimal,
    /// Taken off the lines by promotions: `total = subtotal - discount + shipping + tax`.
    #[serde(default)]
    pub discount: Decimal,
    /// Each promotion applied; `shipping` is what was charged after any free-shipping one.
    #[serde(default)]
    pub discounts: Vec<Discount>,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub currency: String,
    pub shipping_method: String,
    pub shipping_address: Address,
    pub state: OrderStatus,
    pub created_at: DateTime<Utc>,
    /// The secret that opens the order page (`/orders/<number>?token=...`). Internal consumers (the mailer)
    /// need it for the link; anything forwarding the event outside the host must remove it.
    pub lookup_token: Option<String>,
}

impl Event for OrderCreated {
    const TYPE: &'static str = "OrderCreated";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.created", self.number)
    }
}

/// The order's payment succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaid {
    pub number: OrderNumber,
    pub amount: Decimal,
    pub currency: String,
    pub provider: String,
    pub payment_reference: String,
    pub paid_at: DateTime<Utc>,
}

impl Event for OrderPaid {
    const TYPE: &'static str = "OrderPaid";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.paid", self.number)
    }
}

/// The order moved from one state to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStatusChanged {
    pub number: OrderNumber,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub reason: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl Event for OrderStatusChanged {
    const TYPE: &'static str = "OrderStatusChanged";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.status_changed", self.number)
    }
}

/// The order was cancelled; its stock went back to the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub number: OrderNumber,
    pub reason: Option<String>,
    pub cancelled_at: DateTime<Utc>,
    /// Who to tell (absent in events written before checkout added them).
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub customer_name: Option<String>,
}

impl Event for OrderCancelled {
    const TYPE: &'static str = "OrderCancelled";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.cancelled", self.number)
    }
}

/// The order was handed to a carrier (an admin's "ship" action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    pub number: OrderNumber,
    pub email: Email,
    pub customer_name: String,
    /// As the admin typed it: "DHL", "UPS", "La Poste", ...
    pub carrier: String,
    pub tracking_number: String,
    /// The carrier's tracking page for this parcel, when checkout knows the carrier's address for it.
    #[serde(default)]
    pub tracking_url: Option<String>,
    pub shipped_at: DateTime<Utc>,
}

impl Event for OrderShipped {
    const TYPE: &'static str = "OrderShipped";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.shipped", self.number)
    }
}

/// Money went back to the shopper: one refund, full or partial. A partial refund leaves the order in its state;
/// the refund that brings `total_refunded` to what was paid moves it to `refunded` (its OrderStatusChanged
/// follows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRefunded {
    pub number: OrderNumber,
    pub email: Email,
    pub customer_name: String,
    /// This refund.
    pub amount: Decimal,
    pub currency: String,
    /// Every refund of the order so far, this one included (never more than was paid).
    pub total_refunded: Decimal,
    /// Whether the order is now refunded in full.
    pub full: bool,
    /// The lines refunded, when the refund was by line (empty for a refund by amount).
    #[serde(default)]
    pub lines: Vec<RefundedLine>,
    #[serde(default)]
    pub reason: Option<String>,
    /// The payment provider's reference of the refund.
    pub refund_reference: String,
    pub refunded_at: DateTime<Utc>,
}

/// Units of one order line given back in a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundedLine {
    pub sku: Sku,
    pub name: String,
    pub quantity: u32,
    pub amount: Decimal,
}

impl Event for OrderRefunded {
    const TYPE: &'static str = "OrderRefunded";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.refunded", self.number)
    }
}

/// `rpc.checkout.transition` request. Its fields are text on purpose: checkout checks each one and answers a
/// malformed request with a [`TransitionRejection`] naming the field, rather than a decoding error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRequest {
    pub number: String,
    /// `processing`, `shipped`, `delivered`, `cancelled`, `refunded`, ...
    pub to: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why checkout refused to move an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionRejection {
    /// A field of the request is malformed; the message names it.
    InvalidRequest,
    /// `to` is not a state orders have.
    UnknownState,
    NotFound,
    /// The state machine does not allow this move from the order's current state.
    IllegalTransition,
    /// The order is still being paid; checkout finishes it itself.
    PaymentInProgress,
    /// A code from a newer checkout.
    #[serde(other)]
    Unknown,
}

/// `rpc.checkout.transition` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionReply {
    Ok {
        number: OrderNumber,
        from: OrderStatus,
        to: OrderStatus,
    },
    Rejected {
        code: TransitionRejection,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_codes_are_snake_case_words_and_newer_ones_read_as_unknown() {
        assert_eq!(
            serde_json::to_string(&OrderStatus::PaymentFailed).unwrap(),
            "\"payment_failed\""
        );
        let newer: OrderStatus = serde_json::from_str("\"on_hold\"").unwrap();
        assert_eq!(newer, OrderStatus::Unknown);
        let reply: TransitionReply =
            serde_json::from_str(r#"{"rejected": {"code": "rate_limited", "message": "later"}}"#)
                .unwrap();
        assert!(matches!(
            reply,
            TransitionReply::Rejected {
                code: TransitionRejection::Unknown,
                ..
            }
        ));
    }
}

/// `rpc.checkout.counts` request: no parameters (an empty body reads as `{}`); any field is refused, so that a
/// caller expecting a filter learns it has none rather than getting unfiltered counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsRequest {}

/// `rpc.checkout.counts` reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutCounts {
    pub orders: OrderCounts,
    /// Stock releases the catalog has not confirmed yet: the reconciler retries them until it does.
    pub unconfirmed_stock_releases: u64,
    /// The payment provider's ledger: charges by outcome, one per payment reference.
    pub charges: ChargeCounts,
}

/// Orders in each state of their life cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCounts {
    /// Being placed; a request or the reconciler will finish it.
    pub pending: u64,
    pub paid: u64,
    pub processing: u64,
    pub shipped: u64,
    pub delivered: u64,
    pub cancelled: u64,
    pub payment_failed: u64,
    pub refunded: u64,
}

/// Charges the payment provider recorded, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeCounts {
    /// The money was taken.
    pub succeeded: u64,
    pub declined: u64,
    /// Never charged, and now never will be (the reconciler gave the attempt up).
    pub voided: u64,
}
