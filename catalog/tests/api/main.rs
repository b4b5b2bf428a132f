//! The catalog's integration tests: one binary, real MariaDB and a private nats-server per test.

mod admin_support;
mod helpers;

mod admin_categories;
mod admin_dead_letters;
mod admin_explain;
mod admin_import;
mod admin_listing;
mod admin_products;
mod admin_stock;
mod alerts;
mod explain;
mod images;
mod listing;
mod meili_fallback;
mod outbox;
mod product_cache;
mod rpc;
mod search;
mod sitemap;
mod variants;
