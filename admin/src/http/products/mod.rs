//! The products pages: the list (search, filters, sort, keyset pages, all in the URL so a view can be
//! bookmarked and saved; [`list`]), bulk actions with a confirmation step ([`bulk`]), CSV export and import;
//! the product form ([`form`]) and its photos ([`images`]). Every read and write goes to the catalog's
//! `rpc.catalog.admin.*` endpoints; every write carries the form's idempotency key and is audited, refusals
//! too. What they share stays here: the form fields ([`Pairs`]), the audited [`write`], the category options.

mod bulk;
mod export;
mod form;
mod images;
mod import;
mod list;

use axum::{
    Router,
    routing::{get, post},
};
use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        CATEGORIES_TREE,
        categories::{CategoryTree, TreeRequest},
    },
};
use serde::{Serialize, de::DeserializeOwned};

#[cfg(test)]
pub(crate) use super::forms::pairs;
pub(crate) use super::forms::{Pairs, detail_of, field, fields, idempotency_key};
pub(crate) use list::ListState;

use super::{AppState, error::AdminError, extract::CurrentSession};
use crate::audit::{self, Entry, Outcome};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/products", get(list::list).post(form::create))
        .route("/admin/products/new", get(form::new))
        .route("/admin/products/{id}", get(form::edit).post(form::update))
        .route("/admin/products/{id}/archive", post(form::archive))
        .route("/admin/products/{id}/images", post(images::add))
        .route(
            "/admin/products/{id}/images/{image_id}/alt",
            post(images::update_alt),
        )
        .route(
            "/admin/products/{id}/images/{image_id}/move",
            post(images::reorder),
        )
        .route(
            "/admin/products/{id}/images/{image_id}/delete",
            post(images::delete),
        )
        .route("/admin/products/bulk", post(bulk::bulk_review))
        .route("/admin/products/bulk/apply", post(bulk::bulk_apply))
        .route("/admin/products/export.csv", get(export::csv))
        .route(
            "/admin/products/import",
            get(import::page).post(import::dry_run),
        )
        .route("/admin/products/import/apply", post(import::apply))
        .merge(super::listing::saved_views_routes(
            list::LIST_PATH,
            list::VIEWS_PAGE,
        ))
}

/// Records a refused write (invalid, conflict, not found).
pub(crate) async fn audit_refused(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    target: Option<u32>,
    detail: &str,
) {
    let mut entry = Entry::by(session, action)
        .outcome(Outcome::Refused)
        .detail(detail);
    if let Some(id) = target {
        entry = entry.target("product", id);
    }
    audit::record_or_log(&state.db, &entry).await;
}

/// Records a write the catalog could not answer ("try again").
pub(crate) async fn audit_failed(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    target: Option<u32>,
) {
    let mut entry = Entry::by(session, action)
        .outcome(Outcome::Failed)
        .detail("the catalog did not answer");
    if let Some(id) = target {
        entry = entry.target("product", id);
    }
    audit::record_or_log(&state.db, &entry).await;
}

/// A write to the catalog: a failure to answer is audited as failed and shown as "try again".
pub(crate) async fn write<Req: Serialize, Resp: DeserializeOwned>(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    target: Option<u32>,
    subject: &str,
    request: &Req,
) -> Result<AdminReply<Resp>, AdminError> {
    match state.catalog.call(subject, request).await {
        Err(AdminError::Unavailable) => {
            audit_failed(state, session, action, target).await;
            Err(AdminError::Unavailable)
        }
        other => other,
    }
}

/// A category for selects: its id and "A > B" path.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategoryOption {
    pub id: u32,
    pub label: String,
}

/// The category tree, depth-first, as select options.
pub(crate) async fn category_options(state: &AppState) -> Result<Vec<CategoryOption>, AdminError> {
    match state
        .catalog
        .call::<_, CategoryTree>(CATEGORIES_TREE, &TreeRequest {})
        .await?
    {
        AdminReply::Ok(tree) => Ok(tree
            .categories
            .into_iter()
            .map(|category| CategoryOption {
                id: category.id,
                label: category.path_names.join(" > "),
            })
            .collect()),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the category tree was refused: {other:?}"
        ))),
    }
}
