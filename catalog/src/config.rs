//! The catalog's own settings, beside the common ones (`platform::config::CommonConfig`).

use std::time::Duration;

use platform::config::{ConfigError, secs_var, var};

pub use crate::search::meili::MeiliConfig;

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
        })
    }
}
