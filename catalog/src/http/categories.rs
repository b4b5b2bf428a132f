//! `GET /api/categories`: the category tree with product counts.

use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AppState, Error, schema::Unavailable};
use crate::categories::CategoryNode;

/// The roots of the category tree, each with its children, sorted by name.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CategoryTree)]
pub(super) struct Tree {
    categories: Vec<CategoryNode>,
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
pub(super) async fn tree(State(state): State<AppState>) -> Result<Json<Tree>, Error> {
    Ok(Json(Tree {
        categories: state.products.tree().await?,
    }))
}
