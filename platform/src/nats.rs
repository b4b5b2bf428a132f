//! The NATS connection every service shares: named after the service (so `nats server report connections`
//! says who is who), authenticated as the service's own user, reconnecting forever, and logging every
//! connection state change.
//!
//! The server refuses anonymous clients and gives each user only the subjects it needs
//! (`infra/nats-server.conf`). That includes the inbox: a user may subscribe only to `_INBOX_<user>.>`, never
//! to the shared `_INBOX.>`, where it could read the replies other users receive (among them the ORDERS
//! messages the mailer and the bridge pull). So every connection uses its user's own inbox prefix.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use async_nats::{Client, ConnectErrorKind, ConnectOptions, Event};
use secrecy::{ExposeSecret as _, SecretString};

use crate::backoff::Backoff;

/// Who a connection authenticates as.
#[derive(Debug, Clone)]
pub struct NatsAuth {
    /// `NATS_USER` (default: the service's name). With a creds file it only names the inbox prefix.
    pub user: String,
    /// `NATS_PASSWORD`; unset (and no creds file) means no credentials, for a developer's open server.
    pub password: Option<SecretString>,
    /// `NATS_CREDS`: a `.creds` file (user JWT and nkey seed) for a server in operator (JWT) mode.
    pub creds: Option<PathBuf>,
}

impl NatsAuth {
    /// A user with a password.
    pub fn password(user: impl Into<String>, password: SecretString) -> Self {
        Self {
            user: user.into(),
            password: Some(password),
            creds: None,
        }
    }

    /// The only inbox this user may subscribe to, and so the prefix of every reply subject it asks for.
    pub fn inbox_prefix(&self) -> String {
        format!("_INBOX_{}", self.user)
    }

    async fn apply(&self, options: ConnectOptions) -> anyhow::Result<ConnectOptions> {
        let options = options.custom_inbox_prefix(self.inbox_prefix());
        Ok(match (&self.creds, &self.password) {
            (Some(creds), _) => options
                .credentials_file(creds)
                .await
                .with_context(|| format!("reading NATS_CREDS {}", creds.display()))?,
            (None, Some(password)) => {
                options.user_and_password(self.user.clone(), password.expose_secret().to_owned())
            }
            (None, None) => options,
        })
    }

    fn describe(&self) -> &'static str {
        match (&self.creds, &self.password) {
            (Some(_), _) => "creds file",
            (None, Some(_)) => "password",
            (None, None) => "no credentials",
        }
    }
}

/// Connects to `url` as client `name` with `auth`, retrying for up to `wait` so services can start before
/// NATS. Refused credentials fail at once: retrying cannot fix them. Once connected, the client reconnects by
/// itself, without limit, after any outage.
pub async fn connect(
    name: &str,
    url: &str,
    auth: &NatsAuth,
    wait: Duration,
) -> anyhow::Result<Client> {
    let deadline = Instant::now() + wait;
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
    let user = auth.user.as_str();
    loop {
        let result = auth.apply(options(name)).await?.connect(url).await;
        let delay = backoff.next_delay();
        match result {
            Ok(client) => {
                tracing::info!(%url, user, auth = auth.describe(), "connected to NATS");
                return Ok(client);
            }
            Err(err)
                if matches!(
                    err.kind(),
                    ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication
                ) =>
            {
                return Err(err).with_context(|| {
                    format!(
                        "NATS at {url} refused user {user} ({}): check NATS_USER, NATS_PASSWORD or NATS_CREDS",
                        auth.describe()
                    )
                });
            }
            Err(err) if Instant::now() + delay < deadline => {
                tracing::warn!(%url, error = %err, "NATS not reachable yet, retrying");
                tokio::time::sleep(delay).await;
            }
            Err(err) => {
                return Err(err).with_context(|| format!("connecting to NATS at {url}"));
            }
        }
    }
}

fn options(name: &str) -> ConnectOptions {
    ConnectOptions::new()
        .name(name)
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .request_timeout(Some(Duration::from_secs(5)))
        // Reconnect quickly at first, then settle at one attempt a second.
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((attempts as u64 * 100).min(1_000))
        })
        .event_callback(|event| async move {
            match event {
                Event::Connected => tracing::info!("NATS connection (re)established"),
                Event::Disconnected => tracing::warn!("NATS connection lost, reconnecting"),
                Event::Draining => tracing::info!("NATS connection draining"),
                Event::Closed => tracing::info!("NATS connection closed"),
                Event::SlowConsumer(sid) => tracing::warn!(sid, "NATS slow consumer"),
                // A permissions violation names the subject: this user lacks a permission the code needs
                // (infra/nats-server.conf), and the publish or subscription was dropped.
                Event::ServerError(err) => tracing::error!(error = %err, "NATS server error"),
                other => tracing::warn!(event = %other, "NATS event"),
            }
        })
}
