//! The admin's integration tests: one binary, the admin in-process on port 0 with its own scratch database
//! and a private nats-server, driven through HTTP by a cookie-keeping client as a browser would.

mod helpers;
mod order_shop;

mod audit_log;
mod catalog_shop;
mod categories;
mod csrf;
mod dead_letters;
mod orders;
mod products;
mod promotions;
mod reports;
mod roles;
mod service_client;
mod sessions;
mod sign_in;
mod stock;
mod throttling;
mod totp;
