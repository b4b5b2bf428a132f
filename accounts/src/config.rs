//! The accounts service's own settings, beside the common ones.

use std::time::Duration;

use platform::config::{ConfigError, secs_var, var};

#[derive(Debug, Clone)]
pub struct Config {
    /// `SESSION_IDLE_DAYS` (default 30): a session unused for this long has ended.
    pub session_idle: Duration,
    /// `SESSION_MAX_DAYS` (default 90): a session ends this long after sign-in however much it is used.
    pub session_max: Duration,
    /// `VERIFY_LINK_HOURS` (default 24): how long an address confirmation link works.
    pub verify_link_ttl: Duration,
    /// `RESET_LINK_MINUTES` (default 60): how long a password reset link works.
    pub reset_link_ttl: Duration,
    /// `LINK_EMAIL_GAP_SECS` (default 60): at most one confirmation (or reset) email per account this often;
    /// a request in between is answered the same and sends nothing, so the form cannot flood an inbox.
    pub link_email_gap: Duration,
    /// `CHECKOUT_TIMEOUT_MS` (default 3000): the most a call to checkout over NATS may take.
    pub checkout_timeout: Duration,
    /// `ACCOUNT_TASKS` (default 256): requests that email a link (sign-up, reset, a new confirmation link)
    /// queued for the background at most; past it they are refused with 503.
    pub queued_tasks: usize,
    /// Requests a minute per client address (each also the burst); 0 turns a limit off.
    pub rate_limits: RateLimits,
}

/// Per-client request rates, from `RATE_LIMIT_*_PER_MIN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `RATE_LIMIT_SIGN_INS_PER_MIN` (default 30): sign-in attempts (the login throttle comes on top).
    pub sign_ins: u32,
    /// `RATE_LIMIT_ACCOUNT_EMAILS_PER_MIN` (default 10): sign-ups, reset requests and new confirmation links.
    pub account_emails: u32,
    /// `RATE_LIMIT_ACCOUNT_CHANGES_PER_MIN` (default 120): everything else a signed-in customer changes.
    pub changes: u32,
}

impl RateLimits {
    /// No limits (tests that are one client playing many).
    pub const OFF: Self = Self {
        sign_ins: 0,
        account_emails: 0,
        changes: 0,
    };
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            session_idle: days_var("SESSION_IDLE_DAYS", 30)?,
            session_max: days_var("SESSION_MAX_DAYS", 90)?,
            verify_link_ttl: Duration::from_secs(var::<u64>("VERIFY_LINK_HOURS", 24)? * 3600),
            reset_link_ttl: Duration::from_secs(var::<u64>("RESET_LINK_MINUTES", 60)? * 60),
            link_email_gap: secs_var("LINK_EMAIL_GAP_SECS", 60)?,
            checkout_timeout: Duration::from_millis(var("CHECKOUT_TIMEOUT_MS", 3000)?),
            queued_tasks: var("ACCOUNT_TASKS", 256)?,
            rate_limits: RateLimits {
                sign_ins: var("RATE_LIMIT_SIGN_INS_PER_MIN", 30)?,
                account_emails: var("RATE_LIMIT_ACCOUNT_EMAILS_PER_MIN", 10)?,
                changes: var("RATE_LIMIT_ACCOUNT_CHANGES_PER_MIN", 120)?,
            },
        })
    }
}

fn days_var(name: &str, default_days: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(
        var::<u64>(name, default_days)? * 24 * 3600,
    ))
}
