//! The category tree with product counts.

use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;

use platform::http_error::ApiError;

use super::{AppState, openapi::Unavailable};
use crate::db::categories::{TreeNode, active_product_counts, build_tree};

/// The roots of the category tree, each with its children, sorted by name.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CategoryTree)]
pub(super) struct Tree {
    categories: Vec<TreeNode>,
}

#[utoipa::path(
    get,
    path = "/api/categories",
    operation_id = "get_category_tree",
    tag = "categories",
    summary = "The category tree with active product counts (descendants included)",
    responses(
        (status = 200, description = "The tree", body = Tree),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn tree(State(state): State<AppState>) -> Result<Json<Tree>, ApiError> {
    let (categories, counts) =
        tokio::try_join!(state.categories(), active_product_counts(&state.pool))?;
    Ok(Json(Tree {
        categories: build_tree(&categories, &counts),
    }))
}
