//! Waiting for what happens in the background: an event relayed, a consumer catching up, a reconciler
//! finishing.

use std::time::Duration;

/// How long [`eventually`] waits: far more than anything takes on an idle machine, enough on a loaded one.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How often the condition is checked.
const POLL_EVERY: Duration = Duration::from_millis(100);

/// Waits until `check` holds, failing with `what` after [`PATIENCE`].
pub async fn eventually(what: &str, check: impl AsyncFnMut() -> bool) {
    eventually_within(what, PATIENCE, check).await;
}

/// Waits until `check` holds, failing with `what` after `within`.
pub async fn eventually_within(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}
