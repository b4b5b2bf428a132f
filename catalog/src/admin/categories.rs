//! The category tree as the admin manages it: the tree with product counts, and create, rename, move and
//! delete (`rpc.catalog.admin.categories.*`, contract in `platform::contracts::catalog_admin::categories`).
//!
//! - **One change at a time.** Every command locks the whole tree first (`db::category_admin::lock_all`): two
//!   moves racing each other cannot build a cycle, and every decision (name clashes, emptiness) is made on
//!   locked rows.
//! - **Slugs and paths follow.** A rename rewrites the slugs of the category and its descendants; a move their
//!   slugs, paths and depths too, and the ancestor links of every product under it (so a category page finds
//!   the product under its new ancestors and no longer under its old ones).
//! - **Product documents follow.** A rename or move changes the category paths of every product under the
//!   category: the command queues them in its transaction, and `admin::reissue` bumps their versions and writes
//!   their ProductUpserted documents to the outbox in short batches right after, so the search index and
//!   Meilisearch follow without the command holding thousands of product rows.
//! - **Idempotent.** Each command claims its key (`platform::admin_commands`) in the same transaction: a
//!   double-submitted form changes nothing twice.

use std::{collections::HashMap, sync::Arc};

use platform::{
    Runtime,
    contracts::{
        admin::{AdminReply, Command, FieldError},
        catalog_admin::{
            CATEGORIES_CREATE, CATEGORIES_DELETE, CATEGORIES_MOVE, CATEGORIES_RENAME,
            CATEGORIES_TREE, RPC_GROUP,
            categories::{
                AdminCategory, CategoryChanged, CategoryDeleted, CategoryTree, CreateCategory,
                DeleteCategory, MAX_DEPTH, MAX_NAME_CHARS, MoveCategory, ProductCounts,
                RenameCategory, TreeRequest,
            },
        },
    },
};
use sqlx::{MySqlConnection, MySqlPool};
use tokio::sync::Notify;

use crate::product_cache::ProductCache;

use super::{
    category_tree::{Misplaced, Tree, relinks},
    commands::{Refused, carry_out, retrying, serve_endpoint},
    reissue,
};
use crate::db::{
    self,
    categories::slug_of_path,
    category_admin::{self as queries, CategoryRow},
};

/// Products whose links are rewritten per statement when a move touches many.
pub const PRODUCT_BATCH: usize = 500;

/// The whole tree, depth first and siblings by name, with each category's product counts.
pub async fn tree(pool: &MySqlPool) -> Result<AdminReply<CategoryTree>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let tree = Tree::new(queries::all(&mut conn).await?);
    let counts = queries::product_counts(&mut conn, None).await?;
    let categories = tree
        .in_display_order()
        .into_iter()
        .map(|row| view(&tree, row, &counts))
        .collect();
    Ok(AdminReply::Ok(CategoryTree { categories }))
}

/// A new category under its parent, or a new root.
pub async fn create(
    pool: &MySqlPool,
    command: &Command<CreateCategory>,
) -> Result<AdminReply<AdminCategory>, sqlx::Error> {
    carry_out(pool, CATEGORIES_CREATE, command, async |tx| {
        create_in(tx, &command.body).await
    })
    .await
}

/// A category's new name; its slug and its descendants' slugs follow.
pub async fn rename(
    pool: &MySqlPool,
    command: &Command<RenameCategory>,
) -> Result<AdminReply<CategoryChanged>, sqlx::Error> {
    carry_out(pool, CATEGORIES_RENAME, command, async |tx| {
        rename_in(tx, &command.body).await
    })
    .await
}

/// A category and its subtree under another parent (or to the top level), never under itself.
pub async fn move_category(
    pool: &MySqlPool,
    command: &Command<MoveCategory>,
) -> Result<AdminReply<CategoryChanged>, sqlx::Error> {
    carry_out(pool, CATEGORIES_MOVE, command, async |tx| {
        move_in(tx, &command.body).await
    })
    .await
}

/// Removes a category that has neither products nor subcategories.
pub async fn delete(
    pool: &MySqlPool,
    command: &Command<DeleteCategory>,
) -> Result<AdminReply<CategoryDeleted>, sqlx::Error> {
    carry_out(pool, CATEGORIES_DELETE, command, async |tx| {
        delete_in(tx, &command.body).await
    })
    .await
}

/// Adds the category endpoints to the catalog's NATS service and answers them until shutdown, with the worker
/// that issues the documents of the products a rename or move changed.
pub async fn endpoints(runtime: &Runtime, pages: &ProductCache) -> anyhow::Result<()> {
    let group = runtime.service.group(RPC_GROUP);
    let pool = runtime.db.clone();
    let wake = Arc::new(Notify::new());
    runtime.spawn(reissue::run(
        pool.clone(),
        wake.clone(),
        runtime.shutdown.clone(),
    ));
    serve_endpoint(
        runtime,
        &group,
        CATEGORIES_TREE,
        "The category tree with product counts",
        {
            let pool = pool.clone();
            move |_: TreeRequest| {
                let pool = pool.clone();
                async move { tree(&pool).await }
            }
        },
    )
    .await?;
    serve_endpoint(runtime, &group, CATEGORIES_CREATE, "Create a category", {
        let (pool, pages) = (pool.clone(), pages.clone());
        move |command: Command<CreateCategory>| {
            let (pool, pages) = (pool.clone(), pages.clone());
            async move {
                pages
                    .dropped_after(retrying(|| create(&pool, &command)))
                    .await
            }
        }
    })
    .await?;
    serve_endpoint(
        runtime,
        &group,
        CATEGORIES_RENAME,
        "Rename a category (its slug and its descendants' follow)",
        {
            let (pool, wake, pages) = (pool.clone(), wake.clone(), pages.clone());
            move |command: Command<RenameCategory>| {
                let (pool, wake, pages) = (pool.clone(), wake.clone(), pages.clone());
                async move {
                    let reply = pages
                        .dropped_after(retrying(|| rename(&pool, &command)))
                        .await;
                    wake.notify_one();
                    reply
                }
            }
        },
    )
    .await?;
    serve_endpoint(
        runtime,
        &group,
        CATEGORIES_MOVE,
        "Move a category and its subtree under another parent",
        {
            let (pool, pages) = (pool.clone(), pages.clone());
            move |command: Command<MoveCategory>| {
                let (pool, wake, pages) = (pool.clone(), wake.clone(), pages.clone());
                async move {
                    let reply = pages
                        .dropped_after(retrying(|| move_category(&pool, &command)))
                        .await;
                    wake.notify_one();
                    reply
                }
            }
        },
    )
    .await?;
    serve_endpoint(
        runtime,
        &group,
        CATEGORIES_DELETE,
        "Delete a category without products or subcategories",
        {
            let pages = pages.clone();
            move |command: Command<DeleteCategory>| {
                let (pool, pages) = (pool.clone(), pages.clone());
                async move {
                    pages
                        .dropped_after(retrying(|| delete(&pool, &command)))
                        .await
                }
            }
        },
    )
    .await
}

/// A category name as typed: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
fn parse_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

fn too_deep() -> String {
    format!(
        "categories go at most {} levels deep",
        u32::from(MAX_DEPTH) + 1
    )
}

async fn create_in(
    conn: &mut MySqlConnection,
    body: &CreateCategory,
) -> Result<Result<AdminCategory, Refused>, sqlx::Error> {
    let mut errors = Vec::new();
    let name = parse_name("name", &body.name).map_err(|err| errors.push(err));
    let tree = Tree::new(queries::lock_all(conn).await?);
    let parent = match body.parent_id {
        Some(id) => match tree.get(id) {
            Some(parent) if parent.depth >= MAX_DEPTH => {
                errors.push(FieldError::new("parent_id", too_deep()));
                None
            }
            Some(parent) => Some(parent),
            None => {
                errors.push(FieldError::new("parent_id", "no such category"));
                None
            }
        },
        None => None,
    };
    let Ok(name) = name else {
        return Ok(Err(Refused::Invalid(errors)));
    };
    if !errors.is_empty() {
        return Ok(Err(Refused::Invalid(errors)));
    }
    if queries::sibling_named(conn, body.parent_id, &name, None)
        .await?
        .is_some()
    {
        return Ok(Err(name_taken("name", &name)));
    }
    let mut names = parent.map(|p| tree.names_of(p.id)).unwrap_or_default();
    names.push(name.clone());
    let slug = slug_of_path(&names);
    if !queries::slugs_taken(conn, &[&slug], &[]).await?.is_empty() {
        return Ok(Err(slug_taken("name", &slug)));
    }
    let parent_path = parent.map(|p| p.path.clone()).unwrap_or_default();
    let id = match queries::insert(conn, body.parent_id, &name, &slug, &parent_path).await {
        Ok(id) => id,
        // Created by an import between our check and now.
        Err(err) if db::is_duplicate_key(&err) => return Ok(Err(slug_taken("name", &slug))),
        Err(err) => return Err(err),
    };
    let mut path = parent_path;
    path.push(id);
    Ok(Ok(AdminCategory {
        id,
        parent_id: body.parent_id,
        name,
        slug,
        depth: (path.len() - 1) as u8,
        path,
        path_names: names,
        children: 0,
        products: ProductCounts::default(),
        version: 1,
    }))
}

async fn rename_in(
    conn: &mut MySqlConnection,
    body: &RenameCategory,
) -> Result<Result<CategoryChanged, Refused>, sqlx::Error> {
    let name = match parse_name("name", &body.name) {
        Ok(name) => name,
        Err(err) => return Ok(Err(Refused::Invalid(vec![err]))),
    };
    let tree = Tree::new(queries::lock_all(conn).await?);
    let current = match editable(&tree, body.id, body.expected_version) {
        Ok(current) => current,
        Err(refused) => return Ok(Err(refused)),
    };
    if current.name == name {
        return unchanged(conn, &tree, body.id).await.map(Ok);
    }
    if queries::sibling_named(conn, current.parent_id, &name, Some(body.id))
        .await?
        .is_some()
    {
        return Ok(Err(name_taken("name", &name)));
    }
    // The same parent: a rename cannot land anywhere a move could not.
    let placed = tree
        .placed(body.id, current.parent_id, &name)
        .map_err(|_| sqlx::Error::Protocol("the tree of a renamed category".into()))?;
    relocate(conn, &tree, placed, "name", false).await
}

async fn move_in(
    conn: &mut MySqlConnection,
    body: &MoveCategory,
) -> Result<Result<CategoryChanged, Refused>, sqlx::Error> {
    let tree = Tree::new(queries::lock_all(conn).await?);
    let current = match editable(&tree, body.id, body.expected_version) {
        Ok(current) => current,
        Err(refused) => return Ok(Err(refused)),
    };
    if current.parent_id == body.new_parent_id {
        return unchanged(conn, &tree, body.id).await.map(Ok);
    }
    let placed = match tree.placed(body.id, body.new_parent_id, &current.name) {
        Ok(placed) => placed,
        Err(misplaced) => {
            let reason = match misplaced {
                Misplaced::UnknownParent => "no such category".to_owned(),
                Misplaced::UnderItself => {
                    "cannot move a category under itself or one of its own subcategories".to_owned()
                }
                Misplaced::TooDeep => too_deep(),
            };
            return Ok(Err(Refused::invalid("new_parent_id", reason)));
        }
    };
    if queries::sibling_named(conn, body.new_parent_id, &current.name, Some(body.id))
        .await?
        .is_some()
    {
        return Ok(Err(name_taken("new_parent_id", &current.name)));
    }
    relocate(conn, &tree, placed, "new_parent_id", true).await
}

async fn delete_in(
    conn: &mut MySqlConnection,
    body: &DeleteCategory,
) -> Result<Result<CategoryDeleted, Refused>, sqlx::Error> {
    let tree = Tree::new(queries::lock_all(conn).await?);
    let current = match editable(&tree, body.id, body.expected_version) {
        Ok(current) => current,
        Err(refused) => return Ok(Err(refused)),
    };
    let children = tree.children_count(body.id);
    let products = queries::product_counts(conn, Some(&[body.id]))
        .await?
        .get(&body.id)
        .map_or(0, |counts| counts.all);
    if children > 0 || products > 0 {
        let mut holds = Vec::new();
        if products > 0 {
            holds.push(plural(products, "product"));
        }
        if children > 0 {
            holds.push(plural(children.into(), "subcategory"));
        }
        return Ok(Err(Refused::conflict(format!(
            "“{}” still has {}: move or delete them first",
            current.name,
            holds.join(" and ")
        ))));
    }
    queries::delete(conn, body.id).await?;
    Ok(Ok(CategoryDeleted { id: body.id }))
}

/// The category the admin edits, if it exists and is still at the version they saw.
fn editable(tree: &Tree, id: u32, expected_version: u64) -> Result<&CategoryRow, Refused> {
    let current = tree
        .get(id)
        .ok_or_else(|| Refused::NotFound(format!("category {id}")))?;
    if current.version != expected_version {
        return Err(Refused::stale(current.version));
    }
    Ok(current)
}

/// Writes the subtree's new place (`placed`, root first) after checking its slugs are free, then the ancestor
/// links (for a move), and queues every product under it for its document. Slug clashes are refused naming
/// `field`.
async fn relocate(
    conn: &mut MySqlConnection,
    tree: &Tree,
    mut placed: Vec<CategoryRow>,
    field: &str,
    relink: bool,
) -> Result<Result<CategoryChanged, Refused>, sqlx::Error> {
    let Some(root) = placed.first_mut() else {
        return Err(sqlx::Error::RowNotFound);
    };
    root.version += 1;
    let id = root.id;
    let ids: Vec<u32> = placed.iter().map(|row| row.id).collect();
    let slugs: Vec<&str> = placed.iter().map(|row| row.slug.as_str()).collect();
    if let Some(taken) = queries::slugs_taken(conn, &slugs, &ids).await?.first() {
        return Ok(Err(slug_taken(field, taken)));
    }
    queries::rewrite(conn, &placed, id).await?;
    let after = tree.with(&placed);
    if relink {
        relink_products(conn, id, &after).await?;
    }
    let products_updated = queries::queue_reissue(conn, id).await?;
    let category = view_one(conn, &after, id).await?;
    Ok(Ok(CategoryChanged {
        category,
        products_updated,
    }))
}

/// Makes the ancestor links of every product under `category_id` match `tree`, [`PRODUCT_BATCH`] products per
/// statement.
async fn relink_products(
    conn: &mut MySqlConnection,
    category_id: u32,
    tree: &Tree,
) -> Result<(), sqlx::Error> {
    let ids = queries::product_ids_under(conn, category_id).await?;
    for batch in ids.chunks(PRODUCT_BATCH) {
        let changes = relinks(tree, &queries::links_of(conn, batch).await?);
        for (category, products) in &changes.delete {
            queries::delete_ancestor_links(conn, *category, products).await?;
        }
        for (category, products) in &changes.insert {
            queries::insert_ancestor_links(conn, *category, products).await?;
        }
    }
    Ok(())
}

/// The reply to a rename or move that changes nothing.
async fn unchanged(
    conn: &mut MySqlConnection,
    tree: &Tree,
    id: u32,
) -> Result<CategoryChanged, sqlx::Error> {
    Ok(CategoryChanged {
        category: view_one(conn, tree, id).await?,
        products_updated: 0,
    })
}

async fn view_one(
    conn: &mut MySqlConnection,
    tree: &Tree,
    id: u32,
) -> Result<AdminCategory, sqlx::Error> {
    let counts = queries::product_counts(conn, Some(&[id])).await?;
    let row = tree.get(id).ok_or(sqlx::Error::RowNotFound)?;
    Ok(view(tree, row, &counts))
}

fn view(tree: &Tree, row: &CategoryRow, counts: &HashMap<u32, ProductCounts>) -> AdminCategory {
    AdminCategory {
        id: row.id,
        parent_id: row.parent_id,
        name: row.name.clone(),
        slug: row.slug.clone(),
        depth: row.depth,
        path: row.path.clone(),
        path_names: tree.names_of(row.id),
        children: tree.children_count(row.id),
        products: counts.get(&row.id).copied().unwrap_or_default(),
        version: row.version,
    }
}

fn name_taken(field: &str, name: &str) -> Refused {
    let reason = if field == "name" {
        format!("there is already a category named “{name}” here")
    } else {
        format!("already has a subcategory named “{name}”")
    };
    Refused::invalid(field, reason)
}

fn slug_taken(field: &str, slug: &str) -> Refused {
    Refused::invalid(
        field,
        format!("another category already has the address “{slug}”: choose a more distinct name"),
    )
}

fn plural(n: u64, noun: &str) -> String {
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "subcategory") => format!("{n} subcategories"),
        _ => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_refused_when_empty_long_or_with_control_characters() {
        assert_eq!(parse_name("name", "  Phones "), Ok("Phones".to_owned()));
        assert_eq!(
            parse_name("name", "   ").unwrap_err().reason,
            "must not be empty"
        );
        assert!(parse_name("name", &"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(parse_name("name", "Tabs\there").is_err());
    }

    #[test]
    fn a_refusal_says_what_the_category_still_holds() {
        assert_eq!(plural(1, "product"), "1 product");
        assert_eq!(plural(2, "subcategory"), "2 subcategories");
    }
}
