//! The web admin: the server-rendered pages shop staff use (axum, tera templates on disk, htmx), with its own
//! schema for what only the admin knows: staff accounts, their sessions, login throttling, the audit log and
//! saved views. It never reads another service's schema: the shop's data is read and changed over NATS
//! request/reply on the owning service's `rpc.<service>.admin.*` endpoints ([`services`]).
//!
//! Security, in the order a request meets it (see [`http`]): security headers on every response; the
//! session from the `__Host-admin_session` cookie ([`sessions`]); the CSRF check of every state-changing
//! request ([`http::csrf`]); the role a page asks for ([`http::extract`]); an [`audit`] entry for every write,
//! login outcome and refusal. Passwords are argon2id ([`platform::password`]), logins throttled
//! ([`platform::login_throttle`]), a TOTP second factor optional ([`totp`]).

pub mod audit;
pub mod cli;
pub mod config;
pub mod domain;
pub mod http;
pub mod saved_views;
pub mod services;
pub mod sessions;
pub mod staff;
pub mod totp;
pub mod uploads;

use platform::{Runtime, ServiceSpec, retention::Purge};
use sqlx::migrate::Migrator;

/// Who the admin is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "admin",
    version: env!("CARGO_PKG_VERSION"),
    description: "The web admin for shop staff",
    database: "admin",
    default_http_port: platform::ports::port("admin"),
    publishes_to: &[],
};

/// The admin's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// What the admin deletes periodically: sessions past their idle or absolute end, and throttle counters
/// quiet for longer than the throttle remembers. (Never the audit log.)
pub fn purges(config: &config::Config) -> Vec<Purge> {
    vec![
        Purge::new("sessions", "last_seen_at", config.sessions.idle),
        Purge::new("sessions", "created_at", config.sessions.absolute),
        Purge::new(
            "login_throttle",
            "last_failure_at",
            config.throttle.forget_after,
        ),
    ]
}

/// Starts the admin's housekeeping ([`purges`]) on `runtime` and returns its routes.
pub async fn start(runtime: &mut Runtime, config: config::Config) -> anyhow::Result<axum::Router> {
    let sealed = staff::seal_clear_totp_secrets(&runtime.db, &config.totp_key).await?;
    if sealed > 0 {
        tracing::info!(sealed, "TOTP secrets stored in the clear were sealed");
    }
    runtime.spawn(platform::retention::run(
        runtime.db.clone(),
        purges(&config),
        config.purge_every,
        runtime.shutdown.clone(),
    ));
    let state = http::AppState::new(
        runtime.db.clone(),
        runtime.nats.clone(),
        &runtime.config,
        config,
    )?;
    Ok(http::router(state))
}
