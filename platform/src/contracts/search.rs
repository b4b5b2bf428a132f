//! The product search index (Meilisearch): the document the search-indexer writes and the catalog reads, its
//! field names, and the indexer's operator endpoint. How documents are built from catalog events and how the
//! index is configured is the indexer's business; this is only what both sides must agree on.

use serde::{Deserialize, Serialize};

/// The index shoppers search, unless `MEILI_INDEX` says otherwise.
pub const DEFAULT_INDEX: &str = "products";

/// The NATS services API group of the indexer's endpoints.
pub const RPC_GROUP: &str = "rpc.search";
/// Rebuild the index from a catalog snapshot into a new index and swap it in (reply: [`RebuildReply`]).
pub const REBUILD: &str = "rpc.search.rebuild";

/// How many category levels get a field of their own (`category_lvl0` .. `category_lvl4`).
pub const CATEGORY_LEVELS: usize = 5;

/// The name of the field holding the category at `level` of a product's main path.
pub fn category_level_field(level: usize) -> String {
    format!("category_lvl{level}")
}

/// Price buckets of the price facet, in whole currency units: `[min, max)`, the last one open. Listing facets
/// count the same buckets, so both engines show the same ranges.
pub const PRICE_RANGES: [(u32, Option<u32>); 7] = [
    (0, Some(25)),
    (25, Some(50)),
    (50, Some(100)),
    (100, Some(200)),
    (200, Some(500)),
    (500, Some(1000)),
    (1000, None),
];

/// The index of the [`PRICE_RANGES`] bucket holding a price of `cents` minor units.
pub fn price_range_of(cents: i64) -> usize {
    PRICE_RANGES
        .iter()
        .position(|(min, max)| {
            cents >= i64::from(*min) * 100 && max.is_none_or(|max| cents < i64::from(max) * 100)
        })
        .unwrap_or(0)
}

/// The part of a product name that says what the product is: the name up to its first "for", which starts
/// what the product fits ("OtterBox - Defender Series Case for Apple iPhone 7" is a case, not an iPhone). Both
/// engines rank a query word found here above one found only in the rest of the name.
pub fn title_of(name: &str) -> &str {
    let fits_from = name
        .split(|c: char| !c.is_alphanumeric())
        .map(|word| (word.as_ptr() as usize - name.as_ptr() as usize, word))
        .find(|(at, word)| *at > 0 && word.eq_ignore_ascii_case("for"));
    match fits_from {
        Some((at, _)) => name[..at].trim_end_matches(|c: char| !c.is_alphanumeric()),
        None => name,
    }
}

/// One product in the index, keyed by `sku`. Only active products are indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    pub sku: String,
    pub slug: String,
    pub name: String,
    /// What the product is: [`title_of`] its name. Searched before the whole name, so "iphone" finds the
    /// iPhones before the cases "for iPhone" (empty in documents from before it: the index is rebuilt).
    #[serde(default)]
    pub title: String,
    pub brand: String,
    pub description: String,
    /// Names along the main category path, root first (searchable).
    pub category_path: Vec<String>,
    /// Slugs of every category the product is in, ancestors included (filter and category facet).
    pub categories: Vec<String>,
    /// `category_lvl0` .. : the slugs of the product's categories at each level of the tree (the category
    /// facet: the children of a category at depth `d` are the values of `category_lvl{d+1}`).
    #[serde(flatten)]
    pub category_levels: std::collections::BTreeMap<String, Vec<String>>,
    /// The exact price as a decimal string (what is shown): the lowest of the product's variants.
    pub price: rust_decimal::Decimal,
    /// The highest price of the product's variants ("from" prices); absent in documents from before variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_price: Option<rust_decimal::Decimal>,
    /// The price in minor units (what is filtered and sorted on: Meilisearch numbers are floats).
    pub price_cents: i64,
    /// Index into [`PRICE_RANGES`] (price facet).
    pub price_range: u8,
    pub currency: String,
    pub image: Option<String>,
    pub available: u32,
    pub in_stock: bool,
    pub popularity: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `created_at` in seconds (sort by newest).
    pub created_ts: i64,
    /// The catalog's version of the product this document was built from.
    pub version: u64,
}

/// Fields the catalog reads back for a result page (the description stays in the index).
pub const HIT_FIELDS: [&str; 12] = [
    "sku",
    "slug",
    "name",
    "brand",
    "price",
    "max_price",
    "currency",
    "image",
    "available",
    "in_stock",
    "popularity",
    "created_at",
];

/// `rpc.search.rebuild` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RebuildReply {
    /// A rebuild into `index` started.
    Started { index: String },
    /// One is already running into `index`; no second one was started.
    AlreadyRunning { index: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_ends_where_what_the_product_fits_begins() {
        assert_eq!(
            title_of("OtterBox - Defender Series Case for Apple® iPhone® 7 - Black"),
            "OtterBox - Defender Series Case"
        );
        assert_eq!(
            title_of("Apple - iPhone 7 32GB - Black"),
            "Apple - iPhone 7 32GB - Black"
        );
        // Only the whole word, and never the first one.
        assert_eq!(title_of("Forza Case - Fortune"), "Forza Case - Fortune");
        assert_eq!(title_of("For Kids Tablet"), "For Kids Tablet");
        assert_eq!(title_of("Stand (for iPad)"), "Stand");
    }

    #[test]
    fn prices_fall_in_half_open_buckets() {
        assert_eq!(price_range_of(0), 0);
        assert_eq!(price_range_of(2_499), 0);
        assert_eq!(price_range_of(2_500), 1);
        assert_eq!(price_range_of(99_999), 5);
        assert_eq!(price_range_of(100_000), 6);
        assert_eq!(price_range_of(1_000_000_000), 6);
    }
}
