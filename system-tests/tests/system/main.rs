//! One test binary for every system test.

mod helpers;
mod smoke;
