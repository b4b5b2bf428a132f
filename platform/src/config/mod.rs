//! Configuration from environment variables, with documented defaults for local development.
//!
//! Each service builds its own config struct from these helpers; [`CommonConfig`] is the part every service
//! has. The README's configuration table lists every variable read here.

pub mod vars;

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use secrecy::SecretString;

pub use self::vars::{ConfigError, optional_var, secs_var, var};
use crate::{
    nats::NatsAuth, rate_limit::TrustedProxies, server::ServerLimits, service::ServiceSpec,
    streams::StreamSettings,
};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-friendly, coloured when writing to a terminal. The local default.
    Pretty,
    /// One JSON object per line, for log shippers. Use in production.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "pretty" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            _ => Err("expected `pretty` or `json`".to_owned()),
        }
    }
}

/// What every service reads from its environment.
#[derive(Debug, Clone)]
pub struct CommonConfig {
    /// `HTTP_ADDR`: where health, readiness, metrics (and the service's own API) listen.
    pub http_addr: SocketAddr,
    /// `DATABASE_URL`: this service's own schema, with its own user.
    pub database_url: SecretString,
    /// `DATABASE_MAX_CONNECTIONS`: pool size.
    pub database_max_connections: u32,
    /// `NATS_URL`: one or more comma-separated server URLs.
    pub nats_url: String,
    /// `NATS_USER`, `NATS_PASSWORD`, `NATS_CREDS`: see [`nats_auth_from_env`].
    pub nats_auth: NatsAuth,
    /// `NATS_CONNECT_TIMEOUT_SECS`: how long start-up waits for NATS before giving up.
    pub nats_connect_timeout: Duration,
    /// `DATABASE_CONNECT_TIMEOUT_SECS`: how long start-up waits for the database before giving up.
    pub database_connect_timeout: Duration,
    /// `SHUTDOWN_GRACE_SECS`: how long in-flight work may take to finish after SIGTERM.
    pub shutdown_grace: Duration,
    /// `LOG_FORMAT`: `pretty` (default) or `json`.
    pub log_format: LogFormat,
    /// JetStream stream limits, see [`StreamSettings::from_env`].
    pub streams: StreamSettings,
    /// HTTP server timeouts and limits, see [`ServerLimits::from_env`].
    pub http_limits: ServerLimits,
    /// `TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For` names the client (rate limits).
    pub trusted_proxies: TrustedProxies,
    /// `OUTBOX_RETENTION_HOURS` (default a week): how long published outbox rows are kept, for services with
    /// an outbox; see [`crate::retention`].
    pub outbox_retention: Duration,
}

impl CommonConfig {
    /// Reads the common variables; defaults point at a local MariaDB and NATS as the README's run command
    /// sets them up.
    pub fn from_env(spec: &ServiceSpec) -> Result<Self, ConfigError> {
        let default_database_url = format!(
            "mysql://{db}:{db}@127.0.0.1:{port}/{db}",
            db = spec.database,
            port = crate::ports::port("mariadb")
        );
        Ok(Self {
            http_addr: var(
                "HTTP_ADDR",
                SocketAddr::from(([127, 0, 0, 1], spec.default_http_port)),
            )?,
            database_url: SecretString::from(var("DATABASE_URL", default_database_url)?),
            database_max_connections: var("DATABASE_MAX_CONNECTIONS", 10)?,
            nats_url: var("NATS_URL", "nats://127.0.0.1:4222".to_owned())?,
            nats_auth: nats_auth_from_env(spec.name)?,
            nats_connect_timeout: secs_var("NATS_CONNECT_TIMEOUT_SECS", 30)?,
            database_connect_timeout: secs_var("DATABASE_CONNECT_TIMEOUT_SECS", 30)?,
            shutdown_grace: secs_var("SHUTDOWN_GRACE_SECS", 20)?,
            log_format: var("LOG_FORMAT", LogFormat::Pretty)?,
            streams: StreamSettings::from_env()?,
            http_limits: ServerLimits::from_env()?,
            trusted_proxies: var("TRUSTED_PROXIES", TrustedProxies::default())?,
            outbox_retention: crate::retention::outbox_retention()?,
        })
    }
}

/// Who the service is on NATS: `NATS_USER` (default `default_user`, the service's name) with `NATS_PASSWORD`,
/// or the creds file at `NATS_CREDS` (operator/JWT deployments); neither means no credentials, for a
/// developer's open server. Never both: which one counts would be a guess.
pub fn nats_auth_from_env(default_user: &str) -> Result<NatsAuth, ConfigError> {
    let user: String = var("NATS_USER", default_user.to_owned())?;
    // Read as is (not trimmed) and never echoed in an error, unlike the other variables.
    let password = match std::env::var("NATS_PASSWORD") {
        Ok(password) if !password.is_empty() => Some(SecretString::from(password)),
        Ok(_) | Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(ConfigError {
                name: "NATS_PASSWORD".to_owned(),
                value: "(hidden)".to_owned(),
                reason: "not valid UTF-8".to_owned(),
            });
        }
    };
    let creds: Option<PathBuf> = optional_var("NATS_CREDS")?;
    if let (Some(_), Some(creds)) = (&password, &creds) {
        return Err(ConfigError {
            name: "NATS_CREDS".to_owned(),
            value: creds.display().to_string(),
            reason: "NATS_PASSWORD is set too: use one or the other".to_owned(),
        });
    }
    Ok(NatsAuth {
        user,
        password,
        creds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_accepts_known_names_in_any_case() {
        assert_eq!("JSON".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("pretty".parse::<LogFormat>(), Ok(LogFormat::Pretty));
        assert!("yaml".parse::<LogFormat>().is_err());
    }
}
