//! `GET /api/products` (the listing), `GET /api/products/{slug}` (the product page) and
//! `GET /api/products/{slug}/related` (what the product page shows beside it).

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::header,
    response::{IntoResponse as _, Response},
};
use bytes::Bytes;

use super::{
    AppState, Error, params,
    params::ListingParameters,
    schema::{InvalidRequest, NotFound, Unavailable},
};
use crate::{
    db::listing::Sort,
    products::{Listing, ListingQuery, ProductPage, Related},
};

/// How many related products the product page gets unless it asks for a number (at most [`MAX_RELATED`]).
const DEFAULT_RELATED: u32 = 8;
const MAX_RELATED: u32 = 24;

/// The listing's default page size.
pub(super) const DEFAULT_LIMIT: u32 = 24;

#[utoipa::path(
    get,
    path = "/api/products",
    operation_id = "list_products",
    tag = "products",
    summary = "List active products with filters, sort and pagination",
    params(ListingParameters),
    responses(
        (status = 200, description = "A page of products with total and facets", body = Listing),
        (status = 400, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Listing>, Error> {
    let params = params(query)?;
    let filter = params.filter()?;
    let sort = params.sort(Sort::Popularity)?;
    let (page, limit) = params.pagination(DEFAULT_LIMIT)?;
    let query = ListingQuery {
        filter,
        sort,
        page,
        limit,
    };
    Ok(Json(state.products.list(&query).await?))
}

#[utoipa::path(
    get,
    path = "/api/products/{slug}",
    operation_id = "get_product",
    tag = "products",
    summary = "One product with images, category path and availability",
    params(("slug" = String, Path, description = "The product's slug")),
    responses(
        (status = 200, description = "The product", body = ProductPage),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn detail(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, Error> {
    // Served as the JSON bytes of the first answer while the catalog's events say nothing changed.
    if let Some(body) = state.pages.get(&slug) {
        return Ok(json_bytes(body));
    }
    let ticket = state.pages.ticket();
    let page = state.products.page(&slug).await?;
    // Strings, numbers and lists only: serializing cannot fail.
    let body = Bytes::from(serde_json::to_vec(&page).expect("a product page serializes"));
    let skus = std::iter::once(page.sku.to_string())
        .chain(page.variants.iter().map(|variant| variant.sku.to_string()))
        .collect();
    state.pages.put(ticket, &slug, skus, body.clone());
    Ok(json_bytes(body))
}

#[utoipa::path(
    get,
    path = "/api/products/{slug}/related",
    operation_id = "related_products",
    tag = "products",
    summary = "Products to show beside a product: in stock, its category's (its brand's first), then the category above",
    params(
        ("slug" = String, Path, description = "The product's slug"),
        ("limit" = Option<u32>, Query, description = "How many, 1 to 24 (default 8)", minimum = 1, maximum = 24),
    ),
    responses(
        (status = 200, description = "Related products, best first", body = Related),
        (status = 400, response = InvalidRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn related(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, Error> {
    let limit = params(query)?.number("limit", DEFAULT_RELATED, 1, MAX_RELATED)?;
    let related = state.products.related(&slug, limit).await?;
    // Popularity and stock move slowly enough for a minute in caches, and the page asks on every view.
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=60")],
        Json(related),
    )
        .into_response())
}

fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
