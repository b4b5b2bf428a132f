//! Checkout's use cases for orders, between the edges (HTTP handlers in `http/`, NATS endpoints in `rpc`) and
//! the queries in `db/`. Each takes domain types and returns an error of its own, which the edges map once:
//!
//! - [`place`]: place-order (claim the cart, re-quote, reserve, write the order, charge it in `pay`), with what
//!   it takes and how it fails in [`attempt`];
//! - [`outcome`]: how a payment ended, recorded once by whoever gets there first;
//! - [`recovery`]: finishing what a request that died left behind (used by the reconciler);
//! - [`transition`]: moving an order through the state machine, and settling its stock with the catalog;
//! - [`lookup`]: the shopper's order page, opened with its secret token;
//! - [`counts`]: what checkout holds, counted for operators;
//! - [`view`]: the order as shoppers see it (the 201 of place-order and the order page).

pub mod attempt;
pub mod counts;
pub mod lookup;
pub mod outcome;
mod pay;
pub mod place;
pub mod recovery;
pub mod transition;
pub mod view;

use platform::contracts::OrderNumber;
use sha2::{Digest as _, Sha256};

/// A human-friendly order number: `SH-` and 8 characters of Crockford base 32 (no I, L, O, U).
pub fn new_order_number() -> OrderNumber {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random = uuid::Uuid::new_v4();
    let mut number = String::from("SH-");
    for byte in &random.as_bytes()[..8] {
        number.push(ALPHABET[usize::from(*byte) % 32] as char);
    }
    OrderNumber::parse(&number).expect("SH- and base-32 digits are an order number")
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares without an early exit, so the time taken says nothing about how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
