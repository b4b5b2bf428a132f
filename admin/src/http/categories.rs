//! The category tree: every category with its product counts (anyone signed in), and, for staff and owners,
//! creating, renaming, moving (under a parent chosen from the valid ones) and deleting an empty category.
//!
//! The catalog owns the tree and its rules (`rpc.catalog.admin.categories.*`, contract in
//! `platform::contracts::catalog_admin::categories`): this module shows its answers. A refused name is shown
//! next to the field, a stale version or a non-empty category as the catalog's reason with a link to reload,
//! and every write is audited with the category before and after.

use std::collections::HashMap;

use axum::{
    Form, Router,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog_admin::{
        CATEGORIES_CREATE, CATEGORIES_DELETE, CATEGORIES_MOVE, CATEGORIES_RENAME, CATEGORIES_TREE,
        categories::{
            AdminCategory, CategoryChanged, CategoryDeleted, CategoryTree, CreateCategory,
            DeleteCategory, MAX_NAME_CHARS, MoveCategory, RenameCategory, TreeRequest,
        },
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    AppState,
    error::AdminError,
    extract::{CurrentSession, Flash, RequireStaff, RequireViewer},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    services::command,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/categories", get(tree).post(create))
        .route("/admin/categories/{id}", get(edit))
        .route("/admin/categories/{id}/rename", post(rename))
        .route("/admin/categories/{id}/move", post(move_category))
        .route("/admin/categories/{id}/delete", post(delete))
}

/// The whole tree, as the catalog answers it.
async fn load_tree(state: &AppState) -> Result<Vec<AdminCategory>, AdminError> {
    match state
        .catalog
        .call::<_, CategoryTree>(CATEGORIES_TREE, &TreeRequest {})
        .await?
    {
        AdminReply::Ok(tree) => Ok(tree.categories),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the category tree was refused: {other:?}"
        ))),
    }
}

/// One row of the tree as the templates show it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    category: &'a AdminCategory,
    /// "Home › Kitchen"
    label: String,
    /// Indentation class, capped where the layout stops indenting.
    indent: u8,
}

fn row(category: &AdminCategory) -> Row<'_> {
    Row {
        category,
        label: category.path_names.join(" › "),
        indent: category.depth.min(7),
    }
}

/// A choice in a parent select: "" for the top level, else the category's id.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

fn top_level() -> Choice {
    Choice {
        value: String::new(),
        label: "(top level)".to_owned(),
    }
}

/// Where a category may go: the top level unless it is there already, and every category that is neither
/// itself, one of its descendants, nor its current parent (the catalog refuses the others anyway).
fn valid_parents(tree: &[AdminCategory], moving: &AdminCategory) -> Vec<Choice> {
    let mut choices = Vec::new();
    if moving.parent_id.is_some() {
        choices.push(top_level());
    }
    choices.extend(
        tree.iter()
            .filter(|c| !c.path.contains(&moving.id) && Some(c.id) != moving.parent_id)
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.path_names.join(" › "),
            }),
    );
    choices
}

fn all_parents(tree: &[AdminCategory]) -> Vec<Choice> {
    std::iter::once(top_level())
        .chain(tree.iter().map(|c| Choice {
            value: c.id.to_string(),
            label: c.path_names.join(" › "),
        }))
        .collect()
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct CreateForm {
    #[serde(skip_serializing)]
    idempotency_key: Option<Uuid>,
    name: String,
    /// "" for a new top-level category.
    parent_id: String,
}

fn tree_page(tree: &[AdminCategory], form: &CreateForm) -> Page {
    let rows: Vec<Row<'_>> = tree.iter().map(row).collect();
    Page::new("categories/tree.html", "Categories", "categories")
        .with("rows", &rows)
        .with("parents", &all_parents(tree))
        .with("form", form)
        .with("max_name_chars", &MAX_NAME_CHARS)
}

async fn tree(
    State(state): State<AppState>,
    session: RequireViewer,
) -> Result<Response, AdminError> {
    let tree = load_tree(&state).await?;
    Ok(state.render(Some(&session), tree_page(&tree, &CreateForm::default())))
}

/// A parent id as the select sends it: empty for none.
fn parse_parent(value: &str, field: &str) -> Result<Option<u32>, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| FieldError {
        field: field.to_owned(),
        reason: "must be a category from the list".to_owned(),
    })
}

fn idempotency_key(key: Option<Uuid>) -> Result<Uuid, AdminError> {
    key.ok_or_else(|| {
        AdminError::BadRequest(
            "The form was incomplete (no idempotency key): reload the page and try again."
                .to_owned(),
        )
    })
}

/// "name: must not be empty; parent_id: ..." for the audit log.
fn detail(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn refused(
    session: &CurrentSession,
    state: &AppState,
    action: &str,
    id: Option<u32>,
    why: &str,
) {
    let mut entry = Entry::by(session, action)
        .outcome(Outcome::Refused)
        .detail(why);
    if let Some(id) = id {
        entry = entry.target("category", id);
    }
    audit::record_or_log(&state.db, &entry).await;
}

async fn create(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(form): Form<CreateForm>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(form.idempotency_key)?;
    let reply = match parse_parent(&form.parent_id, "parent_id") {
        Ok(parent_id) => {
            let body = CreateCategory {
                parent_id,
                name: form.name.clone(),
            };
            state
                .catalog
                .call::<_, AdminCategory>(CATEGORIES_CREATE, &command(&session, key, body))
                .await
        }
        Err(error) => Ok(AdminReply::Invalid {
            errors: vec![error],
        }),
    };
    let reply = failed_if_unavailable(&state, &session, "category.create", None, reply).await?;
    match reply {
        AdminReply::Ok(category) => {
            audit::record(
                &state.db,
                &Entry::by(&session, "category.create")
                    .command(key)
                    .target("category", category.id)
                    .after(&category),
            )
            .await?;
            Ok(redirect_with_flash(
                "/admin/categories",
                &Flash::success(format!(
                    "“{}” was created.",
                    category.path_names.join(" › ")
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            refused(&session, &state, "category.create", None, &detail(&errors)).await;
            let tree = load_tree(&state).await?;
            Ok(state.render(
                Some(&session),
                tree_page(&tree, &form).with_errors(field_errors(&errors)),
            ))
        }
        AdminReply::Conflict { reason, .. } => {
            refused(&session, &state, "category.create", None, &reason).await;
            Ok(redirect_with_flash(
                "/admin/categories",
                &Flash::error(reason),
            ))
        }
        AdminReply::NotFound { what } => {
            refused(&session, &state, "category.create", None, &what).await;
            Err(AdminError::NotFound)
        }
    }
}

/// The catalog could not answer: the attempt is in the audit log as failed, and the page says "try again".
async fn failed_if_unavailable<T>(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    id: Option<u32>,
    reply: Result<AdminReply<T>, AdminError>,
) -> Result<AdminReply<T>, AdminError> {
    if let Err(AdminError::Unavailable) = &reply {
        let mut entry = Entry::by(session, action)
            .outcome(Outcome::Failed)
            .detail("the catalog did not answer");
        if let Some(id) = id {
            entry = entry.target("category", id);
        }
        audit::record_or_log(&state.db, &entry).await;
    }
    reply
}

/// The catalog's field names as the forms name their inputs.
fn field_errors(errors: &[FieldError]) -> HashMap<String, String> {
    errors
        .iter()
        .map(|e| {
            let field = match e.field.as_str() {
                "new_parent_id" => "new_parent_id",
                "parent_id" => "parent_id",
                "name" => "name",
                _ => "form",
            };
            (field.to_owned(), e.reason.clone())
        })
        .collect()
}

/// What the edit page shows besides the category: typed values to show again, and a conflict.
#[derive(Debug, Default, Serialize)]
struct EditState {
    name: Option<String>,
    new_parent_id: Option<String>,
    /// The catalog's reason for a conflict, shown above the forms with a link to reload.
    conflict: Option<String>,
}

fn edit_page(tree: &[AdminCategory], category: &AdminCategory, shown: &EditState) -> Page {
    let children: Vec<Row<'_>> = tree
        .iter()
        .filter(|c| c.parent_id == Some(category.id))
        .map(row)
        .collect();
    let page = Page::new(
        "categories/edit.html",
        &category.path_names.join(" › "),
        "categories",
    )
    .with("category", &row(category))
    .with("children", &children)
    .with("parents", &valid_parents(tree, category))
    .with("name", &shown.name.as_deref().unwrap_or(&category.name))
    .with(
        "new_parent_id",
        &shown.new_parent_id.as_deref().unwrap_or_default(),
    )
    .with("max_name_chars", &MAX_NAME_CHARS);
    match &shown.conflict {
        Some(reason) => page.with("conflict", reason).status(StatusCode::CONFLICT),
        None => page,
    }
}

fn find(tree: &[AdminCategory], id: u32) -> Result<&AdminCategory, AdminError> {
    tree.iter().find(|c| c.id == id).ok_or(AdminError::NotFound)
}

async fn edit(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(id): Path<u32>,
) -> Result<Response, AdminError> {
    let tree = load_tree(&state).await?;
    let category = find(&tree, id)?;
    Ok(state.render(
        Some(&session),
        edit_page(&tree, category, &EditState::default()),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangeForm {
    idempotency_key: Option<Uuid>,
    /// The category's version when the form was shown.
    version: u64,
    name: String,
    new_parent_id: String,
}

/// How a write ended, for the common answer of rename, move and delete.
struct Change<'a> {
    action: &'static str,
    key: Uuid,
    id: u32,
    before: &'a AdminCategory,
    shown: EditState,
}

/// The answer to a rename, move or delete: back to the page with a flash when done; the edit page again with
/// the field errors or the conflict otherwise. Audited either way.
async fn answer<T: Serialize>(
    state: &AppState,
    session: &CurrentSession,
    tree: &[AdminCategory],
    change: Change<'_>,
    reply: AdminReply<T>,
    done: impl FnOnce(&T) -> (String, String),
) -> Result<Response, AdminError> {
    let Change {
        action,
        key,
        id,
        before,
        mut shown,
    } = change;
    match reply {
        AdminReply::Ok(after) => {
            audit::record(
                &state.db,
                &Entry::by(session, action)
                    .command(key)
                    .target("category", id)
                    .before(before)
                    .after(&after),
            )
            .await?;
            let (to, message) = done(&after);
            Ok(redirect_with_flash(&to, &Flash::success(message)))
        }
        AdminReply::Invalid { errors } => {
            refused(session, state, action, Some(id), &detail(&errors)).await;
            Ok(state.render(
                Some(session),
                edit_page(tree, before, &shown).with_errors(field_errors(&errors)),
            ))
        }
        AdminReply::Conflict {
            reason,
            current_version,
        } => {
            refused(session, state, action, Some(id), &reason).await;
            // A stale version: the page shows the category as it now is, typed values dropped.
            let current = load_tree(state).await?;
            let Ok(now) = find(&current, id) else {
                return Err(AdminError::NotFound);
            };
            shown.conflict = Some(if current_version.is_some() {
                capitalised(&reason)
            } else {
                reason
            });
            Ok(state.render(Some(session), edit_page(&current, now, &shown)))
        }
        AdminReply::NotFound { what } => {
            refused(session, state, action, Some(id), &what).await;
            Err(AdminError::NotFound)
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

async fn rename(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u32>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(form.idempotency_key)?;
    let tree = load_tree(&state).await?;
    let before = find(&tree, id)?;
    let body = RenameCategory {
        id,
        name: form.name.clone(),
        expected_version: form.version,
    };
    let reply = state
        .catalog
        .call::<_, CategoryChanged>(CATEGORIES_RENAME, &command(&session, key, body))
        .await;
    let reply = failed_if_unavailable(&state, &session, "category.rename", Some(id), reply).await?;
    let change = Change {
        action: "category.rename",
        key,
        id,
        before,
        shown: EditState {
            name: Some(form.name),
            ..EditState::default()
        },
    };
    answer(&state, &session, &tree, change, reply, |changed| {
        (
            format!("/admin/categories/{id}"),
            format!(
                "Renamed to “{}”{}.",
                changed.category.name,
                products_note(changed.products_updated)
            ),
        )
    })
    .await
}

fn products_note(updated: u64) -> String {
    match updated {
        0 => String::new(),
        1 => "; 1 product follows".to_owned(),
        n => format!("; {n} products follow"),
    }
}

async fn move_category(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u32>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(form.idempotency_key)?;
    let tree = load_tree(&state).await?;
    let before = find(&tree, id)?;
    let reply = match parse_parent(&form.new_parent_id, "new_parent_id") {
        Ok(new_parent_id) => {
            let body = MoveCategory {
                id,
                new_parent_id,
                expected_version: form.version,
            };
            state
                .catalog
                .call::<_, CategoryChanged>(CATEGORIES_MOVE, &command(&session, key, body))
                .await
        }
        Err(error) => Ok(AdminReply::Invalid {
            errors: vec![error],
        }),
    };
    let reply = failed_if_unavailable(&state, &session, "category.move", Some(id), reply).await?;
    let change = Change {
        action: "category.move",
        key,
        id,
        before,
        shown: EditState {
            new_parent_id: Some(form.new_parent_id),
            ..EditState::default()
        },
    };
    answer(&state, &session, &tree, change, reply, |changed| {
        (
            format!("/admin/categories/{id}"),
            format!(
                "Moved: now “{}”{}.",
                changed.category.path_names.join(" › "),
                products_note(changed.products_updated)
            ),
        )
    })
    .await
}

async fn delete(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u32>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(form.idempotency_key)?;
    let tree = load_tree(&state).await?;
    let before = find(&tree, id)?;
    let body = DeleteCategory {
        id,
        expected_version: form.version,
    };
    let reply = state
        .catalog
        .call::<_, CategoryDeleted>(CATEGORIES_DELETE, &command(&session, key, body))
        .await;
    let reply = failed_if_unavailable(&state, &session, "category.delete", Some(id), reply).await?;
    let label = before.path_names.join(" › ");
    let change = Change {
        action: "category.delete",
        key,
        id,
        before,
        shown: EditState::default(),
    };
    answer(&state, &session, &tree, change, reply, |_| {
        (
            "/admin/categories".to_owned(),
            format!("“{label}” was deleted."),
        )
    })
    .await
}
