//! Support for the tests of every crate that needs a catalog (feature `testing`): the shared test products of
//! [`platform::testing::TestProduct`] as catalog products, loaded the way `catalog import` loads a file, and
//! the shared real catalogs, and the search relevance test set both engines are held to.

use std::sync::OnceLock;

use platform::testing::TestProduct;
use sqlx::MySqlPool;

use crate::domain::{ImageInput, NewProduct, ProductStatus, Sku, Slug};

/// The catalog product for `product`: active, slug from its name, a description naming it and its brand,
/// popularity 100 and one image `/images/<SKU>.jpg`.
///
/// # Panics
/// When the SKU is not a valid one: a mistake in the test.
pub fn new_product(product: TestProduct) -> NewProduct {
    let sku = Sku::parse(&product.sku)
        .unwrap_or_else(|err| panic!("test product {:?}: {err}", product.sku));
    NewProduct {
        slug: Slug::from_text(&product.name, 120),
        description: format!("{} by {}, a fine product.", product.name, product.brand),
        status: ProductStatus::Active,
        popularity: 100,
        category_paths: vec![product.category_path],
        images: vec![ImageInput {
            url: format!("/images/{}.jpg", sku.as_str()),
            alt_text: product.name.clone(),
        }],
        initial_stock: product.stock,
        price: product.price,
        brand: product.brand,
        name: product.name,
        sku,
        option_names: Vec::new(),
        variants: Vec::new(),
    }
}

/// Creates or updates `products` in the catalog whose database is `pool`, through the importer (the code path
/// of `catalog import`), events included; the running catalog's relay publishes them.
///
/// # Panics
/// When the import fails.
pub async fn load(pool: &MySqlPool, products: Vec<NewProduct>) {
    crate::import::import(pool, None, products)
        .await
        .unwrap_or_else(|err| panic!("loading test products: {err:#}"));
}

/// Waits until every event in the catalog's outbox (`pool`) is published, and then a moment for every replica
/// to apply them: its product cache follows them, so a test that changed the catalog behind its back (as
/// [`load`] does) sees the change once they have arrived, as a shopper would.
pub async fn events_published(pool: &MySqlPool) {
    platform::testing::eventually("the catalog's events are published", async || {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(pool)
            .await
            .unwrap()
            == 0
    })
    .await;
    // Published means delivered to every replica's connection; give their followers a moment to apply them.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

/// The shared real catalog (`../shared/data/products-bestbuy.json`, beside the repository), parsed once;
/// `None` when the file is not there (each test that needs it says so loudly).
///
/// # Panics
/// When the file is there but does not parse.
pub fn real_catalog() -> Option<&'static [NewProduct]> {
    static CATALOG: OnceLock<Option<Vec<NewProduct>>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/data/products-bestbuy.json"
            );
            match std::fs::read(path) {
                Ok(bytes) => Some(
                    crate::seed::parse_bestbuy_json(&bytes, 42).expect("the shared catalog parses"),
                ),
                Err(_) => {
                    eprintln!("SKIPPED: {path} not found; tests on the real catalog did not run");
                    None
                }
            }
        })
        .as_deref()
}

/// The shared demo store (`../shared/data/demo-store/products.json`) as catalog products (without its photos),
/// parsed once; `None` when the file is not there.
///
/// # Panics
/// When the file is there but does not parse.
pub fn demo_store() -> Option<&'static [NewProduct]> {
    static STORE: OnceLock<Option<Vec<NewProduct>>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/data/demo-store/products.json"
            );
            let bytes = std::fs::read(path).ok()?;
            let products =
                crate::seed::parse_demo_store(&bytes, 42).expect("the demo store parses");
            Some(products.into_iter().map(|demo| demo.product).collect())
        })
        .as_deref()
}

/// One query of the relevance test set (`catalog/tests/relevance.json`, on the phone catalog and the demo
/// store together), which both engines must answer alike.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct RelevanceCase {
    pub q: String,
    /// Texts the first hit's name contains (case-insensitively).
    #[serde(default)]
    pub first: Vec<String>,
    /// Texts the first hit's name must not contain.
    #[serde(default)]
    pub not_first: Vec<String>,
    /// The first hit's brand.
    #[serde(default)]
    pub brand: Option<String>,
    /// Nothing must be found.
    #[serde(default)]
    pub none: bool,
    /// What the case shows.
    pub why: String,
}

/// The relevance test set.
///
/// # Panics
/// When the file does not parse: a mistake in the test set.
pub fn relevance_cases() -> Vec<RelevanceCase> {
    serde_json::from_str(include_str!("../tests/relevance.json")).expect("the relevance test set")
}

/// Whether a product's `word` holds query `term` as the engines match words: whole, as a prefix, singular for
/// plural, or within the typos Meilisearch tolerates (one from 4 letters, two from 8, none in numbers).
fn holds(term: &str, word: &str) -> bool {
    if crate::text::match_word(term, word).is_some() {
        return true;
    }
    let letters = term.chars().count();
    let typos = match letters {
        0..4 => return false,
        4..8 => 1,
        _ => 2,
    };
    if term.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let term: Vec<char> = term.chars().collect();
    crate::search::vocabulary::edits_within(&term, word, typos).is_some()
}

/// What is wrong with `response` (an `/api/search` answer) for `case`, if anything. Besides the case's own
/// expectations, for every query: the first hit holds every query word in its name or brand, and no hit that
/// does comes after one that does not (name and brand matches before description-only ones); words are held as
/// [`holds`] says.
pub fn relevance_problems(case: &RelevanceCase, response: &serde_json::Value) -> Vec<String> {
    use crate::text::{Query, words};
    let hits = response["hits"].as_array().cloned().unwrap_or_default();
    let text = |hit: &serde_json::Value, field: &str| hit[field].as_str().unwrap_or("").to_owned();
    let mut problems = Vec::new();
    let mut say =
        |problem: String| problems.push(format!("{:?} ({}): {problem}", case.q, case.why));
    if case.none {
        if !hits.is_empty() {
            say(format!(
                "expected nothing, found {:?}",
                text(&hits[0], "name")
            ));
        }
        return problems;
    }
    let Some(first) = hits.first() else {
        say("found nothing".to_owned());
        return problems;
    };
    let name = text(first, "name");
    for expected in &case.first {
        if !name.to_lowercase().contains(&expected.to_lowercase()) {
            say(format!("first hit {name:?} does not contain {expected:?}"));
        }
    }
    for unwanted in &case.not_first {
        if name.to_lowercase().contains(&unwanted.to_lowercase()) {
            say(format!("first hit {name:?} contains {unwanted:?}"));
        }
    }
    if let Some(brand) = &case.brand
        && !text(first, "brand").eq_ignore_ascii_case(brand)
    {
        say(format!("first hit {name:?} is not by {brand}"));
    }
    let query = Query::parse(&case.q, 32);
    let holds_every_word = |hit: &serde_json::Value| {
        let own: Vec<String> = words(&text(hit, "name"))
            .into_iter()
            .chain(words(&text(hit, "brand")))
            .collect();
        query
            .terms
            .iter()
            .all(|term| own.iter().any(|word| holds(term, word)))
    };
    if !holds_every_word(first) {
        say(format!(
            "first hit {name:?} lacks a query word in its name and brand"
        ));
    }
    if let Some(gap) = hits.iter().position(|hit| !holds_every_word(hit))
        && let Some(late) = hits[gap..].iter().find(|hit| holds_every_word(hit))
    {
        say(format!(
            "{:?} holds every word but comes after {:?}, which does not",
            text(late, "name"),
            text(&hits[gap], "name")
        ));
    }
    problems
}

/// The catalog's settings in tests: long reservations, a sweeper that never runs on its own, no Meilisearch, a
/// FULLTEXT budget a loaded test machine cannot exceed on small catalogs (the 15 ms of production is for speed,
/// not correctness), an images bucket nowhere ([`no_bucket`]) and the product cache as in production.
pub fn config() -> crate::config::Config {
    crate::config::Config {
        reservation_ttl: chrono::Duration::minutes(15),
        sweep_every: std::time::Duration::from_secs(3600),
        fulltext_budget: std::time::Duration::from_secs(5),
        meili: None,
        images: no_bucket(),
        product_cache_entries: 10_000,
        product_cache_ttl: std::time::Duration::from_secs(60),
        public_base_url: "https://shop.example".to_owned(),
    }
}

/// An images bucket nowhere (nothing listens there, nothing is created at start): for the tests of a catalog
/// that never touches photos. Its photo endpoints and `/images/` answer 503.
pub fn no_bucket() -> platform::s3::BucketConfig {
    platform::s3::BucketConfig {
        create_bucket: false,
        ..platform::s3::BucketConfig::local("shop-images", "http://127.0.0.1:9")
    }
}
