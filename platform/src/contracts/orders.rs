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

use crate::events::Event;

/// Filter for OrderCreated only (the mailer's and the bridge's default).
pub const ORDER_CREATED: &str = "orders.*.created";
/// Filter for every order event.
pub const ALL_ORDER_EVENTS: &str = "orders.>";

/// Move an order through its life cycle (the admin and operators).
pub const TRANSITION: &str = "rpc.checkout.transition";

/// The longest order number a consumer accepts. Checkout's are 11 characters (`SH-` and 8 of Crockford base
/// 32); the bound leaves room for a longer format later.
pub const ORDER_NUMBER_MAX_LEN: usize = 64;

/// Why a string is not a well-formed order number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderNumberError {
    #[error("it is empty")]
    Empty,
    #[error("it is longer than {ORDER_NUMBER_MAX_LEN} characters")]
    TooLong,
    #[error("it has characters other than ASCII letters, digits and `-`")]
    InvalidCharacter,
    #[error("it starts with `-`")]
    LeadingDash,
}

/// Checks that `number` is a well-formed order number: ASCII letters, digits and `-`, starting with a letter
/// or digit, at most [`ORDER_NUMBER_MAX_LEN`] characters.
///
/// Checkout generates `SH-` and 8 characters of Crockford base 32; consumers accept this wider shape so that a
/// future format does not need them all changed at once. The number travels into places that have grammars of
/// their own (NATS subject tokens, SQS group ids and attributes, email headers, file names), and this shape is
/// safe in every one of them: no control characters, spaces, dots or wildcards.
pub fn check_order_number(number: &str) -> Result<(), OrderNumberError> {
    if number.is_empty() {
        return Err(OrderNumberError::Empty);
    }
    if number.len() > ORDER_NUMBER_MAX_LEN {
        return Err(OrderNumberError::TooLong);
    }
    if !number
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
    {
        return Err(OrderNumberError::InvalidCharacter);
    }
    if number.starts_with('-') {
        return Err(OrderNumberError::LeadingDash);
    }
    Ok(())
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
    pub sku: String,
    pub name: String,
    pub unit_price: Decimal,
    pub quantity: u32,
    pub line_total: Decimal,
}

/// An order was placed and paid: everything a confirmation email or an outside system needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    pub number: String,
    pub email: String,
    pub customer_name: String,
    pub lines: Vec<OrderLine>,
    pub subtotal: Decimal,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub currency: String,
    pub shipping_method: String,
    pub shipping_address: Address,
    pub state: String,
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
    pub number: String,
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
    pub number: String,
    pub from: Option<String>,
    pub to: String,
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
    pub number: String,
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

/// `rpc.checkout.transition` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRequest {
    pub number: String,
    /// `processing`, `shipped`, `delivered`, `cancelled`, `refunded`, ...
    pub to: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `rpc.checkout.transition` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionReply {
    Ok {
        number: String,
        from: String,
        to: String,
    },
    Rejected {
        code: String,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_letters_digits_and_dashes_of_bounded_length() {
        for good in [
            "SH-7K3M9Q2X",
            "SH-00000000",
            "sh-abc",
            "ORDER-2031-000001",
            "X",
        ] {
            assert_eq!(check_order_number(good), Ok(()), "{good}");
        }
        assert_eq!(check_order_number(""), Err(OrderNumberError::Empty));
        assert_eq!(
            check_order_number(&"A".repeat(ORDER_NUMBER_MAX_LEN + 1)),
            Err(OrderNumberError::TooLong)
        );
        assert_eq!(
            check_order_number(&"A".repeat(ORDER_NUMBER_MAX_LEN)),
            Ok(())
        );
        for bad in [
            "SH-1\r\nBcc: x",
            "SH-1\n",
            "SH 1",
            "SH.1",
            "SH-*",
            "SH->",
            "SH-\u{0}",
            "SH-Ü1",
            "SH_1",
        ] {
            assert_eq!(
                check_order_number(bad),
                Err(OrderNumberError::InvalidCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(
            check_order_number("-SH1"),
            Err(OrderNumberError::LeadingDash)
        );
    }
}
