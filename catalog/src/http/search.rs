//! `GET /api/search`: search-as-you-type with the listing's filters and sorts.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use platform::http_error::ApiError;

use super::{AppState, params, params::MAX_QUERY_CHARS, products::filter_from};
use crate::{
    db::listing::Sort,
    search::{SearchRequest, SearchResponse, mysql},
};

/// Results per page when the client does not say (the dropdown shows a handful).
pub(super) const DEFAULT_LIMIT: u32 = 10;

pub(super) async fn search(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let params = params(query)?;
    let q = params.text("q", MAX_QUERY_CHARS)?.unwrap_or_default();
    let (filter, _) = filter_from(&state, &params).await?;
    let sort = params.sort(Sort::Relevance)?;
    let (page, limit) = params.pagination(DEFAULT_LIMIT)?;
    let request = SearchRequest {
        q,
        filter,
        sort,
        page,
        limit,
    };
    let categories = state.categories().await?;
    let response = mysql::search(&state.pool, &categories, &request).await?;
    metrics::histogram!("catalog_search_duration_seconds", "engine" => response.engine)
        .record(response.took_ms / 1000.0);
    Ok(Json(response))
}
