//! What checkout publishes on the `ORDERS` stream, and its request/reply endpoints.
//!
//! | subject                            | event                 |
//! |------------------------------------|-----------------------|
//! | `orders.<NUMBER>.created`          | [`OrderCreated`]      |
//! | `orders.<NUMBER>.paid`             | [`OrderPaid`]         |
//! | `orders.<NUMBER>.status_changed`   | [`OrderStatusChanged`]|
//! | `orders.<NUMBER>.cancelled`        | [`OrderCancelled`]    |

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    contracts::{Email, OrderNumber, Sku},
    events::Event,
};

/// Filter for OrderCreated only (the mailer's and the bridge's default).
pub const ORDER_CREATED: &str = "orders.*.created";
/// Filter for every order event.
pub const ALL_ORDER_EVENTS: &str = "orders.>";

/// Move an order through its life cycle (the admin and operators).
pub const TRANSITION: &str = "rpc.checkout.transition";

/// Where an order is in its life, as events and replies name it. Checkout owns the rules (which move is
/// allowed); this is only the vocabulary. A state added by a newer checkout reads as [`OrderStatus::Unknown`]
/// in an older consumer instead of failing the whole event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// One line of an order, as it was sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub sku: Sku,
    pub name: String,
    pub unit_price: Decimal,
    pub quantity: u32,
    pub line_total: Decimal,
}

/// An order was placed and paid: everything a confirmation email or an outside system needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    pub number: OrderNumber,
    pub email: Email,
    pub customer_name: String,
    pub lines: Vec<OrderLine>,
    pub subtotal: Decimal,
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
}

impl Event for OrderCancelled {
    const TYPE: &'static str = "OrderCancelled";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("orders.{}.cancelled", self.number)
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
