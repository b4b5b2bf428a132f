//! The messages services exchange: event payloads and their subjects, and request/reply bodies. Payloads only
//! ever grow (new optional fields); a breaking change is a new event version.

pub mod accounts;
pub mod admin;
pub mod catalog;
pub mod catalog_admin;
pub mod customers;
pub mod dead_letters;
pub mod mailer;
pub mod orders;
pub mod orders_admin;
pub mod promotions_admin;
pub mod search;
mod values;

pub use values::{Email, InvalidField, InvalidValue, OrderNumber, Sku};
