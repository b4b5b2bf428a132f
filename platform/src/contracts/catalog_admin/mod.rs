//! What the catalog answers to the web admin: NATS services API endpoints of the `catalog` service under
//! `rpc.catalog.admin.*` (`nats micro info catalog`). Every write is a [`Command`](super::admin::Command) and
//! every reply an [`AdminReply`](super::admin::AdminReply) (see `platform::contracts::admin`); a failure of the
//! catalog itself (its database is down) is a NATS service error the admin shows as "try again".

pub mod categories;
pub mod images;
pub mod stock;

/// The NATS services API group of the admin endpoints; the catalog's NATS user may subscribe to
/// `rpc.catalog.admin.>` and the admin's user may publish there.
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

pub const IMAGES_ADD: &str = "rpc.catalog.admin.images.add";
pub const IMAGES_UPDATE: &str = "rpc.catalog.admin.images.update";
pub const IMAGES_REORDER: &str = "rpc.catalog.admin.images.reorder";
pub const IMAGES_DELETE: &str = "rpc.catalog.admin.images.delete";
