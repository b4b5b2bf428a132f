//! One error type for the services' HTTP APIs, rendered as an RFC 9457 problem document. Anything a client
//! can send ends as a 4xx naming the field; outages of a dependency are 503 with Retry-After; other failures
//! are a logged 500 without details.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{field}: {reason}")]
    InvalidField { field: String, reason: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Any other client-side problem (409, 402, 422, ...), with extra members for the problem document.
    #[error("{title}: {detail}")]
    Problem {
        status: StatusCode,
        title: &'static str,
        detail: String,
        extra: Map<String, Value>,
    },
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

    /// A problem with extra members (`extra` must be a JSON object; anything else is dropped).
    pub fn problem(
        status: StatusCode,
        title: &'static str,
        detail: impl Into<String>,
        extra: Value,
    ) -> Self {
        let extra = match extra {
            Value::Object(members) => members,
            _ => Map::new(),
        };
        Self::Problem {
            status,
            title,
            detail: detail.into(),
            extra,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            // The pool could not get a connection in time, or the server went away: retry later.
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                Self::Unavailable("the database is unreachable".to_owned())
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// An RFC 9457 problem document with `extra` members beside the standard ones.
pub fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    extra: Map<String, Value>,
) -> Response {
    let mut body = Map::new();
    body.insert("type".to_owned(), json!("about:blank"));
    body.insert("title".to_owned(), json!(title));
    body.insert("status".to_owned(), json!(status.as_u16()));
    body.insert("detail".to_owned(), json!(detail));
    body.extend(extra);
    let mut response = (status, Json(Value::Object(body))).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::InvalidField { field, reason } => {
                let mut extra = Map::new();
                extra.insert(
                    "errors".to_owned(),
                    json!([{ "field": field, "reason": reason }]),
                );
                problem(
                    StatusCode::BAD_REQUEST,
                    "Invalid request",
                    &format!("{field}: {reason}"),
                    extra,
                )
            }
            Self::NotFound(what) => problem(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("{what} not found"),
                Map::new(),
            ),
            Self::Problem {
                status,
                title,
                detail,
                extra,
            } => problem(status, title, &detail, extra),
            Self::Unavailable(detail) => {
                let mut response = problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service unavailable",
                    &detail,
                    Map::new(),
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
                    Map::new(),
                )
            }
        }
    }
}

/// The fallback of every router: a 404 problem document instead of an empty body.
pub async fn no_such_endpoint() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Not found",
        "no such endpoint",
        Map::new(),
    )
}
