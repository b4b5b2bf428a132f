//! The HTTP server every service runs, with the limits a public-facing server needs.
//!
//! `axum::serve` has no timeouts: a client sending its headers one byte a second, or opening a thousand
//! connections and saying nothing, holds them forever. This server is hyper's HTTP/1 connection driver with:
//!
//! - a **header timeout** (`HTTP_HEADER_TIMEOUT_SECS`): a request's headers must arrive within it, and an idle
//!   keep-alive connection is closed after it (hyper starts the same timer when a connection goes idle);
//! - a **request timeout** (`HTTP_REQUEST_TIMEOUT_SECS`) over the whole request, body included: a slow body
//!   ends in 408;
//! - a **body limit** (`HTTP_MAX_BODY_BYTES`): a larger declared `Content-Length` is refused with 413 before a
//!   byte of it is read, and a chunked body is cut off at the limit;
//! - a cap on **open connections** (`HTTP_MAX_CONNECTIONS`): past it, new ones wait in the listen backlog;
//! - **problem documents for every error**: a 4xx or 5xx that some layer or extractor answered in plain text
//!   (405, 413, 408, a path or query string that does not parse) becomes `application/problem+json`
//!   (an HTML error page, as the web admin answers, is kept);
//! - `X-Content-Type-Options: nosniff` on every response.
//!
//! Each request carries the peer's address as [`axum::extract::ConnectInfo`], for rate limits, and is handled
//! in a task of its own: a client that disconnects mid-request never cancels a handler half-way through its
//! database work (hyper drops the request's future when its connection closes; a query interrupted that way
//! leaves its connection in a state the pool can only discard, and a transaction half-run).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, DefaultBodyLimit, Request},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::Response,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Map;
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::ServiceExt as _;

use crate::{
    config::vars::{ConfigError, secs_var, var},
    http_error::{PROBLEM_JSON, problem},
};

/// The server's limits, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// `HTTP_HEADER_TIMEOUT_SECS` (default 10): the most a request's headers may take to arrive, and how long
    /// an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// `HTTP_REQUEST_TIMEOUT_SECS` (default 30): the most one request may take, reading its body included.
    pub request_timeout: Duration,
    /// `HTTP_MAX_BODY_BYTES` (default 65536): the largest request body.
    pub max_body_bytes: usize,
    /// `HTTP_MAX_CONNECTIONS` (default 1024): open connections served at once.
    pub max_connections: usize,
}

impl ServerLimits {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            header_timeout: secs_var("HTTP_HEADER_TIMEOUT_SECS", 10)?,
            request_timeout: secs_var("HTTP_REQUEST_TIMEOUT_SECS", 30)?,
            max_body_bytes: var("HTTP_MAX_BODY_BYTES", 64 * 1024)?,
            max_connections: var("HTTP_MAX_CONNECTIONS", 1024)?,
        })
    }
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
            max_connections: 1024,
        }
    }
}

/// `router` with the per-request limits and the error and header rules of the module docs.
pub fn harden(router: Router, limits: &ServerLimits) -> Router {
    let max_body = limits.max_body_bytes;
    router
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(move |request, next| {
            refuse_large_bodies(max_body, request, next)
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn(problem_responses))
}

/// 413 before reading anything when the declared body is larger than allowed.
async fn refuse_large_bodies(max_body: usize, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_body as u64) {
        let mut response = problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload too large",
            &format!("the request body may be at most {max_body} bytes"),
            Map::new(),
        );
        // The unread body would have to be drained to keep the connection: close it instead.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

/// Longest plain-text error kept as the problem's detail.
const MAX_DETAIL_CHARS: usize = 200;

/// Every error response becomes a problem document, and every response says `nosniff`.
async fn problem_responses(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // A problem document already, or an error page a person reads (the web admin's): kept as they are.
    let is_explained = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| {
            value.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
                || value.as_bytes().starts_with(b"text/html")
        });
    let mut response = if (status.is_client_error() || status.is_server_error()) && !is_explained {
        as_problem(response).await
    } else {
        response
    };
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The same error as a problem document: the status's own words as title, the plain-text body (a rejection's
/// message) as detail, cut short. Headers that matter to the client (Allow, Retry-After) are kept.
async fn as_problem(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let title = parts.status.canonical_reason().unwrap_or("Error");
    let detail = match text.trim() {
        "" => title.to_lowercase(),
        text => text.chars().take(MAX_DETAIL_CHARS).collect(),
    };
    let mut problem = problem(parts.status, title, &detail, Map::new());
    for name in [header::ALLOW, header::RETRY_AFTER, header::CONNECTION] {
        if let Some(value) = parts.headers.get(&name) {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}

/// Serves `router` on `listener` until `shutdown`, then lets the requests in flight finish for at most
/// `grace` before closing their connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &ServerLimits,
    shutdown: CancellationToken,
    grace: Duration,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections = TaskTracker::new();
    let closing = CancellationToken::new();
    loop {
        let slot = tokio::select! {
            () = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, or a connection reset before it was accepted: keep going.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            let handling = router.clone().oneshot(request);
            async move {
                // Its own task: a client that hangs up does not cancel the handler half-way through its
                // database work (a transaction, a payment); it finishes and only its answer is lost.
                match tokio::spawn(handling).await {
                    Ok(Ok(response)) => Ok::<_, std::convert::Infallible>(response),
                    Ok(Err(never)) => match never {},
                    Err(panicked) => {
                        tracing::error!(error = %panicked, "a request handler panicked");
                        Ok(problem(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "Internal error",
                            "something went wrong on our side",
                            Map::new(),
                        ))
                    }
                }
            }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let closing = closing.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, %peer, "connection ended with an error");
                    }
                    return;
                }
                () = closing.cancelled() => connection.as_mut().graceful_shutdown(),
            }
            // Finishes the request in flight (if any), then closes.
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    closing.cancel();
    connections.close();
    let started = Instant::now();
    if tokio::time::timeout(grace, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!(after = ?started.elapsed(), "HTTP connections still open at the end of the grace period");
    }
    Ok(())
}
