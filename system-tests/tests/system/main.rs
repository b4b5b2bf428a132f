//! One test binary for every system test.

mod backup;
mod crashes;
mod helpers;
mod order_effects;
mod permissions;
mod smoke;
