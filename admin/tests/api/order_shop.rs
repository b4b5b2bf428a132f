//! The admin with the whole order path behind it: the catalog, checkout and the mailer running in the test on
//! one nats-server (each with its own scratch database), as their own tests start them. Orders are placed
//! through checkout's HTTP API as the storefront does; the admin reaches the services only over
//! `rpc.<service>.admin.*`.

use std::{path::PathBuf, time::Duration};

use admin::{config::Config, domain::Role};
use mailer::{
    config::TransportKind,
    transport::{Transport, ses_client},
};
use platform::testing::{NatsServer, TestProduct, TestService, spawn_service};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    catalog_shop::spawn_catalog,
    helpers::{Browser, ORIGIN, TestApp, spawn_app_on},
};

use mailer::testing::aws_config;
/// The sender a test verifies in moto.
pub(crate) use mailer::testing::verify_sender;

/// How the mailer sends, if it runs at all.
pub(crate) enum Mail {
    /// `.eml` files in a scratch directory: every email is sent.
    Files,
    /// SES on this moto: an email is rejected for good until the sender is verified.
    Ses(String),
    /// No mailer: it does not answer.
    Down,
}

pub(crate) struct OrderShop {
    pub(crate) admin: TestApp,
    catalog: TestService,
    pub(crate) checkout: TestService,
    mailer: Option<TestService>,
    mail_dir: PathBuf,
    http: reqwest::Client,
}

fn checkout_config() -> checkout::config::Config {
    checkout::config::Config {
        tax_rate: "0.08".parse().expect("a rate"),
        cart_ttl_days: 30,
        catalog_timeout: Duration::from_secs(3),
        public_base_url: "http://shop.test".to_owned(),
        reconcile_every: Duration::from_millis(300),
        attempt_lease: Duration::from_secs(60),
        abandoned_after: Duration::from_secs(900),
        payment_attempts_per_cart: 5,
        payment_attempts_window: Duration::from_secs(3600),
        rate_limits: checkout::config::RateLimits::OFF,
    }
}

/// The shop with `products` on sale, and the admin with a staff member and a viewer.
pub(crate) async fn order_shop(products: Vec<TestProduct>, mail: Mail) -> OrderShop {
    let nats = NatsServer::start();
    let catalog = spawn_catalog(&nats, catalog::testing::no_bucket()).await;
    catalog::testing::load(
        &catalog.pool,
        products
            .into_iter()
            .map(catalog::testing::new_product)
            .collect(),
    )
    .await;
    let config = checkout_config();
    let checkout = spawn_service(
        checkout::SERVICE,
        &checkout::MIGRATOR,
        &nats,
        async |runtime| {
            checkout::start(runtime, config)
                .await
                .expect("checkout starts")
        },
    )
    .await;
    let mail_dir = std::env::temp_dir().join(format!("admin-mail-{}", Uuid::new_v4()));
    let mut config = mailer::testing::test_config(mail_dir.clone());
    let transport = match &mail {
        Mail::Files | Mail::Down => Transport::file(mail_dir.clone()),
        Mail::Ses(endpoint) => {
            config.transport = TransportKind::Ses;
            Transport::ses(ses_client(&aws_config(endpoint).await, config.send_timeout))
        }
    };
    let mailer = match mail {
        Mail::Down => None,
        Mail::Files | Mail::Ses(_) => Some(
            spawn_service(mailer::SERVICE, &mailer::MIGRATOR, &nats, async |runtime| {
                mailer::start_with_transport(runtime, config, transport)
                    .await
                    .expect("the mailer starts")
            })
            .await,
        ),
    };
    let admin = spawn_app_on(nats, Config::for_tests(ORIGIN)).await;
    admin.staff_member("staff@shop.test", Role::Staff).await;
    admin.staff_member("viewer@shop.test", Role::Viewer).await;
    OrderShop {
        admin,
        catalog,
        checkout,
        mailer,
        mail_dir,
        http: reqwest::Client::new(),
    }
}

impl OrderShop {
    pub(crate) async fn staff(&self) -> Browser {
        self.admin
            .signed_in("staff@shop.test", "203.0.113.20")
            .await
    }

    pub(crate) async fn viewer(&self) -> Browser {
        self.admin
            .signed_in("viewer@shop.test", "203.0.113.21")
            .await
    }

    async fn checkout_post(&self, path: &str, body: Value, key: Option<&str>) -> Value {
        let mut request = self
            .http
            .post(format!("{}{path}", self.checkout.address))
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("checkout answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {body}");
        body
    }

    /// Places and pays (`tok_visa`) an order of `lines` (SKU, units) for `email` and `name`, through
    /// checkout's HTTP API as the storefront does; its number.
    pub(crate) async fn place(&self, lines: &[(&str, u32)], email: &str, name: &str) -> String {
        let cart = self.checkout_post("/api/carts", json!({}), None).await["token"]
            .as_str()
            .expect("a cart token")
            .to_owned();
        for (sku, quantity) in lines {
            self.checkout_post(
                &format!("/api/carts/{cart}/items"),
                json!({"sku": sku, "quantity": quantity}),
                None,
            )
            .await;
        }
        let order = self
            .checkout_post(
                "/api/orders",
                json!({
                    "cart_token": cart,
                    "email": email,
                    "customer_name": name,
                    "shipping_address": {"line1": "1 Main St", "city": "Springfield",
                                         "postal_code": "12345", "country": "US"},
                    "shipping_method": "standard",
                    "card_token": "tok_visa",
                }),
                Some(&Uuid::new_v4().to_string()),
            )
            .await;
        order["number"]
            .as_str()
            .expect("an order number")
            .to_owned()
    }

    pub(crate) async fn stop(self) {
        self.admin.stop().await;
        if let Some(mailer) = self.mailer {
            mailer.stop().await;
        }
        self.checkout.stop().await;
        self.catalog.stop().await;
        let _ = std::fs::remove_dir_all(&self.mail_dir);
    }
}
