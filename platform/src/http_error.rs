//! One error type for the services' HTTP APIs, rendered as an RFC 9457 problem document. Anything a client
//! can send ends as a 4xx naming the field; outages of a dependency are 503 with Retry-After; other failures
//! are a logged 500 without details.
//!
//! Over the usual length because its unit tests sit beside the parsing they check, and the OpenAPI description of
//! the problem document sits beside the type it describes.

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
            other if crate::sql::is_lock_conflict(&other) => {
                tracing::warn!(error = %other, "a lock conflict ended the transaction: answering busy");
                Self::Unavailable(
                    "a concurrent change got in the way; nothing was changed, try again".to_owned(),
                )
            }
            other => Self::Internal(other.into()),
        }
    }
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

// [`problem`] builds the documents from a map, as each error adds members of its own; this type describes them
// in the services' OpenAPI documents, and their tests read problem bodies into it (unknown members refused) so
// that a member added to an error cannot go undocumented.
/// A problem document (RFC 9457): the standard members, and the extension members some answers add.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Always `about:blank`: the status and `code` say what happened.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// A machine-readable reason where the status alone is ambiguous (`cart_converted`, `out_of_stock`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub code: Option<String>,
    /// The one field the problem is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub field: Option<String>,
    /// Every invalid field of a 400 (or 422), each named by its JSON path (`shipping_address.line1`), its
    /// query parameter or its header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub errors: Option<Vec<FieldError>>,
    /// The lines a conflict is about: `ShortLine`s (requested and available units) for `out_of_stock` and
    /// `insufficient_stock`, `PriceChange`s for `price_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, value_type = Vec<Object>))]
    pub lines: Option<Vec<Value>>,
    /// The order a declined payment was for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub order_number: Option<String>,
}

/// Problem responses for the services' OpenAPI documents; [`problem_response!`](crate::problem_response)
/// declares one as a reusable response.
#[cfg(feature = "openapi")]
pub mod openapi {
    use utoipa::openapi::{
        ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder, response::Response,
        schema::SchemaType,
    };

    use super::PROBLEM_JSON;

    /// Whether a problem response carries `Retry-After` (an outage or a busy resource: trying again may work).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RetryAfter {
        Sent,
        NotSent,
    }

    /// A response whose body is a [`Problem`](super::Problem) document, with the `Retry-After` header
    /// documented when it is sent.
    pub fn problem_response(description: &str, retry_after: RetryAfter) -> RefOr<Response> {
        let mut response = ResponseBuilder::new().description(description).content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        );
        if retry_after == RetryAfter::Sent {
            let seconds = utoipa::openapi::ObjectBuilder::new()
                .schema_type(SchemaType::Type(utoipa::openapi::Type::Integer))
                .minimum(Some(1))
                .build();
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Some(seconds))
                    .description(Some("Whole seconds to wait before trying again"))
                    .build(),
            );
        }
        RefOr::T(response.build())
    }
}

/// Declares a unit type documenting a problem response, for `responses((status = 404, response = NotFound))`
/// in `#[utoipa::path]` and `components(responses(NotFound))` in the `OpenApi` derive. With `retry_after`, the
/// response documents the `Retry-After` header.
#[cfg(feature = "openapi")]
#[macro_export]
macro_rules! problem_response {
    ($(#[$meta:meta])* $vis:vis $name:ident, $description:expr) => {
        $crate::problem_response!(@declare $(#[$meta])* $vis $name, $description, NotSent);
    };
    ($(#[$meta:meta])* $vis:vis $name:ident, $description:expr, retry_after) => {
        $crate::problem_response!(@declare $(#[$meta])* $vis $name, $description, Sent);
    };
    (@declare $(#[$meta:meta])* $vis:vis $name:ident, $description:expr, $retry_after:ident) => {
        $(#[$meta])*
        $vis struct $name;

        impl<'r> ::utoipa::ToResponse<'r> for $name {
            fn response() -> (
                &'r str,
                ::utoipa::openapi::RefOr<::utoipa::openapi::response::Response>,
            ) {
                (
                    stringify!($name),
                    $crate::http_error::openapi::problem_response(
                        $description,
                        $crate::http_error::openapi::RetryAfter::$retry_after,
                    ),
                )
            }
        }
    };
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

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

    #[tokio::test]
    async fn every_problem_document_reads_as_the_documented_problem_type() {
        let errors = [
            ApiError::field("email", "is required"),
            ApiError::NotFound("cart"),
            ApiError::problem(
                StatusCode::CONFLICT,
                "Conflict",
                "out of stock",
                json!({"code": "out_of_stock", "lines": [{"sku": "A-1", "requested": 2, "available": 1}]}),
            ),
            ApiError::Unavailable("the database is unreachable".to_owned()),
            ApiError::Internal(anyhow::anyhow!("boom")),
        ];
        for err in errors {
            let body = axum::body::to_bytes(err.into_response().into_body(), usize::MAX)
                .await
                .unwrap();
            let problem: Problem = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
            assert_eq!(problem.problem_type, "about:blank");
        }
        // The guard the services' tests rely on: a member the type does not name is refused.
        let undocumented =
            r#"{"type": "about:blank", "title": "t", "status": 409, "detail": "d", "hint": 1}"#;
        assert!(serde_json::from_str::<Problem>(undocumented).is_err());
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
