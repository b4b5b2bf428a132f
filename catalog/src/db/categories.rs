//! Category queries. Each category stores the path of ids from the root (`/3/17/`), so a subtree is one index
//! range; products are linked to their categories and every ancestor (see `products`). The tree as the
//! storefront shows it is built in `crate::categories`.

use std::collections::HashMap;

use sqlx::{MySqlConnection, MySqlPool, Row as _};

use crate::domain::Slug;

/// One category with its ancestry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: u32,
    pub parent_id: Option<u32>,
    pub name: String,
    pub slug: String,
    pub depth: u8,
    /// Ids from the root to this category, inclusive.
    pub path_ids: Vec<u32>,
}

/// Category ids by path of names, so an import resolves each path once.
#[derive(Debug, Default)]
pub struct CategoryCache {
    by_path: HashMap<Vec<String>, Vec<u32>>,
}

impl CategoryCache {
    /// The ids from root to leaf of `names`, creating the categories that do not exist yet.
    pub async fn ensure_path(
        &mut self,
        conn: &mut MySqlConnection,
        names: &[String],
    ) -> Result<Vec<u32>, sqlx::Error> {
        if let Some(ids) = self.by_path.get(names) {
            return Ok(ids.clone());
        }
        let mut ids: Vec<u32> = Vec::with_capacity(names.len());
        for depth in 0..names.len() {
            let prefix = &names[..=depth];
            if let Some(known) = self.by_path.get(prefix) {
                ids = known.clone();
                continue;
            }
            let id = ensure_one(conn, ids.last().copied(), prefix, &ids).await?;
            ids.push(id);
            self.by_path.insert(prefix.to_vec(), ids.clone());
        }
        Ok(ids)
    }
}

/// The slug of a category with these names from the root: each name slugified, joined by `--`.
pub(crate) fn slug_of_path(names: &[String]) -> String {
    names
        .iter()
        .map(|name| Slug::from_text(name, 60).to_string())
        .collect::<Vec<_>>()
        .join("--")
}

/// The materialized path of these ids from the root (`/3/17/`).
pub(crate) fn path_string(ids: &[u32]) -> String {
    let mut path = String::from("/");
    for id in ids {
        path.push_str(&id.to_string());
        path.push('/');
    }
    path
}

async fn ensure_one(
    conn: &mut MySqlConnection,
    parent_id: Option<u32>,
    names: &[String],
    parent_ids: &[u32],
) -> Result<u32, sqlx::Error> {
    let slug = slug_of_path(names);
    let name = names.last().map(String::as_str).unwrap_or_default();
    // LAST_INSERT_ID(id) makes an existing row report its own id, so one statement finds or creates it.
    let result = sqlx::query(
        "INSERT INTO categories (parent_id, name, slug, path, depth) VALUES (?, ?, ?, '', ?) \
         ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
    )
    .bind(parent_id)
    .bind(name)
    .bind(&slug)
    .bind(names.len() as u8 - 1)
    .execute(&mut *conn)
    .await?;
    let id = result.last_insert_id() as u32;
    let mut ids = parent_ids.to_vec();
    ids.push(id);
    sqlx::query("UPDATE categories SET path = ? WHERE id = ? AND path = ''")
        .bind(path_string(&ids))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// The ids of a materialized path, root first.
pub(crate) fn parse_path(path: &str) -> Vec<u32> {
    path.split('/').filter_map(|id| id.parse().ok()).collect()
}

fn category_from_row(row: &sqlx::mysql::MySqlRow) -> Result<Category, sqlx::Error> {
    let path: String = row.try_get("path")?;
    Ok(Category {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        depth: row.try_get("depth")?,
        path_ids: parse_path(&path),
    })
}

/// Every category, keyed by id (the tree is small: hundreds to a few thousand rows).
pub async fn all(pool: &MySqlPool) -> Result<HashMap<u32, Category>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, parent_id, name, slug, depth, path FROM categories")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| category_from_row(row).map(|c| (c.id, c)))
        .collect()
}

/// Active products per category (counting descendants' products too), for the tree.
pub async fn active_product_counts(pool: &MySqlPool) -> Result<HashMap<u32, u64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT category_id, COUNT(*) AS products FROM product_categories WHERE active GROUP BY category_id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("category_id")?,
                row.try_get::<i64, _>("products")? as u64,
            ))
        })
        .collect()
}
