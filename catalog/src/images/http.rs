//! `GET /images/<32 hex>/<size>.jpg`: a stored photo's size for shoppers (behind the proxy, which caches it).
//!
//! The path is the object's key in the bucket, checked against the one shape stored sizes have before the
//! bucket is asked: nothing else of the bucket (uploads, above all) can be read through here. The key names
//! the content, so the answer may be cached for a year and its ETag is the key itself (a revalidation never
//! needs the bucket). The body is streamed from the bucket. A missing object is a 404 problem; an unreachable
//! bucket a 503 with Retry-After, within the client's timeouts.

use aws_sdk_s3::primitives::ByteStream;
use axum::{
    Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use platform::{contracts::catalog_admin::images::SIZES, http_error::ApiError};

use super::storage::{Bucket, CACHE_CONTROL, StorageError, object_key};

/// The route of stored photo sizes.
pub fn router(bucket: Bucket) -> Router {
    Router::new()
        .route("/images/{*path}", get(serve))
        .with_state(bucket)
}

/// `<32 lowercase hex>/<size>.jpg` as (key, size), or `None` for any other path.
fn parse(path: &str) -> Option<(&str, &str)> {
    let (key, file) = path.split_once('/')?;
    let size = file.strip_suffix(".jpg")?;
    let hex = key.len() == 32
        && key
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
    (hex && SIZES.iter().any(|(name, _)| *name == size)).then_some((key, size))
}

platform::problem_response!(
    pub(crate) NoSuchPhoto,
    "No stored photo has this key and size (or the path is not one of a stored size): a problem document"
);
platform::problem_response!(
    pub(crate) PhotosUnavailable,
    "The images bucket is unreachable; retry after the Retry-After header",
    retry_after
);

/// The one route outside `/api/`: the photos the product documents link to.
#[utoipa::path(
    get,
    path = "/images/{key}/{size}.jpg",
    operation_id = "get_product_photo",
    tag = "images",
    summary = "One size of a stored product photo, cacheable for a year (the key names its content)",
    params(
        ("key" = String, Path, description = "32 lowercase hex digits: the start of the SHA-256 of the original"),
        ("size" = String, Path, description = "`thumb` (160 px on the longest side), `card` (480 px) or `large` (1200 px)"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the client holds"),
    ),
    responses(
        (status = 200, description = "The photo as JPEG (`image/jpeg`), with `Cache-Control: public, max-age=31536000, immutable` and an ETag"),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, response = NoSuchPhoto),
        (status = 503, response = PhotosUnavailable),
    )
)]
pub(crate) async fn serve(
    State(bucket): State<Bucket>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((key, size)) = parse(&path) else {
        return ApiError::NotFound("image").into_response();
    };
    let etag = format!("\"{key}-{size}\"");
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match bucket.open(&object_key(key, size)).await {
            Ok((length, body)) => stream(length, body),
            // Errors carry no cache headers: neither browsers nor the proxy keep them.
            Err(StorageError::NotFound) => return ApiError::NotFound("image").into_response(),
            Err(err) => {
                tracing::warn!(key, size, error = %err, "a photo could not be read from the bucket");
                return ApiError::Unavailable(
                    "photos are unavailable for a moment; try again".to_owned(),
                )
                .into_response();
            }
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(etag) = HeaderValue::try_from(etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// A JPEG answer whose body is streamed from the bucket as it arrives.
fn stream(length: Option<i64>, body: ByteStream) -> Response {
    let chunks = futures::stream::unfold(body, |mut body| async move {
        body.try_next()
            .await
            .map_err(std::io::Error::other)
            .transpose()
            .map(|chunk| (chunk, body))
    });
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    if let Some(length) = length.and_then(|length| HeaderValue::try_from(length.to_string()).ok()) {
        headers.insert(header::CONTENT_LENGTH, length);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_the_paths_of_stored_sizes_are_served() {
        let key = "0123456789abcdef0123456789abcdef";
        assert_eq!(parse(&format!("{key}/card.jpg")), Some((key, "card")));
        assert_eq!(parse(&format!("{key}/thumb.jpg")), Some((key, "thumb")));
        assert_eq!(parse(&format!("{key}/huge.jpg")), None);
        assert_eq!(parse(&format!("{key}/card.png")), None);
        assert_eq!(parse(&format!("{key}/card.jpg/x")), None);
        assert_eq!(parse("0123456789ABCDEF0123456789ABCDEF/card.jpg"), None);
        assert_eq!(parse("../uploads/card.jpg"), None);
        assert_eq!(parse("uploads/0f6e2d1c-8a7b-4c3d-9e8f-1a2b3c4d5e6f"), None);
        assert_eq!(parse("placeholder.svg"), None);
    }
}
