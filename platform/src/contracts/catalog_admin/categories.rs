//! The category tree as the admin manages it (`rpc.catalog.admin.categories.*`).
//!
//! A category's slug is the path of its names from the root, slugified and joined by `--`
//! (`home-kitchen--cookware`): renaming or moving a category changes its slug and its descendants' slugs, and
//! the documents of every product under it (their category paths), which the catalog emits again.
//!
//! | subject               | request                       | `ok` reply        |
//! |-----------------------|-------------------------------|-------------------|
//! | `…categories.tree`    | [`TreeRequest`] (a query)     | [`CategoryTree`]  |
//! | `…categories.create`  | `Command<`[`CreateCategory`]`>` | [`AdminCategory`] |
//! | `…categories.rename`  | `Command<`[`RenameCategory`]`>` | [`CategoryChanged`] |
//! | `…categories.move`    | `Command<`[`MoveCategory`]`>`   | [`CategoryChanged`] |
//! | `…categories.delete`  | `Command<`[`DeleteCategory`]`>` | [`CategoryDeleted`] |
//!
//! Refusals: a bad or clashing name is `invalid` on `name` (names are unique among siblings, ignoring case);
//! a parent that does not exist, or a move under the category itself or one of its descendants, is `invalid`
//! on `parent_id` / `new_parent_id`; a stale `expected_version` is `conflict` with the current version; deleting
//! a category that still has products or subcategories is `conflict` saying which; an unknown `id` is
//! `not_found`.

use serde::{Deserialize, Serialize};

/// The longest category name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// The deepest a category may sit: roots are depth 0, so the tree has at most this many levels plus one.
pub const MAX_DEPTH: u8 = 7;

/// `categories.tree` request: no fields (an empty body is fine).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeRequest {}

/// The whole tree, flat, in display order: depth first, siblings by name. A category's children follow it;
/// indent by `depth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTree {
    pub categories: Vec<AdminCategory>,
}

/// One category with its place in the tree and its product counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCategory {
    pub id: u32,
    pub parent_id: Option<u32>,
    pub name: String,
    /// The storefront's key of the category (`GET /api/products?category=<slug>`).
    pub slug: String,
    /// 0 for a root.
    pub depth: u8,
    /// Ids from the root to this category, inclusive.
    pub path: Vec<u32>,
    /// Names from the root to this category, inclusive (`["Home", "Kitchen"]`).
    pub path_names: Vec<String>,
    /// Direct subcategories.
    pub children: u32,
    pub products: ProductCounts,
    /// Grows with every rename or move; carried back as `expected_version`.
    pub version: u64,
}

/// How many products a category holds, of any status (`all`) and active only (`active`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCounts {
    /// Put in this very category.
    pub direct_all: u64,
    pub direct_active: u64,
    /// In this category or any of its descendants (each product once).
    pub all: u64,
    pub active: u64,
}

/// `categories.create`: a new category under `parent_id`, or a new root without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCategory {
    #[serde(default)]
    pub parent_id: Option<u32>,
    pub name: String,
}

/// `categories.rename`: the category keeps its place; its slug and its descendants' slugs follow the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameCategory {
    pub id: u32,
    pub name: String,
    pub expected_version: u64,
}

/// `categories.move`: the category and its whole subtree go under `new_parent_id` (to the top level without
/// it). Its products are then found under their new ancestors and no longer under the old ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveCategory {
    pub id: u32,
    #[serde(default)]
    pub new_parent_id: Option<u32>,
    pub expected_version: u64,
}

/// `categories.delete`: only a category without products and without subcategories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCategory {
    pub id: u32,
    pub expected_version: u64,
}

/// The reply to a rename or a move: the category as it now is, and how many products' documents changed
/// (their category paths; each is emitted again as `ProductUpserted` with its version bumped, in batches right
/// after the reply: the storefront's listing follows at once, the search index within moments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChanged {
    pub category: AdminCategory,
    pub products_updated: u64,
}

/// The reply to a delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryDeleted {
    pub id: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::admin::{Actor, AdminReply, Command};

    #[test]
    fn a_move_to_the_top_level_leaves_the_parent_out() {
        let command: Command<MoveCategory> = serde_json::from_value(serde_json::json!({
            "idempotency_key": uuid::Uuid::nil(), "actor": {"staff_id": 1, "email": "a@shop.test"},
            "id": 4, "expected_version": 2
        }))
        .unwrap();
        assert_eq!(
            command,
            Command {
                idempotency_key: uuid::Uuid::nil(),
                actor: Actor {
                    staff_id: 1,
                    email: "a@shop.test".to_owned()
                },
                body: MoveCategory {
                    id: 4,
                    new_parent_id: None,
                    expected_version: 2
                }
            }
        );
    }

    #[test]
    fn a_delete_reply_keeps_its_wire_shape() {
        assert_eq!(
            serde_json::to_value(AdminReply::Ok(CategoryDeleted { id: 9 })).unwrap(),
            serde_json::json!({"ok": {"id": 9}})
        );
    }
}
