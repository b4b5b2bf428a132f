//! `rpc.catalog.admin.products.list`: the admin's product list. A query, not a command (no idempotency key).
//!
//! Pagination is by keyset: a page ends with `next`, an opaque cursor naming the last row's sort key and id;
//! sending it back as `cursor` (with the same search, filters and sort) gives the rows after it. There is no
//! total: counting 100,000 rows on every page view is the cost the list avoids; `next` says there is more.
//! A cursor from another sort, or edited by hand, is refused as an invalid `cursor`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contracts::catalog::ProductStatus;

/// Rows per page when `limit` is absent.
pub const DEFAULT_PAGE: u32 = 50;
/// The largest page; a larger `limit` is refused.
pub const MAX_PAGE: u32 = 200;

/// Which products, in which order, after which row. Every field is optional: `{}` is the first page of every
/// product, most recently updated first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListProducts {
    /// Words of the name or brand (every word must match, the last one as a prefix), or a SKU (exact or
    /// prefix, variant SKUs included). Blank means no search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A category: products in it or in any of its descendants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<u32>,
    /// Exact brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default)]
    pub status: StatusFilter,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockLevel>,
    #[serde(default)]
    pub sort: SortField,
    #[serde(default)]
    pub direction: Direction,
    /// `next` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Rows per page, 1 to [`MAX_PAGE`]; [`DEFAULT_PAGE`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Products in which publication state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    #[default]
    Any,
    Draft,
    Active,
    Archived,
}

/// How much of a product can be sold now, summed over its variants (`available` = on hand - reserved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockLevel {
    /// Nothing available.
    Out,
    /// Something available, but no more than the product's `low_stock_threshold`.
    Low,
    /// More available than the product's `low_stock_threshold`.
    In,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    Name,
    /// The lowest variant price.
    Price,
    #[default]
    Updated,
    Created,
    /// Units available, summed over the variants. The one sort that reads the stock of every product (about a
    /// second at 100,000 products): for "what runs out", the stock level filters and `stock.low` are fast.
    Stock,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Asc,
    #[default]
    Desc,
}

/// One product in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: u32,
    /// The product's own code (a plain product's single variant has the same SKU).
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub status: ProductStatus,
    /// The lowest variant price.
    pub price: Decimal,
    pub variant_count: u32,
    /// Units that can be sold now, summed over the variants.
    pub available: u32,
    /// Units in the warehouse, summed over the variants (reserved ones included).
    pub on_hand: u32,
    pub low_stock_threshold: u32,
    /// The deepest category the product was put in, with its path of names (`"Audio > Headphones"`).
    pub main_category: Option<CategoryLabel>,
    /// The main image's smallest size, when the product has images.
    pub thumbnail_url: Option<String>,
    pub version: u64,
    pub updated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A category as the admin labels it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLabel {
    pub id: u32,
    /// Names from the root, joined with `" > "`.
    pub path: String,
}

/// A page of the list; `next` is the cursor of the following page, absent on the last one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductPage {
    pub rows: Vec<ProductRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_request_is_the_first_page_of_everything_most_recently_updated_first() {
        let request: ListProducts = serde_json::from_str("{}").unwrap();
        assert_eq!(request.status, StatusFilter::Any);
        assert_eq!(request.sort, SortField::Updated);
        assert_eq!(request.direction, Direction::Desc);
        let request: ListProducts = serde_json::from_value(serde_json::json!({
            "q": "trail", "status": "active", "stock": "low", "sort": "price", "direction": "asc", "limit": 20
        }))
        .unwrap();
        assert_eq!(request.stock, Some(StockLevel::Low));
        assert_eq!(request.sort, SortField::Price);
    }
}
