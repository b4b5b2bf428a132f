//! The catalog's own settings, beside the common ones (`platform::config::CommonConfig`).

use std::time::Duration;

use platform::{
    config::{ConfigError, optional_var, secs_var, var},
    contracts::search::DEFAULT_INDEX,
    s3::BucketConfig,
};
use secrecy::SecretString;

#[derive(Debug, Clone)]
pub struct Config {
    /// `RESERVATION_TTL_SECS` (default 900): how long reserved stock is held without a commit.
    pub reservation_ttl: chrono::Duration,
    /// `RESERVATION_SWEEP_SECS` (default 15): how often expired reservations are released.
    pub sweep_every: Duration,
    /// `SEARCH_FULLTEXT_BUDGET_MS` (default 15): the most a description (FULLTEXT) lookup may take per
    /// keystroke; past it the keystroke shows its name and brand matches only.
    pub fulltext_budget: Duration,
    /// `MEILI_URL` and friends: the advanced search engine, when there is one.
    pub meili: Option<MeiliConfig>,
    /// `IMAGES_BUCKET`, `S3_CREATE_BUCKET` and the AWS environment: where product photos are stored.
    pub images: BucketConfig,
    /// `PRODUCT_CACHE_ENTRIES` (default 10000; 0 turns it off): product pages kept in memory
    /// ([`crate::product_cache`]).
    pub product_cache_entries: usize,
    /// `PRODUCT_CACHE_TTL_SECS` (default 60): the longest a cached page is served, whatever the events say.
    pub product_cache_ttl: Duration,
    /// `PUBLIC_BASE_URL` (default: the local storefront, [`platform::ports::storefront_url`]): where shoppers
    /// reach the storefront, for the sitemap's links.
    pub public_base_url: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let ttl = secs_var("RESERVATION_TTL_SECS", 900)?;
        Ok(Self {
            reservation_ttl: chrono::Duration::from_std(ttl)
                .unwrap_or(chrono::Duration::minutes(15)),
            sweep_every: secs_var("RESERVATION_SWEEP_SECS", 15)?,
            fulltext_budget: Duration::from_millis(var("SEARCH_FULLTEXT_BUDGET_MS", 15)?),
            meili: MeiliConfig::from_env()?,
            images: BucketConfig::from_env()?,
            product_cache_entries: var("PRODUCT_CACHE_ENTRIES", 10_000)?,
            product_cache_ttl: secs_var("PRODUCT_CACHE_TTL_SECS", 60)?,
            public_base_url: var("PUBLIC_BASE_URL", platform::ports::storefront_url())?,
        })
    }
}

/// `MEILI_*` settings of the catalog.
#[derive(Debug, Clone)]
pub struct MeiliConfig {
    pub url: String,
    /// `MEILI_SEARCH_KEY`: a key limited to the `search` action.
    pub search_key: Option<SecretString>,
    pub index: String,
    /// `MEILI_TIMEOUT_MS` (default 150): the most a search may wait for Meilisearch.
    pub timeout: Duration,
    /// `MEILI_BREAKER_FAILURES` (default 3) failures in a row open the breaker for
    /// `MEILI_BREAKER_COOLDOWN_MS` (default 5000).
    pub breaker_failures: u32,
    pub breaker_cooldown: Duration,
}

impl MeiliConfig {
    /// `None` without `MEILI_URL`.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let Some(url) = optional_var::<String>("MEILI_URL")? else {
            return Ok(None);
        };
        Ok(Some(Self {
            url: url.trim_end_matches('/').to_owned(),
            search_key: optional_var::<String>("MEILI_SEARCH_KEY")?.map(SecretString::from),
            index: var("MEILI_INDEX", DEFAULT_INDEX.to_owned())?,
            timeout: Duration::from_millis(var("MEILI_TIMEOUT_MS", 150)?),
            breaker_failures: var("MEILI_BREAKER_FAILURES", 3)?,
            breaker_cooldown: Duration::from_millis(var("MEILI_BREAKER_COOLDOWN_MS", 5_000)?),
        }))
    }
}
