//! Demo and benchmark catalogs: the shared real catalog import and a synthetic generator.
//!
//! - [`parse_bestbuy_json`] turns the shared Best Buy file (`../shared/data/products-bestbuy.json`: an array of
//!   `{name, description, brand, categories, price, image, popularity}`) into [`NewProduct`]s.
//! - [`synthetic`] streams any number of made-up products whose text has the same shape (brand, product line,
//!   model, features, size and colour in the name; category paths one to five levels deep; a few hundred
//!   brands), for load tests at 100k+ products.
//! - [`demo_fixture`] is a small synthetic catalog, so a demo can be seeded without the shared file.
//!
//! Everything is deterministic, so importing or generating twice gives the same values and an upsert by SKU is
//! idempotent:
//!
//! - **SKU.** The file has no identifiers, so a product is its brand and name (trimmed, whitespace collapsed,
//!   case kept: the file has different products whose names differ only in case). The SKU is `BB-` and the
//!   top 50 bits of the FNV-1a 64 hash of `brand \x1f name` in Crockford base 32 (10 characters). Records with
//!   the same brand and name (62 extra records in the real file, most in the same category with another
//!   description, price or image) are merged: the first record's fields win, the category paths are united,
//!   popularity is the maximum.
//!   Synthetic SKUs are `SY-` and the zero-padded index.
//! - **Slug.** `Slug::from_text(name, 120)`. When an earlier product (in file or generation order) already has
//!   that slug, `-` and the lowercase SKU code (import) or the index (synthetic) are appended.
//! - **Stock.** A SplitMix64 draw keyed by (stock seed, SKU): 5% out of stock, 5% low (1 to 5), the rest 6 to
//!   200.
//!
//! The hash and the generator are written out here instead of taken from std (whose `DefaultHasher` may change
//! between Rust releases) or a crate, and no floating point is involved, so the results are the same on every
//! machine and toolchain.

// Hand-laid tables; one string per line would make them several times longer and no easier to read.
#[rustfmt::skip]
mod vocabulary;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::{ImageInput, NewProduct, ProductStatus, Sku, Slug};
use vocabulary::{CLOSINGS, Feature, KINDS, Kind};

/// Leaves room under the 191-character slug limit for a disambiguating suffix.
const SLUG_MAX_LEN: usize = 120;
const UNBRANDED: &str = "Unbranded";
const UNCATEGORIZED: &str = "Uncategorized";
/// Served by the storefront itself: nothing is downloaded at run time.
const PLACEHOLDER_IMAGE: &str = "/images/placeholder.svg";

// Column sizes of the catalog schema: a longer value would fail at insert time, far from the record at fault.
const MAX_NAME_CHARS: usize = 255;
const MAX_BRAND_CHARS: usize = 128;
const MAX_CATEGORY_CHARS: usize = 191;
const MAX_IMAGE_URL_CHARS: usize = 1024;
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
    fn field(index: usize, field: &'static str, reason: impl Into<String>) -> Self {
        Self::Field {
            index,
            field,
            reason: reason.into(),
        }
    }
}

// ------------------------------------------------------------------------------------------ Best Buy import

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
fn clean_text(text: &str) -> String {
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

// ------------------------------------------------------------------------------------------ Shared derivations

/// FNV-1a 64 over the concatenation of `parts`: tiny, well known and stable, which is all a SKU needs.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// SplitMix64 (Steele, Lea and Flood): a tiny, fast generator whose whole state is one counter, so a
/// generator per product is free.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`) by multiply-and-shift: no loop, and a bias of at most n / 2^64.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, chance: u64) -> bool {
        self.below(100) < chance
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    fn pick_any<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| self.pick(items))
    }
}

/// Units on hand for a new product, the same for the same seed and SKU whatever the order of the import.
fn initial_stock(stock_seed: u64, sku: &Sku) -> u32 {
    let mut rng = SplitMix64::new(stock_seed ^ fnv1a(&[sku.as_str().as_bytes()]));
    let units = match rng.below(100) {
        0..5 => 0,
        5..10 => rng.between(1, 5),
        _ => rng.between(6, 200),
    };
    units as u32
}

/// Hands out slugs that are unique within one import or generation; the first product to ask for a slug
/// keeps it bare. Only 64-bit hashes of the slugs are kept (8 bytes each instead of a string, for catalogs of
/// millions): a hash collision can only make a slug take a suffix it did not need, never a duplicate.
#[derive(Default)]
struct SlugRegistry {
    taken: HashSet<u64>,
}

impl SlugRegistry {
    /// `suffix` must be non-empty lowercase letters and digits.
    fn claim(&mut self, name: &str, suffix: &str) -> Slug {
        let base = Slug::from_text(name, SLUG_MAX_LEN);
        if self.taken.insert(fnv1a(&[base.as_str().as_bytes()])) {
            return base;
        }
        let mut candidate = format!("{base}-{suffix}");
        let mut attempt = 2u32;
        while !self.taken.insert(fnv1a(&[candidate.as_bytes()])) {
            candidate = format!("{base}-{suffix}-{attempt}");
            attempt += 1;
        }
        Slug::parse(&candidate).expect("a slug, a dash and lowercase letters and digits is a slug")
    }
}

// ------------------------------------------------------------------------------------------ Synthetic catalog

/// `count` made-up products in the style of the Best Buy catalog, the same for the same seed. Each product
/// is derived from (seed, index) alone; only the slug registry (8 bytes per product) remembers earlier ones,
/// so generation is linear and streams: 100,000 products take about 0.7 s in a release build and 2 to 3 s in
/// a debug build on a 2-core machine.
pub fn synthetic(count: usize, seed: u64) -> impl Iterator<Item = NewProduct> {
    let kinds = WeightedKinds::new(KINDS);
    let mut slugs = SlugRegistry::default();
    (0..count).map(move |index| synthetic_product(&kinds, &mut slugs, seed, index))
}

/// A small catalog (300 products over every department) for demos, built in rather than read from
/// `../shared`, which lives outside the repository.
pub fn demo_fixture() -> Vec<NewProduct> {
    synthetic(300, 42).collect()
}

/// Picks kinds in proportion to their weights: accessories are common, televisions are not.
struct WeightedKinds {
    kinds: &'static [Kind],
    /// Running totals of the weights; a draw below the total falls into exactly one kind's interval.
    cumulative: Vec<u64>,
}

impl WeightedKinds {
    fn new(kinds: &'static [Kind]) -> Self {
        let cumulative = kinds
            .iter()
            .scan(0u64, |total, kind| {
                *total += u64::from(kind.weight);
                Some(*total)
            })
            .collect();
        Self { kinds, cumulative }
    }

    fn pick(&self, rng: &mut SplitMix64) -> &'static Kind {
        let total = self.cumulative.last().copied().unwrap_or_default();
        let draw = rng.below(total);
        &self.kinds[self.cumulative.partition_point(|&end| end <= draw)]
    }
}

fn synthetic_product(
    kinds: &WeightedKinds,
    slugs: &mut SlugRegistry,
    seed: u64,
    index: usize,
) -> NewProduct {
    // A generator per product, seeded from a hash of (seed, index): streams of neighbouring products never
    // overlap, and any product can be reproduced alone.
    let mut rng = SplitMix64::new(mix64(seed) ^ mix64(index as u64).rotate_left(17));
    let kind = kinds.pick(&mut rng);
    let sketch = Sketch::draw(&mut rng, kind);
    let name = product_name(&mut rng, &sketch);
    let sku = Sku::parse(&format!("SY-{index:010}")).expect("SY- and digits are a SKU");
    NewProduct {
        initial_stock: initial_stock(seed, &sku),
        slug: slugs.claim(&name, &index.to_string()),
        sku,
        description: product_description(&mut rng, &sketch),
        brand: sketch.brand.to_owned(),
        price: synthetic_price(&mut rng, &sketch),
        status: ProductStatus::Active,
        popularity: long_tail_popularity(&mut rng),
        category_paths: synthetic_category_paths(&mut rng, sketch.kind),
        images: vec![ImageInput {
            url: PLACEHOLDER_IMAGE.to_owned(),
            alt_text: name.clone(),
        }],
        name,
    }
}

fn mix64(value: u64) -> u64 {
    SplitMix64::new(value).next_u64()
}

/// The choices behind one synthetic product, shared by its name, description and price.
struct Sketch {
    kind: &'static Kind,
    brand: &'static str,
    line: &'static str,
    /// The size's position in the kind's list (they are listed smallest first) and the size.
    size: Option<(usize, &'static str)>,
    /// Three different features; the first is the headline, in the name and the first sentence.
    features: [&'static Feature; 3],
}

impl Sketch {
    fn draw(rng: &mut SplitMix64, kind: &'static Kind) -> Self {
        let line = *rng.pick(kind.lines);
        // A brand's own line ("Apple: iPhone 15") brings its brand; any brand may make a generic line.
        let (brand, line) = line
            .split_once(": ")
            .unwrap_or_else(|| (*pick_popular(rng, kind.brands), line));
        let size = (!kind.sizes.is_empty()).then(|| {
            let position = rng.index(kind.sizes.len());
            (position, kind.sizes[position])
        });
        Self {
            kind,
            brand,
            line,
            size,
            features: three_features(rng, kind.features),
        }
    }
}

/// Earlier entries are more likely (the lower of two uniform draws), so the first brands of a list dominate
/// the way Samsung or OtterBox do in a real assortment.
fn pick_popular<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[rng.index(items.len()).min(rng.index(items.len()))]
}

fn three_features(rng: &mut SplitMix64, features: &'static [Feature]) -> [&'static Feature; 3] {
    let first = rng.index(features.len());
    let second = (first + 1 + rng.index(features.len() - 1)) % features.len();
    let third = loop {
        let candidate = rng.index(features.len());
        if candidate != first && candidate != second {
            break candidate;
        }
    };
    [&features[first], &features[second], &features[third]]
}

/// "Brand - [size] line [model] tag [tag] noun[ for …| - spec]…[ - colour]", the shape of the real names
/// ("Samsung - 65\" Class Neo QLED QN4821 4K UHD Smart TV", "OtterBox - Defender Series Case for Apple®
/// iPhone® 15 - Black").
fn product_name(rng: &mut SplitMix64, sketch: &Sketch) -> String {
    let kind = sketch.kind;
    let mut name = format!("{} - ", sketch.brand);
    if let Some((_, size)) = sketch.size {
        name.push_str(size);
        name.push(' ');
    }
    name.push_str(sketch.line);
    name.push(' ');
    if rng.percent(55) {
        name.push_str(&model_number(rng, sketch.brand));
        name.push(' ');
    }
    let tag_count = if rng.percent(35) { 2 } else { 1 };
    for (tag, _, _) in &sketch.features[..tag_count] {
        // Lines sometimes carry the tag already ("Sensor Dry"); saying it twice reads as a bug.
        if !name.contains(tag) {
            name.push_str(tag);
            name.push(' ');
        }
    }
    name.push_str(kind.noun);
    for slot in kind.specs {
        let spec = rng.pick(slot);
        // "Case for Apple® iPhone® 15" reads as one phrase; other specs are listed after a dash.
        name.push_str(if spec.starts_with("for ") { " " } else { " - " });
        name.push_str(spec);
    }
    if let Some(color) = rng.pick_any(kind.colors) {
        name.push_str(" - ");
        name.push_str(color);
    }
    name
}

/// Model numbers are the rare tokens of a catalog: they make exact-match searches realistic.
fn model_number(rng: &mut SplitMix64, brand: &str) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXZ";
    let initial = brand
        .chars()
        .find(char::is_ascii_alphanumeric)
        .map_or('X', |c| c.to_ascii_uppercase());
    let letter = |rng: &mut SplitMix64| char::from(*rng.pick(LETTERS));
    match rng.below(3) {
        0 => format!("{initial}{}{}", letter(rng), rng.between(100, 9999)),
        1 => format!(
            "{initial}{}-{}{}",
            letter(rng),
            rng.between(10, 999),
            letter(rng)
        ),
        _ => format!(
            "{}{}{}{}",
            letter(rng),
            letter(rng),
            rng.between(10, 99),
            letter(rng)
        ),
    }
}

/// Two to four sentences in the style of the real descriptions: who it is for, the headline feature and
/// its benefit, two more features, a closing line. The sentences never make a verb agree with the product
/// noun, so "headphones" and "speakers" read as well as "TV".
fn product_description(rng: &mut SplitMix64, sketch: &Sketch) -> String {
    let Sketch {
        kind, brand, line, ..
    } = sketch;
    let [first, second, third] = sketch.features;
    let purpose = rng.pick(kind.uses);
    let noun = kind.short_noun;
    let mut text = match rng.below(4) {
        0 => format!("Made for {purpose}: the {brand} {line} {noun}."),
        1 => format!("Meet the {brand} {line} {noun}, designed for {purpose}."),
        2 => format!("Count on this {brand} {noun} for {purpose}."),
        _ => format!("Shop the {brand} {line} {noun} for {purpose}."),
    };
    text.push_str(&format!(" The {} {}.", first.1, first.2));
    let sentences = rng.between(2, 4);
    if sentences >= 3 {
        text.push_str(&format!(
            " {} {}, and the {} {}.",
            capitalized(second.1),
            second.2,
            third.1,
            third.2
        ));
    }
    if sentences >= 4 {
        text.push(' ');
        text.push_str(&rng.pick(CLOSINGS).replace("{brand}", brand));
    }
    text
}

/// The first letter in upper case, unless the first word is already cased on purpose ("eARC", "microSD").
fn capitalized(text: &str) -> String {
    let first_word = text.split(' ').next().unwrap_or_default();
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return text.to_owned();
    }
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Whole dollars in the kind's range, ending in .99 (75%), .49 (15%) or .00 (10%) at the price points of a
/// real shelf (649.99 rather than 643.99). Larger sizes cost more (the draw stays within the size's share of
/// the range), and within that the square of a uniform draw skews toward the low end, as most of an
/// assortment is entry level. Gift and phone cards cost their face value.
fn synthetic_price(rng: &mut SplitMix64, sketch: &Sketch) -> Decimal {
    if let Some(face_value) = sketch.size.and_then(|(_, size)| face_value(size)) {
        return face_value;
    }
    let (low, high) = sketch.kind.price;
    let draw = match sketch.size {
        Some((position, _)) => {
            let sizes = sketch.kind.sizes.len() as u64;
            (position as u64 * (1 << 16) + rng.below(1 << 16)) / sizes
        }
        None => rng.below(1 << 16),
    };
    let dollars = u64::from(low) + ((u64::from(high - low) * draw * draw) >> 32);
    let (dollars, cents) = match rng.below(100) {
        0..75 => (price_point(dollars), 99),
        75..90 => (dollars, 49),
        _ => (round_dollars(dollars), 0),
    };
    Decimal::new((dollars * 100 + cents) as i64, 2)
}

/// "$25" is a $25.00 card.
fn face_value(size: &str) -> Option<Decimal> {
    let dollars: i64 = size.strip_prefix('$')?.parse().ok()?;
    Some(Decimal::new(dollars * 100, 2))
}

fn price_point(dollars: u64) -> u64 {
    match dollars {
        0..100 => dollars,
        100..1000 => dollars / 10 * 10 + 9,
        _ => dollars / 100 * 100 + 99,
    }
}

fn round_dollars(dollars: u64) -> u64 {
    if dollars < 50 {
        dollars
    } else {
        dollars / 10 * 10
    }
}

/// Popularity tiers: each is half as likely as the one below and about 2.4 times wider, a Pareto-like long
/// tail (most products sell little, a few sell a lot), drawn with integers only.
const POPULARITY_TIERS: [u64; 11] = [1, 40, 100, 250, 600, 1500, 3500, 8000, 18000, 40000, 90000];

fn long_tail_popularity(rng: &mut SplitMix64) -> u32 {
    let tier = (rng.next_u64().leading_zeros() as usize).min(POPULARITY_TIERS.len() - 2);
    rng.between(POPULARITY_TIERS[tier], POPULARITY_TIERS[tier + 1] - 1) as u32
}

/// One of the kind's paths; now and then a second one, as real products are filed under two categories.
fn synthetic_category_paths(rng: &mut SplitMix64, kind: &Kind) -> Vec<Vec<String>> {
    let owned = |path: &[&str]| path.iter().map(|segment| (*segment).to_owned()).collect();
    let count = kind.paths.len();
    let first = rng.index(count);
    let mut paths = vec![owned(kind.paths[first])];
    if count > 1 && rng.percent(8) {
        let second = (first + 1 + rng.index(count - 1)) % count;
        paths.push(owned(kind.paths[second]));
    }
    paths
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::time::Instant;

    use serde_json::json;

    use super::*;

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

    fn assert_unique_and_valid(products: &[NewProduct]) {
        let mut skus = HashSet::new();
        let mut slugs = HashSet::new();
        for product in products {
            assert!(Sku::parse(product.sku.as_str()).is_ok(), "{}", product.sku);
            assert!(
                Slug::parse(product.slug.as_str()).is_ok(),
                "{}",
                product.slug
            );
            assert!(
                skus.insert(product.sku.clone()),
                "duplicate SKU {}",
                product.sku
            );
            assert!(
                slugs.insert(product.slug.clone()),
                "duplicate slug {}",
                product.slug
            );
        }
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
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(&[b"fo", b"obar"]), fnv1a(&[b"foobar"]));
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
    fn a_slug_registry_never_hands_out_a_slug_twice() {
        let mut registry = SlugRegistry::default();
        assert_eq!(registry.claim("TV", "1").as_str(), "tv");
        assert_eq!(registry.claim("TV 1", "9").as_str(), "tv-1");
        // "tv-1" is taken by a bare slug, so the suffix gets a counter.
        assert_eq!(registry.claim("TV", "1").as_str(), "tv-1-2");
        assert_eq!(registry.claim("T.V.", "1").as_str(), "t-v");
    }

    #[test]
    fn stock_is_deterministic_and_mostly_in_stock() {
        let skus: Vec<Sku> = (0..20_000)
            .map(|i| Sku::parse(&format!("SY-{i}")).unwrap())
            .collect();
        let stock: Vec<u32> = skus.iter().map(|sku| initial_stock(1, sku)).collect();
        assert_eq!(
            stock,
            skus.iter()
                .map(|sku| initial_stock(1, sku))
                .collect::<Vec<_>>()
        );
        assert_ne!(
            stock,
            skus.iter()
                .map(|sku| initial_stock(2, sku))
                .collect::<Vec<_>>()
        );
        let share = |test: fn(u32) -> bool| {
            stock.iter().filter(|&&units| test(units)).count() * 100 / stock.len()
        };
        assert!(
            (4..=6).contains(&share(|units| units == 0)),
            "out of stock: {}%",
            share(|units| units == 0)
        );
        assert!((4..=6).contains(&share(|units| (1..=5).contains(&units))));
        assert!(stock.iter().all(|&units| units <= 200));
    }

    #[test]
    fn the_vocabulary_covers_a_realistic_catalog() {
        let mut paths = BTreeSet::new();
        let mut brands = BTreeSet::new();
        for kind in KINDS {
            assert!(
                kind.weight > 0 && 1 <= kind.price.0 && kind.price.0 < kind.price.1,
                "{}",
                kind.noun
            );
            assert!(
                !kind.brands.is_empty() && !kind.lines.is_empty() && !kind.uses.is_empty(),
                "{}",
                kind.noun
            );
            assert!(
                kind.features.len() >= 3,
                "{} needs three features",
                kind.noun
            );
            assert!(
                kind.specs.iter().all(|slot| !slot.is_empty()),
                "{}",
                kind.noun
            );
            for path in kind.paths {
                assert!((1..=5).contains(&path.len()), "{path:?}");
                assert!(
                    path.iter()
                        .all(|segment| clean_text(segment) == *segment && segment.len() <= 191)
                );
                assert!(paths.insert(*path), "{path:?} is listed twice");
            }
            brands.extend(kind.brands.iter().copied());
            for line in kind.lines {
                if let Some((brand, line)) = line.split_once(": ") {
                    assert!(!brand.is_empty() && !line.is_empty(), "{line:?}");
                    brands.insert(brand);
                }
            }
        }
        assert!(paths.len() >= 150, "{} leaf paths", paths.len());
        assert!(brands.len() >= 200, "{} brands", brands.len());
        assert!(
            paths.iter().any(|path| path.len() == 1) && paths.iter().any(|path| path.len() == 5)
        );
        // The category table keys on the slugs of the path: two names must not slugify alike.
        let mut by_slug: HashMap<Vec<String>, &[&str]> = HashMap::new();
        for path in &paths {
            for depth in 1..=path.len() {
                let slug = path[..depth]
                    .iter()
                    .map(|name| Slug::from_text(name, 191).to_string())
                    .collect();
                let previous = by_slug.insert(slug, &path[..depth]);
                assert!(
                    previous.is_none_or(|previous| previous == &path[..depth]),
                    "{path:?}"
                );
            }
        }
    }

    #[test]
    fn synthetic_catalogs_are_deterministic_per_seed() {
        let first: Vec<NewProduct> = synthetic(500, 7).collect();
        assert_eq!(first, synthetic(500, 7).collect::<Vec<_>>());
        assert_ne!(first, synthetic(500, 8).collect::<Vec<_>>());
        // A longer run starts with the same products.
        assert_eq!(first[..100], synthetic(100, 7).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn synthetic_products_look_like_the_real_ones() {
        for product in synthetic(2_000, 3) {
            let (brand, rest) = product.name.split_once(" - ").unwrap();
            assert_eq!(brand, product.brand);
            assert!(
                !rest.is_empty() && product.name.len() <= MAX_NAME_CHARS,
                "{}",
                product.name
            );
            // Brands such as "Mr. Coffee" have a full stop of their own.
            let sentences = product
                .description
                .replace(&product.brand, "")
                .matches(". ")
                .count()
                + 1;
            assert!((2..=4).contains(&sentences), "{}", product.description);
            assert!(product.price > Decimal::ZERO && product.price.scale() == 2);
            assert!(
                ["99", "49", "00"]
                    .contains(&&product.price.to_string()[product.price.to_string().len() - 2..])
            );
            assert!(!product.category_paths.is_empty() && product.category_paths.len() <= 2);
            assert_eq!(product.images[0].url, PLACEHOLDER_IMAGE);
            assert!(product.popularity >= 1 && product.initial_stock <= 200);
        }
    }

    #[test]
    fn a_hundred_thousand_synthetic_products_stream_quickly_with_unique_skus_and_slugs() {
        let started = Instant::now();
        let products: Vec<NewProduct> = synthetic(100_000, 42).collect();
        let elapsed = started.elapsed();
        eprintln!(
            "generated {} synthetic products in {elapsed:?}",
            products.len()
        );
        assert_eq!(products.len(), 100_000);
        assert_unique_and_valid(&products);
        // A guard against accidental quadratic work, not a benchmark: linear generation takes about a second
        // in a debug build.
        assert!(elapsed.as_secs() < 30, "took {elapsed:?}");

        let popular = products
            .iter()
            .filter(|product| product.popularity >= 3500)
            .count();
        assert!(
            popular * 100 < products.len() * 2,
            "the long tail keeps bestsellers rare: {popular}"
        );
        let brands: HashSet<&str> = products
            .iter()
            .map(|product| product.brand.as_str())
            .collect();
        assert!(brands.len() >= 200, "{} brands used", brands.len());
    }

    #[test]
    fn the_demo_fixture_is_a_small_synthetic_catalog() {
        let fixture = demo_fixture();
        assert_eq!(fixture.len(), 300);
        assert_eq!(fixture, synthetic(300, 42).collect::<Vec<_>>());
        let departments: HashSet<&str> = fixture
            .iter()
            .map(|product| product.category_paths[0][0].as_str())
            .collect();
        assert!(departments.len() >= 8, "{departments:?}");
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
