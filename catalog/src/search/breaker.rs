//! A circuit breaker: after `threshold` failures in a row the protected call is not tried for `cooldown`;
//! then one trial call decides whether it closes again or stays open for another cooldown. While it is open a
//! caller pays nothing for a dead dependency.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Debug)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// The cooldown ended and one trial call is under way (since then; a trial that never reported back,
    /// its request dropped, is replaced after another cooldown).
    Trial {
        since: Instant,
    },
}

#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
    threshold: u32,
    cooldown: Duration,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            state: Mutex::new(State::Closed { failures: 0 }),
            threshold: threshold.max(1),
            cooldown,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether to try the call now. Once the cooldown is over, exactly one caller is let through.
    pub fn allows(&self) -> bool {
        let mut state = self.state();
        match *state {
            State::Closed { .. } => true,
            State::Open { until } if Instant::now() >= until => {
                *state = State::Trial {
                    since: Instant::now(),
                };
                true
            }
            State::Trial { since } if since.elapsed() >= self.cooldown => {
                *state = State::Trial {
                    since: Instant::now(),
                };
                true
            }
            State::Open { .. } | State::Trial { .. } => false,
        }
    }

    pub fn succeeded(&self) {
        *self.state() = State::Closed { failures: 0 };
    }

    /// Records a failure; true when it opened the breaker.
    pub fn failed(&self) -> bool {
        let mut state = self.state();
        let failures = match *state {
            State::Closed { failures } => failures + 1,
            State::Trial { .. } => self.threshold,
            State::Open { .. } => return false,
        };
        if failures >= self.threshold {
            *state = State::Open {
                until: Instant::now() + self.cooldown,
            };
            true
        } else {
            *state = State::Closed { failures };
            false
        }
    }

    pub fn is_open(&self) -> bool {
        !matches!(*self.state(), State::Closed { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_lets_one_trial_through_after_the_cooldown() {
        let breaker = Breaker::new(2, Duration::from_millis(30));
        assert!(breaker.allows());
        assert!(!breaker.failed());
        breaker.succeeded();
        assert!(!breaker.failed());
        assert!(breaker.failed());
        assert!(!breaker.allows());
        std::thread::sleep(Duration::from_millis(40));
        assert!(breaker.allows(), "the trial call");
        assert!(!breaker.allows(), "only one trial at a time");
        assert!(breaker.failed(), "a failed trial opens it again");
        assert!(!breaker.allows());
        std::thread::sleep(Duration::from_millis(40));
        assert!(breaker.allows());
        breaker.succeeded();
        assert!(breaker.allows());
        assert!(!breaker.is_open());
    }
}
