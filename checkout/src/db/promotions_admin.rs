//! The admin's queries of promotions (`admin::promotions`): the list with its figures, one promotion with its
//! targets and shareable code, their writes, generated single-use codes, and what promotions took off an order.
//!
//! A promotion's shareable code is its code without a use limit (`max_uses IS NULL`); generated codes are
//! single-use (`max_uses = 1`). The list's figures come from grouped queries over the page's ids (one for the
//! redemptions and their orders, one for the codes), never a query per row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::contracts::{
    orders_admin::{OrderDiscount, RedemptionState},
    promotions_admin::{
        CodeRow, PromotionKind, PromotionRow, PromotionRules, PromotionScope, PromotionState,
        PromotionStats,
    },
};
use rust_decimal::Decimal;
use sqlx::{MySql, MySqlConnection, QueryBuilder, Row as _, mysql::MySqlRow};

use super::Locking;

/// The columns of a promotion's own row, as [`stored`] reads them.
const COLUMNS: &str = "p.id, p.name, p.kind, p.value, p.scope, p.min_subtotal, p.starts_at, p.ends_at, \
                       p.automatic, p.first_order_only, p.max_uses, p.max_uses_per_customer, p.uses, \
                       p.state, p.version, p.created_at, p.updated_at";

/// The order states whose orders count as revenue: paid, and not failed or cancelled since.
const REVENUE_STATES: &str = "'paid', 'processing', 'shipped', 'delivered', 'refunded'";

/// A promotion as stored, with its targets and shareable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPromotion {
    pub id: u64,
    pub version: u64,
    pub rules: PromotionRules,
    pub state: PromotionState,
    /// Orders holding a use of it now.
    pub uses: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn decode_error(column: &str, what: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: what.into(),
    }
}

/// An enum column's value as the contract names it.
fn named<T>(row: &MySqlRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    let name: String = row.try_get(column)?;
    parse(&name).ok_or_else(|| decode_error(column, format!("{column} {name:?}")))
}

fn state_of(row: &MySqlRow) -> Result<PromotionState, sqlx::Error> {
    named(row, "state", PromotionState::parse)
}

/// The promotion in `row` (read with [`COLUMNS`]), without its targets and code.
fn stored(row: &MySqlRow) -> Result<StoredPromotion, sqlx::Error> {
    let version: u32 = row.try_get("version")?;
    Ok(StoredPromotion {
        id: row.try_get("id")?,
        version: version.into(),
        rules: PromotionRules {
            name: row.try_get("name")?,
            kind: named(row, "kind", PromotionKind::parse)?,
            value: row.try_get("value")?,
            scope: named(row, "scope", PromotionScope::parse)?,
            targets: Vec::new(),
            min_subtotal: row.try_get("min_subtotal")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            automatic: row.try_get("automatic")?,
            first_order_only: row.try_get("first_order_only")?,
            max_uses: row.try_get("max_uses")?,
            max_uses_per_customer: row.try_get("max_uses_per_customer")?,
            code: None,
        },
        state: state_of(row)?,
        uses: row.try_get("uses")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Promotion `id` with its targets and shareable code; `locking` takes its row's lock, which every change of
/// the promotion takes first.
pub async fn by_id(
    conn: &mut MySqlConnection,
    id: u64,
    locking: Locking,
) -> Result<Option<StoredPromotion>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promotions p WHERE p.id = ?{}",
        locking.clause()
    );
    // Only the fixed columns and clause above are spliced in.
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut promotion = stored(&row)?;
    promotion.rules.targets = super::promotions::targets_of(&mut *conn, id).await?;
    promotion.rules.code = shareable_code(conn, id).await?;
    Ok(Some(promotion))
}

/// The code of promotion `id` without a use limit (the first, should there be several).
pub async fn shareable_code(
    conn: &mut MySqlConnection,
    id: u64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(code) FROM promotion_codes WHERE promotion_id = ? AND max_uses IS NULL",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Which promotion `code` belongs to, and its use limit; `None` when no promotion has it.
pub async fn code_owner(
    conn: &mut MySqlConnection,
    code: &str,
) -> Result<Option<(u64, Option<u32>)>, sqlx::Error> {
    sqlx::query_as("SELECT promotion_id, max_uses FROM promotion_codes WHERE code = ?")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// A page of promotions, newest first, after the promotion `after`; each row's figures and codes are left
/// empty for [`figures`] and [`codes`] to fill.
pub async fn page(
    conn: &mut MySqlConnection,
    after: Option<u64>,
    limit: u32,
) -> Result<Vec<PromotionRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.kind, p.value, p.scope, p.automatic, p.state, p.starts_at, p.ends_at, \
         p.max_uses, p.uses, p.version, \
         (SELECT COUNT(*) FROM promotion_targets t WHERE t.promotion_id = p.id) AS target_count \
         FROM promotions p WHERE p.id < ? ORDER BY p.id DESC LIMIT ?",
    )
    .bind(after.unwrap_or(u64::MAX))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let version: u32 = row.try_get("version")?;
            let targets: i64 = row.try_get("target_count")?;
            Ok(PromotionRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: named(row, "kind", PromotionKind::parse)?,
                value: row.try_get("value")?,
                scope: named(row, "scope", PromotionScope::parse)?,
                target_count: u32::try_from(targets).unwrap_or(u32::MAX),
                automatic: row.try_get("automatic")?,
                code: None,
                single_use_codes: 0,
                state: state_of(row)?,
                starts_at: row.try_get("starts_at")?,
                ends_at: row.try_get("ends_at")?,
                max_uses: row.try_get("max_uses")?,
                stats: PromotionStats {
                    uses: row.try_get("uses")?,
                    ..PromotionStats::default()
                },
                version: version.into(),
            })
        })
        .collect()
}

/// `SELECT ... WHERE <column> IN (ids) <tail>`, the ids bound.
fn with_ids(head: &str, ids: &[u64], tail: &str) -> QueryBuilder<MySql> {
    let mut query = QueryBuilder::new(head);
    query.push(" IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    query.push(") ");
    query.push(tail);
    query
}

/// What the promotions `ids` took off and brought in, by promotion (absent: no order holds a use of it):
/// `(discount, revenue)`. One grouped query over the held redemptions and their orders.
pub async fn figures(
    conn: &mut MySqlConnection,
    ids: &[u64],
) -> Result<HashMap<u64, (Decimal, Decimal)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let head = format!(
        "SELECT r.promotion_id, SUM(r.amount + r.shipping) AS discount, \
         COALESCE(SUM(CASE WHEN o.state IN ({REVENUE_STATES}) THEN o.total - o.refunded_total END), 0) \
         AS revenue \
         FROM redemptions r LEFT JOIN orders o ON o.number = r.order_number \
         WHERE r.state = 'held' AND r.promotion_id"
    );
    let mut query = with_ids(&head, ids, "GROUP BY r.promotion_id");
    let rows = query.build().fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let discount: Option<Decimal> = row.try_get("discount")?;
            let revenue: Option<Decimal> = row.try_get("revenue")?;
            Ok((
                row.try_get("promotion_id")?,
                (discount.unwrap_or_default(), revenue.unwrap_or_default()),
            ))
        })
        .collect()
}

/// The shareable code and the number of single-use codes of each of the promotions `ids` that has codes.
pub async fn codes(
    conn: &mut MySqlConnection,
    ids: &[u64],
) -> Result<HashMap<u64, (Option<String>, u64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = with_ids(
        "SELECT promotion_id, MIN(CASE WHEN max_uses IS NULL THEN code END) AS shared, \
         COUNT(max_uses) AS single_use FROM promotion_codes WHERE promotion_id",
        ids,
        "GROUP BY promotion_id",
    );
    let rows = query.build().fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let single_use: i64 = row.try_get("single_use")?;
            Ok((
                row.try_get("promotion_id")?,
                (
                    row.try_get("shared")?,
                    u64::try_from(single_use).unwrap_or_default(),
                ),
            ))
        })
        .collect()
}

/// A new active promotion with `rules` (targets and code apart); its id.
pub async fn insert(
    conn: &mut MySqlConnection,
    rules: &PromotionRules,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO promotions (name, kind, value, scope, min_subtotal, starts_at, ends_at, automatic, \
         first_order_only, max_uses, max_uses_per_customer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&rules.name)
    .bind(rules.kind.as_str())
    .bind(rules.value)
    .bind(rules.scope.as_str())
    .bind(rules.min_subtotal)
    .bind(rules.starts_at)
    .bind(rules.ends_at)
    .bind(rules.automatic)
    .bind(rules.first_order_only)
    .bind(rules.max_uses)
    .bind(rules.max_uses_per_customer)
    .execute(conn)
    .await?;
    Ok(done.last_insert_id())
}

/// Promotion `id`'s own row to `rules` (targets and code apart), one version on.
pub async fn update(
    conn: &mut MySqlConnection,
    id: u64,
    rules: &PromotionRules,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE promotions SET name = ?, kind = ?, value = ?, scope = ?, min_subtotal = ?, starts_at = ?, \
         ends_at = ?, automatic = ?, first_order_only = ?, max_uses = ?, max_uses_per_customer = ?, \
         version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(&rules.name)
    .bind(rules.kind.as_str())
    .bind(rules.value)
    .bind(rules.scope.as_str())
    .bind(rules.min_subtotal)
    .bind(rules.starts_at)
    .bind(rules.ends_at)
    .bind(rules.automatic)
    .bind(rules.first_order_only)
    .bind(rules.max_uses)
    .bind(rules.max_uses_per_customer)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Promotion `id`'s targets, replaced by `targets` (distinct as the table compares them).
pub async fn replace_targets(
    conn: &mut MySqlConnection,
    id: u64,
    targets: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM promotion_targets WHERE promotion_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if targets.is_empty() {
        return Ok(());
    }
    // IGNORE: two targets the table's collation takes for one ("Café", "cafe") are stored once.
    let mut insert =
        QueryBuilder::<MySql>::new("INSERT IGNORE INTO promotion_targets (promotion_id, target) ");
    insert.push_values(targets, |mut row, target| {
        row.push_bind(id).push_bind(target.as_str());
    });
    insert.build().execute(conn).await?;
    Ok(())
}

/// Removes promotion `id`'s shareable codes other than `keep`.
pub async fn remove_shareable_codes(
    conn: &mut MySqlConnection,
    id: u64,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM promotion_codes WHERE promotion_id = ? AND max_uses IS NULL AND code <> COALESCE(?, '')",
    )
    .bind(id)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

/// `code` as promotion `id`'s shareable code; a duplicate key error when any promotion has it already.
pub async fn insert_shareable_code(
    conn: &mut MySqlConnection,
    id: u64,
    code: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO promotion_codes (code, promotion_id, max_uses) VALUES (?, ?, NULL)")
        .bind(code)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Promotion `id` moved to `state`, one version on.
pub async fn set_state(
    conn: &mut MySqlConnection,
    id: u64,
    state: PromotionState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE promotions SET state = ?, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) \
         WHERE id = ?",
    )
    .bind(state.as_str())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// `codes` as single-use codes of promotion `id`, in one statement; a code some promotion has already is
/// skipped. How many were inserted.
pub async fn insert_single_use_codes(
    conn: &mut MySqlConnection,
    id: u64,
    codes: &[String],
) -> Result<u64, sqlx::Error> {
    if codes.is_empty() {
        return Ok(0);
    }
    let mut insert = QueryBuilder::<MySql>::new(
        "INSERT IGNORE INTO promotion_codes (code, promotion_id, max_uses) ",
    );
    insert.push_values(codes, |mut row, code| {
        row.push_bind(code.as_str()).push_bind(id).push("1");
    });
    Ok(insert.build().execute(conn).await?.rows_affected())
}

/// How many single-use codes promotion `id` has.
pub async fn single_use_count(conn: &mut MySqlConnection, id: u64) -> Result<u64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM promotion_codes WHERE promotion_id = ? AND max_uses IS NOT NULL",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Up to `limit` of promotion `id`'s codes after `after`, in code order (the promotion's index holds its codes
/// in that order).
pub async fn codes_page(
    conn: &mut MySqlConnection,
    id: u64,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<CodeRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT code, max_uses, uses FROM promotion_codes WHERE promotion_id = ? AND code > ? \
         ORDER BY code LIMIT ?",
    )
    .bind(id)
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CodeRow {
                code: row.try_get("code")?,
                max_uses: row.try_get("max_uses")?,
                uses: row.try_get("uses")?,
            })
        })
        .collect()
}

/// What the promotions took off the order `number`, in the order they were applied, with the name each had
/// then (its current name for a redemption written before names were kept).
pub async fn order_discounts(
    conn: &mut MySqlConnection,
    number: &str,
) -> Result<Vec<OrderDiscount>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.promotion_id, COALESCE(NULLIF(r.name, ''), p.name) AS name, r.code, r.amount, r.shipping, \
         r.state FROM redemptions r JOIN promotions p ON p.id = r.promotion_id \
         WHERE r.order_number = ? ORDER BY r.id",
    )
    .bind(number)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            Ok(OrderDiscount {
                promotion_id: row.try_get("promotion_id")?,
                name: row.try_get("name")?,
                code: row.try_get("code")?,
                amount: row.try_get("amount")?,
                shipping: row.try_get("shipping")?,
                state: match state.as_str() {
                    "held" => RedemptionState::Held,
                    "released" => RedemptionState::Released,
                    _ => RedemptionState::Unknown,
                },
            })
        })
        .collect()
}
