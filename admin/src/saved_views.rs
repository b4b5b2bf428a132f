//! Saved views: a list page's filters saved under a name by one staff member, opened again as a link. The
//! pages own what the query string means; this module only keeps them.

use serde::Serialize;
use sqlx::MySqlPool;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SavedView {
    pub id: u64,
    pub name: String,
    pub query_string: String,
}

/// Longest name and query string kept.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_QUERY_CHARS: usize = 2000;

/// The views `staff_id` saved for `page`, by name.
pub async fn list(
    pool: &MySqlPool,
    staff_id: u64,
    page: &str,
) -> Result<Vec<SavedView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, query_string FROM saved_views WHERE staff_id = ? AND page = ? ORDER BY name",
    )
    .bind(staff_id)
    .bind(page)
    .fetch_all(pool)
    .await
}

/// Saves (or replaces) the view `name` of `page`. The caller checks the lengths against
/// [`MAX_NAME_CHARS`] and [`MAX_QUERY_CHARS`] and shows the refusal next to the field.
pub async fn save(
    pool: &MySqlPool,
    staff_id: u64,
    page: &str,
    name: &str,
    query_string: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO saved_views (staff_id, page, name, query_string) VALUES (?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE query_string = VALUES(query_string)",
    )
    .bind(staff_id)
    .bind(page)
    .bind(name)
    .bind(query_string)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes one of `staff_id`'s own views; false when there was none with that id.
pub async fn delete(pool: &MySqlPool, staff_id: u64, id: u64) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM saved_views WHERE id = ? AND staff_id = ?")
            .bind(id)
            .bind(staff_id)
            .execute(pool)
            .await?
            .rows_affected()
            == 1,
    )
}
