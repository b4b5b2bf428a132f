//! Made-up products in the style of the Best Buy catalog, any number of them, from the word lists in
//! `vocabulary` (see the module above for what stays deterministic).
//!
//! A little over 400 lines with its tests, which check that the made-up catalog looks like the real one
//! (names, prices, category depth, long-tail popularity) and stays linear at 100,000 products.

use rust_decimal::Decimal;

use super::{
    SlugRegistry, SplitMix64, initial_stock,
    vocabulary::{CLOSINGS, Feature, KINDS, Kind},
};
use crate::domain::{ImageInput, NewProduct, ProductStatus, Sku};

/// Served by the storefront itself: nothing is downloaded at run time.
const PLACEHOLDER_IMAGE: &str = "/images/placeholder.svg";

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
        option_names: Vec::new(),
        variants: Vec::new(),
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
    use std::collections::{BTreeSet, HashMap, HashSet};
    use std::time::Instant;

    use super::*;
    use crate::{
        domain::Slug,
        seed::{MAX_NAME_CHARS, bestbuy::clean_text, tests::assert_unique_and_valid},
    };

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
}
