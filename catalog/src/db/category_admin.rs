//! The queries behind the admin's category commands (`crate::admin::categories`): the tree locked for a
//! change, product counts, rewriting a subtree's slugs and paths, and the product links and versions a rename or
//! a move touches. No decisions here.

use std::collections::HashMap;

use platform::contracts::catalog_admin::categories::ProductCounts;
use sqlx::{AssertSqlSafe, MySqlConnection, Row as _};

use super::{
    bind_each,
    categories::{parse_path, path_string},
    in_list, placeholders, with_ids,
};

/// A category as the admin changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRow {
    pub id: u32,
    pub parent_id: Option<u32>,
    pub name: String,
    pub slug: String,
    /// Ids from the root to this category, inclusive.
    pub path: Vec<u32>,
    pub depth: u8,
    pub version: u64,
}

const COLUMNS: &str = "id, parent_id, name, slug, path, depth, version";

fn row_of(row: &sqlx::mysql::MySqlRow) -> Result<CategoryRow, sqlx::Error> {
    Ok(CategoryRow {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        path: parse_path(&row.try_get::<String, _>("path")?),
        depth: row.try_get("depth")?,
        version: row.try_get("version")?,
    })
}

/// Every category, read plainly (the tree to show).
pub async fn all(conn: &mut MySqlConnection) -> Result<Vec<CategoryRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM categories ORDER BY id");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(row_of).collect()
}

/// Every category, locked: the admin's tree changes run one after another, so two concurrent moves can never
/// build a cycle between them, and a product link to a category being deleted waits for the delete. The tree
/// is small (hundreds to a few thousand rows).
pub async fn lock_all(conn: &mut MySqlConnection) -> Result<Vec<CategoryRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM categories ORDER BY id FOR UPDATE");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(row_of).collect()
}

/// Product counts per category, for `ids` (every category without them). Each product is linked to its
/// categories and to all their ancestors once, so the links of a category count the products of its subtree.
pub async fn product_counts(
    conn: &mut MySqlConnection,
    ids: Option<&[u32]>,
) -> Result<HashMap<u32, ProductCounts>, sqlx::Error> {
    let sql = match ids {
        Some([]) => return Ok(HashMap::new()),
        Some(ids) => product_counts_sql(ids.len()),
        None => product_counts_sql(0),
    };
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids.unwrap_or_default() {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("category_id")?,
                ProductCounts {
                    direct_all: row.try_get("direct_all")?,
                    direct_active: row.try_get("direct_active")?,
                    all: row.try_get("all_products")?,
                    active: row.try_get("active")?,
                },
            ))
        })
        .collect()
}

/// The counts query, of `ids` categories (bound in order) or of every category with 0. Grouped over
/// `ix_product_categories_counts`, which holds every column it reads: one pass over a narrow index.
pub fn product_counts_sql(ids: usize) -> String {
    let filter = if ids == 0 {
        String::new()
    } else {
        format!("WHERE category_id IN ({})", placeholders(ids))
    };
    format!(
        "SELECT category_id, CAST(SUM(direct) AS UNSIGNED) AS direct_all, \
                CAST(SUM(direct AND active) AS UNSIGNED) AS direct_active, \
                CAST(COUNT(*) AS UNSIGNED) AS all_products, CAST(SUM(active) AS UNSIGNED) AS active \
         FROM product_categories FORCE INDEX (ix_product_categories_counts) {filter} GROUP BY category_id"
    )
}

/// The id of a category under `parent_id` (among the roots without it) named `name` as the column compares
/// names (ignoring case and accents), other than `except`.
pub async fn sibling_named(
    conn: &mut MySqlConnection,
    parent_id: Option<u32>,
    name: &str,
    except: Option<u32>,
) -> Result<Option<u32>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM categories WHERE parent_id <=> ? AND name = ? AND id <> ? LIMIT 1",
    )
    .bind(parent_id)
    .bind(name)
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut *conn)
    .await
}

/// Which of `slugs` a category other than `except` already has.
pub async fn slugs_taken(
    conn: &mut MySqlConnection,
    slugs: &[&str],
    except: &[u32],
) -> Result<Vec<String>, sqlx::Error> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = format!(
        "SELECT slug FROM categories WHERE slug IN ({})",
        placeholders(slugs.len())
    );
    if !except.is_empty() {
        sql.push_str(&format!(" AND id NOT IN ({})", placeholders(except.len())));
    }
    let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
    for slug in slugs {
        query = query.bind(*slug);
    }
    for id in except {
        query = query.bind(*id);
    }
    query.fetch_all(&mut *conn).await
}

/// Inserts a category under the parent whose path is `parent_path` (a root when empty); its id.
pub async fn insert(
    conn: &mut MySqlConnection,
    parent_id: Option<u32>,
    name: &str,
    slug: &str,
    parent_path: &[u32],
) -> Result<u32, sqlx::Error> {
    let depth = u8::try_from(parent_path.len()).unwrap_or(u8::MAX);
    let id = sqlx::query(
        "INSERT INTO categories (parent_id, name, slug, path, depth) VALUES (?, ?, ?, '', ?)",
    )
    .bind(parent_id)
    .bind(name)
    .bind(slug)
    .bind(depth)
    .execute(&mut *conn)
    .await?
    .last_insert_id() as u32;
    let mut path = parent_path.to_vec();
    path.push(id);
    sqlx::query("UPDATE categories SET path = ? WHERE id = ?")
        .bind(path_string(&path))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Writes the new place of every category in `rows` (parent, name, slug, path, depth), and bumps the version of
/// `changed` (the category the admin renamed or moved). Slugs are unique: every slug of the subtree is first set
/// to a placeholder no real slug can equal (`~<id>`), so that a new slug may take an old one of the same subtree.
pub async fn rewrite(
    conn: &mut MySqlConnection,
    rows: &[CategoryRow],
    changed: u32,
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE categories SET slug = CONCAT('~', id) WHERE id IN ({})",
        placeholders(rows.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        query = query.bind(row.id);
    }
    query.execute(&mut *conn).await?;
    for row in rows {
        sqlx::query(
            "UPDATE categories SET parent_id = ?, name = ?, slug = ?, path = ?, depth = ?, \
                    version = version + (id = ?) WHERE id = ?",
        )
        .bind(row.parent_id)
        .bind(&row.name)
        .bind(&row.slug)
        .bind(path_string(&row.path))
        .bind(row.depth)
        .bind(changed)
        .bind(row.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deletes a category (without products or children: the foreign keys refuse anything else).
pub async fn delete(conn: &mut MySqlConnection, id: u32) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM categories WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The products in the category or any of its descendants (all linked to it), by id.
pub async fn product_ids_under(
    conn: &mut MySqlConnection,
    category_id: u32,
) -> Result<Vec<u32>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT product_id FROM product_categories WHERE category_id = ? ORDER BY product_id",
    )
    .bind(category_id)
    .fetch_all(&mut *conn)
    .await
}

/// Bumps the version of `product_ids` (locking their rows, in id order): their documents changed.
pub async fn bump_product_versions(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<(), sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let query = with_ids(
        "UPDATE products SET version = version + 1 WHERE id IN ({ids}) ORDER BY id",
        product_ids,
    );
    query.execute(&mut *conn).await?;
    Ok(())
}

/// One product-category link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub product_id: u32,
    pub category_id: u32,
    /// Put there by the admin (not an ancestor link).
    pub direct: bool,
}

/// Every link of `product_ids`.
pub async fn links_of(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<Vec<Link>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = with_ids(
        "SELECT product_id, category_id, direct FROM product_categories WHERE product_id IN ({ids})",
        product_ids,
    );
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(Link {
                product_id: row.try_get("product_id")?,
                category_id: row.try_get("category_id")?,
                direct: row.try_get("direct")?,
            })
        })
        .collect()
}

/// Removes the ancestor links of `product_ids` to `category_id` (never a direct one).
pub async fn delete_ancestor_links(
    conn: &mut MySqlConnection,
    category_id: u32,
    product_ids: &[u32],
) -> Result<(), sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let query = bind_each(
        sqlx::query(in_list(
            "DELETE FROM product_categories WHERE category_id = ? AND NOT direct AND product_id IN ({ids})",
            product_ids.len(),
        )).bind(category_id),
        product_ids,
    );
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Links `product_ids` to `category_id` as an ancestor, with the listing's keys copied from the products (as
/// the product write path copies them); a link that exists already is left as it is.
pub async fn insert_ancestor_links(
    conn: &mut MySqlConnection,
    category_id: u32,
    product_ids: &[u32],
) -> Result<(), sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let query = bind_each(sqlx::query(in_list("INSERT INTO product_categories \
             (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) \
         SELECT ?, p.id, FALSE, p.status = 'active', p.price, p.popularity, p.created_at, p.brand, p.in_stock \
         FROM products p WHERE p.id IN ({ids}) \
         ON DUPLICATE KEY UPDATE direct = product_categories.direct", product_ids.len())).bind(category_id), product_ids);
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Queues every product under `category_id` (all are linked to it) for its document to be issued again; how
/// many there are.
pub async fn queue_reissue(
    conn: &mut MySqlConnection,
    category_id: u32,
) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "INSERT IGNORE INTO product_reissues (product_id) \
         SELECT product_id FROM product_categories WHERE category_id = ?",
    )
    .bind(category_id)
    .execute(&mut *conn)
    .await?;
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM product_categories WHERE category_id = ?")
            .bind(category_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(queued as u64)
}

/// Takes up to `limit` queued products, lowest id first, skipping those another worker holds.
pub async fn take_reissues(
    conn: &mut MySqlConnection,
    limit: u32,
) -> Result<Vec<u32>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT product_id FROM product_reissues ORDER BY product_id LIMIT ? FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Removes issued products from the queue.
pub async fn done_reissues(
    conn: &mut MySqlConnection,
    product_ids: &[u32],
) -> Result<(), sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let query = with_ids(
        "DELETE FROM product_reissues WHERE product_id IN ({ids})",
        product_ids,
    );
    query.execute(&mut *conn).await?;
    Ok(())
}
