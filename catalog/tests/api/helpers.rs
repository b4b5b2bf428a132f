//! `spawn_app`: the catalog running in-process on port 0, with its own scratch database and nats-server.

use std::{sync::OnceLock, time::Duration};

use catalog::{MIGRATOR, SERVICE, config::Config, domain::NewProduct};
use platform::testing::{NatsServer, TestService, spawn_service};
use serde_json::Value;
use sqlx::MySqlPool;

pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) pool: MySqlPool,
    pub(crate) nats: NatsServer,
    pub(crate) client: async_nats::Client,
    pub(crate) http: reqwest::Client,
    service: TestService,
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(default_config()).await
}

/// The settings tests start from: long reservations, a sweeper that never runs on its own, no Meilisearch, and
/// a FULLTEXT budget a loaded test machine cannot exceed on these small catalogs (the 15 ms of production is
/// for speed, not correctness).
pub(crate) fn default_config() -> Config {
    Config {
        reservation_ttl: chrono::Duration::minutes(15),
        sweep_every: Duration::from_secs(3600),
        fulltext_budget: Duration::from_secs(5),
        meili: None,
    }
}

pub(crate) async fn spawn_app_with(config: Config) -> TestApp {
    let nats = NatsServer::start();
    let service = spawn_service(SERVICE, &MIGRATOR, &nats, async |runtime| {
        catalog::start(runtime, config)
            .await
            .expect("catalog starts")
    })
    .await;
    let client = nats.ops().await;
    TestApp {
        address: service.address.clone(),
        pool: service.pool.clone(),
        nats,
        client,
        http: reqwest::Client::new(),
        service,
    }
}

impl TestApp {
    pub(crate) async fn load(&self, products: Vec<NewProduct>) {
        catalog::import::import(&self.pool, None, products)
            .await
            .unwrap();
    }

    pub(crate) async fn get(&self, path_and_query: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.address))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub(crate) async fn get_ok(&self, path_and_query: &str) -> Value {
        let (status, body) = self.get(path_and_query).await;
        assert_eq!(status, 200, "GET {path_and_query}: {body}");
        body
    }

    pub(crate) async fn stop(self) {
        self.service.stop().await;
    }
}

/// The shared real catalog (../shared/data/products-bestbuy.json), parsed once; `None` when the file is not
/// beside the repository (the tests that need it say so loudly).
pub(crate) fn real_catalog() -> Option<&'static Vec<NewProduct>> {
    static CATALOG: OnceLock<Option<Vec<NewProduct>>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/data/products-bestbuy.json"
            );
            match std::fs::read(path) {
                Ok(bytes) => Some(
                    catalog::seed::parse_bestbuy_json(&bytes, 42)
                        .expect("the shared catalog parses"),
                ),
                Err(_) => {
                    eprintln!("SKIPPED: {path} not found; tests on the real catalog did not run");
                    None
                }
            }
        })
        .as_ref()
}

/// A small hand-made catalog for listing tests.
pub(crate) fn product(
    sku: &str,
    name: &str,
    brand: &str,
    price: &str,
    path: &[&str],
    stock: u32,
) -> NewProduct {
    use catalog::domain::{ImageInput, ProductStatus, Sku, Slug};
    NewProduct {
        sku: Sku::parse(sku).unwrap(),
        slug: Slug::from_text(name, 120),
        name: name.to_owned(),
        description: format!("{name} by {brand}, a fine product."),
        brand: brand.to_owned(),
        price: price.parse().unwrap(),
        status: ProductStatus::Active,
        popularity: 100,
        category_paths: vec![path.iter().map(|s| s.to_string()).collect()],
        images: vec![ImageInput {
            url: format!("/images/{sku}.jpg"),
            alt_text: name.to_owned(),
        }],
        initial_stock: stock,
    }
}
