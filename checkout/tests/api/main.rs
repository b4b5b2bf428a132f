//! Checkout's integration tests: checkout and the catalog in-process, each with its own scratch database,
//! talking over a private nats-server.

mod helpers;

mod admin_explain;
mod admin_orders;
mod admin_reports;
mod carts;
mod concurrency;
mod dead_letters;
mod failures;
mod http_limits;
mod one_cart;
mod place_order;
mod promotions;
mod state_machine;
