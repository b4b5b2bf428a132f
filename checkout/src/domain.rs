//! Checkout's values and rules: quantities, shipping methods, exact totals, test cards, customer details,
//! and the order state machine — the one place that says which state may follow which.
//!
//! Over the usual length only because its unit tests sit beside the rules they check.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use platform::contracts::{
    Email, OrderNumber, Sku,
    orders::{Address, OrderStatus},
    orders_admin::{PaymentStatus, Who},
};

/// Most units of one SKU in a cart.
pub const MAX_QUANTITY: u32 = 10;
/// Most distinct SKUs in a cart.
pub const MAX_LINES: usize = 50;
/// The shop's currency.
pub const CURRENCY: &str = "USD";
/// Longest customer name and address line, city or region, and postal code, in characters.
pub use platform::contracts::{
    InvalidField,
    orders::{
        MAX_CITY_CHARS, MAX_LINE_CHARS as MAX_NAME_CHARS, MAX_POSTAL_CODE_CHARS,
        text_field as parse_text,
    },
};

fn invalid(field: &str, reason: impl Into<String>) -> InvalidField {
    InvalidField::new(field, reason)
}

pub fn parse_quantity(field: &str, quantity: i64) -> Result<u32, InvalidField> {
    if (1..=i64::from(MAX_QUANTITY)).contains(&quantity) {
        Ok(quantity as u32)
    } else {
        Err(invalid(
            field,
            format!("must be between 1 and {MAX_QUANTITY}"),
        ))
    }
}

pub fn parse_sku(field: &str, sku: &str) -> Result<Sku, InvalidField> {
    Sku::parse(sku).map_err(|err| invalid(field, err.expected()))
}

/// Where a cart is in its life: open for changes, held by one place-order attempt, or ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CartState {
    Open,
    /// A place-order attempt holds it: no other attempt may pay for it and its lines cannot change.
    CheckingOut,
    Converted,
}

impl CartState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::CheckingOut => "checking_out",
            Self::Converted => "converted",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Open, Self::CheckingOut, Self::Converted]
            .into_iter()
            .find(|state| state.as_str() == value)
    }
}

/// An order number from outside (a URL, an operator's request), refused with the field named `number`.
pub fn parse_order_number(value: &str) -> Result<OrderNumber, InvalidField> {
    OrderNumber::parse(value).map_err(|err| invalid("number", err.expected()))
}

/// How the order travels, at a flat rate: standard 4.99, express 14.99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShippingMethod {
    Standard,
    Express,
}

impl ShippingMethod {
    pub const NAMES: &'static str = "standard (4.99), express (14.99)";

    pub fn parse(value: &str) -> Result<Self, InvalidField> {
        match value {
            "standard" => Ok(Self::Standard),
            "express" => Ok(Self::Express),
            _ => Err(invalid(
                "shipping_method",
                format!("must be one of {}", Self::NAMES),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Express => "express",
        }
    }

    pub fn price(self) -> Decimal {
        match self {
            Self::Standard => Decimal::new(499, 2),
            Self::Express => Decimal::new(1499, 2),
        }
    }
}

/// An order's money, exact to the cent: `total = subtotal - discount + shipping + tax`. Computed in one
/// place, `promotions::priced`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// The lines at their prices, before any discount.
    pub subtotal: Decimal,
    /// Taken off the lines by promotions.
    pub discount: Decimal,
    /// Charged for shipping, after any free-shipping promotion.
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

/// The documented test cards of the mock payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCard {
    /// `tok_visa`: the payment succeeds.
    Succeeds,
    /// `tok_declined`: the bank declines.
    Declined,
    /// `tok_provider_outage`: the provider does not answer.
    ProviderOutage,
}

impl TestCard {
    pub const NAMES: &'static str =
        "tok_visa (succeeds), tok_declined (declined), tok_provider_outage (outage)";
    /// Every token [`TestCard::parse`] accepts.
    pub const TOKENS: [&'static str; 3] = ["tok_visa", "tok_declined", "tok_provider_outage"];

    pub fn parse(token: &str) -> Result<Self, InvalidField> {
        match token {
            "tok_visa" => Ok(Self::Succeeds),
            "tok_declined" => Ok(Self::Declined),
            "tok_provider_outage" => Ok(Self::ProviderOutage),
            _ => Err(invalid(
                "card_token",
                format!("unknown test card; use one of {}", Self::NAMES),
            )),
        }
    }
}

/// The shopper's email address, refused with the field named `email`.
pub fn parse_email(value: &str) -> Result<Email, InvalidField> {
    Email::parse(value).map_err(|err| invalid("email", err.expected()))
}

/// Required text: trimmed, not empty, at most `max` characters, no control characters.
/// A shipping address with every field checked (`platform::contracts::orders::Address::parse`).
pub fn parse_address(address: &Address) -> Result<Address, InvalidField> {
    address.parse("shipping_address")
}

/// The tracking page of a parcel, for the carriers whose address is known (DHL, UPS, FedEx, USPS, named in any
/// case); `tracking_number` is letters, digits and dashes only (checked before), so it goes in as it is.
pub fn tracking_url(carrier: &str, tracking_number: &str) -> Option<String> {
    let base = match carrier.trim().to_ascii_lowercase().as_str() {
        "dhl" => "https://www.dhl.com/global-en/home/tracking.html?tracking-id=",
        "ups" => "https://www.ups.com/track?tracknum=",
        "fedex" => "https://www.fedex.com/fedextrack/?trknbr=",
        "usps" => "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
        _ => return None,
    };
    Some(format!("{base}{tracking_number}"))
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum OrderState {
    Pending,
    Paid,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
    PaymentFailed,
    Refunded,
}

/// How an order's payment row ended (`payments.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    /// Written with the order, before the charge.
    Pending,
    Succeeded,
    Declined,
    /// Nothing was charged and nothing will be: the attempt was abandoned before paying.
    Failed,
    Refunded,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Declined => "declined",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }
}

/// Whether the catalog has confirmed an order's stock outcome (sold, or given back); the reconciler finishes
/// what is still pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockSettlement {
    Settled,
    Pending,
}

impl From<OrderState> for OrderStatus {
    fn from(state: OrderState) -> Self {
        match state {
            OrderState::Pending => Self::Pending,
            OrderState::Paid => Self::Paid,
            OrderState::Processing => Self::Processing,
            OrderState::Shipped => Self::Shipped,
            OrderState::Delivered => Self::Delivered,
            OrderState::Cancelled => Self::Cancelled,
            OrderState::PaymentFailed => Self::PaymentFailed,
            OrderState::Refunded => Self::Refunded,
        }
    }
}

/// A move the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an order cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: OrderState,
    pub to: OrderState,
}

impl OrderState {
    pub const ALL: [Self; 8] = [
        Self::Pending,
        Self::Paid,
        Self::Processing,
        Self::Shipped,
        Self::Delivered,
        Self::Cancelled,
        Self::PaymentFailed,
        Self::Refunded,
    ];

    /// The state's name, as stored and as events and replies spell it (the contract's [`OrderStatus`]).
    pub fn as_str(self) -> &'static str {
        OrderStatus::from(self).as_str()
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == value)
    }

    /// pending -> paid -> processing -> shipped -> delivered; cancelled before shipping; payment_failed from
    /// pending; refunded after payment (paid, processing, shipped or delivered).
    pub fn can_move_to(self, to: Self) -> bool {
        use OrderState::*;
        matches!(
            (self, to),
            (Pending, Paid | PaymentFailed | Cancelled)
                | (Paid, Processing | Cancelled | Refunded)
                | (Processing, Shipped | Cancelled | Refunded)
                | (Shipped, Delivered | Refunded)
                | (Delivered, Refunded)
        )
    }

    pub fn transition(self, to: Self) -> Result<Self, IllegalTransition> {
        if self.can_move_to(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Stock for this order is in the catalog's hands as sold (not to be given back by a cancel).
    pub fn stock_was_sold(self) -> bool {
        matches!(self, Self::Paid | Self::Processing)
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_allows_the_documented_path_and_refuses_the_rest() {
        use OrderState::*;
        let happy = [Pending, Paid, Processing, Shipped, Delivered, Refunded];
        for pair in happy.windows(2) {
            assert!(
                pair[0].transition(pair[1]).is_ok(),
                "{} -> {}",
                pair[0],
                pair[1]
            );
        }
        for (from, to) in [
            (Shipped, Cancelled),
            (Delivered, Cancelled),
            (Pending, Shipped),
            (Cancelled, Paid),
            (PaymentFailed, Paid),
            (Refunded, Paid),
            (Paid, Pending),
            (Pending, Refunded),
        ] {
            assert_eq!(from.transition(to), Err(IllegalTransition { from, to }));
        }
        for state in OrderState::ALL {
            assert_eq!(OrderState::parse(state.as_str()), Some(state));
            assert!(!state.can_move_to(state), "{state} -> itself");
        }
    }

    #[test]
    fn customer_details_are_checked_field_by_field() {
        assert!(parse_email("ana@example.com").is_ok());
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a na@example.com",
            "ana@example.com\r\nBcc: eve@example.com",
            "ana\u{0}@example.com",
            "ana@exa\u{7f}mple.com",
            "ana\u{200b}@example.com",
        ] {
            assert_eq!(parse_email(bad).unwrap_err().field, "email", "{bad:?}");
        }
        let address = Address {
            line1: " 1 Main St ".into(),
            line2: Some("  ".into()),
            city: "Springfield".into(),
            region: None,
            postal_code: "12345".into(),
            country: "us".into(),
        };
        let parsed = parse_address(&address).unwrap();
        assert_eq!(
            (parsed.line1.as_str(), parsed.line2, parsed.country.as_str()),
            ("1 Main St", None, "US")
        );
        let no_city = Address {
            city: " ".into(),
            ..address
        };
        assert_eq!(
            parse_address(&no_city).unwrap_err().field,
            "shipping_address.city"
        );
        assert_eq!(
            parse_quantity("quantity", 11).unwrap_err().field,
            "quantity"
        );
        assert_eq!(TestCard::parse("4242").unwrap_err().field, "card_token");
    }

    #[test]
    fn known_carriers_get_a_tracking_link_and_others_none() {
        assert_eq!(
            tracking_url(" ups ", "1Z999AA1").as_deref(),
            Some("https://www.ups.com/track?tracknum=1Z999AA1")
        );
        assert!(tracking_url("FedEx", "123").is_some());
        assert_eq!(tracking_url("La Poste", "123"), None);
    }
}
