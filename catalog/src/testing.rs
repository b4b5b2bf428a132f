//! Support for the tests of every crate that needs a catalog (feature `testing`): the shared test products of
//! [`platform::testing::TestProduct`] as catalog products, loaded the way `catalog import` loads a file, and
//! the shared real catalog.

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
