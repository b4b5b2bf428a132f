//! The shared Best Buy catalog (`../shared/data/products-bestbuy.json`) as products: records checked and
//! cleaned, the same product's records merged, SKUs derived from brand and name (see the module above).
//!
//! Longer than most files because of its tests (half of it): each cleaning rule is pinned by the records of
//! the real file that needed it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::Value;

use super::{
    MAX_BRAND_CHARS, MAX_CATEGORY_CHARS, MAX_IMAGE_URL_CHARS, MAX_NAME_CHARS, SlugRegistry, fnv1a,
    initial_stock,
};
use crate::domain::{ImageInput, NewProduct, ProductStatus, Sku};

const UNBRANDED: &str = "Unbranded";
const UNCATEGORIZED: &str = "Uncategorized";
/// The largest amount `DECIMAL(12, 2)` holds.
const MAX_PRICE: Decimal = Decimal::from_parts(0xD4A5_0FFF, 0xE8, 0, false, 2);
/// How far a parsed price may be from a whole number of cents and still count as that amount (see
/// [`parse_price`]).
const FLOAT_NOISE: Decimal = Decimal::from_parts(1, 0, 0, false, 4);

/// Why a catalog file could not be imported. Record indexes count from 0, in file order.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the catalog is not a JSON array of product records: {0}")]
    Json(serde_json::Error),
    #[error("record {index}: {reason}")]
    Record { index: usize, reason: String },
    #[error("record {index}, field `{field}`: {reason}")]
    Field {
        index: usize,
        field: &'static str,
        reason: String,
    },
    #[error(
        "records {first} and {second} are different products but share the SKU {sku}; \
         the SKU hash needs more bits"
    )]
    SkuCollision {
        sku: String,
        first: usize,
        second: usize,
    },
}

impl SeedError {
    pub(super) fn field(index: usize, field: &'static str, reason: impl Into<String>) -> Self {
        Self::Field {
            index,
            field,
            reason: reason.into(),
        }
    }
}

/// Parses the shared Best Buy catalog into products, merging records that describe the same product.
/// `stock_seed` keys the initial stock levels: the same seed gives the same stock.
pub fn parse_bestbuy_json(bytes: &[u8], stock_seed: u64) -> Result<Vec<NewProduct>, SeedError> {
    // Values first, records second: a malformed record is then reported by its index, not by a byte offset.
    let values: Vec<Value> = serde_json::from_slice(bytes).map_err(SeedError::Json)?;
    let mut drafts: Vec<Draft> = Vec::with_capacity(values.len());
    let mut by_sku: HashMap<Sku, usize> = HashMap::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let record = ImportRecord::parse(index, value)?;
        let sku = bestbuy_sku(&record.brand, &record.name);
        match by_sku.entry(sku) {
            Entry::Occupied(slot) => drafts[*slot.get()].absorb(index, record)?,
            Entry::Vacant(slot) => {
                let draft = Draft::new(index, slot.key().clone(), record);
                slot.insert(drafts.len());
                drafts.push(draft);
            }
        }
    }
    let mut slugs = SlugRegistry::default();
    Ok(drafts
        .into_iter()
        .map(|draft| draft.into_product(&mut slugs, stock_seed))
        .collect())
}

/// One record as it appears in the file; every field may be missing or null.
#[derive(Deserialize)]
struct RawRecord {
    name: Option<String>,
    description: Option<String>,
    brand: Option<String>,
    categories: Option<Vec<String>>,
    price: Option<Value>,
    image: Option<String>,
    popularity: Option<Value>,
}

/// One record, cleaned and checked.
struct ImportRecord {
    name: String,
    description: String,
    brand: String,
    category_path: Vec<String>,
    price: Decimal,
    image: String,
    popularity: u32,
}

impl ImportRecord {
    fn parse(index: usize, value: Value) -> Result<Self, SeedError> {
        let raw: RawRecord = serde_json::from_value(value).map_err(|error| SeedError::Record {
            index,
            reason: error.to_string(),
        })?;
        let name = clean_text(raw.name.as_deref().unwrap_or_default());
        if name.is_empty() {
            return Err(SeedError::field(index, "name", "is missing or empty"));
        }
        check_length(index, "name", &name, MAX_NAME_CHARS)?;
        let brand = match clean_text(raw.brand.as_deref().unwrap_or_default()) {
            brand if brand.is_empty() => UNBRANDED.to_owned(),
            brand => brand,
        };
        check_length(index, "brand", &brand, MAX_BRAND_CHARS)?;
        let category_path = category_path(raw.categories.unwrap_or_default());
        for segment in &category_path {
            check_length(index, "categories", segment, MAX_CATEGORY_CHARS)?;
        }
        let image = clean_text(raw.image.as_deref().unwrap_or_default());
        check_length(index, "image", &image, MAX_IMAGE_URL_CHARS)?;
        Ok(Self {
            name,
            description: clean_text(raw.description.as_deref().unwrap_or_default()),
            brand,
            category_path,
            price: parse_price(raw.price.as_ref())
                .map_err(|reason| SeedError::field(index, "price", reason))?,
            image,
            popularity: parse_popularity(raw.popularity.as_ref())
                .map_err(|reason| SeedError::field(index, "popularity", reason))?,
        })
    }
}

fn check_length(
    index: usize,
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), SeedError> {
    let chars = value.chars().count();
    if chars > max {
        return Err(SeedError::field(
            index,
            field,
            format!("is {chars} characters long, more than the {max} the catalog stores"),
        ));
    }
    Ok(())
}

/// Segments trimmed, empty ones dropped; a record without any is filed under "Uncategorized" rather than
/// dropped, so no product of the file goes missing.
fn category_path(segments: Vec<String>) -> Vec<String> {
    let path: Vec<String> = segments
        .iter()
        .map(|segment| clean_text(segment))
        .filter(|segment| !segment.is_empty())
        .collect();
    if path.is_empty() {
        vec![UNCATEGORIZED.to_owned()]
    } else {
        path
    }
}

/// Trims, turns every run of whitespace and control characters into one space, and repairs Windows-1252
/// punctuation that was decoded as Latin-1 (the real file has "Insignia\u{99}" for "Insignia™"), so the same
/// brand or name always gives the same SKU.
pub(super) fn clean_text(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().map(repair_windows_1252) {
        if c.is_whitespace() || c.is_control() {
            pending_space = !cleaned.is_empty();
        } else {
            if pending_space {
                cleaned.push(' ');
                pending_space = false;
            }
            cleaned.push(c);
        }
    }
    cleaned
}

fn repair_windows_1252(c: char) -> char {
    match c {
        '\u{85}' => '…',
        '\u{91}' => '‘',
        '\u{92}' => '’',
        '\u{93}' => '“',
        '\u{94}' => '”',
        '\u{96}' => '–',
        '\u{97}' => '—',
        '\u{99}' => '™',
        other => other,
    }
}

/// Reads a JSON price in dollars as an exact amount with two decimals.
///
/// serde_json (without `arbitrary_precision`) has already turned `49.99` into the nearest `f64`, so the
/// original text is gone. `Number::to_string` prints the shortest decimal that reads back as that `f64`; for
/// an amount with at most 15 significant digits (every amount below the `DECIMAL(12, 2)` maximum, with at most
/// two decimals) that is the original text. serde_json's default float parsing may land a few ulps off the
/// nearest `f64`, which can only show up as digits far beyond the cents (below 1e-5 for amounts under
/// 10^10), so the text is rounded to cents when it is within [`FLOAT_NOISE`] of them and refused as having
/// more than two decimals otherwise. No arithmetic is done in floating point.
fn parse_price(value: Option<&Value>) -> Result<Decimal, String> {
    let number = match value {
        Some(Value::Number(number)) => number,
        None | Some(Value::Null) => return Err("is missing".to_owned()),
        Some(other) => return Err(format!("must be a JSON number of dollars, found {other}")),
    };
    let text = number.to_string();
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text)
    } else {
        Decimal::from_str(&text)
    }
    .map_err(|_| format!("{text} is not a representable amount"))?;
    if parsed.is_sign_negative() && !parsed.is_zero() {
        return Err(format!("must not be negative, found {text}"));
    }
    let mut cents = parsed.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if (parsed - cents).abs() > FLOAT_NOISE {
        return Err(format!("has more than two decimals: {text}"));
    }
    if cents > MAX_PRICE {
        return Err(format!(
            "{text} is more than the largest price, {MAX_PRICE}"
        ));
    }
    cents.rescale(2);
    // -0.00 is a valid JSON number; the catalog has no use for a negative zero.
    cents.set_sign_positive(true);
    Ok(cents)
}

/// A non-negative whole number; a missing popularity is 0 and values beyond the column saturate.
fn parse_popularity(value: Option<&Value>) -> Result<u32, String> {
    match value {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(number)) => match number.as_u64() {
            Some(popularity) => Ok(u32::try_from(popularity).unwrap_or(u32::MAX)),
            None if number.as_i64().is_some() => {
                Err(format!("must not be negative, found {number}"))
            }
            None => Err(format!("must be a whole number, found {number}")),
        },
        Some(other) => Err(format!("must be a JSON number, found {other}")),
    }
}

/// A product being assembled from one or more records with the same brand and name.
struct Draft {
    first_index: usize,
    sku: Sku,
    record: ImportRecord,
    category_paths: Vec<Vec<String>>,
}

impl Draft {
    fn new(index: usize, sku: Sku, mut record: ImportRecord) -> Self {
        let category_paths = vec![std::mem::take(&mut record.category_path)];
        Self {
            first_index: index,
            sku,
            record,
            category_paths,
        }
    }

    /// Takes in a later record with the same SKU: its category path if new, and a higher popularity. The
    /// first record's other fields win so the outcome does not depend on anything but file order.
    fn absorb(&mut self, index: usize, record: ImportRecord) -> Result<(), SeedError> {
        if record.brand != self.record.brand || record.name != self.record.name {
            return Err(SeedError::SkuCollision {
                sku: self.sku.to_string(),
                first: self.first_index,
                second: index,
            });
        }
        if !self.category_paths.contains(&record.category_path) {
            self.category_paths.push(record.category_path);
        }
        self.record.popularity = self.record.popularity.max(record.popularity);
        Ok(())
    }

    fn into_product(self, slugs: &mut SlugRegistry, stock_seed: u64) -> NewProduct {
        let record = self.record;
        let code = self.sku.as_str().rsplit('-').next().unwrap_or_default();
        let slug = slugs.claim(&record.name, &code.to_ascii_lowercase());
        let images = if record.image.is_empty() {
            Vec::new()
        } else {
            vec![ImageInput {
                url: record.image,
                alt_text: record.name.clone(),
            }]
        };
        NewProduct {
            initial_stock: initial_stock(stock_seed, &self.sku),
            sku: self.sku,
            slug,
            name: record.name,
            description: record.description,
            brand: record.brand,
            price: record.price,
            status: ProductStatus::Active,
            popularity: record.popularity,
            category_paths: self.category_paths,
            images,
            option_names: Vec::new(),
            variants: Vec::new(),
        }
    }
}

/// `BB-` and 10 Crockford base-32 characters of the FNV-1a hash of brand and name. The unit separator
/// between them keeps ("AB", "C") and ("A", "BC") apart.
fn bestbuy_sku(brand: &str, name: &str) -> Sku {
    let hash = fnv1a(&[brand.as_bytes(), b"\x1f", name.as_bytes()]);
    let sku = format!("BB-{}", crockford_base32_50_bits(hash));
    Sku::parse(&sku).expect("BB- and base-32 digits are valid SKU characters")
}

/// The top 50 bits as 10 characters of `0-9A-Z` without I, L, O and U (Crockford's alphabet: nothing to
/// misread when a SKU is typed in).
fn crockford_base32_50_bits(hash: u64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (1..=10)
        .map(|digit| ALPHABET[((hash >> (64 - 5 * digit)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::seed::{SplitMix64, tests::assert_unique_and_valid};

    fn price_of(json_number: &str) -> Result<Decimal, String> {
        let value: Value = serde_json::from_str(json_number).unwrap();
        parse_price(Some(&value))
    }

    fn record(
        name: &str,
        brand: &str,
        categories: &[&str],
        price: Value,
        popularity: u32,
    ) -> Value {
        json!({
            "name": name, "description": format!("About {name}."), "brand": brand, "categories": categories,
            "price": price, "image": "https://example.com/a.jpg", "popularity": popularity,
        })
    }

    fn parse(records: &[Value]) -> Result<Vec<NewProduct>, SeedError> {
        parse_bestbuy_json(&serde_json::to_vec(records).unwrap(), 7)
    }

    #[test]
    fn serde_json_prints_the_shortest_text_that_reads_back_as_the_same_float() {
        // What parse_price relies on when arbitrary_precision is off.
        let value: Value = serde_json::from_str("[49.99, 899.99, 0.1, 1]").unwrap();
        assert_eq!(value.to_string(), "[49.99,899.99,0.1,1]");
    }

    #[test]
    fn prices_are_exact_decimals_with_two_places() {
        assert_eq!(price_of("49.99").unwrap(), Decimal::new(4999, 2));
        assert_eq!(price_of("49.99").unwrap().to_string(), "49.99");
        assert_eq!(price_of("899.99").unwrap().to_string(), "899.99");
        assert_eq!(price_of("1").unwrap().to_string(), "1.00");
        assert_eq!(price_of("0.5").unwrap().to_string(), "0.50");
        assert_eq!(price_of("0").unwrap().to_string(), "0.00");
        assert_eq!(price_of("-0.0").unwrap().to_string(), "0.00");
        assert_eq!(price_of("1e2").unwrap().to_string(), "100.00");
        assert_eq!(price_of("9999999999.99").unwrap(), MAX_PRICE);
        // Float noise from whatever wrote the file is not a third decimal.
        assert_eq!(price_of("0.30000000000000004").unwrap().to_string(), "0.30");
    }

    #[test]
    fn two_decimal_amounts_survive_the_trip_through_a_float() {
        // Every amount up to $1,000, then a spread of amounts up to the largest price.
        let mut rng = SplitMix64::new(99);
        let spread = (0..100_000).map(|_| rng.below(999_999_999_999) as i64 + 1);
        for cents in (0..100_000i64).chain(spread) {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            assert_eq!(price_of(&text).unwrap(), Decimal::new(cents, 2), "{text}");
        }
    }

    #[test]
    fn bad_prices_are_refused_with_the_reason() {
        assert!(price_of("-1").unwrap_err().contains("negative"));
        assert!(price_of("-0.01").unwrap_err().contains("negative"));
        assert!(
            price_of("9.999")
                .unwrap_err()
                .contains("more than two decimals")
        );
        assert!(
            price_of("10000000000")
                .unwrap_err()
                .contains("largest price")
        );
        assert!(price_of("\"49.99\"").unwrap_err().contains("JSON number"));
        assert_eq!(parse_price(None).unwrap_err(), "is missing");
        assert_eq!(price_of("null").unwrap_err(), "is missing");
    }

    #[test]
    fn a_bad_record_is_named_by_its_index_and_field() {
        let error = parse(&[
            record("A - One", "A", &["X"], json!(1.99), 1),
            record("B - Two", "B", &["X"], json!(-5), 1),
        ])
        .unwrap_err();
        assert!(matches!(
            error,
            SeedError::Field {
                index: 1,
                field: "price",
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            "record 1, field `price`: must not be negative, found -5"
        );

        let error = parse(&[json!({"name": "", "price": 1})]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "record 0, field `name`: is missing or empty"
        );
        let error = parse(&[json!({"name": "A", "price": 1, "popularity": -3})]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("record 0, field `popularity`")
        );
        let error = parse(&[json!({"name": 5, "price": 1})]).unwrap_err();
        assert!(error.to_string().starts_with("record 0: invalid type"));
        let error = parse_bestbuy_json(b"{\"name\": \"A\"}", 0).unwrap_err();
        assert!(matches!(error, SeedError::Json(_)));
        let error = parse(&[json!({"name": "A".repeat(256), "price": 1})]).unwrap_err();
        assert!(error.to_string().contains("256 characters long"));
    }

    #[test]
    fn skus_are_stable_hashes_of_brand_and_name() {
        let sku = bestbuy_sku("Samsung", "Samsung - Galaxy S7 edge 32GB - Black");
        // Pinned: changing the scheme would re-key every imported product.
        assert_eq!(sku.as_str(), "BB-G4QSS93Q3K");
        assert_eq!(
            sku,
            bestbuy_sku("Samsung", "Samsung - Galaxy S7 edge 32GB - Black")
        );
        assert_ne!(
            sku,
            bestbuy_sku("Samsung", "Samsung - Galaxy S7 edge 32GB - White")
        );
        assert_ne!(bestbuy_sku("AB", "C"), bestbuy_sku("A", "BC"));

        let products = parse(&[record(
            "  AT&T GoPhone -  Samsung Galaxy Express 3 4G LTE with 8GB Memory Prepaid Cell Phone ",
            " AT&T GoPhone",
            &["Cell Phones"],
            json!(49.99),
            1,
        )])
        .unwrap();
        assert_eq!(products[0].sku.as_str(), "BB-WQQ37P6SJH");
    }

    #[test]
    fn records_of_the_same_product_are_merged() {
        let products = parse(&[
            record(
                "Kanex - Vehicle Charger - White",
                "Kanex",
                &["Cell Phones", "Car Chargers"],
                json!(14.95),
                3486,
            ),
            record("Other - Thing", "Other", &["Cell Phones"], json!(5), 10),
            record(
                "Kanex - Vehicle Charger - White",
                "Kanex",
                &["Cell Phones", " Cell Phone Accessories "],
                json!(8.99),
                9999,
            ),
            record(
                "Kanex - Vehicle Charger - White",
                "Kanex",
                &["Cell Phones", "Car Chargers"],
                json!(19.95),
                1996,
            ),
        ])
        .unwrap();
        assert_eq!(products.len(), 2);
        let merged = &products[0];
        assert_eq!(merged.name, "Kanex - Vehicle Charger - White");
        assert_eq!(merged.price.to_string(), "14.95");
        assert_eq!(merged.popularity, 9999);
        assert_eq!(
            merged.category_paths,
            vec![
                vec!["Cell Phones".to_owned(), "Car Chargers".to_owned()],
                vec![
                    "Cell Phones".to_owned(),
                    "Cell Phone Accessories".to_owned()
                ],
            ]
        );
        assert_eq!(products[1].name, "Other - Thing");
    }

    #[test]
    fn missing_fields_get_defaults_and_text_is_cleaned() {
        let products = parse(&[json!({
            "name": " Insignia\u{99} - Leather\u{a0}Case\n", "brand": "  ", "categories": [" ", ""],
            "price": 10, "image": "",
        })])
        .unwrap();
        let product = &products[0];
        assert_eq!(product.name, "Insignia™ - Leather Case");
        assert_eq!(product.brand, UNBRANDED);
        assert_eq!(product.category_paths, vec![vec![UNCATEGORIZED.to_owned()]]);
        assert!(product.images.is_empty());
        assert_eq!(product.description, "");
        assert_eq!(product.popularity, 0);
        assert_eq!(product.status, ProductStatus::Active);

        let products = parse(&[record(
            "A - B",
            "A",
            &[" TVs ", "", "OLED  TVs"],
            json!(1),
            1,
        )])
        .unwrap();
        assert_eq!(
            products[0].category_paths,
            vec![vec!["TVs".to_owned(), "OLED TVs".to_owned()]]
        );
        assert_eq!(
            products[0].images,
            vec![ImageInput {
                url: "https://example.com/a.jpg".to_owned(),
                alt_text: "A - B".to_owned()
            }]
        );
    }

    #[test]
    fn products_whose_names_share_a_slug_get_the_sku_code_appended() {
        let records = [
            record(
                "Moshi - iGlaze Case - Onyx black",
                "Moshi",
                &["Cases"],
                json!(49.99),
                1,
            ),
            record(
                "Moshi - iGlaze Case - Onyx Black",
                "Moshi",
                &["Cases"],
                json!(44.99),
                1,
            ),
        ];
        let products = parse(&records).unwrap();
        assert_eq!(
            products.len(),
            2,
            "names that differ in case are different products"
        );
        assert_eq!(products[0].slug.as_str(), "moshi-iglaze-case-onyx-black");
        let code = products[1]
            .sku
            .as_str()
            .trim_start_matches("BB-")
            .to_ascii_lowercase();
        assert_eq!(
            products[1].slug.as_str(),
            format!("moshi-iglaze-case-onyx-black-{code}")
        );
        assert_eq!(
            parse(&records).unwrap(),
            products,
            "a re-import gives the same slugs"
        );
    }

    #[test]
    fn the_shared_best_buy_catalog_imports_cleanly() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/products-bestbuy.json");
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!(
                "SKIPPED: {} not found; the real catalog import was not checked",
                path.display()
            );
            return;
        };
        let products = parse_bestbuy_json(&bytes, 1).unwrap();
        assert_eq!(products.len(), 3229);
        assert_unique_and_valid(&products);
        assert!(products.iter().all(|product| product.price > Decimal::ZERO));
        assert!(products.iter().all(|product| product.images.len() == 1));
        assert_eq!(parse_bestbuy_json(&bytes, 1).unwrap(), products);
        let merged = products
            .iter()
            .filter(|product| product.category_paths.len() > 1)
            .count();
        eprintln!(
            "{} products, {merged} in more than one category",
            products.len()
        );
    }
}
