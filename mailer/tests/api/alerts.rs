//! Back-in-stock alerts end to end with the real catalog on the same nats-server: a shopper's request, the
//! release that makes the phone available, and the mailer (two replicas) writing exactly one email per request
//! with its unsubscribe link; and an alert whose phone sold out again before the mailer got to it: no email,
//! then one at the next restock.

use std::path::{Path, PathBuf};

use platform::{
    contracts::catalog::{
        OrderStockRequest, RELEASE, RESERVE, ReserveRequest, StockLine, StockReply,
    },
    streams::MAILER_ALERTS_CONSUMER,
    testing::{
        NatsServer, TestProduct, TestService, eventually, spawn_service, spawn_service_with,
    },
};
use serde_json::json;

use crate::helpers::test_config;

struct Shop {
    catalog: TestService,
    mailers: Vec<TestService>,
    ops: async_nats::Client,
    mail_dir: PathBuf,
    http: reqwest::Client,
    nats: NatsServer,
}

impl Shop {
    /// The catalog with one phone, its only unit held by order `HOLD-1`; no mailer yet.
    async fn start() -> Self {
        let nats = NatsServer::start();
        let ops = nats.ops().await;
        let catalog = spawn_service(
            catalog::SERVICE,
            &catalog::MIGRATOR,
            &nats,
            async |runtime| {
                catalog::start(runtime, catalog::testing::config())
                    .await
                    .expect("the catalog starts")
            },
        )
        .await;
        catalog::testing::load(
            &catalog.pool,
            vec![catalog::testing::new_product(
                TestProduct::new("PH-1", "99.00", 1).named("Acme Phone", "Acme"),
            )],
        )
        .await;
        let shop = Self {
            catalog,
            mailers: Vec::new(),
            ops,
            mail_dir: test_config().mail_dir,
            http: reqwest::Client::new(),
            nats,
        };
        shop.hold("HOLD-1").await;
        shop
    }

    /// A mailer replica (the first gets its own database, the others share it).
    async fn add_mailer(&mut self) {
        let mut config = test_config();
        config.mail_dir = self.mail_dir.clone();
        let build = async |runtime: &mut platform::Runtime| {
            mailer::start(runtime, config)
                .await
                .expect("the mailer starts")
        };
        let mailer = match self.mailers.first() {
            None => spawn_service(mailer::SERVICE, &mailer::MIGRATOR, &self.nats, build).await,
            Some(first) => {
                let url = secrecy::SecretString::from(first.database.url());
                spawn_service_with(
                    mailer::SERVICE,
                    &mailer::MIGRATOR,
                    &self.nats,
                    move |common| common.database_url = url,
                    build,
                )
                .await
            }
        };
        platform::testing::wait_for_durable(&self.ops, "CATALOG", MAILER_ALERTS_CONSUMER).await;
        self.mailers.push(mailer);
    }

    async fn hold(&self, order: &str) {
        let request = ReserveRequest {
            order_number: order.to_owned(),
            lines: vec![StockLine {
                sku: "PH-1".to_owned(),
                quantity: 1,
                unit_price: None,
            }],
            ttl_secs: None,
        };
        let reply: StockReply = platform::rpc::call(&self.ops, RESERVE, &request, TIMEOUT)
            .await
            .unwrap();
        assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
    }

    async fn release(&self, order: &str) {
        let request = OrderStockRequest {
            order_number: order.to_owned(),
        };
        let _: StockReply = platform::rpc::call(&self.ops, RELEASE, &request, TIMEOUT)
            .await
            .unwrap();
    }

    async fn ask(&self, email: &str) {
        let response = self
            .http
            .post(format!(
                "{}/api/products/acme-phone/stock-alerts",
                self.catalog.address
            ))
            .json(&json!({ "email": email }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }

    /// Waits until the mailers' alert consumer has delivered and settled everything.
    async fn settled(&self) {
        let mut consumer =
            platform::testing::wait_for_durable(&self.ops, "CATALOG", MAILER_ALERTS_CONSUMER).await;
        eventually("the alert consumer settles", async || {
            let info = consumer.info().await.unwrap();
            info.num_pending == 0 && info.num_ack_pending == 0
        })
        .await;
    }

    async fn stop(self) {
        for mailer in self.mailers {
            mailer.stop().await;
        }
        self.catalog.stop().await;
        let _ = std::fs::remove_dir_all(&self.mail_dir);
    }
}

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The `.eml` files written so far, with their text (quoted-printable soft breaks and `=3D` undone, enough to
/// find links in it).
fn emails(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "eml"))
        .map(|entry| {
            std::fs::read_to_string(entry.path())
                .unwrap()
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_request_gets_exactly_one_email_with_its_unsubscribe_link_from_two_mailers() {
    let mut shop = Shop::start().await;
    shop.add_mailer().await;
    shop.add_mailer().await;
    shop.ask("ann@example.com").await;
    shop.ask("bob@example.com").await;
    shop.ask("ann@example.com").await;

    shop.release("HOLD-1").await;
    eventually("two alert emails", async || {
        emails(&shop.mail_dir).len() >= 2
    })
    .await;
    shop.settled().await;
    let written = emails(&shop.mail_dir);
    assert_eq!(
        written.len(),
        2,
        "one email per request, however many replicas"
    );
    let ann = written
        .iter()
        .find(|email| email.contains("To: ann@example.com"))
        .expect("ann's email");
    assert!(ann.contains("Subject: Back in stock: Acme Phone"), "{ann}");
    assert!(ann.contains("/p/acme-phone?sku=PH-1"), "{ann}");
    let token: String = sqlx::query_scalar("SELECT token FROM stock_alerts WHERE email = ?")
        .bind("ann@example.com")
        .fetch_one(&shop.catalog.pool)
        .await
        .unwrap();
    assert!(ann.contains(&format!("/stock-alerts/{token}")), "{ann}");

    let logged: Vec<(String, String, String)> =
        sqlx::query_as("SELECT kind, order_number, state FROM email_log ORDER BY id")
            .fetch_all(&shop.mailers[0].pool)
            .await
            .unwrap();
    assert_eq!(logged.len(), 2);
    for (kind, reference, state) in &logged {
        assert_eq!((kind.as_str(), state.as_str()), ("back_in_stock", "sent"));
        assert!(reference.starts_with("SA-"), "{reference}");
    }
    // Later restocks write nothing more.
    shop.hold("HOLD-2").await;
    shop.release("HOLD-2").await;
    shop.settled().await;
    assert_eq!(emails(&shop.mail_dir).len(), 2);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phone_sold_out_again_before_the_mailer_came_gets_no_email_until_the_next_restock() {
    let mut shop = Shop::start().await;
    shop.ask("ann@example.com").await;
    // Back in stock, and sold out again, while no mailer runs.
    shop.release("HOLD-1").await;
    shop.hold("HOLD-2").await;

    shop.add_mailer().await;
    shop.settled().await;
    assert!(
        emails(&shop.mail_dir).is_empty(),
        "no email for a phone sold out again"
    );
    let state: String = sqlx::query_scalar("SELECT state FROM stock_alerts")
        .fetch_one(&shop.catalog.pool)
        .await
        .unwrap();
    assert_eq!(state, "waiting", "the request waits for the next restock");

    shop.release("HOLD-2").await;
    eventually("the alert email", async || {
        emails(&shop.mail_dir).len() == 1
    })
    .await;
    shop.settled().await;
    assert_eq!(emails(&shop.mail_dir).len(), 1);
    shop.stop().await;
}
