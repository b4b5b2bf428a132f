//! The mailer service: consumes order events from the `ORDERS` stream (durable consumer `mailer`) and the
//! catalog's back-in-stock alerts from `CATALOG` (durable consumer `mailer-alerts`, `catalog.alerts.>`; each
//! confirmed with the catalog just before sending), renders the shopper's email for each step of the order
//! ([`mail`]: confirmed, shipped, cancelled, refunded, and the alert; HTML and text) with tera from templates on disk, sends it through AWS SES v2 (or writes it to `.eml` files
//! locally), and keeps an email log (`email_log`) so that no email is ever sent twice: see [`worker`] for how,
//! and for the rare cases with SES (a crash mid-send, no answer after the request may have reached it) where
//! an email is marked `uncertain` for an operator rather than risk a second one. The file transport can always
//! tell whether an email was written, so it never leaves one `uncertain`. Operators read the log's counts by
//! state over NATS (`rpc.mailer.counts`, [`rpc`]); the web admin lists the log, reads each email's attempts
//! and resends a failed or uncertain one (`rpc.mailer.admin.*`, [`admin`]).
//!
//! `email_log` rows are deleted after `EMAIL_LOG_RETENTION_DAYS`, 180 days by default: longer than any
//! redelivery or replay of their event, since they are what keeps it from being mailed twice
//! (`platform::retention`).
//!
//! Metrics: `mailer_emails_sent_total`, `mailer_emails_failed_total`, `mailer_emails_retried_total`,
//! `mailer_emails_uncertain_total` (counters), `consumer_pending{consumer="mailer"}` (the consumer's lag) and
//! `retention_deleted_rows_total{table}`.
//! Readiness is the database and NATS only: an SES outage is retried, it does not make the mailer unready.

pub mod admin;
pub mod config;
pub mod email_log;
pub mod mail;
pub mod mime;
pub mod rate;
pub mod render;
pub mod rpc;
pub mod testing;
pub mod transport;
pub mod worker;

use axum::Router;
use platform::{Runtime, ServiceSpec, retention::Purge, streams::ORDERS_STREAM};
use sqlx::migrate::Migrator;

use crate::{
    config::{Config, TransportKind},
    render::Templates,
    transport::Transport,
    worker::Worker,
};

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "mailer",
    version: env!("CARGO_PKG_VERSION"),
    description: "Order emails through SES v2, with an email log",
    database: "mailer",
    default_http_port: platform::ports::port("mailer"),
    publishes_to: &[platform::consumer::DEAD_LETTER_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// An error and its causes on one line, `outer: inner: innermost`, each cause once.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their cause in their own message.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The mailer's tables deleted after their retention, each by the timestamp column its index covers.
pub fn purges(config: &Config) -> Vec<Purge> {
    // By the first delivery of the event: later updates say nothing about how long it can come back.
    vec![Purge::new(
        "email_log",
        "created_at",
        config.email_log_retention,
    )]
}

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}

/// The transport `config` asks for. For SES, region, endpoint and credentials come from the standard AWS
/// environment (`AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, profiles, instance roles, ...).
pub async fn transport_from_env(config: &Config) -> anyhow::Result<Transport> {
    match config.transport {
        TransportKind::File => Ok(Transport::file(config.mail_dir.clone())),
        TransportKind::Ses => {
            let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .load()
                .await;
            anyhow::ensure!(
                sdk.region().is_some(),
                "MAIL_TRANSPORT=ses needs AWS_REGION (or a profile with a region)"
            );
            Ok(Transport::ses(transport::ses_client(
                &sdk,
                config.send_timeout,
            )))
        }
    }
}

/// Starts the mailer's workers on `runtime` with the transport its configuration names; returns its routes.
pub async fn start(runtime: &mut Runtime, config: Config) -> anyhow::Result<Router> {
    let transport = transport_from_env(&config).await?;
    start_with_transport(runtime, config, transport).await
}

/// [`start`] with a transport the caller built (tests point SES at their own emulator).
pub async fn start_with_transport(
    runtime: &mut Runtime,
    config: Config,
    transport: Transport,
) -> anyhow::Result<Router> {
    let templates = Templates::load(&config.templates_dir)?;
    rpc::start(runtime).await?;
    for counter in [
        "mailer_emails_sent_total",
        "mailer_emails_failed_total",
        "mailer_emails_retried_total",
        "mailer_emails_uncertain_total",
    ] {
        // Present at zero from the start, so that dashboards and alerts see them before the first email.
        metrics::counter!(counter).increment(0);
    }
    tracing::info!(
        transport = transport.name(),
        rate_per_sec = config.rate_per_sec,
        max_deliver = config.max_deliver,
        "mailer consuming {ORDERS_STREAM} ({})",
        platform::contracts::orders::ALL_ORDER_EVENTS
    );
    runtime.spawn(platform::retention::run(
        runtime.db.clone(),
        purges(&config),
        config.purge_every,
        runtime.shutdown.clone(),
    ));
    // ORDERS is checkout's to create, and checkout may start after the mailer: the loop waits for it.
    let consumer = runtime.consumer(worker::consumer_spec(&config));
    let concurrency = config.concurrency;
    let ack_wait = config.ack_wait;
    let alerts = runtime.consumer(worker::alerts_consumer_spec(&config));
    // ACCOUNTS is the accounts service's to create: the loop waits for it likewise.
    let accounts = runtime.consumer(worker::accounts_consumer_spec(&config));
    let worker = Worker::new(
        runtime.db.clone(),
        templates,
        transport,
        config,
        runtime.nats.clone(),
    );
    // Operators' resends go through the worker's transport and send rate; one a crash interrupted becomes
    // uncertain once it has been `sending` for twice the time a consumer's send may take.
    admin::endpoints(runtime, worker.clone()).await?;
    runtime.spawn(admin::sweep_interrupted_resends(
        runtime.db.clone(),
        ack_wait * 2,
        runtime.shutdown.clone(),
    ));
    runtime.spawn(alerts.each(concurrency, worker.clone()));
    runtime.spawn(accounts.each(concurrency, worker.clone()));
    runtime.spawn(consumer.each(concurrency, worker));
    Ok(router())
}

#[cfg(test)]
mod migrations {
    #[test]
    fn the_admin_commands_migration_is_the_platforms_table_byte_for_byte() {
        assert_eq!(
            include_str!("../migrations/0006_admin_commands.sql"),
            platform::admin_commands::TABLE,
            "the table is defined in platform/src/admin_commands.sql; this migration must stay its copy"
        );
    }
}
