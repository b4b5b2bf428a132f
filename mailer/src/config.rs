//! The mailer's own settings, beside the common ones. Every variable has a default that suits `./dev up`.

use std::{path::PathBuf, str::FromStr, time::Duration};

use platform::{
    config::{ConfigError, optional_var, secs_var, var},
    retention,
    streams::StreamSettings,
};

use crate::mime::Mailbox;

/// Where emails go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// `.eml` files in `MAIL_DIR`, for developers to open. The default.
    File,
    /// AWS SES v2 `SendEmail`.
    Ses,
}

impl FromStr for TransportKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "file" => Ok(Self::File),
            "ses" => Ok(Self::Ses),
            _ => Err("expected `file` or `ses`".to_owned()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `MAIL_TRANSPORT` (default `file`): `file` or `ses`.
    pub transport: TransportKind,
    /// `MAIL_DIR` (default `.dev/mail`): where the file transport writes `.eml` files.
    pub mail_dir: PathBuf,
    /// `MAIL_FROM` (default `Shop <orders@shop.example>`): the sender; with SES, a verified identity.
    pub from: Mailbox,
    /// `MAIL_TEMPLATES_DIR` (default this crate's `templates/`): where the tera templates are read from.
    pub templates_dir: PathBuf,
    /// `PUBLIC_BASE_URL` (default: the local storefront, [`platform::ports::storefront_url`]): the storefront,
    /// for the order link.
    pub public_base_url: String,
    /// `MAIL_RATE_PER_SEC` (default 10): the most emails this process sends per second (SES's sending rate;
    /// 1 in the SES sandbox). Fractions are allowed.
    pub rate_per_sec: f64,
    /// `MAIL_MAX_DELIVER` (default 5): deliveries of one event before it is given up on and dead-lettered.
    pub max_deliver: i64,
    /// `MAIL_BACKOFF_SECS` (default `1,5,30,120`): the wait after the 1st, 2nd, ... failed attempt; the last
    /// one repeats. Fractions are allowed.
    pub backoff: Vec<Duration>,
    /// `MAIL_ACK_WAIT_SECS` (default 30): how long JetStream waits for an answer on a delivery before it
    /// redelivers it (after a crash). Must exceed `MAIL_SEND_TIMEOUT_SECS`.
    pub ack_wait: Duration,
    /// `MAIL_SEND_TIMEOUT_SECS` (default 15): the most one call to the provider may take.
    pub send_timeout: Duration,
    /// `MAIL_CONCURRENCY` (default 16): events handled at once by this process.
    pub concurrency: usize,
    /// `EMAIL_LOG_RETENTION_DAYS` (default 180): `email_log` rows older than this are deleted. It is the
    /// mailer's idempotency record, so it must outlast every redelivery or replay of its event; a shorter
    /// setting is refused (see `platform::retention`).
    pub email_log_retention: Duration,
    /// How often rows past their retention are deleted (`platform::retention::PURGE_EVERY`; not read from
    /// the environment).
    pub purge_every: Duration,
}

const DEFAULT_BACKOFF: &str = "1,5,30,120";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let from_text = var("MAIL_FROM", "Shop <orders@shop.example>".to_owned())?;
        let from = Mailbox::parse(&from_text).map_err(|err| ConfigError {
            name: "MAIL_FROM".to_owned(),
            value: from_text.clone(),
            reason: err.to_string(),
        })?;
        let backoff_text = optional_var::<String>("MAIL_BACKOFF_SECS")?;
        let backoff = parse_backoff(backoff_text.as_deref().unwrap_or(DEFAULT_BACKOFF)).map_err(
            |reason| ConfigError {
                name: "MAIL_BACKOFF_SECS".to_owned(),
                value: backoff_text.clone().unwrap_or_default(),
                reason,
            },
        )?;
        let streams = StreamSettings::from_env()?;
        let config = Self {
            transport: var("MAIL_TRANSPORT", TransportKind::File)?,
            mail_dir: var("MAIL_DIR", PathBuf::from(".dev/mail"))?,
            from,
            templates_dir: var(
                "MAIL_TEMPLATES_DIR",
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
            )?,
            public_base_url: var("PUBLIC_BASE_URL", platform::ports::storefront_url())?,
            rate_per_sec: var("MAIL_RATE_PER_SEC", 10.0)?,
            max_deliver: var("MAIL_MAX_DELIVER", 5)?,
            backoff,
            ack_wait: secs_var("MAIL_ACK_WAIT_SECS", 30)?,
            send_timeout: secs_var("MAIL_SEND_TIMEOUT_SECS", 15)?,
            concurrency: var("MAIL_CONCURRENCY", 16)?,
            email_log_retention: retention::idempotency_retention(
                "EMAIL_LOG_RETENTION_DAYS",
                retention::DEFAULT_IDEMPOTENCY_RETENTION_DAYS,
                &streams,
            )?,
            purge_every: retention::PURGE_EVERY,
        };
        config.validate()?;
        Ok(config)
    }

    /// Refuses combinations that cannot work, naming the variable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name: &str, value: String, reason: &str| ConfigError {
            name: name.to_owned(),
            value,
            reason: reason.to_owned(),
        };
        if !(self.rate_per_sec.is_finite() && self.rate_per_sec > 0.0) {
            return Err(invalid(
                "MAIL_RATE_PER_SEC",
                self.rate_per_sec.to_string(),
                "must be above 0",
            ));
        }
        if self.max_deliver < 1 {
            return Err(invalid(
                "MAIL_MAX_DELIVER",
                self.max_deliver.to_string(),
                "must be at least 1",
            ));
        }
        if self.concurrency < 1 {
            return Err(invalid(
                "MAIL_CONCURRENCY",
                self.concurrency.to_string(),
                "must be at least 1",
            ));
        }
        if self.send_timeout.is_zero() {
            return Err(invalid(
                "MAIL_SEND_TIMEOUT_SECS",
                "0".to_owned(),
                "must be at least 1",
            ));
        }
        if self.ack_wait <= self.send_timeout {
            return Err(invalid(
                "MAIL_ACK_WAIT_SECS",
                self.ack_wait.as_secs().to_string(),
                "must exceed MAIL_SEND_TIMEOUT_SECS, or a slow send is redelivered while it runs",
            ));
        }
        if !(self.public_base_url.starts_with("http://")
            || self.public_base_url.starts_with("https://"))
        {
            return Err(invalid(
                "PUBLIC_BASE_URL",
                self.public_base_url.clone(),
                "must start with http:// or https://",
            ));
        }
        Ok(())
    }

    /// How long to wait before the next delivery after failed delivery number `delivered` (1-based).
    pub fn retry_delay(&self, delivered: i64) -> Duration {
        let index = usize::try_from(delivered.saturating_sub(1)).unwrap_or(0);
        self.backoff
            .get(index)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(1))
    }
}

/// `1,5,30,120` (seconds, fractions allowed) into durations.
pub fn parse_backoff(text: &str) -> Result<Vec<Duration>, String> {
    let steps = text
        .split(',')
        .map(|step| {
            let secs: f64 = step
                .trim()
                .parse()
                .map_err(|_| format!("{:?} is not a number of seconds", step.trim()))?;
            if secs.is_finite() && secs > 0.0 && secs <= 24.0 * 3600.0 {
                Ok(Duration::from_secs_f64(secs))
            } else {
                Err(format!("{secs} is not between 0 and a day"))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    if steps.is_empty() {
        return Err("needs at least one wait".to_owned());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_parses_seconds_with_fractions_and_refuses_nonsense() {
        assert_eq!(
            parse_backoff("1, 5,0.5").unwrap(),
            vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_millis(500)
            ]
        );
        assert!(parse_backoff("").is_err());
        assert!(parse_backoff("1,,2").is_err());
        assert!(parse_backoff("-1").is_err());
        assert!(parse_backoff("soon").is_err());
    }

    #[test]
    fn retry_delay_follows_the_schedule_and_repeats_its_last_step() {
        let config = Config {
            transport: TransportKind::File,
            mail_dir: PathBuf::from("mail"),
            from: Mailbox::parse("orders@shop.example").unwrap(),
            templates_dir: PathBuf::from("templates"),
            public_base_url: "http://shop.test".to_owned(),
            rate_per_sec: 1.0,
            max_deliver: 5,
            backoff: parse_backoff(DEFAULT_BACKOFF).unwrap(),
            ack_wait: Duration::from_secs(30),
            send_timeout: Duration::from_secs(15),
            concurrency: 1,
            email_log_retention: Duration::from_secs(180 * 24 * 3600),
            purge_every: retention::PURGE_EVERY,
        };
        let waits: Vec<u64> = (1..=6).map(|n| config.retry_delay(n).as_secs()).collect();
        assert_eq!(waits, [1, 5, 30, 120, 120, 120]);
        assert!(config.validate().is_ok());
        assert!(
            Config {
                ack_wait: Duration::from_secs(15),
                ..config.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            Config {
                rate_per_sec: 0.0,
                ..config
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn transport_names_are_case_insensitive() {
        assert_eq!("SES".parse::<TransportKind>(), Ok(TransportKind::Ses));
        assert_eq!("file".parse::<TransportKind>(), Ok(TransportKind::File));
        assert!("smtp".parse::<TransportKind>().is_err());
    }
}
