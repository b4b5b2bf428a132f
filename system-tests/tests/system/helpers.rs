//! Starting and stopping the service binaries as processes.

use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use platform::testing::{NatsServer, TestDatabase, free_port};
use secrecy::ExposeSecret as _;
use tokio::process::{Child, Command};

/// Checkout's per-address rate limits turned off: a system test is one client playing every shopper.
pub(crate) const NO_RATE_LIMITS: [(&str, &str); 3] = [
    ("RATE_LIMIT_CARTS_PER_MIN", "0"),
    ("RATE_LIMIT_CART_CHANGES_PER_MIN", "0"),
    ("RATE_LIMIT_ORDERS_PER_MIN", "0"),
];

/// Every service binary, by NATS service name.
pub(crate) const SERVICES: [&str; 5] =
    ["catalog", "checkout", "mailer", "search-indexer", "bridge"];

/// Where cargo put the workspace's binaries: the test binary runs from `target/<profile>/deps`.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .to_path_buf()
}

/// One running service process, killed on drop.
pub(crate) struct ServiceProcess {
    pub(crate) name: &'static str,
    pub(crate) http: String,
    pub(crate) log: PathBuf,
    pub(crate) database: TestDatabase,
    env: Vec<(String, String)>,
    child: Child,
}

pub(crate) fn bin(name: &str) -> PathBuf {
    let bin = bin_dir().join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace` before the system tests",
        bin.display()
    );
    bin
}

fn spawn(name: &str, env: &[(String, String)], log: &PathBuf) -> Child {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    Command::new(bin(name))
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::from(log_file.try_clone().expect("log file")))
        .stderr(Stdio::from(log_file))
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {name}: {err}"))
}

impl ServiceProcess {
    /// Starts `name` with a fresh database, on a free port, against `nats` as its own NATS user (and only
    /// with that user's password, as in production), with `env` on top.
    pub(crate) async fn start(name: &'static str, nats: &NatsServer, env: &[(&str, &str)]) -> Self {
        let database = TestDatabase::create(name).await;
        let port = free_port();
        let log = bin_dir().join(format!("system-test-{name}-{port}.log"));
        let mut all = vec![
            ("HTTP_ADDR".to_owned(), format!("127.0.0.1:{port}")),
            ("DATABASE_URL".to_owned(), database.url()),
            ("NATS_URL".to_owned(), nats.url()),
            ("NATS_USER".to_owned(), name.to_owned()),
            (
                "NATS_PASSWORD".to_owned(),
                nats.credentials(name)
                    .password
                    .expect("a password")
                    .expose_secret()
                    .to_owned(),
            ),
            ("LOG_FORMAT".to_owned(), "json".to_owned()),
        ];
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let child = spawn(name, &all, &log);
        Self {
            name,
            http: format!("http://127.0.0.1:{port}"),
            log,
            database,
            env: all,
            child,
        }
    }

    /// Runs a one-shot subcommand of this service's binary (e.g. `catalog seed`) with its environment.
    pub(crate) async fn run_command(&self, args: &[&str]) {
        let status = Command::new(bin(self.name))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .expect("run command");
        assert!(status.success(), "{} {args:?} failed", self.name);
    }

    /// Stops the process with SIGTERM (as `kill` and `docker stop` do) and waits for it to exit.
    pub(crate) async fn kill(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await;
    }

    /// Kills the process with SIGKILL (a crash: nothing in flight finishes) and waits until it is gone.
    pub(crate) async fn crash(&mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }

    /// Seeds the built-in demo catalog (this must be the catalog) and returns the SKUs of the `limit` most
    /// popular products with at least `min_available` units for sale.
    pub(crate) async fn seed_demo_catalog(
        &self,
        http: &reqwest::Client,
        limit: u32,
        min_available: u64,
    ) -> Vec<String> {
        self.run_command(&["seed"]).await;
        let listing: serde_json::Value = json_of(http.get(format!(
            "{}/api/products?in_stock=true&sort=popularity&limit={limit}",
            self.http
        )))
        .await;
        listing["products"]
            .as_array()
            .expect("products")
            .iter()
            .filter(|p| p["available"].as_u64().unwrap_or(0) >= min_available)
            .map(|p| p["sku"].as_str().expect("a SKU").to_owned())
            .collect()
    }

    /// Starts the process again with the same database, port and environment.
    pub(crate) fn restart(&mut self) {
        self.child = spawn(self.name, &self.env, &self.log);
    }

    /// The status of `GET /readyz`, or `None` when the process does not answer.
    pub(crate) async fn readyz(&self, client: &reqwest::Client) -> Option<u16> {
        client
            .get(format!("{}/readyz", self.http))
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .ok()
            .map(|response| response.status().as_u16())
    }

    /// Waits until `/readyz` answers `status`, or fails naming the log to read.
    pub(crate) async fn wait_for_readyz(
        &self,
        client: &reqwest::Client,
        status: u16,
        within: Duration,
    ) {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.readyz(client).await;
            if seen == Some(status) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: /readyz was {seen:?}, not {status}, after {within:?}; see {}",
                self.name,
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub(crate) async fn terminate(mut self, within: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().expect("process still running");
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
        assert!(
            sent.is_ok_and(|status| status.success()),
            "cannot signal {}",
            self.name
        );
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("{} did not stop within {within:?} of SIGTERM", self.name))
            .expect("wait for process");
        self.database.clone().drop_database().await;
        status
    }
}

/// A shopper's whole purchase at checkout `base`: a new cart, one unit of `sku`, the order placed by buyer `i`
/// (`buyer<i>@example.com`, named `customer_name`) with Idempotency-Key `key`; returns the placed order (201).
pub(crate) async fn place_order(
    http: &reqwest::Client,
    base: &str,
    sku: &str,
    i: usize,
    customer_name: &str,
    key: &str,
) -> serde_json::Value {
    let cart = json_of(http.post(format!("{base}/api/carts"))).await;
    let token = cart["token"].as_str().expect("a cart token");
    let added = http
        .post(format!("{base}/api/carts/{token}/items"))
        .json(&serde_json::json!({"sku": sku, "quantity": 1}))
        .send()
        .await
        .expect("add to cart");
    assert_eq!(added.status(), 200);
    let reply = http
        .post(format!("{base}/api/orders"))
        .header("Idempotency-Key", key)
        .json(&serde_json::json!({
            "cart_token": token, "email": format!("buyer{i}@example.com"), "customer_name": customer_name,
            "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "shipping_method": "standard", "card_token": "tok_visa"
        }))
        .send()
        .await
        .expect("place the order");
    assert_eq!(
        reply.status(),
        201,
        "order {key}: {}",
        reply.text().await.unwrap_or_default()
    );
    reply.json().await.expect("the order as JSON")
}

/// Sends `request` and reads the answer as JSON; the test fails if either goes wrong.
pub(crate) async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON answer")
}

/// Asks `$SRV.<verb>` and collects every answer that arrives within `window`.
pub(crate) async fn discover(
    client: &async_nats::Client,
    subject: &str,
    window: Duration,
) -> Vec<serde_json::Value> {
    use futures::StreamExt as _;

    let inbox = client.new_inbox();
    let mut answers = client.subscribe(inbox.clone()).await.expect("subscribe");
    client
        .publish_with_reply(subject.to_owned(), inbox, "".into())
        .await
        .expect("publish");
    let mut found = Vec::new();
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(message)) = tokio::time::timeout_at(deadline, answers.next()).await {
        found.push(serde_json::from_slice(&message.payload).expect("service answers are JSON"));
    }
    found
}
