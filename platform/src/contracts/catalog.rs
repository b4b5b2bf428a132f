//! What the catalog publishes (product and stock events on the `CATALOG` stream) and answers (quote and
//! stock reservations on `rpc.catalog.*` through the NATS services API).
//!
//! | subject                          | event                        |
//! |----------------------------------|------------------------------|
//! | `catalog.product.<SKU>.upserted` | [`ProductUpserted`]          |
//! | `catalog.product.<SKU>.deleted`  | [`ProductDeleted`]           |
//! | `catalog.stock.<SKU>.changed`    | [`StockChanged`]             |
//! | `catalog.alerts.<SKU>.back_in_stock` | [`BackInStock`]          |
//!
//! Products and variants: a product has one or more variants, each with its own SKU, price and stock (a plain
//! product has one, whose SKU is the product's own). Product events are keyed by the product's SKU and carry its
//! variants; stock events, quotes and reservations are keyed by the variant's SKU, and a stock event names its
//! product and the product's totals after the change.
//!
//! Request/reply subjects live outside `catalog.>` on purpose: a request published on a subject the
//! `CATALOG` stream captures would be stored as an event and answered with a publish ack.
//!
//! Over the usual length on purpose: every message of the catalog's contract in one place, with the wire tests.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    contracts::{Email, OrderNumber, Sku},
    events::Event,
};

/// Filter for every product document event (upserted and deleted).
pub const PRODUCT_EVENTS: &str = "catalog.product.>";
/// Filter for every stock event.
pub const STOCK_EVENTS: &str = "catalog.stock.>";

/// The NATS services API group of the catalog's endpoints.
pub const RPC_GROUP: &str = "rpc.catalog";
/// Current name, price and availability for SKUs.
pub const QUOTE: &str = "rpc.catalog.quote";
/// Reserve stock for every line of an order, or none.
pub const RESERVE: &str = "rpc.catalog.reserve";
/// Give reserved (or, after a commit, sold) units of an order back to stock.
pub const RELEASE: &str = "rpc.catalog.release";
/// Turn an order's reservation into a sale.
pub const COMMIT: &str = "rpc.catalog.commit";
/// Every active product's document, a page at a time in SKU order (search index rebuilds).
pub const SNAPSHOT: &str = "rpc.catalog.snapshot";
/// Filter for every back-in-stock alert.
pub const ALERT_EVENTS: &str = "catalog.alerts.>";
/// Whether a [`BackInStock`] alert should still be emailed now ([`AlertConfirmRequest`], [`AlertConfirmReply`]).
pub const ALERT_CONFIRM: &str = "rpc.catalog.alerts.confirm";

/// A category on a product's path, root first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryRef {
    pub slug: String,
    pub name: String,
    /// The category's level in the tree, 0 for a root (absent in events from before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<u8>,
}

/// A product's publication state: only `active` products are listed, searched and sold. A status added by a
/// newer catalog reads as [`ProductStatus::Unknown`] in an older consumer, which treats it as not for sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
    #[serde(other)]
    Unknown,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
            Self::Unknown => "unknown",
        }
    }

    /// The status named `text`; [`ProductStatus::Unknown`] for a name this version does not know.
    pub fn from_name(text: &str) -> Self {
        [Self::Draft, Self::Active, Self::Archived]
            .into_iter()
            .find(|status| status.as_str() == text)
            .unwrap_or(Self::Unknown)
    }
}

impl std::fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The full document a search index or any read model needs for one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductUpserted {
    pub sku: Sku,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    /// Only active products are for sale and search.
    pub status: ProductStatus,
    /// The product's main category path, root first.
    pub category_path: Vec<CategoryRef>,
    /// Every category the product is in, with ancestors (for facets and filters).
    #[serde(default)]
    pub categories: Vec<CategoryRef>,
    /// The lowest price of its variants.
    pub price: Decimal,
    pub currency: String,
    /// Units that can be sold now (on hand minus reserved), all variants together.
    pub available: u32,
    /// Some variant has units available.
    pub in_stock: bool,
    pub popularity: u32,
    pub image: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change of the product: a consumer never applies an older version over a newer one.
    pub version: u64,
    /// Option names in display order (`["size", "color"]`); empty for a plain product (and in events from
    /// before variants).
    #[serde(default)]
    pub option_names: Vec<String>,
    /// The variants in display order; empty only in events from before variants (then the product is its
    /// own single variant).
    #[serde(default)]
    pub variants: Vec<VariantDocument>,
}

/// One variant of a product, as product events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantDocument {
    pub sku: Sku,
    /// One value per option name, in the product's `option_names` order; empty for a plain product.
    pub option_values: Vec<String>,
    pub price: Decimal,
    pub available: u32,
    pub in_stock: bool,
}

impl Event for ProductUpserted {
    const TYPE: &'static str = "ProductUpserted";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("catalog.product.{}.upserted", self.sku)
    }
}

/// The product is gone from the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDeleted {
    pub sku: Sku,
    pub version: u64,
    pub deleted_at: DateTime<Utc>,
}

impl Event for ProductDeleted {
    const TYPE: &'static str = "ProductDeleted";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("catalog.product.{}.deleted", self.sku)
    }
}

/// Stock of one variant changed (reserved, released, sold, restocked, adjusted). Its subject is keyed by the
/// variant's SKU; `product` says which product it belongs to and where the product's totals now stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChanged {
    /// The variant's SKU (for a plain product, also the product's).
    pub sku: Sku,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
    pub in_stock: bool,
    pub reason: StockChangeReason,
    pub order_number: Option<OrderNumber>,
    /// The product version at the time; stock changes do not bump it.
    pub product_version: u64,
    pub changed_at: DateTime<Utc>,
    /// The variant's product and its totals after the change; absent in events from before variants, when
    /// the SKU was the product's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductStock>,
}

impl StockChanged {
    /// The product this change is about, and its totals after it: from `product`, or for an event from
    /// before variants, the event's own SKU and numbers.
    pub fn product_stock(&self) -> ProductStock {
        self.product.clone().unwrap_or_else(|| ProductStock {
            sku: self.sku.clone(),
            available: self.available,
            in_stock: self.in_stock,
        })
    }
}

/// A product's stock, all its variants together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductStock {
    /// The product's SKU (the key of its product events).
    pub sku: Sku,
    pub available: u32,
    pub in_stock: bool,
}

impl Event for StockChanged {
    const TYPE: &'static str = "StockChanged";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("catalog.stock.{}.changed", self.sku)
    }
}

/// A shopper asked to be told when a variant is available again, and now it is. The catalog writes it in the
/// transaction that made the variant available, and marks the request notified there: one event per request.
/// Before emailing, the mailer asks [`ALERT_CONFIRM`] whether it still should (the variant may have sold out
/// again, the shopper may have unsubscribed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackInStock {
    /// The request.
    pub alert_id: u64,
    pub email: Email,
    /// The variant's SKU.
    pub sku: Sku,
    pub product_sku: Sku,
    pub product_name: String,
    /// The variant's option values ("42 / Blue"); empty for a plain product.
    pub variant: String,
    /// The product page's slug.
    pub slug: String,
    pub price: Decimal,
    pub currency: String,
    pub image: Option<String>,
    /// The secret of the request's unsubscribe link.
    pub unsubscribe_token: String,
    pub requested_at: DateTime<Utc>,
}

impl Event for BackInStock {
    const TYPE: &'static str = "BackInStock";
    const VERSION: u16 = 1;

    fn subject(&self) -> String {
        format!("catalog.alerts.{}.back_in_stock", self.sku)
    }
}

/// `rpc.catalog.alerts.confirm` request: may the alert announced by event `event_id` be emailed now?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertConfirmRequest {
    pub alert_id: u64,
    pub event_id: uuid::Uuid,
}

/// `rpc.catalog.alerts.confirm` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum AlertConfirmReply {
    /// Email it: the variant is available and the request still wants it from this event.
    Send,
    /// Do not email it.
    Withdrawn { reason: AlertWithdrawn },
}

/// Why an alert is not emailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertWithdrawn {
    /// Sold out again before the email went out: the request waits for the next restock (a new event).
    SoldOutAgain,
    /// The shopper unsubscribed.
    Unsubscribed,
    /// Not this event's to send: the request was announced again by a later event, or there is no such request.
    Superseded,
    /// A reason added by a newer catalog.
    #[serde(other)]
    Unknown,
}

/// Why the stock of a product changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockChangeReason {
    /// Units were set aside for an order.
    Reserved,
    /// An order gave its reserved units back.
    Released,
    /// A reservation ran out without a commit and the sweeper gave its units back.
    Expired,
    /// An order's reserved units were sold: they left `on_hand` and `reserved`.
    Committed,
    /// Sold units came back to `on_hand` (an order cancelled after its sale).
    Restocked,
    /// Someone set the units on hand (a count or a delivery).
    Adjusted,
    /// A reason added by a newer catalog; readers treat it as a plain change of the numbers.
    #[serde(other)]
    Unknown,
}

/// `rpc.catalog.snapshot` request: the page after SKU `after` (the first page without it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRequest {
    #[serde(default)]
    pub after: Option<String>,
    /// Products per page; the catalog's default (and cap) when absent or larger.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `rpc.catalog.snapshot` reply: documents in SKU order, and the cursor of the next page (`None` at the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPage {
    pub products: Vec<ProductUpserted>,
    pub next: Option<String>,
}

/// `rpc.catalog.quote` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub skus: Vec<String>,
}

/// One quoted SKU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteItem {
    pub sku: Sku,
    pub slug: String,
    pub name: String,
    pub price: Decimal,
    pub currency: String,
    pub available: u32,
    /// Active and so for sale; an archived or draft product is quoted but not sellable.
    pub sellable: bool,
    pub image: Option<String>,
    /// The product's SKU (a variant's product; the same SKU for a plain product). Absent from older catalogs.
    #[serde(default)]
    pub product_sku: Option<String>,
    /// The product's brand (what a brand promotion looks at). Absent from older catalogs.
    #[serde(default)]
    pub brand: Option<String>,
    /// The slugs of the product's categories and all their ancestors (what a category promotion looks at).
    #[serde(default)]
    pub categories: Vec<String>,
}

/// `rpc.catalog.quote` reply: every known SKU quoted, the others listed as unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteResponse {
    pub items: Vec<QuoteItem>,
    /// The asked values that name no product, as they were asked (malformed ones included).
    pub unknown: Vec<String>,
}

/// `rpc.catalog.quote` reply: the quote, or why it was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteReply {
    Ok(QuoteResponse),
    Rejected(StockRejection),
}

/// One order line to reserve, as the caller wrote it: the catalog checks the SKU and answers a malformed one
/// with `invalid_request` naming `lines[i].sku` (a reply body the caller can act on, not a decode failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLine {
    pub sku: String,
    pub quantity: u32,
    /// The unit price the buyer was shown, when the caller holds one: a reserve finding another price is
    /// refused with `price_changed` (so no separate quote is needed before it). Absent: any price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
}

/// `rpc.catalog.reserve` request: all lines or none. Idempotent on `order_number`. The order number is checked
/// by the catalog like the lines (`invalid_request` naming `order_number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveRequest {
    pub order_number: String,
    pub lines: Vec<StockLine>,
    /// How long the reservation holds before the sweeper releases it; the catalog's default when absent.
    #[serde(default)]
    pub ttl_secs: Option<u32>,
}

/// `rpc.catalog.release` and `rpc.catalog.commit` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStockRequest {
    pub order_number: String,
}

/// One line an order holds (or held), as the catalog stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedLine {
    pub sku: Sku,
    pub quantity: u32,
}

/// Where an order's stock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationState {
    /// Units are set aside until `expires_at`.
    Reserved,
    /// The units were sold.
    Committed,
    /// The units went back to stock (or none were ever taken: see [`ReservationState::None`]).
    Released,
    /// Nothing was ever reserved for the order; a later reserve of it is refused.
    None,
    /// A state added by a newer catalog.
    #[serde(other)]
    Unknown,
}

/// Why an order's reservation was released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseReason {
    /// Its caller released it (an order that failed or was cancelled, or a reserve given up on).
    Released,
    /// It was not committed in time and the sweeper released it.
    Expired,
    /// It had been committed; releasing it put the sold units back on hand.
    Restocked,
    /// A reason added by a newer catalog.
    #[serde(other)]
    Unknown,
}

impl ReleaseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Released => "released",
            Self::Expired => "expired",
            Self::Restocked => "restocked",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ReleaseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of an order's stock after a reserve, release or commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockOutcome {
    pub order_number: OrderNumber,
    pub state: ReservationState,
    pub lines: Vec<ReservedLine>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A line that cannot be reserved, with what is available now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShortLine {
    // Described as the plain string checkout's API has always documented; the wire form is the same.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub requested: u32,
    pub available: u32,
}

/// Why the catalog refused a request: a business answer, not an outage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum StockRejection {
    #[error("unknown SKUs: {}", skus.join(", "))]
    UnknownSku { skus: Vec<Sku> },
    #[error("not for sale: {}", skus.join(", "))]
    NotSellable { skus: Vec<Sku> },
    #[error("insufficient stock")]
    InsufficientStock { lines: Vec<ShortLine> },
    /// Lines whose `unit_price` is not the variant's price any more: nothing was reserved.
    #[error("prices changed: {}", lines.iter().map(|line| line.sku.as_str()).collect::<Vec<_>>().join(", "))]
    PriceChanged { lines: Vec<RepricedLine> },
    #[error("order {order_number} already reserved other lines")]
    ConflictingReservation { order_number: OrderNumber },
    #[error("order {order_number}'s reservation was released ({reason})")]
    ReservationReleased {
        order_number: OrderNumber,
        reason: ReleaseReason,
    },
    #[error("order {order_number} has no reservation")]
    NoReservation { order_number: OrderNumber },
    #[error("invalid request: {field}: {reason}")]
    InvalidRequest { field: String, reason: String },
    /// A code added by a newer catalog: still a refusal, which a caller treats like any it cannot act on.
    #[error("refused for a reason this version does not know")]
    #[serde(other)]
    Unknown,
}

/// A line of a reserve whose price moved since the buyer saw it: the variant's name and price now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepricedLine {
    pub sku: Sku,
    pub name: String,
    pub price: Decimal,
}

/// The body of every stock reply: `{"ok": ...}` or `{"rejected": {"code": ..., ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockReply {
    Ok(StockOutcome),
    Rejected(StockRejection),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_replies_keep_their_wire_shape() {
        let outcome = StockReply::Ok(StockOutcome {
            order_number: OrderNumber::parse("SH-1").unwrap(),
            state: ReservationState::Reserved,
            lines: vec![ReservedLine {
                sku: Sku::parse("A-1").unwrap(),
                quantity: 2,
            }],
            expires_at: None,
        });
        assert_eq!(
            serde_json::to_value(&outcome).unwrap(),
            serde_json::json!({"ok": {"order_number": "SH-1", "state": "reserved",
                "lines": [{"sku": "A-1", "quantity": 2}], "expires_at": null}})
        );
        let released = StockReply::Rejected(StockRejection::ReservationReleased {
            order_number: OrderNumber::parse("SH-1").unwrap(),
            reason: ReleaseReason::Expired,
        });
        assert_eq!(
            serde_json::to_value(&released).unwrap(),
            serde_json::json!({"rejected": {"code": "reservation_released", "order_number": "SH-1",
                "reason": "expired"}})
        );
    }

    #[test]
    fn values_a_newer_catalog_may_add_still_decode() {
        let reply: StockReply =
            serde_json::from_str(r#"{"rejected": {"code": "on_fire", "since": 3}}"#).unwrap();
        assert_eq!(reply, StockReply::Rejected(StockRejection::Unknown));
        let outcome: StockOutcome = serde_json::from_str(
            r#"{"order_number": "SH-1", "state": "frozen", "lines": [], "expires_at": null}"#,
        )
        .unwrap();
        assert_eq!(outcome.state, ReservationState::Unknown);
        let reason: ReleaseReason = serde_json::from_str(r#""lost""#).unwrap();
        assert_eq!(reason, ReleaseReason::Unknown);
        let reason: StockChangeReason = serde_json::from_str(r#""counted""#).unwrap();
        assert_eq!(reason, StockChangeReason::Unknown);
    }

    #[test]
    fn events_from_before_variants_still_decode_as_plain_products() {
        let product: ProductUpserted = serde_json::from_value(serde_json::json!({
            "sku": "A-1", "slug": "a", "name": "A", "description": "", "brand": "", "status": "active",
            "category_path": [], "price": "9.99", "currency": "USD", "available": 3, "in_stock": true,
            "popularity": 0, "image": null, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "version": 1
        }))
        .unwrap();
        assert!(product.option_names.is_empty() && product.variants.is_empty());
        let stock: StockChanged = serde_json::from_value(serde_json::json!({
            "sku": "A-1", "on_hand": 5, "reserved": 2, "available": 3, "in_stock": true,
            "reason": "reserved", "order_number": null, "product_version": 1,
            "changed_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(
            stock.product_stock(),
            ProductStock {
                sku: Sku::parse("A-1").unwrap(),
                available: 3,
                in_stock: true
            }
        );
    }
}
