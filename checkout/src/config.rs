//! Checkout's own settings, beside the common ones.

use std::time::Duration;

use platform::config::{ConfigError, secs_var, var};
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct Config {
    /// `TAX_RATE` (default `0.08`): applied to the subtotal, rounded half up to the cent.
    pub tax_rate: Decimal,
    /// `CART_TTL_DAYS` (default 30): an untouched cart expires after this.
    pub cart_ttl_days: i64,
    /// `CATALOG_TIMEOUT_MS` (default 3000): the most a call to the catalog over NATS may take.
    pub catalog_timeout: Duration,
    /// `PUBLIC_BASE_URL` (default: the local storefront, [`platform::ports::storefront_url`]): where shoppers
    /// open the storefront (order links).
    pub public_base_url: String,
    /// `RECONCILE_EVERY_SECS` (default 10): how often orders whose stock outcome is unconfirmed are retried.
    pub reconcile_every: Duration,
    /// `ATTEMPT_LEASE_SECS` (default 60): how long a place-order attempt holds its Idempotency-Key and its cart
    /// before a retry of the same request may take over (after a crash). Longer than any live request takes.
    pub attempt_lease: Duration,
    /// `ABANDONED_ORDER_SECS` (default 120): a place-order attempt whose request died is finished after this:
    /// its order paid if the provider charged it, else cancelled with its stock released and its cart given back.
    /// Longer than any live request takes (each call it makes has a timeout of a few seconds).
    pub abandoned_after: Duration,
    /// `PAYMENT_ATTEMPTS_PER_CART` (default 5): payment attempts one cart may make per window; past it, 429.
    pub payment_attempts_per_cart: u32,
    /// `PAYMENT_ATTEMPTS_WINDOW_SECS` (default 3600): the window, counted from the window's first attempt.
    pub payment_attempts_window: Duration,
    /// Requests a minute per client address (each also the burst a client may send at once); 0 turns a limit
    /// off. See `platform::rate_limit`.
    pub rate_limits: RateLimits,
}

/// Per-client request rates, from `RATE_LIMIT_*_PER_MIN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `RATE_LIMIT_CARTS_PER_MIN` (default 20): new carts.
    pub carts: u32,
    /// `RATE_LIMIT_CART_CHANGES_PER_MIN` (default 120): lines added, changed or removed.
    pub cart_changes: u32,
    /// `RATE_LIMIT_ORDERS_PER_MIN` (default 10): place-order requests.
    pub orders: u32,
    /// `RATE_LIMIT_COUPONS_PER_MIN` (default 10): codes tried on carts (guessing single-use codes is slow).
    pub coupons: u32,
}

impl RateLimits {
    /// No limits (tests and benchmarks that are one client playing many).
    pub const OFF: Self = Self {
        carts: 0,
        cart_changes: 0,
        orders: 0,
        coupons: 0,
    };
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            tax_rate: var("TAX_RATE", Decimal::new(8, 2))?,
            cart_ttl_days: var("CART_TTL_DAYS", 30)?,
            catalog_timeout: Duration::from_millis(var("CATALOG_TIMEOUT_MS", 3000)?),
            public_base_url: var("PUBLIC_BASE_URL", platform::ports::storefront_url())?,
            reconcile_every: secs_var("RECONCILE_EVERY_SECS", 10)?,
            attempt_lease: secs_var("ATTEMPT_LEASE_SECS", 60)?,
            abandoned_after: secs_var("ABANDONED_ORDER_SECS", 120)?,
            payment_attempts_per_cart: var("PAYMENT_ATTEMPTS_PER_CART", 5)?,
            payment_attempts_window: secs_var("PAYMENT_ATTEMPTS_WINDOW_SECS", 3600)?,
            rate_limits: RateLimits {
                carts: var("RATE_LIMIT_CARTS_PER_MIN", 20)?,
                cart_changes: var("RATE_LIMIT_CART_CHANGES_PER_MIN", 120)?,
                orders: var("RATE_LIMIT_ORDERS_PER_MIN", 10)?,
                coupons: var("RATE_LIMIT_COUPONS_PER_MIN", 10)?,
            },
        })
    }
}
