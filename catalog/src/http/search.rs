//! `GET /api/search`: search-as-you-type with the listing's filters and sorts, from Meilisearch when it is
//! configured and healthy, else from MySQL; `engine` in the response says which answered.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use platform::http_error::ApiError;

use super::{
    AppState,
    openapi::{InvalidRequest, Unavailable},
    params,
    params::{MAX_QUERY_CHARS, SearchParameters},
    products::filter_from,
};
use crate::{
    db::listing::Sort,
    search::{
        SearchRequest, SearchResponse,
        meili::MeiliError,
        mysql::{self, MAX_TERMS},
        text,
    },
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
    let response = match &state.meili {
        // An empty query is the listing, which MySQL answers exactly (and cached).
        Some(meili)
            if !text::Query::parse(&request.q, MAX_TERMS).is_empty() && meili.available() =>
        {
            match meili.search(&categories, &request).await {
                Ok(response) => response,
                Err(err) => {
                    let reason = match err {
                        MeiliError::Timeout(_) => "timeout",
                        MeiliError::Meilisearch(_) => "error",
                    };
                    metrics::counter!("catalog_search_fallbacks_total", "reason" => reason)
                        .increment(1);
                    mysql::search(&state.pool, &categories, &request, state.fulltext_budget).await?
                }
            }
        }
        _ => mysql::search(&state.pool, &categories, &request, state.fulltext_budget).await?,
    };
    metrics::histogram!("catalog_search_duration_seconds", "engine" => response.engine.as_str())
        .record(response.took_ms / 1000.0);
    Ok(Json(response))
}
