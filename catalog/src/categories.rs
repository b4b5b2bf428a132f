//! The category tree as the storefront reads it: a short-lived snapshot of every category (read on every
//! request, changed rarely), the tree with product counts, the subcategories a shopper can narrow to, and a
//! category's path from the root.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use platform::contracts::catalog::CategoryRef;
use serde::Serialize;
use sqlx::MySqlPool;
use tokio::sync::RwLock;
use utoipa::ToSchema;

use crate::db::{self, categories::Category};

/// How stale the snapshot may be: a new category shows up within this.
const SNAPSHOT_TTL: Duration = Duration::from_secs(10);

/// Every category by id, and when it was read.
type Snapshot = Option<(Instant, Arc<HashMap<u32, Category>>)>;

/// Every category, read at most every [`SNAPSHOT_TTL`]; clones share the snapshot.
#[derive(Clone, Default)]
pub struct Categories {
    snapshot: Arc<RwLock<Snapshot>>,
}

impl std::fmt::Debug for Categories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Categories").finish_non_exhaustive()
    }
}

impl Categories {
    /// Every category by id, at most [`SNAPSHOT_TTL`] old.
    pub async fn all(&self, pool: &MySqlPool) -> Result<Arc<HashMap<u32, Category>>, sqlx::Error> {
        if let Some((loaded, categories)) = self.snapshot.read().await.as_ref()
            && loaded.elapsed() < SNAPSHOT_TTL
        {
            return Ok(categories.clone());
        }
        let mut slot = self.snapshot.write().await;
        if let Some((loaded, categories)) = slot.as_ref()
            && loaded.elapsed() < SNAPSHOT_TTL
        {
            return Ok(categories.clone());
        }
        let categories = Arc::new(db::categories::all(pool).await?);
        *slot = Some((Instant::now(), categories.clone()));
        Ok(categories)
    }
}

/// The category with `slug`.
pub fn by_slug<'a>(categories: &'a HashMap<u32, Category>, slug: &str) -> Option<&'a Category> {
    categories.values().find(|category| category.slug == slug)
}

/// A category's ancestors and itself, root first.
pub fn path_of(category: &Category, categories: &HashMap<u32, Category>) -> Vec<CategoryRef> {
    category
        .path_ids
        .iter()
        .filter_map(|id| categories.get(id))
        .map(|c| CategoryRef {
            slug: c.slug.clone(),
            name: c.name.clone(),
            depth: None,
        })
        .collect()
}

/// The categories a shopper can narrow to, as `(id, slug, name)` by name: the children of `parent`, or the
/// top level.
pub fn child_categories(
    categories: &HashMap<u32, Category>,
    parent: Option<u32>,
) -> Vec<(u32, String, String)> {
    let mut children: Vec<_> = categories
        .values()
        .filter(|category| category.parent_id == parent)
        .map(|category| (category.id, category.slug.clone(), category.name.clone()))
        .collect();
    children.sort_by(|a, b| a.2.cmp(&b.2));
    children
}

/// A node of the category tree with its children.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryNode {
    pub slug: String,
    pub name: String,
    pub depth: u8,
    /// Active products in this category and its descendants.
    pub product_count: u64,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// Builds the tree from the flat list, children sorted by name.
pub fn build_tree(
    categories: &HashMap<u32, Category>,
    counts: &HashMap<u32, u64>,
) -> Vec<CategoryNode> {
    let mut children_of: HashMap<Option<u32>, Vec<&Category>> = HashMap::new();
    for category in categories.values() {
        children_of
            .entry(category.parent_id)
            .or_default()
            .push(category);
    }
    fn build(
        parent: Option<u32>,
        children_of: &HashMap<Option<u32>, Vec<&Category>>,
        counts: &HashMap<u32, u64>,
    ) -> Vec<CategoryNode> {
        let mut nodes: Vec<CategoryNode> = children_of
            .get(&parent)
            .into_iter()
            .flatten()
            .map(|category| CategoryNode {
                slug: category.slug.clone(),
                name: category.name.clone(),
                depth: category.depth,
                product_count: counts.get(&category.id).copied().unwrap_or(0),
                children: build(Some(category.id), children_of, counts),
            })
            .collect();
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        nodes
    }
    build(None, &children_of, counts)
}
