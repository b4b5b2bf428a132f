//! The life of a service process, shared by every binary: start-up in a fixed order, serving, and a graceful
//! stop on SIGTERM or Ctrl-C.

use std::{
    future::Future,
    str::FromStr,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use async_nats::service::{Service, ServiceExt as _};
use axum::Router;
use secrecy::ExposeSecret as _;
use sqlx::{
    ConnectOptions as _, MySqlPool,
    migrate::Migrator,
    mysql::{MySqlConnectOptions, MySqlPoolOptions},
};
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{
    backoff::Backoff,
    config::CommonConfig,
    consumer::{ConsumerLoop, ConsumerSpec},
    http::{Readiness, ops_router, with_request_metrics},
    service::ServiceSpec,
    streams,
};

/// A started service: its connections, and the signal and task tracker for background work.
#[derive(Debug)]
pub struct Runtime {
    pub spec: ServiceSpec,
    pub config: CommonConfig,
    pub db: MySqlPool,
    pub nats: async_nats::Client,
    pub jetstream: async_nats::jetstream::Context,
    /// The registration in the NATS services API; endpoints are added to it by the service.
    pub service: Service,
    /// Cancelled when the process is asked to stop.
    pub shutdown: CancellationToken,
    tasks: TaskTracker,
    readiness: Readiness,
}

impl Runtime {
    /// Connects, migrates and registers; the process stops on SIGTERM or Ctrl-C.
    pub async fn start(
        spec: ServiceSpec,
        config: CommonConfig,
        migrator: &'static Migrator,
    ) -> anyhow::Result<Self> {
        let shutdown = CancellationToken::new();
        tokio::spawn(cancel_on_signal(shutdown.clone()));
        Self::start_with_shutdown(spec, config, migrator, shutdown).await
    }

    /// Like [`Runtime::start`], stopping when `shutdown` is cancelled (tests drive it themselves).
    pub async fn start_with_shutdown(
        spec: ServiceSpec,
        config: CommonConfig,
        migrator: &'static Migrator,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        // Installed first, so that nothing recorded before the first scrape is lost.
        crate::telemetry::metrics_handle();
        metrics::gauge!("service_info", "service" => spec.name, "version" => spec.version).set(1.0);
        let db = connect_database(&config).await?;
        migrator
            .run(&db)
            .await
            .with_context(|| format!("running the {} migrations", spec.name))?;
        tracing::info!("database migrated");

        let nats = crate::nats::connect(
            spec.name,
            &config.nats_url,
            &config.nats_auth,
            config.nats_connect_timeout,
        )
        .await?;
        let jetstream = async_nats::jetstream::new(nats.clone());
        streams::ensure_streams(
            &jetstream,
            &config.streams.streams_named(spec.publishes_to)?,
        )
        .await?;

        let service = nats
            .service_builder()
            .description(spec.description)
            .start(spec.name, spec.version)
            .await
            .map_err(|err| anyhow::anyhow!("registering the NATS service {}: {err}", spec.name))?;
        tracing::info!(
            service = spec.name,
            version = spec.version,
            "registered NATS service"
        );

        let readiness = Readiness::default()
            .with_database(db.clone())
            .with_nats(nats.clone());
        Ok(Self {
            spec,
            config,
            db,
            nats,
            jetstream,
            service,
            shutdown,
            tasks: TaskTracker::new(),
            readiness,
        })
    }

    /// Adds a dependency to `/readyz` beyond the database and NATS.
    pub fn add_readiness_check<F, Fut>(&mut self, name: &'static str, check: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.readiness = std::mem::take(&mut self.readiness).with_check(name, check);
    }

    /// The [`ConsumerLoop`] for the durable consumer `spec`, on this service's NATS connection, until shutdown.
    /// Run it with [`Runtime::spawn`].
    pub fn consumer(&self, spec: ConsumerSpec) -> ConsumerLoop {
        ConsumerLoop::new(self.nats.clone(), spec, self.shutdown.clone())
    }

    /// Runs background work that must finish (or notice [`Runtime::shutdown`]) before the process exits.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(task);
    }

    /// The tracker of the background tasks, for work a request hands over to finish after its answer:
    /// shutdown waits for those too.
    pub fn tasks(&self) -> TaskTracker {
        self.tasks.clone()
    }

    /// Serves `routes` plus the operational routes until shutdown, then lets in-flight requests and
    /// background tasks finish (bounded by `SHUTDOWN_GRACE_SECS`), and closes NATS and the database.
    pub async fn serve(self, routes: Router) -> anyhow::Result<()> {
        let listener = TcpListener::bind(self.config.http_addr)
            .await
            .with_context(|| format!("binding HTTP to {}", self.config.http_addr))?;
        self.serve_on(listener, routes).await
    }

    /// [`Runtime::serve`] on a listener the caller bound (tests bind port 0).
    pub async fn serve_on(self, listener: TcpListener, routes: Router) -> anyhow::Result<()> {
        let limits = &self.config.http_limits;
        let app = with_request_metrics(crate::server::harden(
            routes.merge(ops_router(self.readiness.clone())),
            limits,
        ));
        tracing::info!(addr = %listener.local_addr()?, service = self.spec.name, "serving HTTP");
        crate::server::serve(
            listener,
            app,
            limits,
            self.shutdown.clone(),
            self.config.shutdown_grace,
        )
        .await
        .context("serving HTTP")?;

        tracing::info!("stopping: waiting for in-flight work");
        let stopping = Instant::now();
        self.tasks.close();
        if tokio::time::timeout(self.config.shutdown_grace, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(grace = ?self.config.shutdown_grace, "background work still running at the end of the grace period");
        }
        if let Err(err) = self.service.stop().await {
            tracing::warn!(error = %err, "stopping the NATS service");
        }
        // Drain delivers what is already buffered and flushes pending publishes before closing.
        let drain = tokio::time::timeout(Duration::from_secs(5), self.nats.drain()).await;
        if !matches!(drain, Ok(Ok(()))) {
            tracing::warn!("NATS connection did not drain cleanly");
        }
        self.db.close().await;
        tracing::info!(took = ?stopping.elapsed(), "stopped");
        Ok(())
    }
}

pub async fn connect_database(config: &CommonConfig) -> anyhow::Result<MySqlPool> {
    let options = MySqlConnectOptions::from_str(config.database_url.expose_secret())
        .context("DATABASE_URL is not a valid MySQL URL")?
        // sqlx would log every statement over a second at WARN with its whole text (a bulk insert is pages
        // of placeholders); slow queries show in the request metrics instead.
        .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(1));
    let pool_options = MySqlPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(5));
    let deadline = Instant::now() + config.database_connect_timeout;
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(2));
    loop {
        let result = pool_options.clone().connect_with(options.clone()).await;
        let delay = backoff.next_delay();
        match result {
            Ok(pool) => return Ok(pool),
            Err(err) if Instant::now() + delay < deadline => {
                tracing::warn!(error = %err, "database not reachable yet, retrying");
                tokio::time::sleep(delay).await;
            }
            Err(err) => return Err(err).context("connecting to the database (DATABASE_URL)"),
        }
    }
}

/// A second pool to the database of `pool`, of at most `size` connections, whose transactions are all
/// `READ COMMITTED` (row locks only: no gap locks, so concurrent inserts never wait on a scan), set once per
/// connection rather than before every transaction. Connects on first use.
pub fn read_committed_pool(pool: &MySqlPool, size: u32) -> MySqlPool {
    MySqlPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .connect_lazy_with((*pool.connect_options()).clone())
}

/// Cancels `token` on SIGTERM or Ctrl-C.
pub async fn cancel_on_signal(token: CancellationToken) {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
    token.cancel();
}

/// The whole `main` of a service: reads the common configuration, starts logging, starts the [`Runtime`],
/// lets `build` add the service's own endpoints, workers and routes, and serves until stopped.
pub async fn run<F>(spec: ServiceSpec, migrator: &'static Migrator, build: F) -> anyhow::Result<()>
where
    F: AsyncFnOnce(&mut Runtime) -> anyhow::Result<Router>,
{
    let config = CommonConfig::from_env(&spec)?;
    crate::telemetry::init_logging(config.log_format);
    let result = async {
        let mut runtime = Runtime::start(spec, config, migrator).await?;
        let routes = build(&mut runtime).await?;
        runtime.serve(routes).await
    }
    .await;
    if let Err(err) = &result {
        tracing::error!(error = format!("{err:#}"), "{} failed", spec.name);
    }
    result
}
