//! The operational HTTP surface every service serves beside its own routes: `/healthz` (the process is
//! alive), `/readyz` (its database and NATS are reachable; 503 otherwise), `/metrics` (Prometheus text), and a
//! middleware that counts and times every request.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    time::{Duration, Instant},
};

use async_nats::connection::State;
use axum::{
    Json, Router,
    extract::{MatchedPath, Request, State as AxumState},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use sqlx::MySqlPool;

use crate::telemetry::metrics_handle;

/// How long one dependency check may take before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

type CheckFn = dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync;

/// The dependency checks behind `/readyz`.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, Arc<CheckFn>)>,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.checks.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Readiness").field("checks", &names).finish()
    }
}

impl Readiness {
    /// Adds a named check; it passes when the future resolves to `Ok` within a couple of seconds.
    pub fn with_check<F, Fut>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.checks
            .push((name, Arc::new(move || Box::pin(check()))));
        self
    }

    /// The database answers a trivial query.
    pub fn with_database(self, pool: MySqlPool) -> Self {
        self.with_check("database", move || {
            let pool = pool.clone();
            async move {
                sqlx::query("SELECT 1")
                    .execute(&pool)
                    .await
                    .map(drop)
                    .map_err(|err| err.to_string())
            }
        })
    }

    /// The NATS client is connected (it reconnects by itself after an outage).
    pub fn with_nats(self, client: async_nats::Client) -> Self {
        self.with_check("nats", move || {
            let state = client.connection_state();
            async move {
                match state {
                    State::Connected => Ok(()),
                    other => Err(format!("connection {other}")),
                }
            }
        })
    }

    /// Runs every check concurrently; returns each one's outcome.
    pub async fn check(&self) -> Vec<(&'static str, Result<(), String>)> {
        let runs = self.checks.iter().map(|(name, check)| async move {
            let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check()).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("no answer within {CHECK_TIMEOUT:?}")),
            };
            (*name, outcome)
        });
        futures::future::join_all(runs).await
    }
}

/// `/healthz`, `/readyz` and `/metrics`.
pub fn ops_router(readiness: Readiness) -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "alive" })) }),
        )
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(readiness)
}

async fn readyz(AxumState(readiness): AxumState<Readiness>) -> Response {
    let outcomes = readiness.check().await;
    let ready = outcomes.iter().all(|(_, outcome)| outcome.is_ok());
    let checks: serde_json::Map<_, _> = outcomes
        .into_iter()
        .map(|(name, outcome)| {
            let value = match outcome {
                Ok(()) => json!("ok"),
                Err(err) => json!(err),
            };
            (name.to_owned(), value)
        })
        .collect();
    let body =
        Json(json!({ "status": if ready { "ready" } else { "unavailable" }, "checks": checks }));
    if ready {
        body.into_response()
    } else {
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        response
    }
}

async fn metrics() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics_handle().render(),
    )
}

/// Counts and times every request by method, matched route and status.
pub fn with_request_metrics(router: Router) -> Router {
    router.layer(middleware::from_fn(record_request))
}

async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    // The route template, never the raw path: raw paths would make one time series per product.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
