//! The bridge's own settings, from the environment (the common ones are in `platform::config`).
//!
//! | variable                | default            | meaning                                                        |
//! |-------------------------|--------------------|----------------------------------------------------------------|
//! | `BRIDGE_SUBJECTS`       | `orders.*.created` | which ORDERS subjects are forwarded (one filter; `orders.>` for all) |
//! | `BRIDGE_LINGER_MS`      | `200`              | how long a batch waits for more events once it has its first    |
//! | `BRIDGE_ACK_WAIT_SECS`  | `30`               | JetStream ack wait; in-progress messages are kept alive at a third of it |
//! | `BRIDGE_RETRY_MAX_MS`   | `5000`             | the longest wait between two attempts when SQS (or the database) fails |
//! | `SQS_QUEUE_URL`         | unset              | the queue; when set, `SQS_QUEUE_NAME` is not looked up           |
//! | `SQS_QUEUE_NAME`        | `shop-orders`      | the queue's name, resolved with GetQueueUrl (a `.fifo` name is a FIFO queue) |
//! | `SQS_CREATE_QUEUE`      | `false`            | create the queue when missing (local development with moto)      |
//! | `FORWARDED_EVENTS_RETENTION_DAYS` | `180`    | `forwarded_events` rows older than this are deleted; must outlast every redelivery or replay (`platform::retention`) |
//!
//! The AWS region, endpoint and credentials come from the standard AWS variables (`AWS_REGION`,
//! `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, ...), read by `aws-config`.

use std::time::Duration;

use platform::{
    config::{ConfigError, optional_var, secs_var, var},
    consumer::ConsumerSpec,
    retention,
    streams::{ORDERS_STREAM, StreamSettings},
};

/// The durable consumer every bridge replica shares.
pub const CONSUMER: &str = platform::streams::BRIDGE_CONSUMER;

/// Where the forwarded events go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueTarget {
    /// A queue URL, used as is.
    Url(String),
    /// A queue name, resolved with GetQueueUrl (or created) when the forwarder starts.
    Name(String),
}

/// The bridge's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BRIDGE_SUBJECTS`: the consumer's filter on the ORDERS stream.
    pub subjects: String,
    /// `BRIDGE_LINGER_MS`: a batch is sent when it has 10 events or this long after its first one.
    pub linger: Duration,
    /// `BRIDGE_ACK_WAIT_SECS`: how long JetStream waits for an ack (or a progress signal) before redelivering.
    pub ack_wait: Duration,
    /// `BRIDGE_RETRY_MAX_MS`: the cap of the exponential backoff between attempts.
    pub retry_max: Duration,
    /// `SQS_QUEUE_URL` or `SQS_QUEUE_NAME`.
    pub queue: QueueTarget,
    /// `SQS_CREATE_QUEUE`: create the named queue when it does not exist.
    pub create_queue: bool,
    /// `FORWARDED_EVENTS_RETENTION_DAYS`: how long the record of a forwarded event is kept. It is what stops a
    /// redelivered event from reaching SQS twice, so a value an event could outlive is refused.
    pub forwarded_events_retention: Duration,
    /// How often rows past their retention are deleted (`platform::retention::PURGE_EVERY`; not read from
    /// the environment).
    pub purge_every: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let subjects: String = var(
            "BRIDGE_SUBJECTS",
            platform::contracts::orders::ORDER_CREATED.to_owned(),
        )?;
        validate_subject(&subjects).map_err(|reason| ConfigError {
            name: "BRIDGE_SUBJECTS".to_owned(),
            value: subjects.clone(),
            reason,
        })?;
        let queue = match optional_var::<String>("SQS_QUEUE_URL")? {
            Some(url) => QueueTarget::Url(url),
            None => QueueTarget::Name(var("SQS_QUEUE_NAME", "shop-orders".to_owned())?),
        };
        let streams = StreamSettings::from_env()?;
        Ok(Self {
            subjects,
            linger: Duration::from_millis(var("BRIDGE_LINGER_MS", 200)?),
            ack_wait: secs_var("BRIDGE_ACK_WAIT_SECS", 30)?,
            retry_max: Duration::from_millis(var("BRIDGE_RETRY_MAX_MS", 5000)?),
            queue,
            create_queue: var("SQS_CREATE_QUEUE", false)?,
            forwarded_events_retention: retention::idempotency_retention(
                "FORWARDED_EVENTS_RETENTION_DAYS",
                retention::DEFAULT_IDEMPOTENCY_RETENTION_DAYS,
                &streams,
            )?,
            purge_every: retention::PURGE_EVERY,
        })
    }

    /// The durable consumer: unbounded deliveries (an SQS outage must never turn into a dead letter), no
    /// redelivery backoff (the bridge retries in process and keeps its messages alive meanwhile).
    pub fn consumer_spec(&self) -> ConsumerSpec {
        ConsumerSpec {
            stream: ORDERS_STREAM.to_owned(),
            durable: CONSUMER.to_owned(),
            filter_subject: self.subjects.clone(),
            max_deliver: -1,
            backoff: Vec::new(),
            ack_wait: self.ack_wait,
            max_ack_pending: 1000,
        }
    }
}

/// One subject filter inside the ORDERS stream (`platform::consumer::ConsumerSpec` takes a single filter).
fn validate_subject(subject: &str) -> Result<(), String> {
    if subject.contains(',') || subject.contains(char::is_whitespace) {
        return Err("one subject filter only, e.g. orders.*.created or orders.>".to_owned());
    }
    if !subject.starts_with("orders.") {
        return Err("must be inside the ORDERS stream (orders.>)".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_filters_must_be_one_orders_subject() {
        assert!(validate_subject("orders.*.created").is_ok());
        assert!(validate_subject("orders.>").is_ok());
        assert!(validate_subject("orders.*.created,orders.*.paid").is_err());
        assert!(validate_subject("catalog.>").is_err());
    }

    #[test]
    fn the_consumer_never_gives_up_on_its_own() {
        let config = Config {
            subjects: "orders.*.created".to_owned(),
            linger: Duration::from_millis(200),
            ack_wait: Duration::from_secs(30),
            retry_max: Duration::from_secs(5),
            queue: QueueTarget::Name("shop-orders".to_owned()),
            create_queue: false,
            forwarded_events_retention: Duration::from_secs(180 * 24 * 3600),
            purge_every: retention::PURGE_EVERY,
        };
        let spec = config.consumer_spec();
        assert_eq!(spec.max_deliver, -1);
        assert_eq!(spec.durable, "bridge");
        assert_eq!(spec.stream, "ORDERS");
    }
}
