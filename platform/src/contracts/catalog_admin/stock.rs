//! Stock as the admin manages it (`rpc.catalog.admin.stock.*`): adjusting a variant's units on hand with a
//! reason (each adjustment recorded, with who made it), the history of adjustments, and the low-stock list.
//! Stock is per variant; a plain product has one variant whose SKU is the product's.
//!
//! | subject            | request                      | `ok` reply           |
//! |--------------------|------------------------------|----------------------|
//! | `…stock.adjust`    | `Command<`[`AdjustStock`]`>` | [`StockAdjusted`]    |
//! | `…stock.history`   | [`StockHistoryRequest`]      | [`StockHistoryPage`] |
//! | `…stock.low`       | [`LowStockRequest`]          | [`LowStockPage`]     |
//!
//! Refusals of an adjustment: no variant named, or both a SKU and an id, a zero delta, a missing note for
//! reason `other`, are `invalid` naming the field (`variant`, `change.delta`, `note`); an unknown variant is
//! `not_found`; on hand going below zero or below the units reserved for orders, or `expected_on_hand` no
//! longer true, is `conflict` with the numbers in its reason. Nothing is written by a refused adjustment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::Sku;

/// The longest note of an adjustment, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// Rows per page of the history and the low-stock list, when the request asks for none or for more.
pub const MAX_PAGE: u32 = 200;

/// `stock.adjust`: change one variant's units on hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustStock {
    /// The variant by SKU (as typed: a malformed one is refused naming `sku`) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// … or by id; exactly one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<u32>,
    pub change: StockChange,
    pub reason: AdjustmentReason,
    /// Free text for the record; required with reason `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The units on hand the admin saw: when given and no longer true, the adjustment is refused (conflict)
    /// instead of applying a delta to numbers the admin did not see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_on_hand: Option<u32>,
}

/// How on hand changes: by a number of units (`{"delta": -2}`), or to a counted number (`{"set_on_hand": 12}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockChange {
    Delta(i64),
    SetOnHand(u32),
}

/// Why stock was adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentReason {
    /// A delivery came in.
    Received,
    /// A stock count found a different number.
    Counted,
    /// Units were damaged or lost.
    Damaged,
    /// Units came back from a customer outside an order cancellation.
    Returned,
    /// Anything else; the note says what.
    Other,
}

impl AdjustmentReason {
    pub const ALL: [Self; 5] = [
        Self::Received,
        Self::Counted,
        Self::Damaged,
        Self::Returned,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Counted => "counted",
            Self::Damaged => "damaged",
            Self::Returned => "returned",
            Self::Other => "other",
        }
    }

    /// The reason named `text`, as stored.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == text)
    }
}

impl std::fmt::Display for AdjustmentReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reply to an adjustment: what was recorded, and the variant's stock as it now is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub adjustment: StockAdjustment,
    pub stock: VariantStock,
}

/// One recorded adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjustment {
    pub id: u64,
    pub product_id: u32,
    pub variant_id: u32,
    /// The variant's SKU at the time.
    pub sku: Sku,
    /// Units on hand added (negative: removed).
    pub delta: i64,
    pub on_hand_before: u32,
    pub on_hand_after: u32,
    /// Units reserved for orders at the time.
    pub reserved: u32,
    pub reason: AdjustmentReason,
    pub note: Option<String>,
    pub staff_id: u64,
    pub staff_email: String,
    pub at: DateTime<Utc>,
}

/// A variant's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantStock {
    pub product_id: u32,
    pub product_name: String,
    pub variant_id: u32,
    pub sku: Sku,
    /// In the product's option order (`["42", "Blue"]`); empty for a plain product.
    pub option_values: Vec<String>,
    pub on_hand: u32,
    pub reserved: u32,
    /// On hand minus reserved: what shoppers can still buy.
    pub available: u32,
    /// The product's low-stock threshold: the variant is low when `available <= low_stock_threshold`.
    pub low_stock_threshold: u32,
}

/// `stock.history`: adjustments newest first, of one variant (by id or SKU), of one product's variants, or
/// of every variant when none is named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockHistoryRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<u32>,
    /// The `next` of the previous page; the first page without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Rows per page, at most (and by default) [`MAX_PAGE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// A page of adjustments, and the cursor of the next (`None` at the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockHistoryPage {
    pub adjustments: Vec<StockAdjustment>,
    pub next: Option<String>,
}

/// `stock.low`: variants whose available units are at or below their product's threshold, lowest available
/// first (then by variant id), of products of any status except archived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStockRequest {
    /// The `next` of the previous page; the first page without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Rows per page, at most (and by default) [`MAX_PAGE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// A page of the low-stock list, and the cursor of the next (`None` at the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStockPage {
    pub variants: Vec<VariantStock>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_a_delta_or_a_counted_number() {
        let adjust: AdjustStock = serde_json::from_value(serde_json::json!({
            "sku": "TEE-S", "change": {"delta": -2}, "reason": "damaged"
        }))
        .unwrap();
        assert_eq!(adjust.change, StockChange::Delta(-2));
        assert_eq!(adjust.variant_id, None);
        let adjust: AdjustStock = serde_json::from_value(serde_json::json!({
            "variant_id": 4, "change": {"set_on_hand": 12}, "reason": "counted", "expected_on_hand": 10
        }))
        .unwrap();
        assert_eq!(adjust.change, StockChange::SetOnHand(12));
        assert_eq!(adjust.expected_on_hand, Some(10));
    }

    #[test]
    fn every_reason_reads_back_from_its_name() {
        for reason in AdjustmentReason::ALL {
            assert_eq!(AdjustmentReason::from_name(reason.as_str()), Some(reason));
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::json!(reason.as_str())
            );
        }
    }
}
