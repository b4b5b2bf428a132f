//! How a failed request is answered. Handlers return [`Error`]: a parameter refused while parsing, or the
//! error of the one operation they called. Its one `IntoResponse` maps each to a problem document through
//! `platform::http_error::ApiError`, which also turns database failures into a 503 or a logged 500 without
//! details.

use axum::response::{IntoResponse, Response};
use platform::http_error::ApiError;

use crate::{domain::InvalidValue, products::ProductsError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error(transparent)]
    Param(#[from] InvalidValue),
    #[error(transparent)]
    Products(#[from] ProductsError),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let answer = match self {
            Self::Param(InvalidValue { field, reason }) => ApiError::field(field, reason),
            Self::Products(ProductsError::NotFound) => ApiError::NotFound("product"),
            Self::Products(ProductsError::UnknownCategory(slug)) => {
                ApiError::field("category", format!("no category with slug {slug:?}"))
            }
            Self::Products(ProductsError::Database(err)) => ApiError::from(err),
        };
        answer.into_response()
    }
}
