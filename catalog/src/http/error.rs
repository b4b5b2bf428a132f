//! One error type for the HTTP API, rendered as an RFC 9457 problem document. Anything a client can send
//! ends as a 4xx naming the field; database outages are 503 with Retry-After; other failures are a logged 500
//! without details.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{field}: {reason}")]
    InvalidField { field: String, reason: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            // The pool could not get a connection in time, or the server went away: retry later.
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                Self::Unavailable("the catalog database is unreachable".to_owned())
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// An RFC 9457 problem document.
pub fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    errors: serde_json::Value,
) -> Response {
    let mut body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if !errors.is_null() {
        body["errors"] = errors;
    }
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::InvalidField { field, reason } => problem(
                StatusCode::BAD_REQUEST,
                "Invalid request",
                &format!("{field}: {reason}"),
                json!([{ "field": field, "reason": reason }]),
            ),
            Self::NotFound(what) => problem(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("{what} not found"),
                serde_json::Value::Null,
            ),
            Self::Unavailable(detail) => {
                let mut response = problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service unavailable",
                    &detail,
                    serde_json::Value::Null,
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
                response
            }
            Self::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "request failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    "something went wrong on our side",
                    serde_json::Value::Null,
                )
            }
        }
    }
}
