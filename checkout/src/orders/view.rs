//! The order as a shopper sees it: the body of place-order's 201 (also replayed for its Idempotency-Key) and of
//! the order page. Its own type, so that what is stored (ids, the token's hash, the cart, stock bookkeeping)
//! can never leak into an answer by a field added to the row.

use chrono::{DateTime, Utc};
use platform::contracts::orders::{Address, Discount, OrderLine, OrderStatus};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::{
        admin::{HistoryRow, Payment, ShipmentRow},
        orders::Order,
    },
    domain::{Email, OrderNumber, OrderState, ShippingMethod},
};
use platform::contracts::orders_admin::PaymentKind;

/// An order, as the order page and the place-order answer show it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = Order)]
pub struct OrderView {
    pub number: OrderNumber,
    pub email: Email,
    pub customer_name: String,
    pub shipping_address: Address,
    #[schema(value_type = ShippingMethod)]
    pub shipping_method: String,
    /// The lines at their prices, before any discount.
    pub subtotal: Decimal,
    /// Taken off the lines by promotions: `total = subtotal - discount + shipping + tax`.
    pub discount: Decimal,
    /// Each promotion applied, in the order applied.
    pub discounts: Vec<Discount>,
    /// Charged for shipping (after any free-shipping promotion).
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub currency: String,
    // Documented as checkout's own states: it never answers `unknown`.
    #[schema(value_type = OrderState)]
    pub state: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lines: Vec<OrderLine>,
}

impl From<Order> for OrderView {
    fn from(order: Order) -> Self {
        Self {
            number: order.number,
            email: order.email,
            customer_name: order.customer_name,
            shipping_address: order.shipping_address,
            shipping_method: order.shipping_method,
            subtotal: order.subtotal,
            discount: order.discount,
            discounts: order.discounts,
            shipping: order.shipping,
            tax: order.tax,
            total: order.total,
            currency: order.currency,
            state: order.state.into(),
            created_at: order.created_at,
            updated_at: order.updated_at,
            lines: order.lines,
        }
    }
}

/// The order page: the order and what happened to it, as the shopper may see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrderPage {
    #[serde(flatten)]
    pub order: OrderView,
    /// Oldest first. Never staff notes, staff names or internal reasons.
    pub timeline: Vec<ShopperEntry>,
}

/// Something that happened to the order, when.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ShopperEntry {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub event: ShopperEvent,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShopperEvent {
    Placed,
    Paid,
    /// Handed to a carrier; `tracking_url` for the carriers the shop knows.
    Shipped {
        carrier: String,
        tracking_number: String,
        tracking_url: Option<String>,
    },
    Delivered,
    Cancelled,
    /// Money went back: this refund's amount.
    Refunded {
        amount: Decimal,
    },
}

/// The shopper's timeline out of the order's history, shipments and payments: placing, paying, shipping (from
/// the shipment, with its tracking), delivery, cancellation and each refund (from its payment row).
pub fn shopper_timeline(
    history: Vec<HistoryRow>,
    shipments: Vec<ShipmentRow>,
    payments: Vec<Payment>,
) -> Vec<ShopperEntry> {
    let moves = history.into_iter().filter_map(|row| {
        let event = match row.to {
            OrderState::Pending => ShopperEvent::Placed,
            OrderState::Paid => ShopperEvent::Paid,
            OrderState::Delivered => ShopperEvent::Delivered,
            OrderState::Cancelled => ShopperEvent::Cancelled,
            // Shipping is told by its shipment; refunds by their payments; the rest is the shop's business.
            OrderState::Processing
            | OrderState::Shipped
            | OrderState::PaymentFailed
            | OrderState::Refunded => return None,
        };
        Some(ShopperEntry { at: row.at, event })
    });
    let shipped = shipments.into_iter().map(|row| ShopperEntry {
        at: row.shipment.shipped_at,
        event: ShopperEvent::Shipped {
            carrier: row.shipment.carrier,
            tracking_number: row.shipment.tracking_number,
            tracking_url: row.shipment.tracking_url,
        },
    });
    let refunds = payments
        .into_iter()
        .filter(|payment| payment.record.kind == PaymentKind::Refund)
        .map(|payment| ShopperEntry {
            at: payment.record.at,
            event: ShopperEvent::Refunded {
                amount: payment.record.amount,
            },
        });
    let mut timeline: Vec<ShopperEntry> = moves.chain(shipped).chain(refunds).collect();
    timeline.sort_by_key(|entry| entry.at);
    timeline
}
