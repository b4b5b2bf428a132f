//! `GET /api/search`: search-as-you-type with the listing's filters and sorts; `engine` in the response says
//! which engine answered.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};

use super::{AppState, Error, params, params::MAX_QUERY_CHARS};
use crate::{
    db::listing::Sort,
    search::{SearchQuery, SearchResponse},
};

/// Results per page when the client does not say (the dropdown shows a handful).
pub(super) const DEFAULT_LIMIT: u32 = 10;

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
