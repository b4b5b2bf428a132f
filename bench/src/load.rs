//! A closed-loop load generator: `workers` tasks each run one operation after another for a while; every
//! operation's latency is kept, so throughput and percentiles come from the same run.

use std::{
    future::Future,
    time::{Duration, Instant},
};

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub(crate) operations: u64,
    pub(crate) errors: u64,
    pub(crate) elapsed: Duration,
    /// Sorted.
    latencies: Vec<Duration>,
}

impl Stats {
    pub(crate) fn per_second(&self) -> f64 {
        self.operations as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`th percentile (0..=100) of the latencies.
    pub(crate) fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    /// Several runs as one: operations and time added, latencies merged.
    pub(crate) fn merge(runs: &[Stats]) -> Stats {
        let mut latencies: Vec<Duration> =
            runs.iter().flat_map(|run| run.latencies.clone()).collect();
        latencies.sort_unstable();
        Stats {
            operations: runs.iter().map(|run| run.operations).sum(),
            errors: runs.iter().map(|run| run.errors).sum(),
            elapsed: runs.iter().map(|run| run.elapsed).sum(),
            latencies,
        }
    }
}

/// The `p`th percentile of sorted `values`.
pub(crate) fn percentile(values: &[Duration], p: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values[rank.min(values.len() - 1)]
}

/// Runs `operation(worker, n)` in `workers` concurrent loops for `duration` after `warm_up` (whose operations
/// are not counted). An operation that fails counts as an error, not as a latency.
pub(crate) async fn closed_loop<F, Fut>(
    workers: usize,
    warm_up: Duration,
    duration: Duration,
    operation: F,
) -> Stats
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Instant::now();
    let measure_from = started + warm_up;
    let until = measure_from + duration;
    let tasks: Vec<_> = (0..workers)
        .map(|worker| {
            let operation = operation.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let (mut operations, mut errors) = (0, 0);
                let mut n = 0u64;
                loop {
                    let begun = Instant::now();
                    if begun >= until {
                        break;
                    }
                    let result = operation(worker, n).await;
                    n += 1;
                    if begun < measure_from {
                        continue;
                    }
                    match result {
                        Ok(()) => {
                            operations += 1;
                            latencies.push(begun.elapsed());
                        }
                        Err(_) => errors += 1,
                    }
                }
                (operations, errors, latencies)
            })
        })
        .collect();
    let mut stats = Stats {
        elapsed: duration,
        ..Stats::default()
    };
    for task in tasks {
        let (operations, errors, latencies) = task.await.expect("a load worker panicked");
        stats.operations += operations;
        stats.errors += errors;
        stats.latencies.extend(latencies);
    }
    stats.latencies.sort_unstable();
    stats
}
