//! What the catalog answers to the web admin: NATS services API endpoints of the `catalog` service under
//! `rpc.catalog.admin.*` (`nats micro info catalog`). Every write is a [`Command`](super::admin::Command) and
//! every reply an [`AdminReply`](super::admin::AdminReply) (see `platform::contracts::admin`); a failure of the
//! catalog itself (its database is down) is a NATS service error the admin shows as "try again".
//!
//! | subject                                   | request                        | reply (`AdminReply<_>`)       |
//! |-------------------------------------------|--------------------------------|-------------------------------|
//! | `rpc.catalog.admin.products.list`         | [`listing::ListProducts`]      | [`listing::ProductPage`]      |
//! | `rpc.catalog.admin.products.get`          | [`products::GetProduct`]       | [`products::ProductDetail`]   |
//! | `rpc.catalog.admin.products.save`         | `Command<`[`products::SaveProduct`]`>`    | [`products::SavedProduct`] |
//! | `rpc.catalog.admin.products.archive`      | `Command<`[`products::ArchiveProduct`]`>` | [`products::SavedProduct`] |
//! | `rpc.catalog.admin.products.bulk`         | `Command<`[`products::BulkProducts`]`>`   | [`products::BulkResult`]   |
//! | `rpc.catalog.admin.products.import`       | `Command<`[`import::ImportProducts`]`>`   | [`import::ImportReport`]   |
//! | `rpc.catalog.admin.stock.*`               | see [`stock`]                  |                               |
//! | `rpc.catalog.admin.categories.*`          | see [`categories`]             |                               |
//! | `rpc.catalog.admin.images.*`              | see [`images`]                 |                               |
//! | `rpc.catalog.admin.outbox`                | [`OutboxRequest`](super::admin::OutboxRequest) | [`OutboxBacklog`](super::admin::OutboxBacklog) |

pub mod categories;
pub mod images;
pub mod import;
pub mod listing;
pub mod products;
pub mod stock;

/// The NATS services API group of the admin endpoints; the catalog's NATS user may subscribe to
/// `rpc.catalog.admin.>` and the admin's user may publish there.
pub const RPC_GROUP: &str = "rpc.catalog.admin";

/// A page of products for the admin's list: search, filters, sort, keyset pagination.
pub const PRODUCTS_LIST: &str = "rpc.catalog.admin.products.list";
/// The whole editable product.
pub const PRODUCTS_GET: &str = "rpc.catalog.admin.products.get";
/// Create or update a product with its variants and categories.
pub const PRODUCTS_SAVE: &str = "rpc.catalog.admin.products.save";
/// Archive one product.
pub const PRODUCTS_ARCHIVE: &str = "rpc.catalog.admin.products.archive";
/// One action on many products, all or nothing.
pub const PRODUCTS_BULK: &str = "rpc.catalog.admin.products.bulk";
/// Products and stock from CSV, every row validated before anything is written.
pub const PRODUCTS_IMPORT: &str = "rpc.catalog.admin.products.import";

pub const STOCK_ADJUST: &str = "rpc.catalog.admin.stock.adjust";
/// The recorded adjustments, newest first ([`stock::StockHistoryRequest`]).
pub const STOCK_HISTORY: &str = "rpc.catalog.admin.stock.history";
pub const STOCK_LOW: &str = "rpc.catalog.admin.stock.low";

pub const CATEGORIES_TREE: &str = "rpc.catalog.admin.categories.tree";
pub const CATEGORIES_CREATE: &str = "rpc.catalog.admin.categories.create";
pub const CATEGORIES_RENAME: &str = "rpc.catalog.admin.categories.rename";
pub const CATEGORIES_MOVE: &str = "rpc.catalog.admin.categories.move";
pub const CATEGORIES_DELETE: &str = "rpc.catalog.admin.categories.delete";

/// The catalog's events not yet on the CATALOG stream.
pub const OUTBOX: &str = "rpc.catalog.admin.outbox";

pub const IMAGES_ADD: &str = "rpc.catalog.admin.images.add";
pub const IMAGES_UPDATE: &str = "rpc.catalog.admin.images.update";
pub const IMAGES_REORDER: &str = "rpc.catalog.admin.images.reorder";
pub const IMAGES_DELETE: &str = "rpc.catalog.admin.images.delete";
