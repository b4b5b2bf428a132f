//! `GET /api/products` (the listing) and `GET /api/products/{slug}` (the product page).

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
};

use super::{
    AppState, Error, params,
    params::ListingParameters,
    schema::{InvalidRequest, NotFound, Unavailable},
};
use crate::{
    db::listing::Sort,
    products::{Listing, ListingQuery, ProductPage},
};

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
) -> Result<Json<ProductPage>, Error> {
    Ok(Json(state.products.page(&slug).await?))
}
