//! Request/reply over the NATS services API with JSON bodies: a caller with an explicit timeout that never
//! hangs, and a server loop that turns bad payloads into error replies instead of silence.
//!
//! Business answers (a rejection, an unknown SKU) travel in the reply body. Failures of the service itself
//! (database down) are service errors: the `Nats-Service-Error` headers, counted by `nats micro stats`.

use std::{future::Future, sync::Arc, time::Duration};

use async_nats::{
    Client,
    client::RequestErrorKind,
    service::{endpoint::Endpoint, error::Error as ServiceError},
};
use futures::StreamExt as _;
use serde::{Serialize, de::DeserializeOwned};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Why a request got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("no service is listening on {0}")]
    NoResponders(String),
    #[error("the service failed: {status} ({code})")]
    Service { code: u16, status: String },
    #[error("cannot encode or decode the message: {0}")]
    Codec(#[from] serde_json::Error),
    #[error("NATS: {0}")]
    Transport(String),
}

impl RpcError {
    /// The other side is down, slow or overloaded: retrying later may work (callers answer 503).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::NoResponders(_) | Self::Transport(_) => true,
            Self::Service { code, .. } => *code >= 500,
            Self::Codec(_) => false,
        }
    }
}

/// Sends `request` as JSON to `subject` and decodes the JSON reply, waiting at most `timeout`.
pub async fn call<Req, Resp>(
    client: &Client,
    subject: &str,
    request: &Req,
    timeout: Duration,
) -> Result<Resp, RpcError>
where
    Req: Serialize,
    Resp: DeserializeOwned,
{
    let payload = serde_json::to_vec(request)?;
    // Without a connection to NATS nothing can answer: say so at once rather than after the whole timeout
    // (the client would hold the request until it reconnects).
    if client.connection_state() != async_nats::connection::State::Connected {
        return Err(RpcError::Transport("not connected to NATS".to_owned()));
    }
    let request = async_nats::Request::new()
        .payload(payload.into())
        .timeout(Some(timeout));
    // The outer timeout also covers a connection lost meanwhile, whose request would wait to be sent.
    let reply = tokio::time::timeout(timeout, client.send_request(subject.to_owned(), request))
        .await
        .map_err(|_| RpcError::Timeout(timeout))?
        .map_err(|err| match err.kind() {
            RequestErrorKind::TimedOut => RpcError::Timeout(timeout),
            RequestErrorKind::NoResponders => RpcError::NoResponders(subject.to_owned()),
            _ => RpcError::Transport(err.to_string()),
        })?;
    if let Some(headers) = &reply.headers
        && let Some(status) = headers.get(async_nats::service::NATS_SERVICE_ERROR)
    {
        let code = headers
            .get(async_nats::service::NATS_SERVICE_ERROR_CODE)
            .and_then(|code| code.as_str().parse().ok())
            .unwrap_or(500);
        return Err(RpcError::Service {
            code,
            status: status.as_str().to_owned(),
        });
    }
    Ok(serde_json::from_slice(&reply.payload)?)
}

/// Why a handler could not answer; becomes a service error reply.
#[derive(Debug)]
pub struct HandlerFailure {
    pub code: u16,
    pub status: String,
}

impl HandlerFailure {
    /// A dependency (the database) failed: the caller may retry. The error is logged here and never sent:
    /// its text can hold SQL, values from the request, or more than a NATS header can carry.
    pub fn unavailable(err: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %err, "a request could not be handled: a dependency failed");
        Self {
            code: 503,
            status: "unavailable: a dependency of the service failed; try again".to_owned(),
        }
    }
}

/// Longest status text sent in a `Nats-Service-Error` header.
const MAX_STATUS_CHARS: usize = 200;

/// Why a request body is not a valid `Req`: the JSON path of the field and what is wrong, never the value.
fn bad_request<Req: DeserializeOwned>(payload: &[u8]) -> Result<Req, ServiceError> {
    let mut deserializer = serde_json::Deserializer::from_slice(payload);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let reason = match err.inner().classify() {
            serde_json::error::Category::Data => {
                let message = err.inner().to_string();
                match message.split_once(", expected ") {
                    Some((_, expected)) => format!(
                        "expected {}",
                        expected.split(" at line ").next().unwrap_or(expected)
                    ),
                    None => message
                        .split(" at line ")
                        .next()
                        .unwrap_or_default()
                        .replace('"', "")
                        .chars()
                        .take(100)
                        .collect(),
                }
            }
            _ => "not valid JSON".to_owned(),
        };
        let field = if path.is_empty() || path == "." {
            "body"
        } else {
            &path
        };
        let status: String = format!("bad request: {field}: {reason}")
            .chars()
            .take(MAX_STATUS_CHARS)
            .collect();
        ServiceError { status, code: 400 }
    })
}

/// Answers requests from `endpoint` with `handler` until `shutdown`, at most `concurrency` at once. A request
/// whose body is not valid JSON for `Req` gets a 400 service error naming the problem; an empty body reads as
/// `{}`.
pub async fn serve<Req, Resp, F, Fut>(
    mut endpoint: Endpoint,
    concurrency: usize,
    shutdown: CancellationToken,
    handler: F,
) where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
    F: Fn(Req) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Resp, HandlerFailure>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency));
    let in_flight = tokio_util::task::TaskTracker::new();
    loop {
        let request = tokio::select! {
            () = shutdown.cancelled() => break,
            request = endpoint.next() => match request {
                Some(request) => request,
                None => break,
            },
        };
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let handler = handler.clone();
        in_flight.spawn(async move {
            let _permit = permit;
            // An empty body (`nats req subject ''`) is an empty object: requests without required fields work.
            let payload: &[u8] = if request.message.payload.trim_ascii().is_empty() {
                b"{}"
            } else {
                &request.message.payload
            };
            let reply = match bad_request::<Req>(payload) {
                Err(err) => Err(err),
                Ok(body) => match handler(body).await {
                    Ok(response) => serde_json::to_vec(&response)
                        .map(Into::into)
                        .map_err(|err| ServiceError { status: err.to_string(), code: 500 }),
                    Err(failure) => {
                        tracing::warn!(subject = %request.message.subject, status = %failure.status, "request failed");
                        let status = failure.status.chars().take(MAX_STATUS_CHARS).collect();
                        Err(ServiceError { status, code: failure.code.into() })
                    }
                },
            };
            if let Err(err) = request.respond(reply).await {
                tracing::warn!(error = %err, "cannot send a reply");
            }
        });
    }
    in_flight.close();
    in_flight.wait().await;
}
