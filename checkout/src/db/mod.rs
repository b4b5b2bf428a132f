//! Plain async functions over the checkout schema.

pub mod admin;
pub mod carts;
pub mod counts;
pub mod customers;
pub mod idempotency;
pub mod orders;
pub mod promotions;
pub mod promotions_admin;
pub mod releases;
pub mod reports;

/// Whether a read also takes the rows' write locks, until the caller's transaction ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locking {
    /// A plain read.
    None,
    /// `SELECT … FOR UPDATE`: inside a transaction, to change what was read without a race.
    ForUpdate,
}

impl Locking {
    /// The clause that ends the query.
    fn clause(self) -> &'static str {
        match self {
            Self::None => "",
            Self::ForUpdate => " FOR UPDATE",
        }
    }
}

pub use platform::sql::is_duplicate_key;
