//! The SQS side: the client, finding (or creating) the queue, and one SendMessageBatch call.
//!
//! The SDK's own retries are off: the forwarder retries every failure itself, with a capped backoff, while it
//! keeps its JetStream messages alive, so there is one retry policy to reason about. Every call is bounded
//! by a timeout, so a hung connection is one more failed attempt rather than a stuck bridge.

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_sqs::{
    Client,
    config::{retry::RetryConfig, timeout::TimeoutConfig},
    error::{DisplayErrorContext, ProvideErrorMetadata as _},
    types::{QueueAttributeName, SendMessageBatchRequestEntry},
};

use crate::{
    batch::{BatchOutcome, FailedEntry},
    config::QueueTarget,
};

/// The longest one SQS call may take, connection included.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A client from the standard AWS environment (`AWS_REGION`, `AWS_ENDPOINT_URL`, credentials, profiles).
pub async fn client_from_env() -> Client {
    client(&aws_config::defaults(BehaviorVersion::latest()).load().await)
}

/// A client for `sdk_config`, with the bridge's timeouts and without SDK retries.
pub fn client(sdk_config: &SdkConfig) -> Client {
    let config = aws_sdk_sqs::config::Builder::from(sdk_config)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(CALL_TIMEOUT)
                .operation_timeout(CALL_TIMEOUT)
                .build(),
        )
        .build();
    Client::from_conf(config)
}

/// The queue events are forwarded to.
#[derive(Debug, Clone)]
pub struct Queue {
    client: Client,
    pub url: String,
    /// The last segment of the URL; the `queue` label of the bridge's metrics.
    pub name: String,
    /// A FIFO queue (its name ends with `.fifo`): messages need a group id and a deduplication id.
    pub fifo: bool,
}

/// A SendMessageBatch call that failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// SQS refused what the request carries (too long, invalid characters or attributes): sending the same
    /// again cannot succeed. The forwarder sends each entry alone to find the one at fault.
    #[error("SQS refused the request: {0}")]
    Refused(String),
    /// Anything else: SQS unreachable, throttled, the queue missing, credentials. Retried.
    #[error("{0}")]
    Failed(String),
}

/// Error codes about the content of a request rather than SQS's state or the bridge's access to it. Some
/// endpoints (moto, and SQS for some limits) answer them for the whole call instead of per entry.
fn is_content_error(code: &str) -> bool {
    // Query-compatible codes come prefixed: `AWS.SimpleQueueService.BatchRequestTooLong`.
    let code = code.rsplit('.').next().unwrap_or(code);
    matches!(
        code,
        "BatchRequestTooLong"
            | "InvalidParameterValue"
            | "InvalidMessageContents"
            | "MessageTooLong"
            | "InvalidAttributeName"
            | "InvalidAttributeValue"
    )
}

impl Queue {
    pub fn new(client: Client, url: String) -> Self {
        let name = url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        Self {
            client,
            fifo: name.ends_with(".fifo"),
            name,
            url,
        }
    }

    /// Finds the queue: the URL as given, or the name looked up with GetQueueUrl (created first when
    /// `create` and it does not exist).
    pub async fn resolve(
        client: Client,
        target: &QueueTarget,
        create: bool,
    ) -> anyhow::Result<Self> {
        let name = match target {
            QueueTarget::Url(url) => return Ok(Self::new(client, url.clone())),
            QueueTarget::Name(name) => name,
        };
        match client.get_queue_url().queue_name(name).send().await {
            Ok(found) => {
                let url = found
                    .queue_url()
                    .ok_or_else(|| anyhow::anyhow!("GetQueueUrl for {name} answered no URL"))?
                    .to_owned();
                Ok(Self::new(client, url))
            }
            Err(err)
                if create
                    && err
                        .as_service_error()
                        .is_some_and(|service| service.is_queue_does_not_exist()) =>
            {
                let mut request = client.create_queue().queue_name(name);
                if name.ends_with(".fifo") {
                    request = request.attributes(QueueAttributeName::FifoQueue, "true");
                }
                let created = request.send().await.map_err(|err| {
                    anyhow::anyhow!("creating SQS queue {name}: {}", DisplayErrorContext(&err))
                })?;
                let url = created
                    .queue_url()
                    .ok_or_else(|| anyhow::anyhow!("CreateQueue for {name} answered no URL"))?
                    .to_owned();
                tracing::info!(queue = %url, "created SQS queue");
                Ok(Self::new(client, url))
            }
            Err(err) => Err(anyhow::anyhow!(
                "looking up SQS queue {name}: {}",
                DisplayErrorContext(&err)
            )),
        }
    }

    /// One SendMessageBatch call with `entries` (at most 10).
    pub async fn send(
        &self,
        entries: Vec<SendMessageBatchRequestEntry>,
    ) -> Result<BatchOutcome, SendError> {
        let output = self
            .client
            .send_message_batch()
            .queue_url(&self.url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|err| {
                let refused = err.as_service_error().is_some_and(|service| {
                    service.is_batch_request_too_long()
                        || service.code().is_some_and(is_content_error)
                });
                let description = DisplayErrorContext(&err).to_string();
                if refused {
                    SendError::Refused(description)
                } else {
                    SendError::Failed(description)
                }
            })?;
        Ok(BatchOutcome {
            successful: output
                .successful()
                .iter()
                .map(|entry| (entry.id().to_owned(), entry.message_id().to_owned()))
                .collect(),
            failed: output
                .failed()
                .iter()
                .map(|entry| FailedEntry {
                    id: entry.id().to_owned(),
                    code: entry.code().to_owned(),
                    sender_fault: entry.sender_fault(),
                    message: entry.message().map(str::to_owned),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        Client::from_conf(config)
    }

    #[test]
    fn content_errors_are_told_from_outages() {
        assert!(is_content_error("InvalidParameterValue"));
        assert!(is_content_error(
            "AWS.SimpleQueueService.BatchRequestTooLong"
        ));
        assert!(is_content_error("InvalidMessageContents"));
        assert!(!is_content_error("AWS.SimpleQueueService.NonExistentQueue"));
        assert!(!is_content_error("RequestThrottled"));
        assert!(!is_content_error("AccessDenied"));
        assert!(!is_content_error("InternalError"));
    }

    #[test]
    fn fifo_queues_are_known_by_their_url() {
        let fifo = Queue::new(
            client(),
            "https://sqs.eu-west-1.amazonaws.com/123/orders.fifo".to_owned(),
        );
        assert!(fifo.fifo);
        assert_eq!(fifo.name, "orders.fifo");
        let standard = Queue::new(
            client(),
            "http://127.0.0.1:5000/123456789012/shop-orders".to_owned(),
        );
        assert!(!standard.fifo);
        assert_eq!(standard.name, "shop-orders");
    }
}
