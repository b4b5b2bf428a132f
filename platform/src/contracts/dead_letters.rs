//! Dead letters as the web admin sees and handles them: NATS services API endpoints of the service that
//! produced the original events, because replaying a dead letter is publishing its event again and only the
//! producer may publish on its subjects. The catalog answers for the dead letters of `catalog.>` events
//! (`rpc.catalog.admin.deadletters.*`), checkout for those of `orders.>` events
//! (`rpc.checkout.admin.deadletters.*`); the admin's NATS user may call both and reads no stream itself.
//!
//! | subject                 | request                                | `ok` reply              |
//! |-------------------------|----------------------------------------|-------------------------|
//! | `…deadletters.list`     | [`ListDeadLetters`]                    | [`DeadLetterPage`]      |
//! | `…deadletters.get`      | [`GetDeadLetter`]                      | [`DeadLetter`]          |
//! | `…deadletters.replay`   | `Command<`[`ReplayDeadLetter`]`>`      | [`DeadLetterReplayed`]  |
//! | `…deadletters.discard`  | `Command<`[`DiscardDeadLetter`]`>`     | [`DeadLetterDiscarded`] |
//!
//! Every reply is an [`AdminReply`](super::admin::AdminReply). A dead letter that is not there (discarded or
//! replayed already, expired, or one of another service's events) is `not_found`; a `limit` of 0 or a
//! cursor of 0 is `invalid`. A failure of NATS or of the service's database is a 503 service error.
//!
//! **Replay** publishes the dead letter's payload with its original headers on its original subject through
//! JetStream (so every consumer of that subject sees it again, and each is idempotent on the event id), with
//! `Nats-Msg-Id` = `<event id>.replay.<dead letter sequence>`, waits for the stream's ack, then deletes the
//! dead letter. The command's idempotency key is claimed in the service's database first, so a
//! double-submitted replay publishes once; a replay retried after a failure half-way publishes the same
//! message id again, which the stream drops within its duplicate window. **Discard** deletes the dead letter.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The subjects one service answers for the dead letters of its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadLetterEndpoints {
    /// The service's name, as the admin shows it.
    pub service: &'static str,
    /// The NATS services API group the endpoints are in.
    pub group: &'static str,
    /// The first token of the subjects of this service's events: its dead letters are
    /// `deadletter.<consumer>.<events>.>`.
    pub events: &'static str,
    pub list: &'static str,
    pub get: &'static str,
    pub replay: &'static str,
    pub discard: &'static str,
}

/// The catalog's: dead letters of `catalog.>` events (the search index's consumer, so far).
pub const CATALOG: DeadLetterEndpoints = DeadLetterEndpoints {
    service: "catalog",
    group: "rpc.catalog.admin.deadletters",
    events: "catalog",
    list: "rpc.catalog.admin.deadletters.list",
    get: "rpc.catalog.admin.deadletters.get",
    replay: "rpc.catalog.admin.deadletters.replay",
    discard: "rpc.catalog.admin.deadletters.discard",
};

/// Checkout's: dead letters of `orders.>` events (the mailer's and the bridge's consumers).
pub const CHECKOUT: DeadLetterEndpoints = DeadLetterEndpoints {
    service: "checkout",
    group: "rpc.checkout.admin.deadletters",
    events: "orders",
    list: "rpc.checkout.admin.deadletters.list",
    get: "rpc.checkout.admin.deadletters.get",
    replay: "rpc.checkout.admin.deadletters.replay",
    discard: "rpc.checkout.admin.deadletters.discard",
};

/// Dead letters per page, when the request asks for none or for more.
pub const MAX_PAGE: u32 = 100;
/// The most of a payload a listed dead letter carries (a page stays far below NATS's message size limit).
pub const LIST_PREVIEW_BYTES: usize = 512;
/// The most of a payload [`GetDeadLetter`] answers with.
pub const DETAIL_PREVIEW_BYTES: usize = 128 * 1024;

/// `list`: the dead letters of the service's events, oldest first (the order they came in).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDeadLetters {
    /// The `next` of the previous page: dead letters after this sequence of the `DEADLETTER` stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// At most [`MAX_PAGE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterPage {
    /// Each with a payload preview of at most [`LIST_PREVIEW_BYTES`].
    pub dead_letters: Vec<DeadLetter>,
    /// The `after` of the next page, when there is one.
    pub next: Option<u64>,
}

/// One dead letter: where its message came from, why it was given up on, and its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// Its sequence in the `DEADLETTER` stream: what `get`, `replay` and `discard` name.
    pub sequence: u64,
    /// The durable consumer that gave up on it (`mailer`, `bridge`, `search-indexer`).
    pub consumer: String,
    pub original_subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_stream: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_sequence: Option<u64>,
    pub reason: String,
    /// When it was dead-lettered (stored in `DEADLETTER`).
    pub dead_lettered_at: DateTime<Utc>,
    /// The event in the payload, when the payload is an event envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventRef>,
    pub payload: PayloadPreview,
}

/// What names an event in its envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u16>,
}

/// The start of a payload, as text (bytes that are not UTF-8 shown as U+FFFD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadPreview {
    /// The payload's whole size.
    pub bytes: u64,
    pub text: String,
    /// `text` is only the start of the payload.
    pub truncated: bool,
}

/// `get`: one dead letter, with up to [`DETAIL_PREVIEW_BYTES`] of its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetDeadLetter {
    pub sequence: u64,
}

/// `replay`: publish the dead letter's event again on its original subject, then delete the dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayDeadLetter {
    pub sequence: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterReplayed {
    /// The dead letter's sequence (now deleted).
    pub sequence: u64,
    /// Where the event went again.
    pub subject: String,
    pub stream: String,
    pub stream_sequence: u64,
    /// The `Nats-Msg-Id` it was published with.
    pub message_id: String,
    /// The stream had this message id already (an earlier attempt of the same replay got through) and
    /// stored nothing new.
    pub duplicate: bool,
}

/// `discard`: delete the dead letter without replaying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscardDeadLetter {
    pub sequence: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterDiscarded {
    pub sequence: u64,
}
