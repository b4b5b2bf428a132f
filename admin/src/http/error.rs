//! What a handler answers when it cannot show its page. [`AdminError`] becomes a bare response carrying an
//! [`ErrorPage`]; [`super::layers::render_error_pages`] renders it in the layout (or, for
//! [`AdminError::SignInRequired`], redirects to the login page).

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// Seconds a "try again" page suggests waiting.
pub const RETRY_AFTER_SECS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No valid session: the login page, then back here.
    #[error("sign in first")]
    SignInRequired,
    /// Signed in, but not allowed (the refusal was audited by whoever refused).
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// A dependency (the catalog, the database) cannot answer now: try again.
    #[error("unavailable")]
    Unavailable,
    /// A bug or an unexpected failure: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AdminError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %err, "the admin's database is unavailable");
                Self::Unavailable
            }
            err if platform::sql::is_lock_conflict(&err) => Self::Unavailable,
            err => Self::Internal(err.into()),
        }
    }
}

/// What the error page shows, left in the response's extensions for the renderer.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
    pub sign_in: bool,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            Self::SignInRequired => (
                StatusCode::UNAUTHORIZED,
                "Sign in",
                "Please sign in to continue.".to_owned(),
            ),
            Self::Forbidden(reason) => (StatusCode::FORBIDDEN, "Not allowed", reason.clone()),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing at this address.".to_owned(),
            ),
            Self::BadRequest(reason) => (StatusCode::BAD_REQUEST, "Bad request", reason.clone()),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "A part of the shop is not answering right now. Nothing was changed; please try again in a \
                 few seconds."
                    .to_owned(),
            ),
            Self::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "admin request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side. It has been logged.".to_owned(),
                )
            }
        };
        let mut response = (status, format!("{title}: {message}")).into_response();
        if matches!(self, Self::Unavailable) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response.extensions_mut().insert(ErrorPage {
            title,
            message,
            sign_in: matches!(self, Self::SignInRequired),
        });
        response
    }
}
