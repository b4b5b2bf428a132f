//! The order's actions, for staff and owners only (a viewer's POST is refused and audited by
//! [`RequireStaff`]): mark processing, ship with a carrier and tracking number, mark delivered, cancel with a
//! reason, refund (all that is left, an amount, or units of lines, with a reason), and add a note.
//!
//! Every form carries a fresh idempotency key and the order's version as the page showed it: checkout
//! carries a double-submitted form out once, and refuses a stale version or a move the order's state does
//! not allow as a conflict, shown with a link to reload. Each outcome is audited as `order.<action>` on the
//! order (`.command(key)`: one entry per key), with the order before (as shown) and checkout's reply after.

use std::collections::HashMap;

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    orders_admin::{
        Action, AddNote, ORDERS_ACTION, ORDERS_NOTE, OrderAction, OrderDetail, RefundLine, RefundOf,
    },
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::detail::{Refusal, load, order_page};
use crate::{
    audit::{self, Entry, Outcome},
    http::{
        AppState,
        error::AdminError,
        extract::{CurrentSession, Flash, RequireStaff},
        forms::{Pairs, detail_of, field, idempotency_key},
        layers::redirect_with_flash,
    },
    services::command,
};

/// The most lines one refund form sends (an order has far fewer).
const MAX_FORM_LINES: usize = 200;

/// An action form, read: the action, and for a refund by lines the index of the order's line each sent line
/// came from (checkout names `refund.lines[<sent>]`, the form `lines[<order line>]`).
#[derive(Debug)]
struct ParsedAction {
    action: Action,
    sent_lines: Vec<usize>,
}

/// The action the form asks for, or the fields it gets wrong (by the form's names).
fn parse_action(pairs: &Pairs) -> Result<ParsedAction, Vec<FieldError>> {
    let text = |name: &str| field(pairs, name).trim().to_owned();
    let mut sent_lines = Vec::new();
    let action = match field(pairs, "action") {
        "mark_processing" => Action::MarkProcessing,
        "mark_delivered" => Action::MarkDelivered,
        "ship" => Action::Ship {
            carrier: text("carrier"),
            tracking_number: text("tracking_number"),
        },
        "cancel" => Action::Cancel {
            reason: text("reason"),
        },
        "refund" => {
            let refund = match field(pairs, "refund_of") {
                "remaining" => RefundOf::Remaining,
                "amount" => match text("amount").parse::<Decimal>() {
                    Ok(amount) => RefundOf::Amount(amount),
                    Err(_) => {
                        return Err(vec![FieldError::new(
                            "amount",
                            "must be an amount like 5 or 12.50",
                        )]);
                    }
                },
                "lines" => {
                    let mut lines = Vec::new();
                    let mut errors = Vec::new();
                    for index in 0..MAX_FORM_LINES {
                        let sku = field(pairs, &format!("lines[{index}].sku"));
                        if sku.is_empty() {
                            break;
                        }
                        let quantity = field(pairs, &format!("lines[{index}].quantity")).trim();
                        match quantity {
                            "" | "0" => {}
                            units => match units.parse::<u32>() {
                                Ok(quantity) => {
                                    sent_lines.push(index);
                                    lines.push(RefundLine {
                                        sku: sku.to_owned(),
                                        quantity,
                                    });
                                }
                                Err(_) => errors.push(FieldError::new(
                                    format!("lines[{index}].quantity"),
                                    "must be a whole number of units",
                                )),
                            },
                        }
                    }
                    if !errors.is_empty() {
                        return Err(errors);
                    }
                    RefundOf::Lines(lines)
                }
                _ => {
                    return Err(vec![FieldError::new(
                        "refund_of",
                        "choose what to refund: all that is left, an amount, or units of lines",
                    )]);
                }
            };
            Action::Refund {
                refund,
                reason: text("reason"),
            }
        }
        _ => return Err(vec![FieldError::new("form", "is not an action of orders")]),
    };
    Ok(ParsedAction { action, sent_lines })
}

/// The form's name of checkout's `field`.
fn form_field(field: &str, sent_lines: &[usize]) -> String {
    if let Some(rest) = field.strip_prefix("refund.lines[") {
        if let Some((sent, tail)) = rest.split_once(']')
            && let Some(index) = sent.parse::<usize>().ok().and_then(|i| sent_lines.get(i))
        {
            return format!("lines[{index}]{tail}");
        }
        return "lines".to_owned();
    }
    match field {
        "refund.amount" => "amount".to_owned(),
        "refund.lines" | "refund" => "lines".to_owned(),
        "carrier" | "tracking_number" | "reason" | "body" | "amount" | "refund_of" => {
            field.to_owned()
        }
        _ => "form".to_owned(),
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::MarkProcessing => "mark_processing",
        Action::Ship { .. } => "ship",
        Action::MarkDelivered => "mark_delivered",
        Action::Cancel { .. } => "cancel",
        Action::Refund { .. } => "refund",
    }
}

/// What the flash says after `action` was carried out.
fn done_message(action: &Action, after: &OrderDetail) -> String {
    match action {
        Action::MarkProcessing => format!("Order {} is being processed.", after.number),
        Action::Ship {
            carrier,
            tracking_number,
        } => format!(
            "Order {} shipped with {carrier}, tracking {}.",
            after.number,
            after
                .shipments
                .last()
                .map_or(tracking_number.as_str(), |s| s.tracking_number.as_str())
        ),
        Action::MarkDelivered => format!("Order {} delivered.", after.number),
        Action::Cancel { .. } => format!("Order {} cancelled.", after.number),
        Action::Refund { .. } => format!(
            "Refunded: {} {} of {} paid so far.",
            after.refunded, after.currency, after.paid
        ),
    }
}

fn typed(pairs: &Pairs) -> HashMap<String, String> {
    pairs
        .iter()
        .filter(|(name, _)| name != "csrf_token" && name != "idempotency_key")
        .cloned()
        .collect()
}

/// Sends `request` (an action or a note) for the order shown, audits the outcome, and answers: back to the
/// order with a flash, or the order page again with the refusal.
#[allow(clippy::too_many_arguments)]
async fn carry_out<Req: serde::Serialize>(
    state: &AppState,
    session: &CurrentSession,
    number: &str,
    form: &str,
    key: Uuid,
    subject: &str,
    request: &Req,
    pairs: &Pairs,
    field_of: impl Fn(&str) -> String,
    message: impl FnOnce(&OrderDetail) -> String,
) -> Result<Response, AdminError> {
    let entry = || {
        Entry::by(session, format!("order.{form}"))
            .target("order", number)
            .command(key)
    };
    // The order as the page showed it: checkout refuses the action when its version moved since.
    let before = load(state, number).await?;
    let reply = match state
        .checkout
        .call::<_, OrderDetail>(subject, request)
        .await
    {
        Err(AdminError::Unavailable) => {
            audit::record_or_log(
                &state.db,
                &entry()
                    .before(&before)
                    .outcome(Outcome::Failed)
                    .detail("checkout did not answer"),
            )
            .await;
            return Err(AdminError::Unavailable);
        }
        other => other?,
    };
    let refusal = |errors: Vec<(String, String)>, conflict: Option<String>| Refusal {
        form: form.to_owned(),
        typed: typed(pairs),
        errors,
        conflict,
    };
    let refusal = match reply {
        AdminReply::Ok(after) => {
            audit::record(
                &state.db,
                &entry()
                    .before(&before)
                    .after(&after)
                    .detail(format!("{} → {}", before.state, after.state)),
            )
            .await?;
            return Ok(redirect_with_flash(
                &format!("/admin/orders/{}", after.number),
                &Flash::success(message(&after)),
            ));
        }
        AdminReply::Invalid { errors } => {
            audit::record_or_log(
                &state.db,
                &entry()
                    .before(&before)
                    .outcome(Outcome::Refused)
                    .detail(detail_of(&errors)),
            )
            .await;
            refusal(
                errors
                    .iter()
                    .map(|e| (field_of(&e.field), e.reason.clone()))
                    .collect(),
                None,
            )
        }
        AdminReply::Conflict { reason, .. } => {
            audit::record_or_log(
                &state.db,
                &entry()
                    .before(&before)
                    .outcome(Outcome::Refused)
                    .detail(&reason),
            )
            .await;
            refusal(Vec::new(), Some(reason))
        }
        AdminReply::NotFound { what } => {
            audit::record_or_log(&state.db, &entry().outcome(Outcome::Refused).detail(what)).await;
            return Err(AdminError::NotFound);
        }
    };
    let page = order_page(state, number, Some(refusal)).await?;
    Ok(state.render(Some(session), page))
}

/// The version the form showed; a form without one is a bad request (every action form renders it).
fn expected_version(pairs: &Pairs) -> Result<u64, AdminError> {
    field(pairs, "expected_version").parse().map_err(|_| {
        AdminError::BadRequest("The form carried no order version: reload it.".to_owned())
    })
}

pub(super) async fn act(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(number): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let expected_version = expected_version(&pairs)?;
    let parsed = match parse_action(&pairs) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let form = field(&pairs, "action").to_owned();
            audit::record_or_log(
                &state.db,
                &Entry::by(&session, format!("order.{form}"))
                    .target("order", &number)
                    .command(key)
                    .outcome(Outcome::Refused)
                    .detail(detail_of(&errors)),
            )
            .await;
            let refusal = Refusal {
                form,
                typed: typed(&pairs),
                errors: errors.into_iter().map(|e| (e.field, e.reason)).collect(),
                conflict: None,
            };
            let page = order_page(&state, &number, Some(refusal)).await?;
            return Ok(state.render(Some(&session), page));
        }
    };
    let form = action_name(&parsed.action);
    let sent_lines = parsed.sent_lines;
    let action = parsed.action;
    let request = command(
        &session,
        key,
        OrderAction {
            number: number.clone(),
            expected_version,
            action: action.clone(),
        },
    );
    carry_out(
        &state,
        &session,
        &number,
        form,
        key,
        ORDERS_ACTION,
        &request,
        &pairs,
        |field| form_field(field, &sent_lines),
        |after| done_message(&action, after),
    )
    .await
}

pub(super) async fn note(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(number): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let request = command(
        &session,
        key,
        AddNote {
            number: number.clone(),
            body: field(&pairs, "body").trim().to_owned(),
        },
    );
    carry_out(
        &state,
        &session,
        &number,
        "note",
        key,
        ORDERS_NOTE,
        &request,
        &pairs,
        |field| form_field(field, &[]),
        |after| format!("Note added to order {}.", after.number),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::forms::pairs;

    #[test]
    fn a_refund_by_lines_sends_the_lines_with_units_and_names_their_errors_as_the_form_does() {
        let parsed = parse_action(&pairs(&[
            ("action", "refund"),
            ("refund_of", "lines"),
            ("reason", "scratched"),
            ("lines[0].sku", "TEE-S"),
            ("lines[0].quantity", "0"),
            ("lines[1].sku", "MUG"),
            ("lines[1].quantity", "2"),
        ]))
        .unwrap();
        assert_eq!(
            parsed.action,
            Action::Refund {
                refund: RefundOf::Lines(vec![RefundLine {
                    sku: "MUG".to_owned(),
                    quantity: 2
                }]),
                reason: "scratched".to_owned()
            }
        );
        assert_eq!(
            form_field("refund.lines[0].quantity", &parsed.sent_lines),
            "lines[1].quantity"
        );
        assert_eq!(form_field("refund.amount", &[]), "amount");
        assert_eq!(form_field("expected_version", &[]), "form");
    }

    #[test]
    fn an_amount_that_is_no_number_is_refused_before_asking_checkout() {
        let errors = parse_action(&pairs(&[
            ("action", "refund"),
            ("refund_of", "amount"),
            ("amount", "five"),
        ]))
        .unwrap_err();
        assert_eq!(errors[0].field, "amount");
        let ship = parse_action(&pairs(&[
            ("action", "ship"),
            ("carrier", " DHL "),
            ("tracking_number", "JD01"),
        ]))
        .unwrap();
        assert_eq!(
            ship.action,
            Action::Ship {
                carrier: "DHL".to_owned(),
                tracking_number: "JD01".to_owned()
            }
        );
    }
}
