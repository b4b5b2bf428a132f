//! `GET /api/search`: search-as-you-type with the listing's filters and sorts; `engine` in the response says
//! which engine answered.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};

use super::{
    AppState, Error, params,
    params::{MAX_QUERY_CHARS, SearchParameters},
    schema::{InvalidRequest, Unavailable},
};
use crate::{
    db::listing::Sort,
    search::{SearchQuery, SearchResponse},
};

/// Results per page when the client does not say (the dropdown shows a handful).
pub(super) const DEFAULT_LIMIT: u32 = 10;

#[utoipa::path(
    get,
    path = "/api/search",
    operation_id = "search",
    tag = "search",
    summary = "Search as you type: prefix match on the last word, name over description, popularity as tie-breaker",
    params(SearchParameters),
    responses(
        (status = 200, description = "Hits with highlights and facets; `engine` says which engine answered", body = SearchResponse),
        (status = 400, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn search(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<SearchResponse>, Error> {
    let params = params(query)?;
    let q = params.text("q", MAX_QUERY_CHARS)?.unwrap_or_default();
    let filter = params.filter()?;
    let sort = params.sort(Sort::Relevance)?;
    let (page, limit) = params.pagination(DEFAULT_LIMIT)?;
    let query = SearchQuery {
        q,
        filter,
        sort,
        page,
        limit,
    };
    Ok(Json(state.search.search(query).await?))
}
