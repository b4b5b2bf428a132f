//! `spawn_app`: the catalog running in-process on port 0, with its own scratch database and nats-server.

use std::time::Duration;

use catalog::{MIGRATOR, SERVICE, config::Config, domain::NewProduct, testing::new_product};
use platform::{
    contracts::catalog::{OrderStockRequest, RESERVE, ReserveRequest, StockLine, StockReply},
    s3::BucketConfig,
    testing::{NatsServer, TestProduct, TestService, spawn_service, spawn_service_with},
};
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

/// The settings tests start from (`catalog::testing::config`); the photo tests start their own moto:
/// [`with_bucket`].
pub(crate) fn default_config() -> Config {
    catalog::testing::config()
}

/// `config` with its images bucket in the moto server at `endpoint_url` (created at start).
pub(crate) fn with_bucket(config: Config, endpoint_url: &str) -> Config {
    Config {
        images: BucketConfig::local("shop-images", endpoint_url),
        ..config
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
    /// A second catalog process on this one's database and nats-server (another replica), with `config`;
    /// its address.
    pub(crate) async fn replica(&self, config: Config) -> (String, TestService) {
        let database_url = secrecy::SecretString::from(self.service.database.url());
        let replica = spawn_service_with(
            SERVICE,
            &MIGRATOR,
            &self.nats,
            move |common| common.database_url = database_url,
            async |runtime| {
                catalog::start(runtime, config)
                    .await
                    .expect("the replica starts")
            },
        )
        .await;
        (replica.address.clone(), replica)
    }

    /// `rpc.catalog.stock.reserve` of `lines` for order `order`, as checkout asks.
    pub(crate) async fn reserve(&self, order: &str, lines: &[(&str, u32)]) -> StockReply {
        let request = ReserveRequest {
            order_number: order.to_owned(),
            lines: lines
                .iter()
                .map(|(sku, quantity)| StockLine {
                    sku: sku.to_string(),
                    quantity: *quantity,
                    unit_price: None,
                })
                .collect(),
            ttl_secs: None,
        };
        platform::rpc::call(&self.client, RESERVE, &request, Duration::from_secs(10))
            .await
            .unwrap()
    }

    /// A call about order `order`'s reservation (`COMMIT`, `RELEASE`).
    pub(crate) async fn order_call(&self, subject: &str, order: &str) -> StockReply {
        let request = OrderStockRequest {
            order_number: order.to_owned(),
        };
        platform::rpc::call(&self.client, subject, &request, Duration::from_secs(10))
            .await
            .unwrap()
    }

    pub(crate) async fn load(&self, products: Vec<NewProduct>) {
        catalog::testing::load(&self.pool, products).await;
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

/// A small hand-made catalog for listing tests: the shared test product, named, branded and placed.
pub(crate) fn product(
    sku: &str,
    name: &str,
    brand: &str,
    price: &str,
    path: &[&str],
    stock: u32,
) -> NewProduct {
    new_product(
        TestProduct::new(sku, price, stock)
            .named(name, brand)
            .in_category(path),
    )
}
