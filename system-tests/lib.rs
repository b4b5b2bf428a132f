//! System tests: the service binaries run as real processes against real MariaDB and nats-server. The tests
//! live in `tests/system/`; this library is empty. Build the binaries first (`cargo build --workspace`); the
//! README's test command does.
