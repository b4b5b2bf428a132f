//! Plain async functions over the catalog schema. Each takes a connection or pool; callers own transactions.

pub mod admin;
pub mod categories;
pub mod category_admin;
pub mod documents;
pub mod images;
pub mod listing;
pub mod products;
pub mod search;
pub mod stock;
pub mod stock_admin;

pub use platform::sql::{is_duplicate_key, is_lock_conflict};

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
