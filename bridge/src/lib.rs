//! The bridge service: forwards order events from JetStream to an AWS SQS queue for systems outside the
//! host, acking a message only once SQS has accepted it.
//!
//! It owns the `forwarded_events` table (which event ids SQS already has; rows are deleted after
//! `FORWARDED_EVENTS_RETENTION_DAYS`, 180 by default, longer than any redelivery or replay of their event,
//! see `platform::retention`) and the durable consumer `bridge` on the ORDERS stream, shared by every
//! replica. [`forwarder`] explains the delivery guarantees: nothing is
//! lost during an SQS outage, a redelivered event is not sent twice, and where a second copy is still
//! possible (the crash window) it carries the same event id.
//!
//! Metrics, labelled with the queue name: `bridge_forwarded_total`, `bridge_failed_total{outcome}` (entries
//! SQS did not take on an attempt: `retried` or `rejected`), `bridge_batch_size` (entries per
//! SendMessageBatch), `bridge_already_forwarded_total`, `bridge_redeliveries_total`, `bridge_sqs_up` (the
//! last call reached SQS), `consumer_pending{consumer="bridge"}` for the lag, and
//! `retention_deleted_rows_total{table}`. SQS is deliberately not a
//! readiness check: while it is down the bridge is doing its job, which is to wait and retry.

pub mod batch;
pub mod config;
pub mod db;
pub mod event;
pub mod forwarder;
pub mod sqs;

use axum::Router;
use platform::{Runtime, ServiceSpec, retention::Purge};
use sqlx::migrate::Migrator;

use crate::{config::Config, forwarder::Forwarder};

/// Who this service is on NATS and where it listens by default.
pub const SERVICE: ServiceSpec = ServiceSpec {
    name: "bridge",
    version: env!("CARGO_PKG_VERSION"),
    description: "Forwards order events from JetStream to AWS SQS",
    database: "bridge",
    default_http_port: platform::ports::port("bridge"),
    publishes_to: &[platform::consumer::DEAD_LETTER_STREAM],
};

/// This service's schema, applied at start-up.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Creates (or takes) the durable consumer and starts forwarding to the queue through `sqs`; returns the
/// service's own routes.
pub async fn start(
    runtime: &mut Runtime,
    config: Config,
    sqs: aws_sdk_sqs::Client,
) -> anyhow::Result<Router> {
    runtime.spawn(platform::retention::run(
        runtime.db.clone(),
        purges(&config),
        config.purge_every,
        runtime.shutdown.clone(),
    ));
    // ORDERS is checkout's to create, and checkout may start after the bridge: the loop waits for it.
    let consumer = runtime.consumer(config.consumer_spec());
    let linger = config.linger;
    let forwarder = Forwarder::new(runtime.db.clone(), sqs, config);
    runtime.spawn(consumer.batches(batch::MAX_ENTRIES, linger, forwarder));
    Ok(router())
}

/// The bridge's tables deleted after their retention, each by the timestamp column its index covers.
pub fn purges(config: &Config) -> Vec<Purge> {
    vec![Purge::new(
        "forwarded_events",
        "forwarded_at",
        config.forwarded_events_retention,
    )]
}

/// The service's own HTTP routes (the operational ones are added by the runtime).
pub fn router() -> Router {
    Router::new()
}
