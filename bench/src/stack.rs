//! The shop under test: the release binaries of the services as processes, on databases of their own
//! (`bench_<service>`, kept between runs so the 100k-product catalog is seeded once), against a nats-server of
//! the bench's own started with the shop's configuration.

use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use platform::testing::{NatsServer, free_port};
use secrecy::ExposeSecret as _;
use sqlx::{Connection as _, MySqlConnection};
use tokio::process::{Child, Command};

/// Where the release binaries are: beside this one (`target/release`).
pub(crate) fn bin_dir() -> PathBuf {
    std::env::current_exe()
        .expect("current exe")
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

/// The MariaDB server's administrative URL, without a database (`BENCH_DATABASE_URL`).
pub(crate) fn admin_url() -> String {
    std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

pub(crate) async fn admin_connection() -> anyhow::Result<MySqlConnection> {
    let url = admin_url();
    MySqlConnection::connect(&url)
        .await
        .with_context(|| format!("connecting to {url} (BENCH_DATABASE_URL)"))
}

/// Creates database `name`, dropping it first when `fresh`.
pub(crate) async fn database(name: &str, fresh: bool) -> anyhow::Result<String> {
    let mut admin = admin_connection().await?;
    if fresh {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS `{name}`"
        )))
        .execute(&mut admin)
        .await?;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )))
    .execute(&mut admin)
    .await?;
    Ok(format!("{}/{name}", admin_url()))
}

/// One service process, killed on drop.
pub(crate) struct Service {
    pub(crate) name: &'static str,
    pub(crate) http: String,
    child: Child,
}

impl Service {
    /// Starts release binary `name` on `database_url` as its own NATS user, with `extra` settings, and waits
    /// until `/readyz` answers 200.
    pub(crate) async fn start(
        name: &'static str,
        nats: &NatsServer,
        database_url: &str,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let port = free_port();
        let password = nats
            .credentials(name)
            .password
            .expect("a password")
            .expose_secret()
            .to_owned();
        let mut env: Vec<(String, String)> = vec![
            ("HTTP_ADDR".into(), format!("127.0.0.1:{port}")),
            ("DATABASE_URL".into(), database_url.to_owned()),
            ("NATS_URL".into(), nats.url()),
            ("NATS_USER".into(), name.to_owned()),
            ("NATS_PASSWORD".into(), password),
            ("LOG_FORMAT".into(), "json".into()),
            ("RUST_LOG".into(), "warn".into()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let binary = binary(name)?;
        let log = std::env::temp_dir().join(format!("shop-bench-{name}.log"));
        let log_file = std::fs::File::create(&log)?;
        let child = Command::new(&binary)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::from(log_file.try_clone()?))
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let service = Self {
            name,
            http: format!("http://127.0.0.1:{port}"),
            child,
        };
        service.wait_ready(&log).await?;
        Ok(service)
    }

    async fn wait_ready(&self, log: &std::path::Path) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ready = client
                .get(format!("{}/readyz", self.http))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|response| response.status() == 200);
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} is not ready after 2 minutes; see {}",
                    self.name,
                    log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub(crate) async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// A release binary beside this one, or how to build it.
pub(crate) fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let path = bin_dir().join(name);
    if !path.exists() {
        bail!(
            "{} is missing: build the release binaries first (cargo build --release -p catalog -p checkout -p mailer -p bench)",
            path.display()
        );
    }
    Ok(path)
}

/// A child process of this binary (`bench <args>`), killed on drop: the baselines run as processes of their
/// own, like the services they are compared with.
pub(crate) fn spawn_self(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Child> {
    Ok(Command::new(std::env::current_exe()?)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?)
}
