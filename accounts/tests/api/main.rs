//! The accounts service's integration tests: accounts, checkout, the catalog and the mailer in-process, each
//! with its own scratch database, on one private nats-server; account emails are read from the mailer's
//! `.eml` files, as a shopper would read them.

mod helpers;

mod addresses;
mod carts;
mod orders;
mod privacy;
mod sign_in;
mod sign_up;
mod wishlist;
