//! `spawn_shop`: the catalog and checkout running in-process on port 0 against one private nats-server.

use std::time::Duration;

use catalog::testing::new_product;
use platform::{
    config::CommonConfig,
    testing::{NatsServer, TestProduct, TestService, owners, spawn_service, spawn_service_with},
};
use serde_json::{Value, json};

pub(crate) struct Shop {
    pub(crate) checkout: TestService,
    pub(crate) catalog: TestService,
    pub(crate) nats: NatsServer,
    pub(crate) client: async_nats::Client,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn checkout_config() -> checkout::config::Config {
    checkout::config::Config {
        tax_rate: "0.08".parse().unwrap(),
        cart_ttl_days: 30,
        catalog_timeout: Duration::from_secs(3),
        public_base_url: "http://shop.test".to_owned(),
        reconcile_every: Duration::from_millis(300),
        attempt_lease: Duration::from_secs(60),
        abandoned_after: Duration::from_secs(900),
        payment_attempts_per_cart: 5,
        payment_attempts_window: Duration::from_secs(3600),
        // One test process plays every shopper from one address.
        rate_limits: checkout::config::RateLimits::OFF,
    }
}

pub(crate) async fn spawn_shop() -> Shop {
    spawn_shop_with(checkout_config()).await
}

/// The shop with checkout configured by the test.
pub(crate) async fn spawn_shop_with(config: checkout::config::Config) -> Shop {
    spawn_shop_configured(config, |_| {}).await
}

/// The shop with checkout's own and common configuration set by the test.
pub(crate) async fn spawn_shop_configured(
    config: checkout::config::Config,
    common: impl FnOnce(&mut CommonConfig),
) -> Shop {
    let nats = NatsServer::start();
    let catalog = spawn_service(
        catalog::SERVICE,
        &catalog::MIGRATOR,
        &nats,
        async |runtime| {
            catalog::start(runtime, catalog::testing::config())
                .await
                .unwrap()
        },
    )
    .await;
    let checkout = spawn_service_with(
        checkout::SERVICE,
        &checkout::MIGRATOR,
        &nats,
        common,
        async |runtime| checkout::start(runtime, config).await.unwrap(),
    )
    .await;
    let client = nats.ops().await;
    Shop {
        checkout,
        catalog,
        nats,
        client,
        http: reqwest::Client::new(),
    }
}

pub(crate) fn address() -> Value {
    json!({"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"})
}

pub(crate) fn order_body(cart: &str, card: &str) -> Value {
    json!({
        "cart_token": cart,
        "email": "ana@example.com",
        "customer_name": "Ana Núñez",
        "shipping_address": address(),
        "shipping_method": "standard",
        "card_token": card,
    })
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) bytes: Vec<u8>,
    pub(crate) retry_after: Option<String>,
}

impl Shop {
    /// Creates or updates `products` in the catalog, the way `catalog import` does.
    /// Writes `products` into the catalog's database, as an import does, and waits until their events are out:
    /// the catalog serves quotes from a cache that those events keep correct, so a test that changes a price
    /// or a stock this way sees the change once they have arrived (a few milliseconds in a running shop).
    pub(crate) async fn load(&self, products: Vec<TestProduct>) {
        let products = products.into_iter().map(new_product).collect();
        catalog::testing::load(&self.catalog.pool, products).await;
        catalog::testing::events_published(&self.catalog.pool).await;
    }

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.bytes().await.unwrap().to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            bytes,
            retry_after,
        }
    }

    pub(crate) async fn new_cart(&self) -> String {
        let reply = self
            .send(
                self.http
                    .post(format!("{}/api/carts", self.checkout.address)),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["token"].as_str().unwrap().to_owned()
    }

    pub(crate) async fn add(&self, cart: &str, sku: &str, quantity: i64) -> Reply {
        let url = format!("{}/api/carts/{cart}/items", self.checkout.address);
        self.send(
            self.http
                .post(url)
                .json(&json!({"sku": sku, "quantity": quantity})),
        )
        .await
    }

    pub(crate) async fn cart(&self, cart: &str) -> Value {
        let reply = self
            .send(
                self.http
                    .get(format!("{}/api/carts/{cart}", self.checkout.address)),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    }

    pub(crate) async fn place(&self, key: &str, body: &Value) -> Reply {
        let url = format!("{}/api/orders", self.checkout.address);
        self.send(
            self.http
                .post(url)
                .header("Idempotency-Key", key)
                .json(body),
        )
        .await
    }

    /// `(on hand, reserved)` of `sku` as the catalog last published it (`None` before its first change): a
    /// sale reaching the catalog is `(on hand - sold, 0)`, which the units available alone cannot tell from a
    /// reservation still held.
    pub(crate) async fn stock(&self, sku: &str) -> Option<(u32, u32)> {
        owners::stock(&self.client, sku).await
    }

    /// Units of `sku` the catalog has for sale now.
    pub(crate) async fn available(&self, sku: &str) -> u32 {
        owners::available(&self.client, sku).await
    }

    pub(crate) async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.checkout.pool)
            .await
            .unwrap()
    }

    pub(crate) async fn stop(self) {
        self.checkout.stop().await;
        self.catalog.stop().await;
    }
}
