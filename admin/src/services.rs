//! The typed client of the services' admin endpoints (`rpc.catalog.admin.*`, `rpc.checkout.admin.*`,
//! `rpc.mailer.admin.*`): every read and write of the admin's pages about shop data goes through
//! [`ServiceClient::call`], one client per service in [`crate::http::AppState`]. The admin's NATS user may
//! publish only to those subjects (infra/nats-server.conf).
//!
//! A reply is an [`AdminReply`]: `Ok`, or a refusal the page shows (invalid fields next to their inputs, a
//! conflict, not found). When the service cannot answer (down, slow, its database failing) the call is an
//! [`AdminError::Unavailable`]: the page says "try again" with 503 and `Retry-After` (or, where the service
//! only adds to a page, the page shows a notice in its place).

use std::time::Duration;

use platform::{
    contracts::admin::{Actor, AdminReply, Command},
    rpc::RpcError,
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::http::{error::AdminError, extract::CurrentSession};

/// The admin endpoints of one service (`catalog`, `checkout`, `mailer`).
#[derive(Debug, Clone)]
pub struct ServiceClient {
    nats: async_nats::Client,
    timeout: Duration,
    /// The service's name, for the logs.
    service: &'static str,
}

impl ServiceClient {
    pub fn new(nats: async_nats::Client, service: &'static str, timeout: Duration) -> Self {
        Self {
            nats,
            timeout,
            service,
        }
    }

    /// Sends `request` (a [`Command`] for a write, a query for a read) to `subject` and decodes the reply.
    pub async fn call<Req, Resp>(
        &self,
        subject: &str,
        request: &Req,
    ) -> Result<AdminReply<Resp>, AdminError>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        let service = self.service;
        platform::rpc::call(&self.nats, subject, request, self.timeout)
            .await
            .map_err(|err| match err {
                err if err.is_unavailable() => {
                    tracing::warn!(error = %err, subject, service, "a service did not answer");
                    AdminError::Unavailable
                }
                RpcError::Service { code, status } => AdminError::Internal(anyhow::anyhow!(
                    "{subject} refused the request: {status} ({code})"
                )),
                err => AdminError::Internal(anyhow::anyhow!("{subject}: {err}")),
            })
    }
}

/// The command for `body` on behalf of the signed-in staff member, with the idempotency key the form carried.
pub fn command<T>(session: &CurrentSession, idempotency_key: Uuid, body: T) -> Command<T> {
    Command {
        idempotency_key,
        actor: Actor {
            staff_id: session.staff.id,
            email: session.staff.email.clone(),
        },
        body,
    }
}

/// How far behind one durable consumer of an event stream is, from JetStream's consumer info.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ConsumerLag {
    /// Events on the stream (matching its filter) not yet delivered to it.
    #[serde(rename = "num_pending")]
    pub pending: u64,
    /// Events delivered and not yet acknowledged (being handled, or waiting to be redelivered).
    #[serde(rename = "num_ack_pending")]
    pub unacknowledged: u64,
    /// Deliveries that were redeliveries of an unacknowledged event.
    #[serde(rename = "num_redelivered", default)]
    pub redelivered: u64,
    #[serde(default)]
    pub delivered: Delivered,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Delivered {
    /// When the consumer last received an event.
    #[serde(default)]
    pub last_active: Option<chrono::DateTime<chrono::Utc>>,
}

/// The JetStream API's answer to `CONSUMER.INFO`: the info, or an error such as "consumer not found".
#[derive(serde::Deserialize)]
struct ConsumerInfoReply {
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(flatten)]
    info: Option<ConsumerLag>,
}

/// JetStream's error code for "consumer not found".
const CONSUMER_NOT_FOUND: u64 = 10014;

/// What the dashboard can say of a consumer's lag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "is", rename_all = "snake_case")]
pub enum Lag {
    Known(ConsumerLag),
    /// JetStream has no such consumer: its service has never started (the search indexer without
    /// Meilisearch, the bridge where order events do not go to SQS).
    NoConsumer,
    /// NATS did not answer.
    Unavailable,
}

/// The durable consumers' lag, read from JetStream (`$JS.API.CONSUMER.INFO.<stream>.<consumer>`, the one
/// JetStream call the admin's NATS user may make: read-only, and only for the consumers of
/// [`platform::streams::DURABLE_CONSUMERS`]).
#[derive(Debug, Clone)]
pub struct EventConsumers {
    nats: async_nats::Client,
    timeout: Duration,
}

impl EventConsumers {
    pub fn new(nats: async_nats::Client, timeout: Duration) -> Self {
        Self { nats, timeout }
    }

    /// `consumer` of `stream`'s lag, or why there is none.
    pub async fn lag(&self, stream: &str, consumer: &str) -> Lag {
        let subject = format!("$JS.API.CONSUMER.INFO.{stream}.{consumer}");
        match platform::rpc::call::<_, ConsumerInfoReply>(
            &self.nats,
            &subject,
            &serde_json::json!({}),
            self.timeout,
        )
        .await
        {
            Ok(ConsumerInfoReply {
                error: None,
                info: Some(lag),
            }) => Lag::Known(lag),
            Ok(ConsumerInfoReply {
                error: Some(error), ..
            }) if error["err_code"] == CONSUMER_NOT_FOUND => Lag::NoConsumer,
            Ok(ConsumerInfoReply { error, .. }) => {
                tracing::warn!(stream, consumer, ?error, "no consumer info");
                Lag::Unavailable
            }
            Err(err) => {
                tracing::warn!(stream, consumer, error = %err, "no consumer info: NATS did not answer");
                Lag::Unavailable
            }
        }
    }
}
