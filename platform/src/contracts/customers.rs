//! Checkout's endpoints for signed-in customers (`rpc.checkout.customers.*`), called only by the accounts
//! service (NATS permissions): the accounts service checks the session and passes the customer id; checkout
//! links carts and orders to it without ever reading the accounts schema.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contracts::{Email, OrderNumber, Sku, accounts::CustomerId, orders::OrderStatus};

/// The NATS services API group of these endpoints.
pub const RPC_GROUP: &str = "rpc.checkout.customers";
/// The customer's cart, with this browser's cart merged into it ([`CartRequest`], [`CartReply`]).
pub const CART: &str = "rpc.checkout.customers.cart";
/// A page of the customer's orders, newest first ([`OrdersRequest`], [`OrdersReply`]).
pub const ORDERS: &str = "rpc.checkout.customers.orders";
/// One of the customer's orders as its order page shows it ([`OrderRequest`], [`OrderReply`]).
pub const ORDER: &str = "rpc.checkout.customers.order";
/// The still-available lines of one of the customer's orders into their cart ([`OrderRequest`],
/// [`ReorderReply`]).
pub const REORDER: &str = "rpc.checkout.customers.reorder";
/// Orders placed as a guest with the customer's confirmed address become theirs ([`ClaimRequest`],
/// [`ClaimReply`]).
pub const CLAIM: &str = "rpc.checkout.customers.claim";
/// The customer deleted their account: their orders lose their personal fields (kept for the books), their
/// carts go ([`ForgetRequest`], [`ForgetReply`]).
pub const FORGET: &str = "rpc.checkout.customers.forget";

/// `rpc.checkout.customers.cart`: the customer's open cart, after merging `cart_token`'s cart (a guest cart
/// of the browser they signed in on) into it. Without a cart of their own, the guest cart becomes theirs.
/// Merging is done once: the guest cart is closed by it, so a repeated request (two tabs signing in at once)
/// adds nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartRequest {
    pub customer_id: CustomerId,
    /// The browser's cart; `None` to only look the customer's cart up.
    #[serde(default)]
    pub cart_token: Option<String>,
}

/// `rpc.checkout.customers.cart` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartLink {
    /// The customer's cart from now on, on every device; `None` while they have none.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub token: Option<String>,
    /// Lines of the guest cart that could not be merged as they were.
    pub notes: Vec<MergeNote>,
}

/// A guest cart line that did not fully fit into the customer's cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeNote {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    /// Units in the two carts together.
    pub requested: u32,
    /// Units the merged cart holds.
    pub kept: u32,
    pub reason: MergeReason,
}

/// Why a merged line holds fewer units than the two carts did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MergeReason {
    /// At most this many units of one product per cart.
    QuantityLimit,
    /// The cart already holds the most different products it may.
    LineLimit,
    #[serde(other)]
    Unknown,
}

/// `rpc.checkout.customers.cart` answers this body or a service error (503 from the caller).
pub type CartReply = CartLink;

/// Most orders in one page of [`ORDERS`].
pub const MAX_ORDERS_PAGE: u32 = 50;

/// `rpc.checkout.customers.orders`: the customer's orders before `before` (a reply's `next`), and how many
/// orders placed as a guest with `email` could be claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersRequest {
    pub customer_id: CustomerId,
    /// The customer's confirmed address.
    pub email: Email,
    #[serde(default)]
    pub before: Option<String>,
    /// 1 to [`MAX_ORDERS_PAGE`]; 20 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `rpc.checkout.customers.orders` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrdersReply {
    pub orders: Vec<OrderSummary>,
    /// The cursor of the next page; `None` on the last.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next: Option<String>,
    /// Orders placed as a guest with the customer's address, not theirs yet.
    pub claimable: u64,
}

/// An order in the customer's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub number: OrderNumber,
    pub placed_at: DateTime<Utc>,
    pub status: OrderStatus,
    pub total: Decimal,
    pub currency: String,
    pub item_count: u32,
    pub lines: Vec<SummaryLine>,
}

/// A line of an [`OrderSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub name: String,
    pub quantity: u32,
}

/// `rpc.checkout.customers.order` and `rpc.checkout.customers.reorder`: one order of the customer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub customer_id: CustomerId,
    /// As the shopper gave it (checked by checkout: a malformed number is an unknown one).
    pub number: String,
}

/// `rpc.checkout.customers.order` reply: the order page's body (checkout's `Order` with its `timeline`, as
/// `GET /api/orders/{number}` answers it), or `None` when the customer has no such order.
pub type OrderReply = Option<serde_json::Value>;

/// `rpc.checkout.customers.reorder` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ReorderReply {
    Done(Reordered),
    /// The customer has no such order.
    NotFound,
    /// The customer's cart is being checked out: it cannot change now.
    CheckoutInProgress,
}

/// What a reorder put in the customer's cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reordered {
    pub cart: CartLink,
    pub added: Vec<AddedLine>,
    pub skipped: Vec<SkippedLine>,
}

/// Units of a line a reorder added, at today's price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddedLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub quantity: u32,
}

/// A line a reorder could not add (in full).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub name: String,
    pub reason: SkipReason,
}

/// Why a line of an old order was not added again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Out of stock now (or fewer units than ordered: the rest were added).
    Unavailable,
    /// Not sold any more.
    NotForSale,
    /// The cart already holds the most units of it.
    QuantityLimit,
    /// The cart already holds the most different products.
    LineLimit,
    #[serde(other)]
    Unknown,
}

/// `rpc.checkout.customers.claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    pub customer_id: CustomerId,
    /// The customer's confirmed address: guest orders placed with it become theirs.
    pub email: Email,
}

/// `rpc.checkout.customers.claim` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimReply {
    pub claimed: u64,
}

/// `rpc.checkout.customers.forget`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetRequest {
    pub customer_id: CustomerId,
}

/// `rpc.checkout.customers.forget` reply: how many orders were anonymised and carts deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetReply {
    pub orders: u64,
    pub carts: u64,
}
