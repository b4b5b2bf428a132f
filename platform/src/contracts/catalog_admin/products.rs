//! Reading and writing one product (`products.get`, `products.save`, `products.archive`) and acting on many
//! (`products.bulk`).
//!
//! - Values a person types in a form (prices, SKUs, slugs, percentages) travel as the text that was typed:
//!   the catalog parses them and names every bad field at once in [`AdminReply::Invalid`] (field paths such as
//!   `name`, `variants[2].sku`, `variants[0].option_values[1]`), so the form shows each error beside its field.
//! - Edits carry `expected_version` (the `version` the form was opened with); a product changed since answers
//!   [`AdminReply::Conflict`] with the current version. Every change bumps the version and emits
//!   `ProductUpserted` (and `StockChanged` for stock it sets), like an import does.
//! - SKUs never change once created (order history and carts name them): a variant is kept by its `id`, and a
//!   new SKU is a new variant. A variant dropped from the list is deleted, unless it has reserved units (then
//!   the save is a conflict) or order history names it (then the save is a conflict too: archive instead).
//!
//! [`AdminReply::Invalid`]: crate::contracts::admin::AdminReply::Invalid
//! [`AdminReply::Conflict`]: crate::contracts::admin::AdminReply::Conflict

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contracts::catalog::ProductStatus;

/// The most products one bulk command may name.
pub const MAX_BULK: usize = 500;

/// `products.get`: the product with `id`, whatever its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetProduct {
    pub id: u32,
}

/// Everything the product form edits, as stored now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: u32,
    pub sku: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub status: ProductStatus,
    /// The categories the product was put in (not the ancestors the catalog adds for listings).
    pub categories: Vec<CategoryChoice>,
    /// Option names in display order (`["size", "color"]`); empty for a plain product.
    pub option_names: Vec<String>,
    /// In display order; at least one.
    pub variants: Vec<VariantDetail>,
    /// In display order (the images change grows this type with its sizes).
    #[serde(default)]
    pub images: Vec<ImageSummary>,
    pub low_stock_threshold: u32,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A category a product is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChoice {
    pub id: u32,
    /// Names from the root, joined with `" > "`.
    pub path: String,
}

/// One variant with its stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantDetail {
    pub id: u32,
    pub sku: String,
    /// One value per option name, in the product's `option_names` order.
    pub option_values: Vec<String>,
    pub price: Decimal,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
}

/// An image of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSummary {
    pub id: u32,
    pub url: String,
    pub alt_text: String,
}

/// `products.save`: creates a product (no `id`) or replaces the editable fields of product `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveProduct {
    /// Absent to create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// Required with `id`: the version the form was opened with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
    /// The product's own code, when creating (it cannot change afterwards; ignored on update). Blank: the
    /// first variant's SKU, which is what a plain product uses.
    #[serde(default)]
    pub sku: String,
    pub name: String,
    /// Blank: derived from the name. Lowercase letters and digits separated by single dashes, unique.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub brand: String,
    /// The categories to put the product in (ancestors are implied).
    #[serde(default)]
    pub category_ids: Vec<u32>,
    pub status: ProductStatus,
    /// Empty for a plain product (then exactly one variant without option values).
    #[serde(default)]
    pub option_names: Vec<String>,
    /// At least one; each combination of option values at most once.
    pub variants: Vec<VariantInput>,
    /// Available units at or below which the product counts as low on stock; 5 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<u32>,
}

/// A variant as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantInput {
    /// An existing variant of this product; absent for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// 1 to 32 of `A-Z`, `0-9` and `-`, unique across every variant of the catalog. Must equal the stored SKU
    /// for an existing variant.
    pub sku: String,
    /// At least 0, at most 2 decimals (`"19.99"`).
    pub price: String,
    /// One non-blank value per option name, in order.
    #[serde(default)]
    pub option_values: Vec<String>,
    /// Units on hand for a new variant (0 when absent). Refused for an existing variant: stock changes go
    /// through `stock.adjust`, which records why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_on_hand: Option<u32>,
}

/// The reply to a save or an archive: where the product is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedProduct {
    pub id: u32,
    pub sku: String,
    pub slug: String,
    pub status: ProductStatus,
    pub version: u64,
    /// True when the product was created by this command.
    pub created: bool,
}

/// `products.archive`: takes product `id` off sale (not listed, searched or sold; orders keep naming it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveProduct {
    pub id: u32,
    pub expected_version: u64,
}

/// `products.bulk`: one action on up to [`MAX_BULK`] products, applied to all of them or to none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkProducts {
    pub ids: Vec<u32>,
    pub action: BulkAction,
}

/// On the wire: `"archive"`, `"activate"`, `{"move_to_category": {"category_id": 7}}`,
/// `{"change_price_percent": {"percent": "-10.5"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Archive,
    Activate,
    /// Replaces the products' categories with this one.
    MoveToCategory {
        category_id: u32,
    },
    /// Every variant price times (1 + percent / 100), rounded half to even to the cent, never below 0.
    /// Between -100 and 1000, at most 2 decimals.
    ChangePricePercent {
        percent: String,
    },
}

/// What a bulk command did to each product, in the order of `ids`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    pub products: Vec<BulkOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub id: u32,
    pub sku: String,
    pub status: ProductStatus,
    /// The lowest variant price after the action.
    pub price: Decimal,
    pub version: u64,
    /// False when the action left the product as it was (activating an active product): no new version.
    pub changed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_actions_keep_their_wire_shape() {
        let wire = |action: BulkAction| serde_json::to_value(action).unwrap();
        assert_eq!(wire(BulkAction::Archive), serde_json::json!("archive"));
        assert_eq!(
            wire(BulkAction::MoveToCategory { category_id: 7 }),
            serde_json::json!({"move_to_category": {"category_id": 7}})
        );
        assert_eq!(
            wire(BulkAction::ChangePricePercent {
                percent: "-10.5".to_owned()
            }),
            serde_json::json!({"change_price_percent": {"percent": "-10.5"}})
        );
    }

    #[test]
    fn a_plain_product_needs_only_a_name_a_status_and_one_variant() {
        let save: SaveProduct = serde_json::from_value(serde_json::json!({
            "name": "Mug", "status": "draft", "variants": [{"sku": "MUG-1", "price": "9.50"}]
        }))
        .unwrap();
        assert_eq!(save.id, None);
        assert!(save.option_names.is_empty());
        assert_eq!(save.variants[0].initial_on_hand, None);
    }
}
