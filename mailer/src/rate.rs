//! The send rate: one token bucket shared by every send of the process, so that N concurrent handlers together
//! stay under the provider's sending rate (`MAIL_RATE_PER_SEC`; SES counts emails per second per account).
//!
//! A caller takes a token and is told how long to wait for it. Tokens may go below zero: each caller reserves
//! the next free slot under a short lock and then sleeps without holding it, so waiters are served in the
//! order they came, nobody polls, and a burst never exceeds one second's worth of sends.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Debug)]
pub struct TokenBucket {
    rate_per_sec: f64,
    capacity: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket refilled at `rate_per_sec` tokens a second, holding at most one second's worth (and at
    /// least one token).
    pub fn new(rate_per_sec: f64) -> Self {
        let rate_per_sec = if rate_per_sec.is_finite() && rate_per_sec > 0.0 {
            rate_per_sec
        } else {
            1.0
        };
        let capacity = rate_per_sec.max(1.0);
        Self {
            rate_per_sec,
            capacity,
            state: Mutex::new(Bucket {
                tokens: capacity,
                updated: Instant::now(),
            }),
        }
    }

    /// Waits until this caller may send.
    pub async fn acquire(&self) {
        let wait = self.reserve_at(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token as of `now` and says how long after `now` it becomes usable.
    pub fn reserve_at(&self, now: Instant) -> Duration {
        // A poisoned lock only means another caller panicked between two float operations: the numbers are
        // still usable.
        let mut bucket = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate_per_sec).min(self.capacity);
        bucket.updated = bucket.updated.max(now);
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / self.rate_per_sec)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(duration: Duration) -> u64 {
        (duration.as_secs_f64() * 1000.0).round() as u64
    }

    #[test]
    fn a_full_bucket_lets_one_seconds_worth_through_then_spaces_sends_evenly() {
        let bucket = TokenBucket::new(2.0);
        let t0 = Instant::now();
        let waits: Vec<u64> = (0..5).map(|_| millis(bucket.reserve_at(t0))).collect();
        assert_eq!(waits, [0, 0, 500, 1000, 1500]);
    }

    #[test]
    fn tokens_come_back_with_time_up_to_the_capacity() {
        let bucket = TokenBucket::new(1.0);
        let t0 = Instant::now();
        assert_eq!(millis(bucket.reserve_at(t0)), 0);
        assert_eq!(
            millis(bucket.reserve_at(t0 + Duration::from_millis(400))),
            600
        );
        // Long idle: the bucket holds one second's worth, not more.
        let later = t0 + Duration::from_secs(60);
        assert_eq!(millis(bucket.reserve_at(later)), 0);
        assert_eq!(millis(bucket.reserve_at(later)), 1000);
    }

    #[test]
    fn a_rate_below_one_per_second_still_lets_a_single_send_through_at_once() {
        let bucket = TokenBucket::new(0.5);
        let t0 = Instant::now();
        assert_eq!(millis(bucket.reserve_at(t0)), 0);
        assert_eq!(millis(bucket.reserve_at(t0)), 2000);
    }

    #[test]
    fn a_clock_reading_from_before_the_last_one_does_not_refill() {
        let bucket = TokenBucket::new(1.0);
        let t0 = Instant::now();
        let _ = bucket.reserve_at(t0 + Duration::from_secs(5));
        assert_eq!(millis(bucket.reserve_at(t0)), 1000);
    }

    #[tokio::test]
    async fn concurrent_callers_are_paced_at_the_rate() {
        let bucket = std::sync::Arc::new(TokenBucket::new(20.0));
        let started = Instant::now();
        let callers: Vec<_> = (0..30)
            .map(|_| {
                let bucket = bucket.clone();
                tokio::spawn(async move { bucket.acquire().await })
            })
            .collect();
        for caller in callers {
            caller.await.unwrap();
        }
        // 20 at once, the other 10 at 50 ms intervals.
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(450), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }
}
