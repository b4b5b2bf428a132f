//! Plain async functions over the catalog schema. Each takes a connection or pool; callers own transactions.

pub mod categories;
pub mod documents;
pub mod listing;
pub mod products;
pub mod search;
pub mod stock;

/// MariaDB error codes worth reacting to.
pub(crate) mod codes {
    pub(crate) const DUPLICATE_KEY: &str = "23000";
    pub(crate) const DEADLOCK: u16 = 1213;
    pub(crate) const LOCK_WAIT_TIMEOUT: u16 = 1205;
}

/// True for errors that a retry of the whole transaction can cure (deadlock, lock wait timeout).
pub fn is_retryable(err: &sqlx::Error) -> bool {
    let Some(db) = err.as_database_error() else {
        return false;
    };
    let Some(mysql) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() else {
        return false;
    };
    matches!(mysql.number(), codes::DEADLOCK | codes::LOCK_WAIT_TIMEOUT)
}

/// True for a unique-key violation.
pub fn is_duplicate_key(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code == codes::DUPLICATE_KEY)
}

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
