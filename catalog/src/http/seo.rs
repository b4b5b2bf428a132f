//! `GET /robots.txt`, `GET /sitemap.xml` and `GET /sitemaps/{file}` ([`crate::sitemap`]): text for crawlers,
//! not part of the JSON API. Kept an hour by caches.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use platform::http_error::ApiError;

use super::AppState;
use crate::sitemap::File;

fn text(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn robots(State(state): State<AppState>) -> Response {
    text("text/plain; charset=utf-8", state.sitemap.robots())
}

pub(super) async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(text(
        "application/xml; charset=utf-8",
        state.sitemap.index().await?,
    ))
}

pub(super) async fn file(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let file = File::parse(&name).ok_or(ApiError::NotFound("sitemap"))?;
    let xml = state
        .sitemap
        .file(file)
        .await?
        .ok_or(ApiError::NotFound("sitemap"))?;
    Ok(text("application/xml; charset=utf-8", xml))
}
