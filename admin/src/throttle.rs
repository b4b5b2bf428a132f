//! The admin's login throttle: the counters of `platform::login_throttle` kept in the `login_throttle`
//! table, so that every replica sees the same failures and a restart forgets nothing.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use platform::login_throttle::{Decision, Failures, Key, Policy, keys};
use sqlx::MySqlPool;

#[derive(Debug, Clone)]
pub struct Throttle {
    pool: MySqlPool,
    policy: Policy,
}

impl Throttle {
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
