//! The accounts service: shoppers' accounts (sign-up with a confirmed address, sign-in, password reset and
//! change), their sessions, saved addresses ([`addresses`]) and wishlists ([`wishlist`]), their data export and
//! account deletion ([`privacy`]), and the links to what checkout keeps for them (the cart that follows them,
//! their order history).
//! Serves `/api/account/*` at the edge; asks checkout over NATS (`rpc.checkout.customers.*`) with the
//! signed-in customer's id; emits account events through its outbox to the `ACCOUNTS` stream, which the
//! mailer turns into emails.
//!
//! How sign-in is kept safe is in [`auth`] (no account enumeration, links), [`sessions`] (the cookie) and
//! `platform::login_throttle` (credential stuffing).

pub mod addresses;
pub mod auth;
pub mod checkout;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod privacy;
pub mod sessions;
pub mod wishlist;

use std::sync::Arc;

use platform::{
    Runtime, ServiceSpec,
    login_throttle::{Policy, Store},
    outbox::{OutboxNotifier, OutboxRelay},
    retention::Purge,
};
use sqlx::{MySqlPool, migrate::Migrator};

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "accounts",
    version: env!("CARGO_PKG_VERSION"),
    description: "Shopper accounts: sign-up, sign-in, sessions, password resets",
    database: "accounts",
    default_http_port: platform::ports::port("accounts"),
    publishes_to: &[platform::streams::ACCOUNTS_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// What the accounts operations work with. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Accounts {
    pub pool: MySqlPool,
    pub sessions: sessions::Sessions,
    pub throttle: Store,
    pub checkout: checkout::CheckoutClient,
    pub outbox: OutboxNotifier,
    pub tasks: auth::Tasks,
    pub config: Arc<config::Config>,
}

/// What the accounts service deletes periodically: sessions past their idle or absolute end, links a week
/// after they expired, and throttle counters quiet for longer than the throttle remembers.
pub fn purges(config: &config::Config) -> Vec<Purge> {
    vec![
        Purge::new("sessions", "last_seen_at", config.session_idle),
        Purge::new("sessions", "created_at", config.session_max),
        Purge::new(
            "email_tokens",
            "expires_at",
            std::time::Duration::from_secs(7 * 24 * 3600),
        ),
        Purge::new(
            "login_throttle",
            "last_failure_at",
            Policy::default().forget_after,
        ),
    ]
}

/// Starts the accounts workers (outbox relay, housekeeping) on `runtime` and returns its routes.
pub async fn start(runtime: &mut Runtime, config: config::Config) -> anyhow::Result<axum::Router> {
    let outbox = OutboxNotifier::new();
    let relay = OutboxRelay::new(runtime.db.clone(), runtime.jetstream.clone())
        .with_notifier(outbox.clone())
        .retention(runtime.config.outbox_retention);
    runtime.spawn(relay.run(runtime.shutdown.clone()));
    runtime.spawn(platform::retention::run(
        runtime.db.clone(),
        purges(&config),
        std::time::Duration::from_secs(600),
        runtime.shutdown.clone(),
    ));
    let accounts = Accounts {
        pool: runtime.db.clone(),
        sessions: sessions::Sessions::new(
            runtime.db.clone(),
            config.session_idle,
            config.session_max,
        ),
        throttle: Store::new(runtime.db.clone(), Policy::default()),
        checkout: checkout::CheckoutClient::new(runtime.nats.clone(), config.checkout_timeout),
        outbox,
        tasks: auth::Tasks::new(runtime.tasks(), config.queued_tasks),
        config: Arc::new(config),
    };
    Ok(http::router(accounts, &runtime.config.trusted_proxies))
}

#[cfg(test)]
mod copied_tables {
    #[test]
    fn the_first_migration_is_the_platforms_outbox_table_byte_for_byte() {
        assert_eq!(
            include_str!("../migrations/0001_outbox.sql"),
            platform::outbox::TABLE,
            "the outbox table is defined in platform/src/outbox.sql; this migration must stay its copy"
        );
    }

    #[test]
    fn the_login_throttle_migration_is_the_platforms_table_byte_for_byte() {
        assert_eq!(
            include_str!("../migrations/0002_login_throttle.sql"),
            platform::login_throttle::TABLE,
            "the table is defined in platform/src/login_throttle.sql; this migration must stay its copy"
        );
    }
}
