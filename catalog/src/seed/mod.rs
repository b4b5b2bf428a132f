//! Demo and benchmark catalogs: the shared real catalog import and a synthetic generator.
//!
//! - [`parse_bestbuy_json`] turns the shared Best Buy file (`../shared/data/products-bestbuy.json`: an array of
//!   `{name, description, brand, categories, price, image, popularity}`) into [`NewProduct`]s.
//! - [`synthetic`] streams any number of made-up products whose text has the same shape (brand, product line,
//!   model, features, size and colour in the name; category paths one to five levels deep; a few hundred
//!   brands), for load tests at 100k+ products.
//! - [`demo_fixture`] is a small synthetic catalog, so a demo can be seeded without the shared file.
//! - [`parse_demo_store`] reads the shared demo store (`../shared/data/demo-store/`): departments, products
//!   with variants, and the file names of their photos (see `demo_store` for how it derives what it lacks).
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
//!
//! The code is split by concern: [`bestbuy`] reads the file, [`synthetic`] makes products up from the word
//! lists in `vocabulary`, and this module holds what both derive values with (the hash, the generator, the
//! slug registry, the initial stock).

mod bestbuy;
mod demo_store;
mod synthetic;

// Hand-laid tables; one string per line would make them several times longer and no easier to read.
#[rustfmt::skip]
mod vocabulary;

use std::collections::HashSet;

use crate::domain::{Sku, Slug};

pub use bestbuy::{SeedError, parse_bestbuy_json};
pub use demo_store::{DemoProduct, parse_demo_store};
pub use synthetic::{demo_fixture, synthetic};

/// Leaves room under the 191-character slug limit for a disambiguating suffix.
const SLUG_MAX_LEN: usize = 120;

// Column sizes of the catalog schema: a longer value would fail at insert time, far from the record at fault.
const MAX_NAME_CHARS: usize = 255;
const MAX_BRAND_CHARS: usize = 128;
const MAX_CATEGORY_CHARS: usize = 191;
const MAX_IMAGE_URL_CHARS: usize = 1024;

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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::NewProduct;

    pub(super) fn assert_unique_and_valid(products: &[NewProduct]) {
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
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(&[b"fo", b"obar"]), fnv1a(&[b"foobar"]));
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
}
