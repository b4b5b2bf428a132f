//! Plain async functions over the catalog schema. Each takes a connection or pool; callers own transactions.

pub mod admin;
pub mod alerts;
pub mod categories;
pub mod category_admin;
pub mod documents;
pub mod images;
pub mod listing;
pub mod products;
pub mod search;
pub mod sitemap;
pub mod stock;
pub mod stock_admin;

pub use platform::sql::{is_duplicate_key, is_lock_conflict};
use sqlx::{AssertSqlSafe, MySql, mysql::MySqlArguments, query::Query};

/// `?, ?, ?` for `n` placeholders (only ever placeholders: values are always bound).
pub(crate) fn placeholders(n: usize) -> String {
    let mut out = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('?');
    }
    out
}

/// `sql` with `{ids}` replaced by one placeholder per id, and the ids bound in order: a statement about the
/// rows of a list (`WHERE product_id IN ({ids})`). Values before the list are bound with [`bind_each`] on a
/// query built from [`in_list`].
pub(crate) fn with_ids<'q>(sql: &str, ids: &'q [u32]) -> Query<'q, MySql, MySqlArguments> {
    bind_each(sqlx::query(in_list(sql, ids.len())), ids)
}

/// `sql` with `{ids}` replaced by `n` placeholders.
pub(crate) fn in_list(sql: &str, n: usize) -> AssertSqlSafe<String> {
    AssertSqlSafe(sql.replace("{ids}", &placeholders(n)))
}

/// `query` with each of `ids` bound, in order.
pub(crate) fn bind_each<'q>(
    mut query: Query<'q, MySql, MySqlArguments>,
    ids: &[u32],
) -> Query<'q, MySql, MySqlArguments> {
    for id in ids {
        query = query.bind(*id);
    }
    query
}
