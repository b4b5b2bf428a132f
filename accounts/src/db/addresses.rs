//! A customer's saved shipping addresses.

use chrono::{DateTime, Utc};
use platform::contracts::orders::Address;
use sqlx::{MySqlConnection, MySqlPool, Row as _};
use uuid::Uuid;

/// A saved address: who is there and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: u64,
    pub name: String,
    pub address: Address,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, name, line1, line2, city, region, postal_code, country, is_default, created_at";

fn saved(row: &sqlx::mysql::MySqlRow) -> Result<Saved, sqlx::Error> {
    Ok(Saved {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        address: Address {
            line1: row.try_get("line1")?,
            line2: row.try_get("line2")?,
            city: row.try_get("city")?,
            region: row.try_get("region")?,
            postal_code: row.try_get("postal_code")?,
            country: row.try_get("country")?,
        },
        is_default: row.try_get("is_default")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The customer's addresses, the default first, then newest first.
pub async fn list(pool: &MySqlPool, customer: Uuid) -> Result<Vec<Saved>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM addresses WHERE customer_id = ? \
         ORDER BY is_default DESC, created_at DESC, id DESC"
    )))
    .bind(customer.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(saved).collect()
}

/// The customer's address `id`, locked.
pub async fn lock(
    conn: &mut MySqlConnection,
    customer: Uuid,
    id: u64,
) -> Result<Option<Saved>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM addresses WHERE customer_id = ? AND id = ? FOR UPDATE"
    )))
    .bind(customer.to_string())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(saved).transpose()
}

pub async fn count(conn: &mut MySqlConnection, customer: Uuid) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM addresses WHERE customer_id = ?")
        .bind(customer.to_string())
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

pub async fn insert(
    conn: &mut MySqlConnection,
    customer: Uuid,
    name: &str,
    address: &Address,
    is_default: bool,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO addresses (customer_id, name, line1, line2, city, region, postal_code, country, is_default) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(customer.to_string())
    .bind(name)
    .bind(&address.line1)
    .bind(&address.line2)
    .bind(&address.city)
    .bind(&address.region)
    .bind(&address.postal_code)
    .bind(&address.country)
    .bind(is_default)
    .execute(conn)
    .await?
    .last_insert_id())
}

pub async fn update(
    conn: &mut MySqlConnection,
    id: u64,
    name: &str,
    address: &Address,
    is_default: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE addresses SET name = ?, line1 = ?, line2 = ?, city = ?, region = ?, postal_code = ?, \
         country = ?, is_default = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(name)
    .bind(&address.line1)
    .bind(&address.line2)
    .bind(&address.city)
    .bind(&address.region)
    .bind(&address.postal_code)
    .bind(&address.country)
    .bind(is_default)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes `id` the customer's only default (`None`: the newest address, when the default went).
pub async fn set_default(
    conn: &mut MySqlConnection,
    customer: Uuid,
    id: Option<u64>,
) -> Result<(), sqlx::Error> {
    let id = match id {
        Some(id) => Some(id),
        None => {
            sqlx::query_scalar(
                "SELECT id FROM addresses WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(customer.to_string())
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    sqlx::query("UPDATE addresses SET is_default = (id = ?) WHERE customer_id = ?")
        .bind(id.unwrap_or_default())
        .bind(customer.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut MySqlConnection, id: u64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM addresses WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
