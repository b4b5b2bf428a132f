//! JetStream streams: their names, subjects and limits, and the idempotent bootstrap that creates or updates
//! them at every service start.
//!
//! | stream       | subjects       | what is in it                                               | ensured by |
//! |--------------|----------------|-------------------------------------------------------------|------------|
//! | `CATALOG`    | `catalog.>`    | product upserted/deleted, stock changed                     | `catalog` |
//! | `ORDERS`     | `orders.>`     | order created, paid, cancelled, status changed              | `checkout` |
//! | `ACCOUNTS`   | `accounts.>`   | customer registered, verified, password reset requested, ... | `accounts` |
//! | `DEADLETTER` | `deadletter.>` | messages a consumer gave up on ([`crate::consumer`])        | every consumer |
//!
//! Each service ensures only the streams it publishes to ([`crate::ServiceSpec::publishes_to`]): that is all
//! its NATS user may manage.

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{
    self,
    stream::{self, DiscardPolicy, RetentionPolicy, StorageType},
};

use crate::config::vars::{ConfigError, secs_var, var};

/// The catalog's event stream.
pub const CATALOG_STREAM: &str = "CATALOG";
/// Subjects captured by [`CATALOG_STREAM`].
pub const CATALOG_SUBJECTS: &str = "catalog.>";
/// The order event stream.
pub const ORDERS_STREAM: &str = "ORDERS";
/// Subjects captured by [`ORDERS_STREAM`].
pub const ORDERS_SUBJECTS: &str = "orders.>";

/// The accounts service's event stream (the account emails' links: kept a day at most).
pub const ACCOUNTS_STREAM: &str = "ACCOUNTS";
/// Subjects captured by [`ACCOUNTS_STREAM`].
pub const ACCOUNTS_SUBJECTS: &str = "accounts.>";

/// The mailer's durable consumer of [`ORDERS_STREAM`] (order emails).
pub const MAILER_CONSUMER: &str = "mailer";
/// The bridge's durable consumer of [`ORDERS_STREAM`] (order events to SQS).
pub const BRIDGE_CONSUMER: &str = "bridge";
/// The search indexer's durable consumer of [`CATALOG_STREAM`] (Meilisearch).
pub const SEARCH_INDEXER_CONSUMER: &str = "search-indexer";
/// The mailer's durable consumer of [`CATALOG_STREAM`]'s back-in-stock alerts (`catalog.alerts.>`).
pub const MAILER_ALERTS_CONSUMER: &str = "mailer-alerts";
/// The mailer's durable consumer of [`ACCOUNTS_STREAM`] (account emails).
pub const MAILER_ACCOUNTS_CONSUMER: &str = "mailer-accounts";
/// Every durable consumer of the shop's event streams as `(stream, consumer)`: the NATS configuration names
/// each in its user's permissions, and the admin's dashboard shows how far behind each is.
pub const DURABLE_CONSUMERS: [(&str, &str); 5] = [
    (ORDERS_STREAM, MAILER_CONSUMER),
    (ORDERS_STREAM, BRIDGE_CONSUMER),
    (CATALOG_STREAM, SEARCH_INDEXER_CONSUMER),
    (CATALOG_STREAM, MAILER_ALERTS_CONSUMER),
    (ACCOUNTS_STREAM, MAILER_ACCOUNTS_CONSUMER),
];

/// Limits applied to every event stream, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// `STREAM_REPLICAS` (default 1): 3 on a NATS cluster.
    pub replicas: usize,
    /// `STREAM_MAX_AGE_SECS` (default 30 days): events older than this are removed.
    pub max_age: Duration,
    /// `STREAM_MAX_BYTES` (default 1 GiB): when full, new publishes are refused (never old events dropped),
    /// so outbox relays keep their rows and retry instead of losing anything.
    pub max_bytes: i64,
    /// `STREAM_MAX_MSG_SIZE` (default 1 MiB): the largest single event.
    pub max_message_size: i32,
    /// `STREAM_DUPLICATE_WINDOW_SECS` (default 10 minutes): how long JetStream remembers `Nats-Msg-Id`s to drop
    /// a re-published event. Must exceed the longest gap between an outbox relay's publish and its retry.
    pub duplicate_window: Duration,
}

impl StreamSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            replicas: var("STREAM_REPLICAS", 1)?,
            max_age: secs_var("STREAM_MAX_AGE_SECS", 30 * 24 * 3600)?,
            max_bytes: var("STREAM_MAX_BYTES", 1024 * 1024 * 1024)?,
            max_message_size: var("STREAM_MAX_MSG_SIZE", 1024 * 1024)?,
            duplicate_window: secs_var("STREAM_DUPLICATE_WINDOW_SECS", 600)?,
        })
    }

    /// The full configuration of one event stream.
    pub fn stream_config(&self, name: &str, subjects: &str, description: &str) -> stream::Config {
        stream::Config {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            subjects: vec![subjects.to_owned()],
            retention: RetentionPolicy::Limits,
            storage: StorageType::File,
            discard: DiscardPolicy::New,
            num_replicas: self.replicas,
            max_age: self.max_age,
            max_bytes: self.max_bytes,
            max_message_size: self.max_message_size,
            duplicate_window: self.duplicate_window,
            ..Default::default()
        }
    }

    /// Every stream the shop uses: the event streams and the dead letters.
    pub fn event_streams(&self) -> Vec<stream::Config> {
        vec![
            crate::consumer::dead_letter_stream(self.replicas),
            self.stream_config(
                CATALOG_STREAM,
                CATALOG_SUBJECTS,
                "Catalog events: products upserted and deleted, stock changed",
            ),
            self.stream_config(
                ORDERS_STREAM,
                ORDERS_SUBJECTS,
                "Order events: created, paid, cancelled, status changed",
            ),
            stream::Config {
                // The verification and reset links in these events are valid for hours, not weeks.
                max_age: self.max_age.min(Duration::from_secs(
                    crate::contracts::accounts::ACCOUNTS_MAX_AGE_SECS,
                )),
                ..self.stream_config(
                    ACCOUNTS_STREAM,
                    ACCOUNTS_SUBJECTS,
                    "Account events: registered, verified, password reset requested and changed, deleted",
                )
            },
        ]
    }

    /// The configurations of the streams called `names`, in that order; an unknown name is a bug.
    pub fn streams_named(&self, names: &[&str]) -> anyhow::Result<Vec<stream::Config>> {
        let all = self.event_streams();
        names
            .iter()
            .map(|name| {
                all.iter()
                    .find(|config| config.name == *name)
                    .cloned()
                    .with_context(|| format!("no stream called {name}"))
            })
            .collect()
    }
}

/// Creates each stream, or updates it in place when its configuration differs. Safe to run from every
/// service at every start, and from several at once.
pub async fn ensure_streams(
    jetstream: &jetstream::Context,
    configs: &[stream::Config],
) -> anyhow::Result<()> {
    for config in configs {
        ensure_stream(jetstream, config.clone())
            .await
            .with_context(|| format!("ensuring JetStream stream {}", config.name))?;
    }
    Ok(())
}

/// JetStream API requests that may time out while a stream is ensured, and the pause after each.
const STARTUP_TIMEOUTS: u32 = 5;
const STARTUP_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

async fn ensure_stream(
    jetstream: &jetstream::Context,
    config: stream::Config,
) -> anyhow::Result<()> {
    // Two services starting together can both find the stream missing; the loser of the create race sees
    // "already in use" and goes round once more to compare and update. A JetStream API request that times out
    // (a server busy writing to a slow disk answered a create 12 s late once) is asked again after a pause, up
    // to about half a minute: the create may have happened, and the next round finds the stream.
    let mut timeouts = 0;
    for _ in 0..(3 + STARTUP_TIMEOUTS) {
        let timed_out = |timeouts: &mut u32| {
            *timeouts += 1;
            tracing::warn!(stream = %config.name, attempt = *timeouts, "JetStream did not answer in time; asking again");
            *timeouts <= STARTUP_TIMEOUTS
        };
        match jetstream.get_stream(&config.name).await {
            Ok(mut stream) => {
                let current = &stream.info().await?.config;
                if !same_limits(current, &config) {
                    jetstream.update_stream(config.clone()).await?;
                    tracing::info!(stream = %config.name, "updated JetStream stream configuration");
                }
                return Ok(());
            }
            Err(err) if is_stream_not_found(&err) => {
                match jetstream.create_stream(config.clone()).await {
                    Ok(_) => {
                        tracing::info!(stream = %config.name, "created JetStream stream");
                        return Ok(());
                    }
                    Err(err) if is_name_taken(&err) => continue,
                    Err(err)
                        if err.kind() == jetstream::context::CreateStreamErrorKind::TimedOut
                            && timed_out(&mut timeouts) =>
                    {
                        tokio::time::sleep(STARTUP_PAUSE).await;
                        continue;
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            Err(err)
                if err.kind() == jetstream::context::GetStreamErrorKind::Request
                    && timed_out(&mut timeouts) =>
            {
                tokio::time::sleep(STARTUP_PAUSE).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
    anyhow::bail!("stream {} kept changing while being ensured", config.name)
}

fn is_stream_not_found(err: &jetstream::context::GetStreamError) -> bool {
    matches!(
        err.kind(),
        jetstream::context::GetStreamErrorKind::JetStream(inner)
            if inner.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
    )
}

fn is_name_taken(err: &jetstream::context::CreateStreamError) -> bool {
    matches!(
        err.kind(),
        jetstream::context::CreateStreamErrorKind::JetStream(inner)
            if inner.error_code() == jetstream::ErrorCode::STREAM_NAME_EXIST
    )
}

fn same_limits(current: &stream::Config, wanted: &stream::Config) -> bool {
    current.subjects == wanted.subjects
        && current.description == wanted.description
        && current.storage == wanted.storage
        && current.retention == wanted.retention
        && current.discard == wanted.discard
        && current.num_replicas == wanted.num_replicas
        && current.max_age == wanted.max_age
        && current.max_bytes == wanted.max_bytes
        && current.max_message_size == wanted.max_message_size
        && current.duplicate_window == wanted.duplicate_window
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_gets_the_streams_it_names_in_that_order_and_an_unknown_name_is_an_error() {
        let settings = StreamSettings::from_env().unwrap();
        let names: Vec<String> = settings
            .streams_named(&[ORDERS_STREAM, crate::consumer::DEAD_LETTER_STREAM])
            .unwrap()
            .into_iter()
            .map(|config| config.name)
            .collect();
        assert_eq!(names, ["ORDERS", "DEADLETTER"]);
        assert!(settings.streams_named(&["ORDER"]).is_err());
    }
}
