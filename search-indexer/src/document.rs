//! What the index holds and how it is configured: catalog documents turned into [`SearchDocument`]s, and the
//! index settings, whose fingerprint tells when an index must be rebuilt.

use std::collections::BTreeMap;

use meilisearch_sdk::settings::{
    FacetSortValue, FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings,
    TypoToleranceSettings,
};
use platform::contracts::{
    catalog::{ProductStatus, ProductUpserted},
    search::{CATEGORY_LEVELS, SearchDocument, category_level_field, price_range_of, title_of},
};
use rust_decimal::prelude::ToPrimitive as _;
use sha2::{Digest as _, Sha256};

/// Bumped whenever [`to_document`] changes what it writes: a new schema means a rebuild, like new settings.
const DOCUMENT_SCHEMA: u32 = 4;

/// Most values a facet returns: the 30 brands the API shows, and a category's children. Counting stops
/// there, which is most of what a facet costs per keystroke on a broad query.
const MAX_VALUES_PER_FACET: usize = 50;

/// The deepest result page a shopper can reach, as the catalog API allows (page × limit).
pub const MAX_TOTAL_HITS: usize = 10_000;

/// The index document of a catalog product, or `None` when it must not be searchable (not active).
pub fn to_document(product: &ProductUpserted) -> Option<SearchDocument> {
    if product.status != ProductStatus::Active {
        return None;
    }
    let price_cents = (product.price * rust_decimal::Decimal::ONE_HUNDRED)
        .round()
        .to_i64()
        .unwrap_or(i64::MAX);
    // Every category at its level: the main path's by position, the others by the depth they carry.
    let mut category_levels: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let leveled = product.category_path.iter().enumerate().chain(
        product
            .categories
            .iter()
            .filter_map(|category| category.depth.map(|depth| (usize::from(depth), category))),
    );
    for (level, category) in leveled.filter(|(level, _)| *level < CATEGORY_LEVELS) {
        let slugs = category_levels
            .entry(category_level_field(level))
            .or_default();
        if !slugs.contains(&category.slug) {
            slugs.push(category.slug.clone());
        }
    }
    let mut categories: Vec<String> = product
        .categories
        .iter()
        .chain(&product.category_path)
        .map(|category| category.slug.clone())
        .collect();
    categories.sort();
    categories.dedup();
    Some(SearchDocument {
        sku: product.sku.to_string(),
        slug: product.slug.clone(),
        name: product.name.clone(),
        title: title(&product.name, &product.brand),
        brand: product.brand.clone(),
        description: product.description.clone(),
        category_path: product
            .category_path
            .iter()
            .map(|category| category.name.clone())
            .collect(),
        categories,
        category_levels,
        price: product.price,
        max_price: product.variants.iter().map(|variant| variant.price).max(),
        price_cents,
        price_range: price_range_of(price_cents) as u8,
        currency: product.currency.clone(),
        image: product.image.clone(),
        available: product.available,
        in_stock: product.in_stock,
        popularity: product.popularity,
        created_at: product.created_at,
        created_ts: product.created_at.timestamp(),
        version: product.version,
    })
}

/// The `title` field: what the product is, by whom. The name's title ([`title_of`]), after the brand unless the
/// name starts with it already ("Apple - iPhone 7"), so that a brand typed exactly ("nike") outranks a
/// misspelling of a word in another product's name ("Nite Ize").
fn title(name: &str, brand: &str) -> String {
    let title = title_of(name);
    if brand.is_empty() || title.to_lowercase().starts_with(&brand.to_lowercase()) {
        title.to_owned()
    } else {
        format!("{brand} {title}")
    }
}

/// The ranking rules a Meilisearch server knows: 1.36 split `attribute` into `attributeRank` (which field)
/// and `wordPosition` (how early in it), so that typos can be weighed between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// 1.36 and later.
    Split,
    /// Earlier 1.x servers: `attribute` is both at once.
    Combined,
}

impl Ranking {
    /// The rules of the server whose `pkgVersion` is `version` ("1.50.0").
    pub fn for_version(version: &str) -> Self {
        let mut parts = version
            .split('.')
            .map(|part| part.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if (major, minor) >= (1, 36) {
            Self::Split
        } else {
            Self::Combined
        }
    }

    /// `sort` right after `words`: an explicit sort orders the products matching the query as a whole, as the
    /// MySQL engine does. Then the MySQL engine's order: which field the words were found in first (a word of
    /// the title, even misspelt, above one only in the description: "headphones" finds the headphone adapters
    /// before a phone whose description mentions headphones), then typos (between two titles, the exact word:
    /// "nike" is Nike before Nite Ize, "flip phone" a flip phone before the Flic button), words side by side,
    /// how early in the field, whole words; popularity breaks the remaining ties.
    fn rules(self) -> Vec<&'static str> {
        match self {
            Self::Split => vec![
                "words",
                "sort",
                "attributeRank",
                "typo",
                "proximity",
                "wordPosition",
                "exactness",
                "popularity:desc",
            ],
            // The same order as far as one combined rule allows.
            Self::Combined => vec![
                "words",
                "sort",
                "attribute",
                "typo",
                "proximity",
                "exactness",
                "popularity:desc",
            ],
        }
    }
}

/// The index settings, applied to every index the indexer builds, for a server with `ranking`.
pub fn settings(ranking: Ranking) -> Settings {
    let mut filterable: Vec<String> = [
        "categories",
        "brand",
        "price_cents",
        "price_range",
        "in_stock",
    ]
    .map(str::to_owned)
    .to_vec();
    filterable.extend((0..CATEGORY_LEVELS).map(category_level_field));
    Settings::new()
        // In order of weight: what the product is (its title: the brand and the name up to "for"), the rest of
        // its name (what it fits), the brand, the categories, the description.
        .with_searchable_attributes(["title", "name", "brand", "category_path", "description"])
        .with_filterable_attributes(filterable)
        .with_sortable_attributes(["price_cents", "popularity", "created_ts"])
        .with_ranking_rules(ranking.rules())
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: Some(Vec::new()),
            disable_on_words: Some(Vec::new()),
            // Product words are short ("sony", "dell", "asus"): one typo from four letters, two from eight.
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(4),
                two_typos: Some(8),
            }),
            // Model numbers must match as typed: "7" is not "8".
            disable_on_numbers: Some(true),
        })
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: MAX_VALUES_PER_FACET,
            sort_facet_values_by: Some(BTreeMap::from([("*".to_owned(), FacetSortValue::Count)])),
        })
}

/// A fingerprint of the settings and the document schema: an index built under another one is rebuilt.
pub fn fingerprint(ranking: Ranking) -> String {
    let settings = serde_json::to_vec(&settings(ranking)).unwrap_or_default();
    let mut hash = Sha256::new();
    hash.update(DOCUMENT_SCHEMA.to_be_bytes());
    hash.update(&settings);
    hash.finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use platform::contracts::catalog::CategoryRef;
    use rust_decimal::Decimal;

    use super::*;

    fn category(slug: &str) -> CategoryRef {
        CategoryRef {
            slug: slug.to_owned(),
            name: slug.to_uppercase(),
            depth: None,
        }
    }

    fn product() -> ProductUpserted {
        ProductUpserted {
            sku: platform::contracts::Sku::parse("SKU1").unwrap(),
            slug: "phone".into(),
            name: "Phone".into(),
            description: "A phone".into(),
            brand: "Acme".into(),
            status: ProductStatus::Active,
            category_path: vec![category("phones"), category("prepaid")],
            categories: vec![
                category("phones"),
                category("prepaid"),
                CategoryRef {
                    depth: Some(1),
                    ..category("deals")
                },
            ],
            price: Decimal::new(4999, 2),
            currency: "USD".into(),
            available: 3,
            in_stock: true,
            popularity: 7,
            image: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 4,
            option_names: vec![],
            variants: vec![],
        }
    }

    #[test]
    fn documents_carry_exact_prices_levels_and_every_category() {
        let document = to_document(&product()).unwrap();
        assert_eq!(document.price_cents, 4999);
        assert_eq!(document.price_range, 1);
        assert_eq!(document.categories, ["deals", "phones", "prepaid"]);
        assert_eq!(document.category_path, ["PHONES", "PREPAID"]);
        let json = serde_json::to_value(&document).unwrap();
        assert_eq!(json["category_lvl0"], serde_json::json!(["phones"]));
        assert_eq!(
            json["category_lvl1"],
            serde_json::json!(["prepaid", "deals"])
        );
        assert_eq!(json["price"], "49.99");
        assert!(json.get("category_lvl2").is_none());
    }

    #[test]
    fn only_active_products_are_searchable() {
        let mut archived = product();
        archived.status = ProductStatus::Archived;
        assert!(to_document(&archived).is_none());
    }

    #[test]
    fn the_fingerprint_is_stable() {
        assert_eq!(fingerprint(Ranking::Split), fingerprint(Ranking::Split));
        assert_ne!(fingerprint(Ranking::Split), fingerprint(Ranking::Combined));
        assert_eq!(fingerprint(Ranking::Split).len(), 64);
        assert_eq!(Ranking::for_version("1.50.0"), Ranking::Split);
        assert_eq!(Ranking::for_version("1.36.0"), Ranking::Split);
        assert_eq!(Ranking::for_version("1.12.3"), Ranking::Combined);
        assert_eq!(Ranking::for_version("2.0.0"), Ranking::Split);
    }
}
