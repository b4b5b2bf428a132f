//! One order: its lines as sold, totals, address, payments and refunds, shipments, and one timeline in time
//! order that merges checkout's (state changes with who, when and why; shipments; refunds; staff notes) with
//! the mailer's emails of the order, each with its state and a link to its page. The mailer only adds to this
//! page: when it does not answer, a notice stands where its emails would be and the rest is shown.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use chrono::{DateTime, Utc};
use platform::contracts::{
    admin::AdminReply,
    mailer::{EMAILS_FOR_ORDER, EmailKind, EmailSummary, EmailsForOrder, OrderEmails},
    orders_admin::{
        ActionKind, GetOrder, MAX_CARRIER_CHARS, MAX_NOTE_CHARS, MAX_REASON_CHARS,
        MAX_TRACKING_CHARS, ORDERS_GET, OrderDetail, TimelineEntry, TimelineEvent, Who,
    },
};
use serde::Serialize;

use crate::http::{AppState, error::AdminError, extract::RequireViewer, render::Page};

/// The order, or 404 (a number checkout cannot even read is no order either).
pub(super) async fn load(state: &AppState, number: &str) -> Result<OrderDetail, AdminError> {
    match state
        .checkout
        .call::<_, OrderDetail>(
            ORDERS_GET,
            &GetOrder {
                number: number.to_owned(),
            },
        )
        .await?
    {
        AdminReply::Ok(detail) => Ok(detail),
        AdminReply::NotFound { .. } | AdminReply::Invalid { .. } => Err(AdminError::NotFound),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the order {number} was refused: {other:?}"
        ))),
    }
}

/// The order's emails, or `None` when the mailer cannot say (the page shows a notice instead).
async fn emails(state: &AppState, number: &str) -> Option<Vec<EmailSummary>> {
    let request = EmailsForOrder {
        number: number.to_owned(),
    };
    match state
        .mailer
        .call::<_, OrderEmails>(EMAILS_FOR_ORDER, &request)
        .await
    {
        Ok(AdminReply::Ok(emails)) => Some(emails.emails),
        Ok(other) => {
            tracing::warn!(number, reply = ?other, "the mailer refused an order's emails");
            None
        }
        Err(err) => {
            tracing::warn!(number, error = %err, "no emails for the order page");
            None
        }
    }
}

/// "2025-03-01 14:05 UTC"
pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn who(by: &Who) -> String {
    match by {
        Who::Shopper => "the shopper".to_owned(),
        Who::System => "the shop".to_owned(),
        Who::Staff(email) => email.clone(),
    }
}

/// What an email is about, in words.
pub(crate) fn kind_label(kind: EmailKind) -> &'static str {
    match kind {
        EmailKind::OrderConfirmation => "Order confirmation",
        EmailKind::OrderShipped => "Shipping notice",
        EmailKind::OrderCancelled => "Cancellation notice",
        EmailKind::OrderRefunded => "Refund notice",
        EmailKind::BackInStock => "Back-in-stock alert",
        EmailKind::AccountVerify => "Address confirmation",
        EmailKind::AccountExists => "Account exists notice",
        EmailKind::PasswordReset => "Password reset link",
        EmailKind::PasswordChanged => "Password changed notice",
        EmailKind::Unknown => "Email",
    }
}

/// One entry of the merged timeline.
#[derive(Debug, Serialize)]
struct TimelineItem {
    #[serde(skip)]
    at: DateTime<Utc>,
    when: String,
    /// `state`, `shipped`, `refunded`, `note`, `email`: the entry's look.
    kind: &'static str,
    title: String,
    /// Who did it (checkout's entries) or to whom it went (emails).
    by: String,
    detail: Option<String>,
    link: Option<String>,
    link_text: Option<String>,
    /// An email's state.
    state: Option<String>,
}

fn checkout_item(entry: &TimelineEntry, currency: &str) -> TimelineItem {
    let mut item = TimelineItem {
        at: entry.at,
        when: when(entry.at),
        kind: "state",
        title: String::new(),
        by: who(&entry.by),
        detail: None,
        link: None,
        link_text: None,
        state: None,
    };
    match &entry.event {
        TimelineEvent::StateChanged { from, to, reason } => {
            item.title = match from {
                None => format!("Placed ({to})"),
                Some(from) => format!("{from} → {to}"),
            };
            item.detail = reason.clone();
        }
        TimelineEvent::Shipped {
            carrier,
            tracking_number,
            tracking_url,
        } => {
            item.kind = "shipped";
            item.title = format!("Shipped with {carrier}");
            item.link_text = Some(tracking_number.clone());
            item.link = tracking_url.clone();
            if tracking_url.is_none() {
                item.detail = Some(format!("Tracking number {tracking_number}"));
            }
        }
        TimelineEvent::Refunded {
            amount,
            reference,
            reason,
        } => {
            item.kind = "refunded";
            item.title = format!("Refunded {amount} {currency}");
            item.detail = Some(match reason {
                Some(reason) => format!("{reason} (reference {reference})"),
                None => format!("Reference {reference}"),
            });
        }
        TimelineEvent::Note { body } => {
            item.kind = "note";
            item.title = "Note".to_owned();
            item.detail = Some(body.clone());
        }
    }
    item
}

fn email_item(email: &EmailSummary) -> TimelineItem {
    TimelineItem {
        at: email.created_at,
        when: when(email.created_at),
        kind: "email",
        title: format!("{} emailed", kind_label(email.kind)),
        by: email.recipient.clone(),
        detail: email.last_error.clone(),
        link: Some(format!("/admin/emails/{}", email.id)),
        link_text: Some(email.subject.clone()),
        state: Some(
            serde_json::to_value(email.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        ),
    }
}

/// Checkout's timeline and the emails in one list, oldest first; at the same moment what happened comes
/// before the email about it.
fn timeline(order: &OrderDetail, emails: &[EmailSummary]) -> Vec<TimelineItem> {
    let mut items: Vec<TimelineItem> = order
        .timeline
        .iter()
        .map(|entry| checkout_item(entry, &order.currency))
        .chain(emails.iter().map(email_item))
        .collect();
    items.sort_by_key(|item| item.at);
    items
}

/// Which actions the order page offers (by name), and the limits its inputs show.
#[derive(Debug, Serialize)]
struct Offered {
    mark_processing: bool,
    ship: bool,
    mark_delivered: bool,
    cancel: bool,
    refund: bool,
}

impl Offered {
    fn of(actions: &[ActionKind]) -> Self {
        let has = |kind| actions.contains(&kind);
        Self {
            mark_processing: has(ActionKind::MarkProcessing),
            ship: has(ActionKind::Ship),
            mark_delivered: has(ActionKind::MarkDelivered),
            cancel: has(ActionKind::Cancel),
            refund: has(ActionKind::Refund),
        }
    }
}

/// A line of the order as the page shows it.
#[derive(Debug, Serialize)]
struct LineView<'a> {
    index: usize,
    sku: &'a str,
    name: &'a str,
    unit_price: String,
    quantity: u32,
    line_total: String,
    refunded_quantity: u32,
    refundable: u32,
}

/// A refused action shown on the page again: the form it came from, what was typed, why.
#[derive(Debug, Default)]
pub(super) struct Refusal {
    /// `mark_processing`, `ship`, `mark_delivered`, `cancel`, `refund`, `note`.
    pub form: String,
    pub typed: HashMap<String, String>,
    /// Field (as the form names it) -> reason.
    pub errors: Vec<(String, String)>,
    /// The order changed meanwhile, or its state refuses the action.
    pub conflict: Option<String>,
}

/// The order page for `number`, with `refusal` when an action was refused.
pub(super) async fn order_page(
    state: &AppState,
    number: &str,
    refusal: Option<Refusal>,
) -> Result<Page, AdminError> {
    let order = load(state, number).await?;
    let emails = emails(state, &order.number).await;
    let items = timeline(&order, emails.as_deref().unwrap_or_default());
    let lines: Vec<LineView<'_>> = order
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| LineView {
            index,
            sku: &line.sku,
            name: &line.name,
            unit_price: line.unit_price.to_string(),
            quantity: line.quantity,
            line_total: line.line_total.to_string(),
            refunded_quantity: line.refunded_quantity,
            refundable: line.quantity.saturating_sub(line.refunded_quantity),
        })
        .collect();
    let left_to_refund = order.paid - order.refunded;
    let refusal = refusal.unwrap_or_default();
    // Each form shows only its own refusal: two forms have a `reason`.
    let mut form_errors: HashMap<&str, HashMap<String, String>> = [
        "mark_processing",
        "ship",
        "mark_delivered",
        "cancel",
        "refund",
        "note",
    ]
    .into_iter()
    .map(|form| (form, HashMap::new()))
    .collect();
    if let Some(errors) = form_errors.get_mut(refusal.form.as_str()) {
        errors.extend(refusal.errors.iter().cloned());
    }
    let status = if refusal.conflict.is_some() {
        StatusCode::CONFLICT
    } else if refusal.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = format!("Order {}", order.number);
    Ok(Page::new("orders/detail.html", &title, "orders")
        .with("order", &order)
        .with("placed", &when(order.created_at))
        .with("lines", &lines)
        .with("left_to_refund", &left_to_refund.to_string())
        .with(
            "can_refund_more",
            &(left_to_refund > rust_decimal::Decimal::ZERO),
        )
        .with("payment", &order.payment.as_str())
        .with(
            "payments",
            &order
                .payments
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "kind": p.kind, "provider": p.provider, "reference": p.reference,
                        "state": p.state, "amount": p.amount.to_string(), "reason": p.reason,
                        "when": when(p.at),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .with(
            "shipments",
            &order
                .shipments
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "carrier": s.carrier, "tracking_number": s.tracking_number,
                        "tracking_url": s.tracking_url, "when": when(s.shipped_at),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .with("timeline", &items)
        .with("emails_unavailable", &emails.is_none())
        .with("offered", &Offered::of(&order.actions))
        .with("form_errors", &form_errors)
        .with("failed_form", &refusal.form)
        .with("typed", &refusal.typed)
        .with("no_typed", &HashMap::<String, String>::new())
        .with("conflict", &refusal.conflict)
        .with("max_reason_chars", &MAX_REASON_CHARS)
        .with("max_note_chars", &MAX_NOTE_CHARS)
        .with("max_carrier_chars", &MAX_CARRIER_CHARS)
        .with("max_tracking_chars", &MAX_TRACKING_CHARS)
        .status(status))
}

pub(super) async fn show(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(number): Path<String>,
) -> Result<Response, AdminError> {
    let page = order_page(&state, &number, None).await?;
    Ok(state.render(Some(&session), page))
}
