//! Login throttling that slows password guessing without letting anyone lock a real user out: the rules
//! (pure, no I/O), shared by every service with a login form (the web admin; shoppers later). The service
//! keeps one failure counter per [`Key`] in its own schema and asks [`Policy::decide`] before checking a
//! password.
//!
//! Three counters see every failed login, each keyed by a SHA-256 (no email or address is stored in clear):
//!
//! - **account and address**: the guesser's own channel. Its delay doubles from the first failure (1 s, 2 s,
//!   4 s, ... up to 5 minutes), and a login arriving within it is **refused** (429 with `Retry-After`). It
//!   only ever stops that address guessing that account: the real user from their own address is not
//!   affected.
//! - **address** (across accounts): credential stuffing from one address. Refused likewise, but only past a
//!   generous number of failures, so that a shared office address is not stopped by a few typos.
//! - **account** (from every address): a botnet guessing one password from many addresses. This one never
//!   refuses, because whoever can fail logins for an account would then decide when its owner may sign in.
//!   It **slows every attempt** on the account by a bounded delay (at most a few seconds, served before
//!   the password is checked), which costs a real user a moment and a botnet most of its rate.
//!
//! A counter is forgotten after a quiet period ([`Policy::forget_after`]) and the account-and-address one on
//! a successful login. IPv6 addresses count per /64, like the rate limits.
//!
//! [`Store`] keeps the counters in the service's own `login_throttle` table ([`TABLE`], copied byte for byte
//! into each such service's migrations), so that every replica sees the same failures and a restart forgets
//! nothing.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use sqlx::MySqlPool;

/// The counters' table. A service with a login has this exact text as one of its migrations (checked by a
/// test in that crate).
pub const TABLE: &str = include_str!("login_throttle.sql");

/// Which counter a [`Key`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    AccountAndAddress,
    Account,
    Address,
}

impl Scope {
    fn label(self) -> &'static str {
        match self {
            Self::AccountAndAddress => "account+address",
            Self::Account => "account",
            Self::Address => "address",
        }
    }
}

/// One counter's key: its scope and the SHA-256 of what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub scope: Scope,
    pub hash: [u8; 32],
}

/// The three keys of a login for `account` (compared without regard to case) from `address`.
pub fn keys(account: &str, address: IpAddr) -> [Key; 3] {
    let account = account.trim().to_lowercase();
    let address = crate::rate_limit::bucket(address).to_string();
    let key = |scope: Scope, parts: &[&str]| {
        let mut hasher = Sha256::new();
        hasher.update(scope.label().as_bytes());
        for part in parts {
            hasher.update([0]);
            hasher.update(part.as_bytes());
        }
        Key {
            scope,
            hash: hasher.finalize().into(),
        }
    };
    [
        key(Scope::AccountAndAddress, &[&account, &address]),
        key(Scope::Account, &[&account]),
        key(Scope::Address, &[&address]),
    ]
}

/// The failures one counter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: DateTime<Utc>,
}

/// How one counter turns failures into a delay: none for the first `free` failures, then `first`, doubling
/// with each further failure up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub free: u32,
    pub first: Duration,
    pub max: Duration,
}

impl Tier {
    /// The delay after `failures` failures.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures <= self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free - 1).min(30);
        self.first.saturating_mul(1u32 << doublings).min(self.max)
    }
}

/// What to do with a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password, after waiting `slow_down` (zero unless the account is under attack).
    Allow { slow_down: Duration },
    /// Do not check the password; the client may try again after `retry_after`.
    Refuse { retry_after: Duration },
}

/// The three tiers and how long a counter is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub account_and_address: Tier,
    pub account: Tier,
    pub address: Tier,
    /// A counter whose last failure is older than this counts as zero.
    pub forget_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            account_and_address: Tier {
                free: 0,
                first: Duration::from_secs(1),
                max: Duration::from_secs(300),
            },
            account: Tier {
                free: 10,
                first: Duration::from_millis(500),
                max: Duration::from_secs(3),
            },
            address: Tier {
                free: 30,
                first: Duration::from_secs(1),
                max: Duration::from_secs(900),
            },
            forget_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl Policy {
    fn tier(&self, scope: Scope) -> &Tier {
        match scope {
            Scope::AccountAndAddress => &self.account_and_address,
            Scope::Account => &self.account,
            Scope::Address => &self.address,
        }
    }

    /// The decision for an attempt at `now`, given each counter's failures (`None`: no failures).
    pub fn decide(&self, counters: &[(Scope, Option<Failures>)], now: DateTime<Utc>) -> Decision {
        let mut retry_after = Duration::ZERO;
        let mut slow_down = Duration::ZERO;
        for (scope, failures) in counters {
            let Some(failures) = failures else { continue };
            let since = (now - failures.last).to_std().unwrap_or(Duration::ZERO);
            if since >= self.forget_after {
                continue;
            }
            let delay = self.tier(*scope).delay(failures.count);
            match scope {
                Scope::Account => slow_down = slow_down.max(delay),
                Scope::AccountAndAddress | Scope::Address => {
                    retry_after = retry_after.max(delay.saturating_sub(since));
                }
            }
        }
        if retry_after > Duration::ZERO {
            // Whole seconds, rounded up: what Retry-After can say.
            let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            Decision::Refuse {
                retry_after: Duration::from_secs(secs),
            }
        } else {
            Decision::Allow { slow_down }
        }
    }
}

#[derive(Debug, Clone)]
/// The counters of one service's logins, in its `login_throttle` table.
pub struct Store {
    pool: MySqlPool,
    policy: Policy,
}

impl Store {
    pub fn new(pool: MySqlPool, policy: Policy) -> Self {
        Self { pool, policy }
    }

    /// Whether a login for `email` from `address` may be checked now, and after how long a pause.
    pub async fn check(&self, email: &str, address: IpAddr) -> Result<Decision, sqlx::Error> {
        let keys = keys(email, address);
        let rows: Vec<(Vec<u8>, u32, DateTime<Utc>)> = sqlx::query_as(
            "SELECT throttle_key, failures, last_failure_at FROM login_throttle \
             WHERE throttle_key IN (?, ?, ?)",
        )
        .bind(keys[0].hash.as_slice())
        .bind(keys[1].hash.as_slice())
        .bind(keys[2].hash.as_slice())
        .fetch_all(&self.pool)
        .await?;
        let counters: Vec<_> = keys
            .iter()
            .map(|key| {
                let failures = rows
                    .iter()
                    .find(|(hash, _, _)| hash.as_slice() == key.hash.as_slice())
                    .map(|(_, count, last)| Failures {
                        count: *count,
                        last: *last,
                    });
                (key.scope, failures)
            })
            .collect();
        Ok(self.policy.decide(&counters, Utc::now()))
    }

    /// Counts a failed login on each of its counters. A counter quiet for longer than the policy's
    /// `forget_after` starts again from one.
    pub async fn failed(&self, email: &str, address: IpAddr) -> Result<(), sqlx::Error> {
        let now = Utc::now();
        let forgotten_before = now
            - chrono::Duration::from_std(self.policy.forget_after)
                .unwrap_or(chrono::Duration::days(1));
        for key in keys(email, address) {
            sqlx::query(
                "INSERT INTO login_throttle (throttle_key, failures, last_failure_at) VALUES (?, 1, ?) \
                 ON DUPLICATE KEY UPDATE \
                 failures = IF(last_failure_at < ?, 1, failures + 1), last_failure_at = VALUES(last_failure_at)",
            )
            .bind(key.hash.as_slice())
            .bind(now)
            .bind(forgotten_before)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Forgets the failures of this address on this account after a successful login. The other counters
    /// stay: one success does not excuse a stuffing run from the address, nor a guessing run on the account.
    pub async fn succeeded(&self, email: &str, address: IpAddr) -> Result<(), sqlx::Error> {
        let [pair, ..]: [Key; 3] = keys(email, address);
        sqlx::query("DELETE FROM login_throttle WHERE throttle_key = ?")
            .bind(pair.hash.as_slice())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn failures(count: u32, last: i64) -> Option<Failures> {
        Some(Failures {
            count,
            last: at(last),
        })
    }

    #[test]
    fn the_delay_of_one_address_guessing_one_account_doubles_up_to_its_cap() {
        let tier = Policy::default().account_and_address;
        let delays: Vec<u64> = (0..5).map(|n| tier.delay(n).as_secs()).collect();
        assert_eq!(delays, [0, 1, 2, 4, 8]);
        assert_eq!(tier.delay(40), Duration::from_secs(300));
    }

    #[test]
    fn an_attempt_within_the_delay_is_refused_until_it_has_passed() {
        let policy = Policy::default();
        let counters = [(Scope::AccountAndAddress, failures(3, 0))];
        assert_eq!(
            policy.decide(&counters, at(1)),
            Decision::Refuse {
                retry_after: Duration::from_secs(3)
            }
        );
        assert_eq!(
            policy.decide(&counters, at(4)),
            Decision::Allow {
                slow_down: Duration::ZERO
            }
        );
    }

    #[test]
    fn failures_on_an_account_from_everywhere_only_slow_it_down_a_bounded_time() {
        let policy = Policy::default();
        let counters = [
            (Scope::AccountAndAddress, None),
            (Scope::Account, failures(10_000, 0)),
            (Scope::Address, None),
        ];
        assert_eq!(
            policy.decide(&counters, at(0)),
            Decision::Allow {
                slow_down: Duration::from_secs(3)
            }
        );
    }

    #[test]
    fn one_address_failing_on_many_accounts_is_refused_past_its_allowance() {
        let policy = Policy::default();
        assert!(matches!(
            policy.decide(&[(Scope::Address, failures(30, 0))], at(0)),
            Decision::Allow { .. }
        ));
        assert!(matches!(
            policy.decide(&[(Scope::Address, failures(31, 0))], at(0)),
            Decision::Refuse { .. }
        ));
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_day() {
        let policy = Policy::default();
        let counters = [(Scope::AccountAndAddress, failures(40, 0))];
        assert!(matches!(
            policy.decide(&counters, at(24 * 3600)),
            Decision::Allow { .. }
        ));
    }

    #[test]
    fn keys_ignore_the_case_of_the_account_and_group_ipv6_by_64() {
        let a = keys("Ann@Shop.test", "2001:db8::1".parse().unwrap());
        let b = keys("ann@shop.test ", "2001:db8::ffff".parse().unwrap());
        assert_eq!(a, b);
        let c = keys("ann@shop.test", "192.0.2.1".parse().unwrap());
        assert_eq!(a[1], c[1], "the account key does not depend on the address");
        assert_ne!(a[0], c[0]);
        assert_ne!(a[2], c[2]);
    }
}
