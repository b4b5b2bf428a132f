//! The catalog's side of the web admin (`rpc.catalog.admin.*`): one function per operation, taking the
//! request's values and answering an [`AdminReply`](platform::contracts::admin::AdminReply), and the NATS
//! endpoints that call them. Refusals (bad fields, a stale version, an unknown id) are replies, and nothing is
//! written for them; `Err` is a failure of the database, which the endpoint turns into a "try again" service
//! error.
//!
//! Writes take their idempotency key with `platform::admin_commands` in the transaction of the change, bump
//! the product's version and write the same events an import writes (ProductUpserted, StockChanged), so the
//! storefront, the search index and Meilisearch follow every admin change.

pub mod categories;
mod category_tree;
mod commands;
pub mod import;
pub mod listing;
pub mod products;
pub mod reissue;
pub mod stock;

/// The reply to an edit of a product someone else changed since the form was opened.
pub const CHANGED_SINCE: &str = platform::admin_commands::CHANGED_SINCE;
