//! Reading one environment variable: parsed, or refused with a [`ConfigError`] naming it. The helpers every
//! settings struct is built from (the common one in the parent module, each service's own, the stream, server
//! and retention settings).

use std::{fmt::Display, str::FromStr, time::Duration};

/// A variable that is set but cannot be used. Names the variable and says what was wrong.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    pub name: String,
    pub value: String,
    pub reason: String,
}

/// Reads `name` and parses it, or returns `default` when it is unset or empty.
pub fn var<T>(name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    Ok(optional_var(name)?.unwrap_or(default))
}

/// Reads `name` and parses it; `None` when it is unset or empty.
pub fn optional_var<T>(name: &str) -> Result<Option<T>, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|err: T::Err| ConfigError {
                name: name.to_owned(),
                value,
                reason: err.to_string(),
            }),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(value)) => Err(ConfigError {
            name: name.to_owned(),
            value: value.to_string_lossy().into_owned(),
            reason: "not valid UTF-8".to_owned(),
        }),
    }
}

/// A number of seconds, read from a variable whose name ends in `_SECS`.
pub fn secs_var(name: &str, default_secs: u64) -> Result<Duration, ConfigError> {
    var(name, default_secs).map(Duration::from_secs)
}
