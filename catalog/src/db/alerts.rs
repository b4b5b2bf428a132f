//! The SQL of back-in-stock alerts (`stock_alerts`, see its migration for the states).

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, Row as _};

/// A variant of a product, with what is available of it now.
#[derive(Debug, Clone)]
pub struct VariantStock {
    pub variant_id: u32,
    pub sku: String,
    pub available: u32,
}

/// The variants of the active product with `slug`, in display order; `None` when there is no such product.
pub async fn variants_of_active(
    conn: &mut MySqlConnection,
    slug: &str,
) -> Result<Option<Vec<VariantStock>>, sqlx::Error> {
    let Some(product_id) = super::documents::active_id_by_slug(conn, slug).await? else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT v.id, v.sku, i.on_hand - i.reserved AS available FROM variants v \
         JOIN inventory i ON i.variant_id = v.id WHERE v.product_id = ? ORDER BY v.position",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(VariantStock {
                variant_id: row.try_get("id")?,
                sku: row.try_get("sku")?,
                available: u32::try_from(row.try_get::<u64, _>("available")?).unwrap_or(u32::MAX),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map(Some)
}

/// What is available of `variant_id` now, read under a shared lock on its inventory row: a change of its stock
/// (which locks the row for update) waits for this transaction, or this one for it. `None` when the product is
/// not for sale (archived or a draft).
pub async fn lock_available(
    conn: &mut MySqlConnection,
    variant_id: u32,
) -> Result<Option<u32>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.on_hand - i.reserved AS available, p.status FROM inventory i \
         JOIN variants v ON v.id = i.variant_id JOIN products p ON p.id = v.product_id \
         WHERE i.variant_id = ? LOCK IN SHARE MODE",
    )
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    let available = u32::try_from(row.try_get::<u64, _>("available")?).unwrap_or(u32::MAX);
    Ok((status == "active").then_some(available))
}

/// How many requests `email` has waiting.
pub async fn waiting_of(conn: &mut MySqlConnection, email: &str) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stock_alerts WHERE email = ? AND state = 'waiting'",
    )
    .bind(email)
    .fetch_one(&mut *conn)
    .await?;
    Ok(count as u64)
}

/// Records a waiting request of `email` for `variant_id` with `token`, unless one waits already (then nothing
/// changes).
pub async fn insert_waiting(
    conn: &mut MySqlConnection,
    variant_id: u32,
    email: &str,
    token: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stock_alerts (variant_id, email, token) VALUES (?, ?, ?) \
         ON DUPLICATE KEY UPDATE id = id",
    )
    .bind(variant_id)
    .bind(email)
    .bind(token)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A waiting request, locked.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: u64,
    pub email: String,
    pub token: String,
    pub created_at: DateTime<Utc>,
}

/// The requests waiting for the variant `sku`, locked for update, oldest first.
pub async fn lock_waiting(
    conn: &mut MySqlConnection,
    sku: &str,
) -> Result<Vec<Waiting>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.id, a.email, a.token, a.created_at FROM variants v \
         JOIN stock_alerts a ON a.variant_id = v.id AND a.state = 'waiting' \
         WHERE v.sku = ? ORDER BY a.id FOR UPDATE",
    )
    .bind(sku)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Waiting {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                token: row.try_get("token")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// What an alert email says about the variant `sku`.
#[derive(Debug, Clone)]
pub struct Offer {
    pub product_sku: String,
    pub name: String,
    pub slug: String,
    pub status: String,
    pub price: rust_decimal::Decimal,
    pub option_values: Vec<String>,
    pub image: Option<String>,
}

pub async fn offer(conn: &mut MySqlConnection, sku: &str) -> Result<Option<Offer>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.sku AS product_sku, p.name, p.slug, p.status, v.price, v.option_values, \
         (SELECT url FROM product_images im WHERE im.product_id = p.id ORDER BY im.position LIMIT 1) AS image \
         FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ?",
    )
    .bind(sku)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Offer {
            product_sku: row.try_get("product_sku")?,
            name: row.try_get("name")?,
            slug: row.try_get("slug")?,
            status: row.try_get("status")?,
            price: row.try_get("price")?,
            option_values: super::stock::json_strings(&row, "option_values")?,
            image: row.try_get("image")?,
        })
    })
    .transpose()
}

/// Requests marked notified per statement: a restock of a much-wanted product marks thousands in its transaction.
const NOTIFIED_PER_STATEMENT: usize = 200;

/// Marks each request `(id, event_id)` notified by its event.
pub async fn mark_notified(
    conn: &mut MySqlConnection,
    notified: &[(u64, uuid::Uuid)],
) -> Result<(), sqlx::Error> {
    for chunk in notified.chunks(NOTIFIED_PER_STATEMENT) {
        let cases = " WHEN ? THEN ?".repeat(chunk.len());
        let sql = format!(
            "UPDATE stock_alerts SET state = 'notified', notified_at = NOW(6), \
             notify_event_id = CASE id{cases} END WHERE id IN ({})",
            super::placeholders(chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, event_id) in chunk {
            query = query.bind(*id).bind(event_id.to_string());
        }
        for (id, _) in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How many requests wait for `variant_id`.
pub async fn waiting_for(conn: &mut MySqlConnection, variant_id: u32) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stock_alerts WHERE variant_id = ? AND state = 'waiting'",
    )
    .bind(variant_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(count as u64)
}

/// A request as its unsubscribe page shows it, and as a confirmation reads it.
#[derive(Debug, Clone)]
pub struct Alert {
    pub id: u64,
    pub variant_id: u32,
    pub state: String,
    pub notify_event_id: Option<String>,
    pub sku: String,
    pub product_name: String,
    pub slug: String,
    pub option_values: Vec<String>,
}

const ALERT_COLUMNS: &str = "a.id, a.variant_id, a.state, a.notify_event_id, v.sku, \
     p.name AS product_name, p.slug, v.option_values";

fn alert_from_row(row: &sqlx::mysql::MySqlRow) -> Result<Alert, sqlx::Error> {
    Ok(Alert {
        id: row.try_get("id")?,
        variant_id: row.try_get("variant_id")?,
        state: row.try_get("state")?,
        notify_event_id: row.try_get("notify_event_id")?,
        sku: row.try_get("sku")?,
        product_name: row.try_get("product_name")?,
        slug: row.try_get("slug")?,
        option_values: super::stock::json_strings(row, "option_values")?,
    })
}

/// The request with unsubscribe `token`.
pub async fn by_token(
    conn: &mut MySqlConnection,
    token: &str,
) -> Result<Option<Alert>, sqlx::Error> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM stock_alerts a JOIN variants v ON v.id = a.variant_id \
         JOIN products p ON p.id = v.product_id WHERE a.token = ?"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(alert_from_row).transpose()
}

/// Request `id`, locked for update when `lock`.
pub async fn by_id(
    conn: &mut MySqlConnection,
    id: u64,
    lock: bool,
) -> Result<Option<Alert>, sqlx::Error> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM stock_alerts a JOIN variants v ON v.id = a.variant_id \
         JOIN products p ON p.id = v.product_id WHERE a.id = ?{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(alert_from_row).transpose()
}

/// Ends request `token`, whatever its state; false when there is no such request.
pub async fn unsubscribe(conn: &mut MySqlConnection, token: &str) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE stock_alerts SET state = 'unsubscribed', unsubscribed_at = NOW(6) \
         WHERE token = ? AND state <> 'unsubscribed'",
    )
    .bind(token)
    .execute(&mut *conn)
    .await?;
    Ok(by_token(conn, token).await?.is_some())
}

/// Puts notified request `id` back to waiting (its variant sold out again before its email went out). False
/// when the address already waits again for the variant (a newer request, which the next restock announces).
pub async fn rearm(conn: &mut MySqlConnection, id: u64) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE stock_alerts SET state = 'waiting', notify_event_id = NULL, notified_at = NULL \
         WHERE id = ? AND state = 'notified'",
    )
    .bind(id)
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) if crate::db::is_duplicate_key(&err) => Ok(false),
        Err(err) => Err(err),
    }
}
