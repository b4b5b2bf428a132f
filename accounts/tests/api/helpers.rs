//! `Shop`: the services an account touches, and `Browser`: one browser's cookie and cart.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use platform::{
    streams::MAILER_ACCOUNTS_CONSUMER,
    testing::{
        NatsServer, TestProduct, TestService, eventually, spawn_service, spawn_service_with,
    },
};
use serde_json::{Value, json};

pub(crate) struct Shop {
    pub(crate) accounts: TestService,
    pub(crate) checkout: TestService,
    pub(crate) catalog: TestService,
    pub(crate) mailer: TestService,
    pub(crate) mail_dir: PathBuf,
    pub(crate) http: reqwest::Client,
    pub(crate) ops: async_nats::Client,
    browsers: std::sync::atomic::AtomicU32,
    nats: NatsServer,
}

/// Settings for tests: no pause between link emails (a test that checks the pause sets one), no rate limits
/// (one test process plays every shopper from one address).
pub(crate) fn accounts_config() -> accounts::config::Config {
    accounts::config::Config {
        session_idle: Duration::from_secs(3600),
        session_max: Duration::from_secs(24 * 3600),
        verify_link_ttl: Duration::from_secs(3600),
        reset_link_ttl: Duration::from_secs(3600),
        link_email_gap: Duration::ZERO,
        checkout_timeout: Duration::from_secs(3),
        queued_tasks: 64,
        rate_limits: accounts::config::RateLimits::OFF,
    }
}

fn checkout_config() -> checkout::config::Config {
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
        rate_limits: checkout::config::RateLimits::OFF,
    }
}

impl Shop {
    /// Sells out `sku`: every unit held for a made-up order, as a checkout in progress would.
    pub(crate) async fn sell_out(&self, sku: &str) {
        use platform::contracts::catalog::{RESERVE, ReserveRequest, StockLine, StockReply};
        let available = platform::testing::owners::available(&self.ops, sku).await;
        let request = ReserveRequest {
            order_number: format!("HOLD-{sku}"),
            lines: vec![StockLine {
                sku: sku.to_owned(),
                quantity: available,
                unit_price: None,
            }],
            ttl_secs: None,
        };
        let reply: StockReply =
            platform::rpc::call(&self.ops, RESERVE, &request, Duration::from_secs(5))
                .await
                .unwrap();
        assert!(matches!(reply, StockReply::Ok(_)), "{reply:?}");
        eventually("the catalog quotes none left", async || {
            platform::testing::owners::available(&self.ops, sku).await == 0
        })
        .await;
    }

    pub(crate) async fn start() -> Self {
        Self::start_with(accounts_config()).await
    }

    /// The shop with three phones in the catalog.
    pub(crate) async fn start_with(config: accounts::config::Config) -> Self {
        let nats = NatsServer::start();
        let ops = nats.ops().await;
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
        catalog::testing::load(
            &catalog.pool,
            ["PH-1", "PH-2", "PH-3"]
                .into_iter()
                .map(|sku| catalog::testing::new_product(TestProduct::new(sku, "99.00", 100)))
                .collect(),
        )
        .await;
        catalog::testing::events_published(&catalog.pool).await;
        let checkout = spawn_service(
            checkout::SERVICE,
            &checkout::MIGRATOR,
            &nats,
            async |runtime| checkout::start(runtime, checkout_config()).await.unwrap(),
        )
        .await;
        // The test plays every shopper from 127.0.0.1, as the proxy would, naming each browser's own address
        // in X-Forwarded-For (the login throttle counts per address).
        let accounts = spawn_service_with(
            accounts::SERVICE,
            &accounts::MIGRATOR,
            &nats,
            |common| common.trusted_proxies = "127.0.0.1".parse().unwrap(),
            async |runtime| accounts::start(runtime, config).await.unwrap(),
        )
        .await;
        let mail_dir = std::env::temp_dir().join(format!("shop-mail-{}", uuid::Uuid::new_v4()));
        let mail_config = mailer::testing::test_config(mail_dir.clone());
        let mailer = spawn_service(mailer::SERVICE, &mailer::MIGRATOR, &nats, async |runtime| {
            mailer::start(runtime, mail_config).await.unwrap()
        })
        .await;
        platform::testing::wait_for_durable(&ops, "ACCOUNTS", MAILER_ACCOUNTS_CONSUMER).await;
        Self {
            accounts,
            checkout,
            catalog,
            mailer,
            mail_dir,
            http: reqwest::Client::new(),
            ops,
            browsers: std::sync::atomic::AtomicU32::new(0),
            nats,
        }
    }

    /// A new browser, on an address of its own.
    pub(crate) fn browser(&self) -> Browser<'_> {
        let n = self
            .browsers
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Browser {
            shop: self,
            session: None,
            cart: None,
            address: format!("10.0.{}.{}", n / 250, n % 250 + 1),
        }
    }

    /// Signs up `email` and confirms it with the emailed link, in a new browser.
    pub(crate) async fn customer(&self, email: &str, password: &str) -> Browser<'_> {
        let mut browser = self.browser();
        let reply = browser.sign_up(email, password, "Ann Lee").await;
        assert_eq!(reply.status, 202, "{}", reply.body);
        let token = self.link(email, "/account/verify#token=").await;
        let reply = browser.verify(&token).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        browser
    }

    /// The emails written so far to `to`, oldest first, with quoted-printable undone enough to read links.
    pub(crate) fn emails_to(&self, to: &str) -> Vec<String> {
        emails(&self.mail_dir)
            .into_iter()
            .filter(|email| {
                email.contains(&format!("To: {to}")) || email.contains(&format!("<{to}>"))
            })
            .collect()
    }

    /// Waits for the account consumer to have settled everything the requests so far asked for (their
    /// background work done, its events published and handled).
    pub(crate) async fn mail_settled(&self) {
        eventually("the background tasks are done", async || {
            let metrics = self
                .http
                .get(format!("{}/metrics", self.accounts.address))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            metrics
                .lines()
                .any(|line| line.trim() == "accounts_background_tasks 0")
        })
        .await;
        let mut consumer =
            platform::testing::wait_for_durable(&self.ops, "ACCOUNTS", MAILER_ACCOUNTS_CONSUMER)
                .await;
        accounts_outbox_empty(&self.accounts.pool).await;
        eventually("the account emails are settled", async || {
            let info = consumer.info().await.unwrap();
            info.num_pending == 0 && info.num_ack_pending == 0
        })
        .await;
    }

    /// The token of the newest link starting with `path` emailed to `to` (waits for one to arrive).
    pub(crate) async fn link(&self, to: &str, path: &str) -> String {
        eventually("the link email", async || {
            self.emails_to(to).iter().any(|email| email.contains(path))
        })
        .await;
        // Oldest first: the last one is the newest.
        self.emails_to(to)
            .iter()
            .filter_map(|email| link_token(email, path))
            .next_back()
            .expect("a link")
    }

    pub(crate) async fn stop(self) {
        self.accounts.stop().await;
        self.mailer.stop().await;
        self.checkout.stop().await;
        self.catalog.stop().await;
        // The server goes last: the services above shut down while it still answers.
        drop(self.nats);
        let _ = std::fs::remove_dir_all(&self.mail_dir);
    }
}

/// Waits until the accounts outbox has published every event (so the mail consumer has them all).
async fn accounts_outbox_empty(pool: &sqlx::MySqlPool) {
    eventually("the accounts outbox is published", async || {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
                .fetch_one(pool)
                .await
                .unwrap();
        pending == 0
    })
    .await;
}

/// The token after `path` in `email`'s text.
pub(crate) fn link_token(email: &str, path: &str) -> Option<String> {
    let start = email.find(path)? + path.len();
    Some(
        email[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

fn emails(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    paths.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
    paths
        .into_iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .collect()
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) set_cookie: Option<String>,
    pub(crate) retry_after: Option<String>,
}

/// One browser: its session cookie, its cart token and its address.
pub(crate) struct Browser<'a> {
    pub(crate) shop: &'a Shop,
    pub(crate) session: Option<String>,
    pub(crate) cart: Option<String>,
    pub(crate) address: String,
}

impl Browser<'_> {
    pub(crate) async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let base = if path.starts_with("/api/account") {
            &self.shop.accounts.address
        } else {
            &self.shop.checkout.address
        };
        let mut request = self
            .shop
            .http
            .request(method, format!("{base}{path}"))
            .header("x-forwarded-for", &self.address);
        if let Some(session) = &self.session {
            request = request.header(
                "cookie",
                format!("{}={session}", accounts::sessions::COOKIE),
            );
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().unwrap().to_owned())
        };
        let set_cookie = header("set-cookie");
        let retry_after = header("retry-after");
        if let Some(cookie) = &set_cookie {
            let value = cookie
                .split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .map(|(_, value)| value.to_owned())
                .unwrap_or_default();
            self.session = (!value.is_empty()).then_some(value);
        }
        let body = response.json().await.unwrap_or(Value::Null);
        Reply {
            status,
            body,
            set_cookie,
            retry_after,
        }
    }

    pub(crate) async fn post(&mut self, path: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn sign_up(&mut self, email: &str, password: &str, name: &str) -> Reply {
        self.post(
            "/api/account/sign-up",
            json!({"email": email, "password": password, "name": name}),
        )
        .await
    }

    /// Confirms with `token`, merging this browser's cart; adopts the returned cart.
    pub(crate) async fn verify(&mut self, token: &str) -> Reply {
        let reply = self
            .post(
                "/api/account/verify",
                json!({"token": token, "cart_token": self.cart}),
            )
            .await;
        self.adopt_cart(&reply);
        reply
    }

    /// Signs in, merging this browser's cart; adopts the returned cart.
    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        let reply = self
            .post(
                "/api/account/sign-in",
                json!({"email": email, "password": password, "cart_token": self.cart}),
            )
            .await;
        self.adopt_cart(&reply);
        reply
    }

    fn adopt_cart(&mut self, reply: &Reply) {
        if reply.status == 200
            && let Some(token) = reply.body["cart"]["token"].as_str()
        {
            self.cart = Some(token.to_owned());
        }
    }

    /// Adds `quantity` of `sku` to this browser's cart (a new guest cart if it has none).
    pub(crate) async fn add(&mut self, sku: &str, quantity: u32) {
        if self.cart.is_none() {
            let reply = self.post("/api/carts", json!({})).await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            self.cart = Some(reply.body["token"].as_str().unwrap().to_owned());
        }
        let path = format!("/api/carts/{}/items", self.cart.as_deref().unwrap());
        let reply = self
            .post(&path, json!({"sku": sku, "quantity": quantity}))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    /// Places an order for this browser's cart, paid with the test card that succeeds, shipped to `email`;
    /// returns the order's number and its page's URL path (with the lookup token).
    pub(crate) async fn place_order(&mut self, email: &str) -> (String, String) {
        let body = json!({
            "cart_token": self.cart.clone().expect("a cart"),
            "email": email,
            "customer_name": "Ann Lee",
            "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "shipping_method": "standard",
            "card_token": "tok_visa",
        });
        let response = self
            .shop
            .http
            .post(format!("{}/api/orders", self.shop.checkout.address))
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let order: Value = response.json().await.unwrap();
        self.cart = None;
        let url = order["order_url"].as_str().unwrap();
        let path = url[url.find("/orders/").unwrap()..].to_owned();
        (order["number"].as_str().unwrap().to_owned(), path)
    }

    /// This browser's cart lines as `(sku, quantity)`, sorted.
    pub(crate) async fn lines(&mut self) -> Vec<(String, u64)> {
        let token = self.cart.clone().expect("a cart");
        let reply = self.get(&format!("/api/carts/{token}")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let mut lines: Vec<(String, u64)> = reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["sku"].as_str().unwrap().to_owned(),
                    item["quantity"].as_u64().unwrap(),
                )
            })
            .collect();
        lines.sort();
        lines
    }
}
