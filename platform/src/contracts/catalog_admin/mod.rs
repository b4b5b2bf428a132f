//! What the catalog answers to the web admin (`rpc.catalog.admin.*`, NATS services API group [`RPC_GROUP`]):
//! every write is a [`Command`](super::admin::Command), every reply an [`AdminReply`](super::admin::AdminReply).
//! (The catalog-admin-products branch writes the full version of this file; this one declares the categories
//! and stock parts.)

pub mod categories;
pub mod stock;

/// The NATS services API group of the catalog's admin endpoints.
pub const RPC_GROUP: &str = "rpc.catalog.admin";

/// The whole category tree with product counts ([`categories::TreeRequest`]).
pub const CATEGORIES_TREE: &str = "rpc.catalog.admin.categories.tree";
/// A new category ([`categories::CreateCategory`]).
pub const CATEGORIES_CREATE: &str = "rpc.catalog.admin.categories.create";
/// A category's new name ([`categories::RenameCategory`]).
pub const CATEGORIES_RENAME: &str = "rpc.catalog.admin.categories.rename";
/// A category and its subtree under another parent ([`categories::MoveCategory`]).
pub const CATEGORIES_MOVE: &str = "rpc.catalog.admin.categories.move";
/// An empty category removed ([`categories::DeleteCategory`]).
pub const CATEGORIES_DELETE: &str = "rpc.catalog.admin.categories.delete";

/// A variant's units on hand changed, with a reason ([`stock::AdjustStock`]).
pub const STOCK_ADJUST: &str = "rpc.catalog.admin.stock.adjust";
/// The recorded adjustments, newest first ([`stock::StockHistoryRequest`]).
pub const STOCK_HISTORY: &str = "rpc.catalog.admin.stock.history";
/// Variants at or below their product's low-stock threshold, lowest first ([`stock::LowStockRequest`]).
pub const STOCK_LOW: &str = "rpc.catalog.admin.stock.low";
