//! Who a service is, as every part of the runtime needs to know it.

/// Who a service is: its NATS service name and version (what `nats micro ls` shows), its schema and default
/// port.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// The NATS service name and NATS client name.
    pub name: &'static str,
    /// Semantic version, normally `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// One line for `nats micro info`.
    pub description: &'static str,
    /// The default schema and database user, used in the default `DATABASE_URL`.
    pub database: &'static str,
    /// The default HTTP port on 127.0.0.1: the service's row in `infra/ports.txt` ([`crate::ports::port`]).
    pub default_http_port: u16,
    /// The JetStream streams this service publishes to, created or updated at start-up
    /// ([`crate::streams::StreamSettings::streams_named`]). Only these: its NATS user may manage no other stream, and
    /// a stream it consumes is its publisher's to create (a consumer waits for it, see
    /// [`crate::consumer::wait_for_consumer`]).
    pub publishes_to: &'static [&'static str],
}
