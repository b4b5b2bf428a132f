//! What the mailer answers on `rpc.mailer.*` through the NATS services API: a read-only view of its email log
//! for operators and the admin.

use serde::{Deserialize, Serialize};

/// The NATS services API group of the mailer's endpoints.
pub const RPC_GROUP: &str = "rpc.mailer";
/// The email log counted by state.
pub const COUNTS: &str = "rpc.mailer.counts";

/// `rpc.mailer.counts` request: no parameters (an empty body reads as `{}`); any field is refused, so that a
/// caller expecting a filter learns it has none rather than getting unfiltered counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsRequest {}

/// `rpc.mailer.counts` reply: how many emails of the log are in each state (see the README, "Mailer").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailCounts {
    /// Recorded, nothing tried yet.
    pub pending: u64,
    /// The provider is being called (or the process died while it was).
    pub sending: u64,
    /// The provider accepted it.
    pub sent: u64,
    /// The last attempt failed in a way worth retrying.
    pub retrying: u64,
    /// Rejected for good or out of deliveries; the event is in the `DEADLETTER` stream.
    pub failed: u64,
    /// The provider may have accepted it; an operator must check, it is never sent again.
    pub uncertain: u64,
}
