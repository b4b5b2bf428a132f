//! The category tree with product counts.

use axum::{Json, extract::State};
use serde::Serialize;

use platform::http_error::ApiError;

use super::AppState;
use crate::db::categories::{TreeNode, active_product_counts, build_tree};

#[derive(Debug, Serialize)]
pub(super) struct Tree {
    categories: Vec<TreeNode>,
}

pub(super) async fn tree(State(state): State<AppState>) -> Result<Json<Tree>, ApiError> {
    let (categories, counts) =
        tokio::try_join!(state.categories(), active_product_counts(&state.pool))?;
    Ok(Json(Tree {
        categories: build_tree(&categories, &counts),
    }))
}
