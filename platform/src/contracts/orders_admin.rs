//! What checkout answers to the web admin: NATS services API endpoints of the `checkout` service under
//! `rpc.checkout.admin.*` (`nats micro info checkout`). Reads are plain requests; every write is a
//! [`Command`](super::admin::Command) (idempotency key and actor) and every reply an
//! [`AdminReply`](super::admin::AdminReply) (see `platform::contracts::admin`); a failure of checkout itself
//! (its database is down) is a NATS service error the admin shows as "try again".
//!
//! | subject                              | request                          | reply (`AdminReply<_>`) |
//! |--------------------------------------|----------------------------------|-------------------------|
//! | `rpc.checkout.admin.orders.list`     | [`ListOrders`]                   | [`OrderPage`]           |
//! | `rpc.checkout.admin.orders.get`      | [`GetOrder`]                     | [`OrderDetail`]         |
//! | `rpc.checkout.admin.orders.action`   | `Command<`[`OrderAction`]`>`     | [`OrderDetail`]         |
//! | `rpc.checkout.admin.orders.note`     | `Command<`[`AddNote`]`>`         | [`OrderDetail`]         |
//! | `rpc.checkout.admin.reports.sales`   | [`SalesReportRequest`]           | [`SalesReport`]         |
//! | `rpc.checkout.admin.reports.top_products` | [`TopProductsRequest`]      | [`TopProductsReport`]   |
//! | `rpc.checkout.admin.reports.dashboard` | [`DashboardRequest`]           | [`Dashboard`]           |
//! | `rpc.checkout.admin.outbox`           | [`OutboxRequest`](super::admin::OutboxRequest) | [`OutboxBacklog`](super::admin::OutboxBacklog) |
//!
//! Actions go through checkout's order state machine only and carry the order's `expected_version` (the
//! `version` of the [`OrderDetail`] the admin showed): a stale one is a `conflict` with the current version,
//! and so is an action the order's state does not allow (`"an order cannot go from shipped to cancelled"`).
//! A malformed field is `invalid` naming it; an unknown order is `not_found`. Nothing is written for a refusal,
//! and a double-submitted command is carried out once (the second gets the first one's reply).
//!
//! Reports count UTC days (`from` and `to` are dates, both included) and read checkout's daily summaries, kept
//! in the same transactions that pay an order, fail its payment or refund it: an order counts on the day it was
//! placed (when paid, or when its payment failed), a refund on the day it was made. Money is in the shop's
//! `currency`, exact. A range that ends before it starts or spans more than [`MAX_REPORT_DAYS`] is `invalid`
//! naming `to`.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use super::catalog_admin::listing::Direction;
use super::orders::{Address, OrderStatus};

/// The NATS services API group of the admin endpoints; checkout's NATS user may subscribe to
/// `rpc.checkout.admin.>` and the admin's user may publish there.
pub const RPC_GROUP: &str = "rpc.checkout.admin";

/// A page of orders: search, filters, sort, keyset cursor.
pub const ORDERS_LIST: &str = "rpc.checkout.admin.orders.list";
/// One order with everything that happened to it.
pub const ORDERS_GET: &str = "rpc.checkout.admin.orders.get";
/// Move an order on: processing, ship, delivered, cancel, refund.
pub const ORDERS_ACTION: &str = "rpc.checkout.admin.orders.action";
/// Add a staff-only note to an order.
pub const ORDERS_NOTE: &str = "rpc.checkout.admin.orders.note";

/// Sales per day over a range of days.
pub const REPORTS_SALES: &str = "rpc.checkout.admin.reports.sales";
/// The best-selling products over a range of days.
pub const REPORTS_TOP_PRODUCTS: &str = "rpc.checkout.admin.reports.top_products";
/// Today, the last 30 days, orders by state and the outbox backlog.
pub const REPORTS_DASHBOARD: &str = "rpc.checkout.admin.reports.dashboard";
/// Checkout's events not yet on the ORDERS stream ([`OutboxRequest`](super::admin::OutboxRequest) ->
/// [`OutboxBacklog`](super::admin::OutboxBacklog)).
pub const OUTBOX: &str = "rpc.checkout.admin.outbox";

/// Rows per page when `limit` is absent.
pub const DEFAULT_PAGE: u32 = 50;
/// The largest page for a person looking at the list.
pub const MAX_PAGE: u32 = 100;
/// The largest page with `export: true` (the CSV export pages through the list with the same filters).
pub const MAX_EXPORT_PAGE: u32 = 1000;
/// The longest reason of a cancel or refund, in characters.
pub const MAX_REASON_CHARS: usize = 255;
/// The longest staff note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The longest carrier name and tracking number, in characters.
pub const MAX_CARRIER_CHARS: usize = 64;
pub const MAX_TRACKING_CHARS: usize = 64;

/// `orders.list`: which orders, in which order, after which row. Every field is optional: `{}` is the first
/// page of every order, newest first.
///
/// Pagination is by keyset: a page ends with `next`, an opaque cursor; sending it back as `cursor` with the
/// same request gives the rows after it. A cursor of another sort, or edited, is refused as `invalid` `cursor`.
/// There is no total (counting a million orders per page view is the cost the list avoids).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOrders {
    /// An order number (`SH-7K2M`: exact or its start), an email address (anything with `@`: exact or its
    /// start) or the start of the customer's name. Blank means no search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<OrderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentStatus>,
    /// Placed at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from: Option<DateTime<Utc>>,
    /// Placed before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_to: Option<DateTime<Utc>>,
    /// Order total at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_min: Option<Decimal>,
    /// Order total at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_max: Option<Decimal>,
    #[serde(default)]
    pub sort: OrderSort,
    #[serde(default)]
    pub direction: Direction,
    /// `next` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Rows per page: 1 to [`MAX_PAGE`] ([`MAX_EXPORT_PAGE`] with `export`); [`DEFAULT_PAGE`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The CSV export is asking: larger pages allowed.
    #[serde(default)]
    pub export: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderSort {
    #[default]
    Created,
    Total,
}

/// Where an order's money is, as the list filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Being charged.
    Pending,
    /// Charged, nothing refunded.
    Paid,
    /// Declined, or given up before charging: nothing was taken.
    Failed,
    /// Some of what was charged went back.
    PartiallyRefunded,
    /// Everything charged went back.
    Refunded,
    /// A status from a newer checkout.
    #[serde(other)]
    Unknown,
}

impl PaymentStatus {
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Paid,
        Self::Failed,
        Self::PartiallyRefunded,
        Self::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// One order in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub number: String,
    pub created_at: DateTime<Utc>,
    pub customer_name: String,
    pub email: String,
    pub state: OrderStatus,
    pub payment: PaymentStatus,
    pub total: Decimal,
    /// Refunded so far.
    pub refunded: Decimal,
    pub currency: String,
    pub version: u64,
}

/// A page of the list; `next` is the cursor of the following page, absent on the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub rows: Vec<OrderRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `orders.get`: one order by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetOrder {
    pub number: String,
}

/// An order as the admin's order page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub number: String,
    /// Bumped by every change of the order; an action carries it as `expected_version`.
    pub version: u64,
    pub state: OrderStatus,
    pub payment: PaymentStatus,
    pub email: String,
    pub customer_name: String,
    pub shipping_address: Address,
    pub shipping_method: String,
    pub lines: Vec<DetailLine>,
    pub subtotal: Decimal,
    /// Taken off the lines by promotions: `total = subtotal - discount + shipping + tax` (0 from a checkout
    /// older than promotions).
    #[serde(default)]
    pub discount: Decimal,
    /// What was charged for shipping, after any free-shipping promotion.
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub currency: String,
    /// The promotions the order got, in the order they were applied; a released one gave its use back
    /// (the order failed or was cancelled before shipping).
    #[serde(default)]
    pub discounts: Vec<OrderDiscount>,
    /// Charged (0 until paid).
    pub paid: Decimal,
    /// Refunded so far; never more than `paid`.
    pub refunded: Decimal,
    /// Charges and refunds, oldest first.
    pub payments: Vec<PaymentRecord>,
    pub shipments: Vec<Shipment>,
    /// Everything that happened to the order, oldest first: state changes, shipments, refunds, staff notes.
    pub timeline: Vec<TimelineEntry>,
    /// The actions the order's state allows now.
    pub actions: Vec<ActionKind>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One line of an order, as it was sold, and how much of it went back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailLine {
    pub sku: String,
    pub name: String,
    pub unit_price: Decimal,
    pub quantity: u32,
    pub line_total: Decimal,
    /// Units refunded by line so far.
    pub refunded_quantity: u32,
}

/// A promotion an order got: its name when it was applied, the code typed for it (none for an automatic one),
/// what it took off the lines and off shipping, and whether the order still holds its use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDiscount {
    pub promotion_id: u64,
    pub name: String,
    pub code: Option<String>,
    /// Off the lines.
    pub amount: Decimal,
    /// Off shipping.
    pub shipping: Decimal,
    pub state: RedemptionState,
}

/// Whether an order holds its use of a promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionState {
    /// Counted against the promotion's limits.
    Held,
    /// Given back: the order failed, or was cancelled before shipping.
    Released,
    #[serde(other)]
    Unknown,
}

/// A charge or a refund with the payment provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    pub kind: PaymentKind,
    pub provider: String,
    pub reference: String,
    /// `pending`, `succeeded`, `declined`, `failed` (a refund is `succeeded`).
    pub state: String,
    pub amount: Decimal,
    /// Why it was declined, or why it was refunded.
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Charge,
    Refund,
    #[serde(other)]
    Unknown,
}

/// A parcel handed to a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    /// The carrier's tracking page, for the carriers checkout knows (DHL, UPS, FedEx, USPS).
    pub tracking_url: Option<String>,
    pub shipped_at: DateTime<Utc>,
}

/// Who did something to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The shopper's own request (placing and paying the order).
    Shopper,
    /// Checkout itself (the reconciler) or an operator over `rpc.checkout.transition`.
    System,
    /// A staff member, by email, through the admin.
    Staff(String),
}

/// Something that happened to an order, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub by: Who,
    #[serde(flatten)]
    pub event: TimelineEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEvent {
    /// The order moved (`from` is absent when it was placed).
    StateChanged {
        from: Option<OrderStatus>,
        to: OrderStatus,
        reason: Option<String>,
    },
    Shipped {
        carrier: String,
        tracking_number: String,
        tracking_url: Option<String>,
    },
    Refunded {
        amount: Decimal,
        reference: String,
        reason: Option<String>,
    },
    /// A staff note: only ever shown to staff.
    Note { body: String },
}

/// `orders.action`: one move of one order, at the version the admin saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAction {
    pub number: String,
    pub expected_version: u64,
    #[serde(flatten)]
    pub action: Action,
}

/// What to do: `{"action": "ship", "carrier": "DHL", "tracking_number": "JD0146..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// paid -> processing.
    MarkProcessing,
    /// processing -> shipped, with the parcel's carrier and tracking number (both required).
    Ship {
        carrier: String,
        tracking_number: String,
    },
    /// shipped -> delivered.
    MarkDelivered,
    /// paid or processing -> cancelled; the stock goes back to the catalog (released, or restocked when it
    /// was sold). The money is not refunded by a cancel: refund it with `refund`.
    Cancel { reason: String },
    /// Money back to the shopper: all that is left, an amount, or units of lines. Never more than was paid
    /// across every refund; the refund that reaches what was paid moves the order to `refunded`.
    Refund { refund: RefundOf, reason: String },
}

/// The kinds of [`Action`], as [`OrderDetail::actions`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    MarkProcessing,
    Ship,
    MarkDelivered,
    Cancel,
    Refund,
    #[serde(other)]
    Unknown,
}

/// How much a refund gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundOf {
    /// `"remaining"`: everything paid and not refunded yet.
    Remaining,
    /// `{"amount": "12.50"}`: this much (more than 0, at most what is left, in cents).
    Amount(Decimal),
    /// `{"lines": [{"sku": "TEE-S", "quantity": 1}]}`: units of lines, at their unit price (tax and shipping
    /// are refunded by amount).
    Lines(Vec<RefundLine>),
}

/// Units of one line to refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub sku: String,
    pub quantity: u32,
}

/// `orders.note`: a note for staff, appended to the order's timeline (notes are never edited or removed,
/// and never shown to the shopper). A note does not change the order's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddNote {
    pub number: String,
    pub body: String,
}

/// The longest range of a report, in days (a leap year).
pub const MAX_REPORT_DAYS: u32 = 366;
/// Products in a top-products report when `limit` is absent.
pub const DEFAULT_TOP_PRODUCTS: u32 = 10;
/// The most products a top-products report lists.
pub const MAX_TOP_PRODUCTS: u32 = 100;
/// Days of the dashboard's chart, today included.
pub const DASHBOARD_DAYS: u32 = 30;

/// `reports.sales`: UTC days `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesReportRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What happened in a day or a range of days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesFigures {
    /// Orders placed in it and paid (a later cancel or refund does not take one back out).
    pub orders: u64,
    /// Units of those orders.
    pub units: u64,
    /// What those orders charged: lines, shipping and tax.
    pub revenue: Decimal,
    /// Money given back in it, whichever day its order was placed.
    pub refunds: Decimal,
    /// Refunds made in it.
    pub refund_count: u64,
    /// Orders placed in it whose payment was declined or failed at the provider.
    pub payment_failures: u64,
}

/// One UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesDay {
    pub day: NaiveDate,
    #[serde(flatten)]
    pub figures: SalesFigures,
}

/// Every day of the range in order, days without sales as zeros, and the range's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub days: Vec<SalesDay>,
    pub totals: SalesFigures,
}

/// `reports.top_products`: the products that sold most over UTC days `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProductsRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub by: TopBy,
    /// 1 to [`MAX_TOP_PRODUCTS`]; [`DEFAULT_TOP_PRODUCTS`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// What "sold most" means; ties go to the SKU first in alphabetical order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopBy {
    #[default]
    Units,
    Revenue,
    /// A ranking this checkout does not know (refused as `invalid` `by`).
    #[serde(other)]
    Unknown,
}

/// A product's sales over the range: units and line totals of the paid orders placed in it, less the units
/// refunded by line (and their price). Shipping, tax and refunds by amount are not a product's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSales {
    pub sku: String,
    /// The name it was last sold under in the range.
    pub name: String,
    pub units: u64,
    pub revenue: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProductsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: TopBy,
    pub currency: String,
    /// Best first.
    pub rows: Vec<ProductSales>,
}

/// `reports.dashboard`: no parameters (an empty body reads as `{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardRequest {}

/// The admin's first page: how today and the last [`DASHBOARD_DAYS`] days went and where orders are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// When it was computed; `today` is this instant's UTC day.
    pub as_of: DateTime<Utc>,
    pub currency: String,
    pub today: Period,
    /// The last [`DASHBOARD_DAYS`] UTC days, today included.
    pub last_30_days: Period,
    /// Those days one by one, oldest first, days without sales as zeros (the chart).
    pub daily: Vec<SalesDay>,
    /// The orders waiting for staff now.
    pub waiting: WaitingOrders,
}

/// Orders by the states staff move them out of (counted over those states only, never the whole history).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingOrders {
    /// Paid, to prepare.
    pub paid: u64,
    /// Being prepared.
    pub processing: u64,
    /// Shipped, not yet delivered.
    pub shipped: u64,
}

/// A range of UTC days, both included, and what happened in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub figures: SalesFigures,
    /// `revenue / orders` to the cent (half away from zero); 0 without orders.
    pub average_order_value: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::admin::{Actor, Command};

    #[test]
    fn actions_are_tagged_and_inline_in_the_command() {
        let wire = serde_json::json!({
            "idempotency_key": uuid::Uuid::nil(), "actor": {"staff_id": 1, "email": "ann@shop.test"},
            "number": "SH-7K2M9Q4T", "expected_version": 3,
            "action": "refund", "refund": {"amount": "5.00"}, "reason": "scratched"
        });
        let command: Command<OrderAction> = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(
            command.body.action,
            Action::Refund {
                refund: RefundOf::Amount(Decimal::new(500, 2)),
                reason: "scratched".to_owned()
            }
        );
        assert_eq!(
            command.actor,
            Actor {
                staff_id: 1,
                email: "ann@shop.test".to_owned()
            }
        );
        assert_eq!(serde_json::to_value(&command).unwrap(), wire);
        let processing: OrderAction = serde_json::from_value(serde_json::json!({
            "number": "SH-7K2M9Q4T", "expected_version": 1, "action": "mark_processing"
        }))
        .unwrap();
        assert_eq!(processing.action, Action::MarkProcessing);
    }

    #[test]
    fn report_days_are_flat_dates_and_an_unknown_ranking_still_parses() {
        let day = SalesDay {
            day: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            figures: SalesFigures {
                orders: 2,
                units: 3,
                revenue: Decimal::new(4599, 2),
                refunds: Decimal::new(500, 2),
                refund_count: 1,
                payment_failures: 0,
            },
        };
        assert_eq!(
            serde_json::to_value(&day).unwrap(),
            serde_json::json!({"day": "2025-03-01", "orders": 2, "units": 3, "revenue": "45.99",
                "refunds": "5.00", "refund_count": 1, "payment_failures": 0})
        );
        let request: TopProductsRequest =
            serde_json::from_str(r#"{"from": "2025-03-01", "to": "2025-03-31", "by": "profit"}"#)
                .unwrap();
        assert_eq!((request.by, request.limit), (TopBy::Unknown, None));
        let default: TopProductsRequest =
            serde_json::from_str(r#"{"from": "2025-03-01", "to": "2025-03-31"}"#).unwrap();
        assert_eq!(default.by, TopBy::Units);
    }

    #[test]
    fn who_and_timeline_entries_keep_their_wire_shape() {
        let entry = TimelineEntry {
            at: DateTime::UNIX_EPOCH,
            by: Who::Staff("ann@shop.test".to_owned()),
            event: TimelineEvent::Note {
                body: "called".to_owned(),
            },
        };
        assert_eq!(
            serde_json::to_value(&entry).unwrap(),
            serde_json::json!({"at": "1970-01-01T00:00:00Z", "by": {"staff": "ann@shop.test"},
                "type": "note", "body": "called"})
        );
        assert_eq!(
            serde_json::to_value(Who::Shopper).unwrap(),
            serde_json::json!("shopper")
        );
        let newer: PaymentStatus = serde_json::from_str("\"disputed\"").unwrap();
        assert_eq!(newer, PaymentStatus::Unknown);
    }
}
