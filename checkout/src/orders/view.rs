//! What a shopper sees of an order: the order as stored, less what only checkout may know (row ids, the
//! lookup token's hash, the cart it came from, whether its stock is settled).

use chrono::{DateTime, Utc};
use platform::contracts::orders::{Address, OrderLine};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::orders::Order,
    domain::{OrderState, ShippingMethod},
};

/// An order, as the order page and the place-order answer show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Order)]
pub struct OrderView {
    /// Like `SH-7K2M9Q4T`.
    pub number: String,
    pub email: String,
    pub customer_name: String,
    pub shipping_address: Address,
    #[schema(value_type = ShippingMethod)]
    pub shipping_method: String,
    pub subtotal: Decimal,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub currency: String,
    #[schema(value_type = OrderState)]
    pub state: String,
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
            state: order.state,
            created_at: order.created_at,
            updated_at: order.updated_at,
            lines: order.lines,
        }
    }
}
