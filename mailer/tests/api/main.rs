//! The mailer's integration tests: the service in-process with a scratch MariaDB database and a private
//! nats-server, sending to `.eml` files or to SES on a private moto server.

mod helpers;

mod admin;
mod admin_explain;
mod alerts;
mod dead_letters;
mod files;
mod order_emails;
mod retention;
mod rpc;
mod ses;
