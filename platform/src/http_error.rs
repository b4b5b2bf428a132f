//! One error type for the services' HTTP APIs, rendered as an RFC 9457 problem document. Anything a client
//! can send ends as a 4xx naming the field; outages of a dependency are 503 with Retry-After; other failures
//! are a logged 500 without details.

use std::time::Duration;

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
    /// Any other client-side problem (409, 402, 422, 429, ...), with extra members for the problem document,
    /// and a Retry-After when trying again later may work.
    #[error("{title}: {detail}")]
    Problem {
        status: StatusCode,
        title: &'static str,
        detail: String,
        extra: Map<String, Value>,
        retry_after: Option<Duration>,
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
            retry_after: None,
        }
    }

    /// The same problem, telling the client when trying again may work (whole seconds, at least one).
    pub fn retry_after(mut self, wait: Duration) -> Self {
        if let Self::Problem { retry_after, .. } = &mut self {
            *retry_after = Some(wait);
        }
        self
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            // Every connection is busy serving other requests: the database is fine, we are saturated.
            sqlx::Error::PoolTimedOut => {
                tracing::warn!("no database connection free in time: answering busy");
                Self::Unavailable("the service is busy; try again in a moment".to_owned())
            }
            // The server went away, or the pool is shutting down: retry later.
            sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %err, "the database is unreachable");
                Self::Unavailable("the database is unreachable".to_owned())
            }
            // Two transactions wanted each other's rows (deadlock) or one waited too long for a lock: nothing of
            // this request was written, and the same request again will most likely go through.
            other if is_lock_conflict(&other) => {
                tracing::warn!(error = %other, "a lock conflict ended the transaction: answering busy");
                Self::Unavailable(
                    "a concurrent change got in the way; nothing was changed, try again".to_owned(),
                )
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// True for MariaDB's "deadlock found" (1213) and "lock wait timeout" (1205): the transaction was rolled back
/// as a whole and may simply be run again.
pub fn is_lock_conflict(err: &sqlx::Error) -> bool {
    const DEADLOCK: u16 = 1213;
    const LOCK_WAIT_TIMEOUT: u16 = 1205;
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|mysql| matches!(mysql.number(), DEADLOCK | LOCK_WAIT_TIMEOUT))
}

/// A JSON object body as `T`, or a 400 naming the JSON path of what is wrong (`quantity`,
/// `shipping_address.line1`, `lines[2].sku`; `body` for the document as a whole). The offending value is never
/// echoed back: it may be huge, or not meant to be shown.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // serde_json would read an array into a struct field by field; every body of this API is an object.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| invalid_json(err.path().to_string(), err.inner()))?;
    // Anything after the document (`{...} trailing`) makes the whole body invalid.
    deserializer
        .end()
        .map_err(|err| invalid_json(String::new(), &err))?;
    Ok(value)
}

/// A 400 naming the field (a JSON path) with a reason that does not repeat the offending value.
fn invalid_json(mut path: String, inner: &serde_json::Error) -> ApiError {
    if path == "." || path == "?" {
        path.clear();
    }
    let message = inner.to_string();
    let reason = match inner.classify() {
        serde_json::error::Category::Syntax => "is not valid JSON".to_owned(),
        serde_json::error::Category::Eof => "ends too early (incomplete JSON)".to_owned(),
        serde_json::error::Category::Io => "cannot be read".to_owned(),
        serde_json::error::Category::Data => {
            if let Some(missing) = between(&message, "missing field `", "`") {
                // The path points at the object holding the missing field: name the field itself.
                path = join(&path, missing);
                "is required".to_owned()
            } else if let Some(unknown) = between(&message, "unknown field `", "`") {
                // The path already ends at the unknown field, unless it is at the top.
                if path.is_empty() {
                    path = unknown.to_owned();
                }
                "is not a known field".to_owned()
            } else if let Some(expected) = message
                .split_once(", expected ")
                .map(|(_, expected)| expected.split(" at line ").next().unwrap_or(expected))
            {
                format!("must be {}", plain_type(expected))
            } else {
                "has an invalid value".to_owned()
            }
        }
    };
    let field = if path.is_empty() {
        "body".to_owned()
    } else {
        path
    };
    ApiError::field(field, reason)
}

/// serde's names for expected types, in words a client understands.
fn plain_type(expected: &str) -> &str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" => "a whole number",
        "f32" | "f64" => "a number",
        "a sequence" => "an array",
        "a map" => "an object",
        other if other.starts_with("struct ") => "an object",
        other => other,
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
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
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

fn set_retry_after(response: &mut Response, wait: Duration) {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
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
                retry_after,
            } => {
                let mut response = problem(status, title, &detail, extra);
                if let Some(wait) = retry_after {
                    set_retry_after(&mut response, wait);
                }
                response
            }
            Self::Unavailable(detail) => {
                let mut response = problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service unavailable",
                    &detail,
                    Map::new(),
                );
                set_retry_after(&mut response, Duration::from_secs(2));
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

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Line {
        sku: String,
        quantity: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Order {
        email: String,
        lines: Vec<Line>,
    }

    fn field_and_reason(body: &str) -> (String, String) {
        match json_body::<Order>(body.as_bytes()).unwrap_err() {
            ApiError::InvalidField { field, reason } => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_json_path_of_the_field_and_never_echo_the_value() {
        let (field, reason) =
            field_and_reason(r#"{"email": "a@b.c", "lines": [{"sku": "A", "quantity": 1.5}]}"#);
        assert_eq!(
            (field.as_str(), reason.as_str()),
            ("lines[0].quantity", "must be a whole number")
        );
        assert_eq!(field_and_reason(r#"{"email": 42, "lines": []}"#).0, "email");
        let secret = "x".repeat(10_000);
        let (field, reason) =
            field_and_reason(&format!(r#"{{"email": ["{secret}"], "lines": []}}"#));
        assert_eq!(field, "email");
        assert!(reason.len() < 100, "{reason}");
        assert_eq!(
            field_and_reason(r#"{"lines": []}"#),
            ("email".to_owned(), "is required".to_owned())
        );
        assert_eq!(
            field_and_reason(r#"{"email": "a@b.c", "lines": [{"sku": "A"}]}"#),
            ("lines[0].quantity".to_owned(), "is required".to_owned())
        );
        assert_eq!(
            field_and_reason(r#"{"email": "#),
            (
                "email".to_owned(),
                "ends too early (incomplete JSON)".to_owned()
            )
        );
        assert_eq!(field_and_reason(r#""just text""#).0, "body");
        assert_eq!(
            field_and_reason("[1, 2]"),
            ("body".to_owned(), "must be a JSON object".to_owned())
        );
        assert_eq!(
            field_and_reason(r#"{"email": "a@b.c", "lines": []} trailing"#).0,
            "body"
        );
        assert_eq!(
            field_and_reason(r#"{"email": "a@b.c", "lines": [], "extra": 1}"#).0,
            "extra"
        );
    }
}
