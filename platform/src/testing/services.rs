//! A service running inside the test process, as its binary would run it: its own scratch database, its own
//! NATS user, port 0.

use std::{net::SocketAddr, time::Duration};

use sqlx::{MySqlPool, migrate::Migrator};

use super::{NatsServer, TestDatabase};

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
