//! A private nats-server per test, run with the shop's own `infra/nats-server.conf` (users, permissions and
//! all) and passwords of its own, and clients connected as one of its users.

use std::{
    collections::HashMap,
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use secrecy::SecretString;

use super::free_port;
use crate::nats::NatsAuth;

/// Every user in `infra/nats-server.conf`; each gets its password from `NATS_<USER>_PASSWORD`.
pub const NATS_USERS: [&str; 10] = [
    "catalog",
    "checkout",
    "mailer",
    "search-indexer",
    "bridge",
    "admin",
    "accounts",
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

    /// Kills the server, deletes its store and starts it again empty (a host whose disk was lost: no
    /// streams, no consumers), on the same ports and passwords.
    pub fn lose_store(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
        self.start_again();
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
