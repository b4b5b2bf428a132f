//! The bridge's integration tests: the bridge in-process with its own scratch database, a private
//! nats-server and a private moto (SQS), so a test can take SQS away and bring it back.

mod helpers;

mod failures;
mod forwarding;
mod refused;
mod retention;
