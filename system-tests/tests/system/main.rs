//! One test binary for every system test.

mod crashes;
mod helpers;
mod order_effects;
mod permissions;
mod smoke;
