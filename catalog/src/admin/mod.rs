//! The catalog's side of the web admin (`rpc.catalog.admin.*`): one use case per command or query, each taking
//! the contract's request and answering an `AdminReply`, and the NATS endpoints that call them. Writes are
//! idempotent on their key (`platform::admin_commands`) and carried out in one transaction with their events.

pub mod categories;
mod category_tree;
mod commands;
pub mod reissue;
pub mod stock;
