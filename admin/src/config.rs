//! The admin's own settings, beside the common ones (`platform::config::CommonConfig`).

use std::{path::PathBuf, time::Duration};

use platform::{
    config::{ConfigError, optional_var, secs_var, var},
    login_throttle::Policy,
};

use crate::totp::TotpKey;

#[derive(Debug, Clone)]
pub struct Config {
    /// `PUBLIC_ADMIN_ORIGIN` (default: the origin of `PUBLIC_BASE_URL`, itself the local storefront by default):
    /// the scheme, host and port browsers reach the admin at. A state-changing request must come from it
    /// (`Origin`, else `Referer`).
    pub public_origin: String,
    pub sessions: SessionTimeouts,
    /// `ADMIN_ASSETS_DIR` (default this crate's directory): where `templates/` and `static/` are read from at
    /// start.
    pub assets_dir: PathBuf,
    /// `ADMIN_SERVICE_TIMEOUT_MS` (default 5000): the most a call to a service's admin endpoints (the
    /// catalog's, checkout's, the mailer's) may take.
    pub service_timeout: Duration,
    /// How failed logins are throttled (fixed: the rules are in `platform::login_throttle`).
    pub throttle: Policy,
    /// How often expired sessions and quiet throttle counters are deleted.
    pub purge_every: Duration,
    /// The product-images bucket uploads are put in for the catalog to take (`IMAGES_BUCKET`,
    /// `AWS_ENDPOINT_URL`, see `platform::s3`). The admin never creates it.
    pub images: platform::s3::BucketConfig,
    /// `ADMIN_TOTP_KEY` (required): 32 random bytes in base64 (`openssl rand -base64 32`) that TOTP secrets
    /// are sealed with at rest. Set once per shop and kept (a new key leaves enrolled second factors unusable
    /// until the owner resets them).
    pub totp_key: TotpKey,
}

/// How long a session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimeouts {
    /// `ADMIN_SESSION_IDLE_SECS` (default 1800): a session unused this long has ended.
    pub idle: Duration,
    /// `ADMIN_SESSION_ABSOLUTE_SECS` (default 28800, 8 h): a session ends this long after sign-in, used or not.
    pub absolute: Duration,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(8 * 3600),
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let public_origin = match optional_var::<String>("PUBLIC_ADMIN_ORIGIN")? {
            Some(origin) => origin_of("PUBLIC_ADMIN_ORIGIN", &origin)?,
            None => origin_of(
                "PUBLIC_BASE_URL",
                &var("PUBLIC_BASE_URL", platform::ports::storefront_url())?,
            )?,
        };
        Ok(Self {
            public_origin,
            sessions: SessionTimeouts {
                idle: secs_var("ADMIN_SESSION_IDLE_SECS", 30 * 60)?,
                absolute: secs_var("ADMIN_SESSION_ABSOLUTE_SECS", 8 * 3600)?,
            },
            assets_dir: var(
                "ADMIN_ASSETS_DIR",
                PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            )?,
            service_timeout: Duration::from_millis(var("ADMIN_SERVICE_TIMEOUT_MS", 5_000)?),
            throttle: Policy::default(),
            purge_every: platform::retention::PURGE_EVERY,
            images: platform::s3::BucketConfig {
                create_bucket: false,
                ..platform::s3::BucketConfig::from_env()?
            },
            totp_key: totp_key_from_env()?,
        })
    }

    /// The settings a test starts from: the origin given, this crate's assets, default timeouts.
    pub fn for_tests(public_origin: &str) -> Self {
        Self {
            public_origin: public_origin.trim_end_matches('/').to_owned(),
            sessions: SessionTimeouts::default(),
            assets_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            service_timeout: Duration::from_secs(5),
            throttle: Policy::default(),
            purge_every: platform::retention::PURGE_EVERY,
            // Nowhere: the tests that upload photos point it at their own moto.
            images: platform::s3::BucketConfig {
                create_bucket: false,
                ..platform::s3::BucketConfig::local("shop-images", "http://127.0.0.1:9")
            },
            totp_key: TotpKey::random(),
        }
    }
}

/// `ADMIN_TOTP_KEY`, required; its value never appears in an error.
fn totp_key_from_env() -> Result<TotpKey, ConfigError> {
    let invalid = |reason: &str| ConfigError {
        name: "ADMIN_TOTP_KEY".to_owned(),
        value: "(not shown)".to_owned(),
        reason: reason.to_owned(),
    };
    let value = std::env::var("ADMIN_TOTP_KEY").unwrap_or_default();
    if value.trim().is_empty() {
        return Err(invalid(
            "it must be set: 32 random bytes in base64 (openssl rand -base64 32), kept for good",
        ));
    }
    TotpKey::from_base64(&value)
        .ok_or_else(|| invalid("expected 32 random bytes in base64 (openssl rand -base64 32)"))
}

/// `scheme://host[:port]` of `url`, as browsers send it in `Origin`.
fn origin_of(name: &str, url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError {
        name: name.to_owned(),
        value: url.to_owned(),
        reason: reason.to_owned(),
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("expected an http:// or https:// URL"))?;
    if scheme != "http" && scheme != "https" {
        return Err(invalid("expected an http:// or https:// URL"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        return Err(invalid("expected a host (and no user name)"));
    }
    Ok(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_the_scheme_host_and_port_of_the_url() {
        assert_eq!(
            origin_of("X", "https://Shop.example.com/admin/").unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            origin_of("X", "http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(origin_of("X", "shop.example.com").is_err());
        assert!(origin_of("X", "ftp://shop.example.com").is_err());
    }
}
