//! Plain async functions over the checkout schema.

pub mod carts;
pub mod counts;
pub mod idempotency;
pub mod orders;
pub mod releases;

/// True for a unique-key violation.
pub fn is_duplicate_key(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code == "23000")
}
