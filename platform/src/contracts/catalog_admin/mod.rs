//! What the catalog answers to the web admin: NATS services API endpoints of the `catalog` service under
//! `rpc.catalog.admin.*` (`nats micro info catalog`). Every write is a [`Command`](super::admin::Command) and
//! every reply an [`AdminReply`](super::admin::AdminReply) (see `platform::contracts::admin`); a failure of the
//! catalog itself (its database is down) is a NATS service error the admin shows as "try again".
//!
//! | subject                                   | request                        | reply (`AdminReply<_>`)       |
//! |-------------------------------------------|--------------------------------|-------------------------------|
//! | `rpc.catalog.admin.images.*`              | see [`images`]                 |                               |

pub mod images;

/// The NATS services API group of the admin endpoints; the catalog's NATS user may subscribe to
/// `rpc.catalog.admin.>` and the admin's user may publish there.
pub const RPC_GROUP: &str = "rpc.catalog.admin";

pub const IMAGES_ADD: &str = "rpc.catalog.admin.images.add";
pub const IMAGES_UPDATE: &str = "rpc.catalog.admin.images.update";
pub const IMAGES_REORDER: &str = "rpc.catalog.admin.images.reorder";
pub const IMAGES_DELETE: &str = "rpc.catalog.admin.images.delete";
