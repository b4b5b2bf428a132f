//! Shared contracts and runtime glue for the shop's services.
//!
//! Every service binary is the same shape: read its configuration from the environment, start telemetry,
//! connect to its own MariaDB schema and run its migrations, connect to NATS as its own user ([`nats`]), make
//! sure the JetStream streams it publishes to exist, register itself with the NATS services API, and serve
//! `/healthz`, `/readyz` and `/metrics` next to
//! its own routes until SIGTERM or Ctrl-C. This crate owns that shape ([`runtime::Runtime`]), the loop every
//! consumer of events runs ([`consumer::ConsumerLoop`]), the one retry policy ([`backoff::Backoff`]) and the
//! contracts services share ([`events`], [`streams`]). It holds no domain logic, queries or handlers of any service.

pub mod admin_commands;
pub mod backoff;
pub mod config;
pub mod consumer;
pub mod contracts;
pub mod cookies;
pub mod events;
pub mod http;
pub mod http_error;
pub mod keyset;
pub mod login_throttle;
pub mod nats;
pub mod outbox;
#[cfg(feature = "password")]
pub mod password;
pub mod ports;
pub mod rate_limit;
pub mod retention;
pub mod rpc;
pub mod runtime;
#[cfg(feature = "s3")]
pub mod s3;
pub mod server;
pub mod service;
pub mod sql;
pub mod streams;
pub mod telemetry;
#[cfg(feature = "password")]
pub mod tokens;

#[cfg(feature = "testing")]
pub mod testing;

pub use runtime::{Runtime, run};
pub use service::ServiceSpec;
