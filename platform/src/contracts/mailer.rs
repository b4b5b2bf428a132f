//! What the mailer answers on `rpc.mailer.*` through the NATS services API: its email log counted by state
//! for operators, and the email log for the web admin (`rpc.mailer.admin.*`, see [`ADMIN_RPC_GROUP`]): the
//! list, one email with its attempts, an order's emails, and the resend of a failed or uncertain email.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contracts::admin::Actor;

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

/// The NATS services API group of the web admin's endpoints; the mailer's NATS user may subscribe to
/// `rpc.mailer.admin.>` and the admin's user may publish there.
///
/// | subject                            | request                              | reply (`AdminReply<_>`) |
/// |------------------------------------|--------------------------------------|-------------------------|
/// | `rpc.mailer.admin.emails.list`     | [`ListEmails`]                       | [`EmailPage`]           |
/// | `rpc.mailer.admin.emails.get`      | [`GetEmail`]                         | [`EmailDetail`]         |
/// | `rpc.mailer.admin.emails.for_order`| [`EmailsForOrder`]                   | [`OrderEmails`]         |
/// | `rpc.mailer.admin.emails.resend`   | `Command<`[`ResendEmail`]`>`         | [`Resent`]              |
///
/// A failure of the mailer itself (its database is down) is a 503 service error; a request that does not
/// parse, a 400.
pub const ADMIN_RPC_GROUP: &str = "rpc.mailer.admin";
/// The email log, newest first, filtered, in keyset pages.
pub const EMAILS_LIST: &str = "rpc.mailer.admin.emails.list";
/// One email with every attempt.
pub const EMAILS_GET: &str = "rpc.mailer.admin.emails.get";
/// Every email of one order, for its timeline.
pub const EMAILS_FOR_ORDER: &str = "rpc.mailer.admin.emails.for_order";
/// Send a `failed` or `uncertain` email again: an operator's decision, never automatic.
pub const EMAILS_RESEND: &str = "rpc.mailer.admin.emails.resend";

/// Rows per page when `limit` is absent.
pub const DEFAULT_PAGE: u32 = 50;
/// The largest page; a larger `limit` is refused.
pub const MAX_PAGE: u32 = 200;

/// Where an email is in its life (see [`EmailCounts`] for each state's meaning). A state added by a newer
/// mailer reads as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailState {
    Pending,
    Sending,
    Sent,
    Retrying,
    Failed,
    Uncertain,
    #[serde(other)]
    Unknown,
}

/// Which of an order's emails. A kind added by a newer mailer reads as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    OrderConfirmation,
    OrderShipped,
    OrderCancelled,
    OrderRefunded,
    /// A back-in-stock alert (its `order_number` is the alert's reference, `SA-<id>`).
    BackInStock,
    /// The account emails (their `order_number` is the account's reference, `AC-<customer id>`): confirm
    /// the address, you already have an account, reset the password, the password was changed.
    AccountVerify,
    AccountExists,
    PasswordReset,
    PasswordChanged,
    #[serde(other)]
    Unknown,
}

/// `rpc.mailer.admin.emails.list` request: which emails, after which one. Every field is optional: `{}` is
/// the first page of the whole log, newest first. An unknown field is refused (a misspelt filter must not
/// read as "everything").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListEmails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<EmailState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EmailKind>,
    /// Logged at or after this moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Logged before this moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// The exact address (letter case aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// `next` of the previous page (with the same filters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Rows per page, 1 to [`MAX_PAGE`]; [`DEFAULT_PAGE`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One email of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSummary {
    pub id: u64,
    /// The event that asked for it.
    pub event_id: Uuid,
    pub kind: EmailKind,
    pub order_number: String,
    pub recipient: String,
    pub subject: String,
    pub state: EmailState,
    /// Calls to the provider so far.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A page of the log; `next` is the cursor of the following page, absent on the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPage {
    pub rows: Vec<EmailSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `rpc.mailer.admin.emails.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetEmail {
    pub id: u64,
}

/// `rpc.mailer.admin.emails.get` reply: the email and every attempt, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailDetail {
    #[serde(flatten)]
    pub email: EmailSummary,
    /// `file` or `ses`.
    pub transport: String,
    pub provider_message_id: Option<String>,
    /// Whether [`EMAILS_RESEND`] would take it: `failed` or `uncertain`, with its content kept.
    pub resendable: bool,
    /// Attempts recorded since the log kept them (an email logged before may count more in `attempts`).
    pub history: Vec<EmailAttempt>,
}

/// One call to the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAttempt {
    /// 1 for the first.
    pub attempt: u32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: AttemptOutcome,
    pub error: Option<String>,
    pub provider_message_id: Option<String>,
    pub transport: String,
    /// Who asked for it, for an operator's resend; `None` for the mailer's own attempts.
    pub requested_by: Option<Actor>,
}

/// How an attempt ended. An outcome added by a newer mailer reads as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// Still going (or its process died while it was).
    Sending,
    Sent,
    /// Not taken by the provider; tried again later.
    Retrying,
    Failed,
    /// The provider may have taken it.
    Uncertain,
    /// Its process stopped before the email was delivered; a later attempt sent it.
    Interrupted,
    #[serde(other)]
    Unknown,
}

/// `rpc.mailer.admin.emails.for_order` request. The number is text on purpose: a malformed one is answered
/// as an invalid `number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailsForOrder {
    pub number: String,
}

/// `rpc.mailer.admin.emails.for_order` reply: the order's emails, oldest first (for its timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEmails {
    pub number: String,
    pub emails: Vec<EmailSummary>,
}

/// `rpc.mailer.admin.emails.resend` command body (in a [`Command`](super::admin::Command)): send this email
/// again. Taken only for a `failed` or `uncertain` email (for an `uncertain` one, after checking with the
/// provider that it never left); anything else is a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResendEmail {
    pub id: u64,
}

/// `rpc.mailer.admin.emails.resend` reply: the attempt the resend made and how it ended (`sent`, or `failed`
/// / `uncertain` with the error). A double-submitted command gets the same reply and sends nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resent {
    pub id: u64,
    pub attempt: u32,
    pub state: EmailState,
    pub error: Option<String>,
}
