//! `GET /api/categories`: the category tree with product counts.

use axum::{Json, extract::State};
use serde::Serialize;

use super::{AppState, Error};
use crate::categories::CategoryNode;

#[derive(Debug, Serialize)]
pub(super) struct Tree {
    categories: Vec<CategoryNode>,
}

pub(super) async fn tree(State(state): State<AppState>) -> Result<Json<Tree>, Error> {
    Ok(Json(Tree {
        categories: state.products.tree().await?,
    }))
}
