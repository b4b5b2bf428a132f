//! What a MariaDB error means for the caller: a rolled-back lock conflict that may simply be run again, or a
//! unique key that already holds the value. One place for the error codes every service reacts to.

use sqlx::mysql::MySqlDatabaseError;

/// MariaDB's "deadlock found".
const DEADLOCK: u16 = 1213;
/// MariaDB's "lock wait timeout exceeded".
const LOCK_WAIT_TIMEOUT: u16 = 1205;
/// SQLSTATE of an integrity constraint violation (a duplicate unique key).
const DUPLICATE_KEY: &str = "23000";

/// True for a deadlock or a lock wait timeout: the transaction was rolled back as a whole and may simply be run
/// again.
pub fn is_lock_conflict(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<MySqlDatabaseError>())
        .is_some_and(|mysql| matches!(mysql.number(), DEADLOCK | LOCK_WAIT_TIMEOUT))
}

/// True for a unique-key violation.
pub fn is_duplicate_key(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code == DUPLICATE_KEY)
}
