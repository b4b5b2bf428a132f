//! `GET /api/products` (the listing) and `GET /api/products/{slug}` (the product page).

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
};

use super::{AppState, Error, params};
use crate::{
    db::listing::Sort,
    products::{Listing, ListingQuery, ProductPage},
};

/// The listing's default page size.
pub(super) const DEFAULT_LIMIT: u32 = 24;

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

pub(super) async fn detail(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProductPage>, Error> {
    Ok(Json(state.products.page(&slug).await?))
}
