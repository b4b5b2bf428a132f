//! The order as a shopper sees it: the body of place-order's 201 (also replayed for its Idempotency-Key) and of
//! the order page. Its own type, so that what is stored (ids, the token's hash, the cart, stock bookkeeping)
//! can never leak into an answer by a field added to the row.

use chrono::{DateTime, Utc};
use platform::contracts::orders::{Address, OrderLine, OrderStatus};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::orders::Order,
    domain::{Email, OrderNumber, OrderState, ShippingMethod},
};

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
    pub subtotal: Decimal,
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
