//! The one retry policy of the shop: waits that double from a first step up to a cap, each drawn between
//! half and all of its step, and start over after a success.
//!
//! Every loop that retries an outside dependency (the database and NATS at start-up, a stream that does not
//! exist yet, the outbox relay, a consumer's pulls, SQS, Meilisearch, the catalog's snapshot) uses it, so they
//! all behave alike during an outage: quick retries while it may be a blip, then one attempt per cap. The
//! jitter keeps the replicas of a service (and the services sharing a dependency) that failed together from
//! retrying together when it comes back.

use std::{
    hash::{BuildHasher as _, Hasher as _, RandomState},
    time::Duration,
};

use tokio_util::sync::CancellationToken;

/// Capped exponential backoff with jitter; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    step: Duration,
}

impl Backoff {
    /// Steps of `first`, doubling up to `max` (at least `first`, and at least a millisecond).
    pub fn new(first: Duration, max: Duration) -> Self {
        let first = first.max(Duration::from_millis(1));
        Self {
            first,
            max: max.max(first),
            step: first,
        }
    }

    /// The wait before the next attempt, between half and all of the current step; the step then doubles.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.step;
        self.step = self.step.saturating_mul(2).min(self.max);
        step / 2 + (step / 2).mul_f64(random_fraction())
    }

    /// Starts over from the first step: the dependency answered again.
    pub fn reset(&mut self) {
        self.step = self.first;
    }

    /// Sleeps [`Backoff::next_delay`] unless `shutdown` comes first; false on shutdown.
    pub async fn wait(&mut self, shutdown: &CancellationToken) -> bool {
        let delay = self.next_delay();
        tokio::select! {
            () = shutdown.cancelled() => false,
            () = tokio::time::sleep(delay) => true,
        }
    }
}

/// A number in `[0, 1)`: good enough to spread retries, no generator to carry around.
fn random_fraction() -> f64 {
    let random = RandomState::new().build_hasher().finish();
    (random % 1_000) as f64 / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn waits_double_up_to_the_cap_each_between_half_and_all_of_its_step() {
        let mut backoff = Backoff::new(ms(100), ms(800));
        for step in [100, 200, 400, 800, 800, 800] {
            let delay = backoff.next_delay();
            assert!(
                delay >= ms(step) / 2 && delay <= ms(step),
                "{delay:?} for a step of {step} ms"
            );
        }
    }

    #[test]
    fn a_reset_starts_over_from_the_first_step() {
        let mut backoff = Backoff::new(ms(100), ms(10_000));
        for _ in 0..10 {
            backoff.next_delay();
        }
        assert!(backoff.next_delay() > ms(100));
        backoff.reset();
        assert!(backoff.next_delay() <= ms(100));
    }

    #[test]
    fn the_waits_are_spread_and_never_zero() {
        let delays: std::collections::HashSet<Duration> = (0..50)
            .map(|_| Backoff::new(ms(1_000), ms(1_000)).next_delay())
            .collect();
        assert!(delays.len() > 5, "jittered: {delays:?}");
        let tiny = Backoff::new(Duration::ZERO, Duration::ZERO).next_delay();
        assert!(tiny > Duration::ZERO && tiny <= ms(1));
    }

    #[tokio::test]
    async fn waiting_ends_early_at_shutdown() {
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let started = std::time::Instant::now();
        assert!(
            !Backoff::new(Duration::from_secs(60), Duration::from_secs(60))
                .wait(&shutdown)
                .await
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
