//! The queries behind the admin's product endpoints (`crate::admin`): the list (every status, keyset pages),
//! the editable product with its variants and stock, and the writes of a save (product, variants, stock of new
//! variants, category links with their copied listing keys, search prefixes). Values are always bound; only
//! fixed SQL fragments are assembled.

use std::collections::{BTreeMap, BTreeSet};

use crate::{db::products::prefix_score, text::index_prefixes};

mod bulk_create;
mod list;
mod read;
mod write;

pub use bulk_create::{NewProductRow, NewVariantRow, create_many, taken_slugs};
pub use list::{Arg, ListSpec, SortColumn, StockFilter, TextSearch, explain, list_page, list_sql};
pub use read::{
    ImageRow, ProductRow, VariantRow, category_paths, direct_categories, images, product_by_sku,
    products, sku_owners, slug_taken, stock_totals, variant_in_orders, variants,
};
pub use write::{
    ProductFields, delete_variant, insert_product, insert_variant, park_variants, refresh_product,
    set_on_hand, set_status, set_variant_price, touch, update_product, update_variant,
};

/// Rows per multi-row INSERT and ids per IN list, well below MariaDB's 65,535 placeholders per statement.
const BATCH_ROWS: usize = 1_000;

/// A list of strings as a JSON column holds it.
fn json(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

/// The categories a product is linked to, from the paths (root first) of those it was put in, each with whether
/// it was put there itself: a category it was put in wins over the same category reached as an ancestor.
fn category_links(paths: &[Vec<u32>]) -> BTreeMap<u32, bool> {
    let mut linked: BTreeMap<u32, bool> = BTreeMap::new();
    for path in paths {
        for (depth, category) in path.iter().enumerate() {
            *linked.entry(*category).or_default() |= depth + 1 == path.len();
        }
    }
    linked
}

/// The search prefixes of an active product with their scores: its name's, then those of its brand its name
/// does not already give.
fn search_prefixes(name: &str, brand: &str, popularity: u32) -> Vec<(String, u64)> {
    let mut of_name = BTreeSet::new();
    index_prefixes(name, &mut of_name);
    let mut of_brand = BTreeSet::new();
    index_prefixes(brand, &mut of_brand);
    let brand_only: Vec<String> = of_brand.difference(&of_name).cloned().collect();
    let name_score = prefix_score(2, popularity);
    let brand_score = prefix_score(1, popularity);
    of_name
        .into_iter()
        .map(|prefix| (prefix, name_score))
        .chain(brand_only.into_iter().map(|prefix| (prefix, brand_score)))
        .collect()
}
