//! `orders.action`: staff move an order on — mark it processing, ship it, mark it delivered, cancel it, refund
//! it — only through the state machine (`domain::OrderState`), each as an idempotent command.
//!
//! One transaction per command, READ COMMITTED: claim the command's key (a double submit gets the first reply),
//! lock the order's row, check the version the admin saw (stale: `conflict` with the current one), apply the
//! step, write its events to the outbox (OrderStatusChanged for every move, OrderCancelled, OrderShipped,
//! OrderRefunded) and record the reply. A refusal rolls everything back, the claim included.
//!
//! A refund is also counted in the sales summaries in the same transaction (`db::reports`): its amount on
//! today's UTC day, and units refunded by line taken off their products on the day the order was placed.
//!
//! Refunds are checked against what was paid under the order's row lock, so two racing refunds are taken one
//! after the other and their sum never exceeds the charge (the mock provider checks its own ledger too). A
//! cancel gives the stock back to the catalog after the commit (`settle_stock`; the reconciler retries it while
//! the catalog is down).

use platform::{
    admin_commands::{self, Refused, begin, finish, retrying},
    contracts::{
        Sku,
        admin::{AdminReply, Command, FieldError},
        orders::{OrderRefunded, OrderShipped, RefundedLine},
        orders_admin::{
            Action, ActionKind, MAX_CARRIER_CHARS, MAX_REASON_CHARS, MAX_TRACKING_CHARS,
            ORDERS_ACTION, OrderAction, OrderDetail, RefundOf, Shipment,
        },
    },
};
use rust_decimal::Decimal;
use sqlx::MySqlConnection;

use super::detail::detail;
use crate::{
    Checkout, SERVICE,
    db::{self, admin::NewRefund, orders::Order, reports::ProductDelta},
    domain::{
        IllegalTransition, OrderNumber, OrderState, PaymentStatus, StockSettlement, Who,
        parse_order_number, parse_text, tracking_url,
    },
    orders::transition::{TransitionError, record_transition, settle_stock},
    payments::{self, RefundRefused},
};

/// The state an action moves the order to (a refund moves it only when it completes the refund).
fn target(kind: ActionKind) -> Option<OrderState> {
    match kind {
        ActionKind::MarkProcessing => Some(OrderState::Processing),
        ActionKind::Ship => Some(OrderState::Shipped),
        ActionKind::MarkDelivered => Some(OrderState::Delivered),
        ActionKind::Cancel => Some(OrderState::Cancelled),
        ActionKind::Refund | ActionKind::Unknown => None,
    }
}

/// Whether money of an order in `state` may go back (a cancelled order keeps its state when refunded).
fn may_refund(state: OrderState) -> bool {
    use OrderState::*;
    matches!(state, Paid | Processing | Shipped | Delivered | Cancelled)
}

/// The actions an order in `state` allows, with `refundable` still left to refund.
pub fn allowed_actions(state: OrderState, refundable: Decimal) -> Vec<ActionKind> {
    if state == OrderState::Pending {
        // Checkout finishes a pending order itself (paid or cancelled).
        return Vec::new();
    }
    let mut actions: Vec<ActionKind> = [
        ActionKind::MarkProcessing,
        ActionKind::Ship,
        ActionKind::MarkDelivered,
        ActionKind::Cancel,
    ]
    .into_iter()
    .filter(|kind| target(*kind).is_some_and(|to| state.can_move_to(to)))
    .collect();
    if may_refund(state) && refundable > Decimal::ZERO {
        actions.push(ActionKind::Refund);
    }
    actions
}

/// An action whose fields are all valid.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    number: OrderNumber,
    expected_version: u64,
    step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Move {
        to: OrderState,
        reason: Option<String>,
        /// Carrier and tracking number, for a shipment.
        parcel: Option<(String, String)>,
    },
    Refund {
        of: Refund,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Refund {
    Remaining,
    Amount(Decimal),
    /// (field index, SKU, units)
    Lines(Vec<(usize, Sku, u32)>),
}

/// Every bad field of `body` at once, or the action it asks for.
fn parse(body: &OrderAction) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = parse_order_number(body.number.trim())
        .map_err(|err| errors.push(FieldError::new(err.field, err.reason)))
        .ok();
    let mut text = |field: &str, value: &str, max: usize| {
        parse_text(field, value, max)
            .map_err(|err| errors.push(FieldError::new(err.field, err.reason)))
            .ok()
    };
    let step = match &body.action {
        Action::MarkProcessing => Some(Step::Move {
            to: OrderState::Processing,
            reason: None,
            parcel: None,
        }),
        Action::MarkDelivered => Some(Step::Move {
            to: OrderState::Delivered,
            reason: None,
            parcel: None,
        }),
        Action::Ship {
            carrier,
            tracking_number,
        } => {
            let carrier = text("carrier", carrier, MAX_CARRIER_CHARS);
            let tracking: String = tracking_number
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_uppercase();
            let tracking = if tracking.is_empty() {
                errors.push(FieldError::new("tracking_number", "is required"));
                None
            } else if tracking.chars().count() > MAX_TRACKING_CHARS
                || !tracking
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                errors.push(FieldError::new(
                    "tracking_number",
                    format!("letters, digits and dashes, at most {MAX_TRACKING_CHARS}"),
                ));
                None
            } else {
                Some(tracking)
            };
            carrier.zip(tracking).map(|parcel| Step::Move {
                to: OrderState::Shipped,
                reason: Some(format!("{} {}", parcel.0, parcel.1)),
                parcel: Some(parcel),
            })
        }
        Action::Cancel { reason } => {
            text("reason", reason, MAX_REASON_CHARS).map(|reason| Step::Move {
                to: OrderState::Cancelled,
                reason: Some(reason),
                parcel: None,
            })
        }
        Action::Refund { refund, reason } => {
            let reason = text("reason", reason, MAX_REASON_CHARS);
            let of = match refund {
                RefundOf::Remaining => Some(Refund::Remaining),
                RefundOf::Amount(amount) => {
                    if *amount <= Decimal::ZERO || amount.normalize().scale() > 2 {
                        errors.push(FieldError::new(
                            "refund.amount",
                            "more than 0, in cents at most",
                        ));
                        None
                    } else {
                        Some(Refund::Amount(*amount))
                    }
                }
                RefundOf::Lines(lines) if lines.is_empty() => {
                    errors.push(FieldError::new("refund.lines", "name at least one line"));
                    None
                }
                RefundOf::Lines(lines) => {
                    let mut parsed = Vec::new();
                    for (i, line) in lines.iter().enumerate() {
                        match Sku::parse(line.sku.trim()) {
                            Ok(sku) if parsed.iter().any(|(_, seen, _)| *seen == sku) => errors
                                .push(FieldError::new(
                                    format!("refund.lines[{i}].sku"),
                                    "listed twice",
                                )),
                            Ok(sku) => parsed.push((i, sku, line.quantity)),
                            Err(err) => errors.push(FieldError::new(
                                format!("refund.lines[{i}].sku"),
                                err.expected(),
                            )),
                        }
                        if line.quantity == 0 {
                            errors.push(FieldError::new(
                                format!("refund.lines[{i}].quantity"),
                                "must be at least 1",
                            ));
                        }
                    }
                    Some(Refund::Lines(parsed))
                }
            };
            reason
                .zip(of)
                .map(|(reason, of)| Step::Refund { of, reason })
        }
    };
    match (number, step) {
        (Some(number), Some(step)) if errors.is_empty() => Ok(Parsed {
            number,
            expected_version: body.expected_version,
            step,
        }),
        _ => Err(errors),
    }
}

/// Carries out `command` (see the module docs).
pub async fn act(
    checkout: &Checkout,
    command: &Command<OrderAction>,
) -> Result<AdminReply<OrderDetail>, sqlx::Error> {
    let parsed = parse(&command.body);
    let (reply, cancelled) = retrying(|| attempt(checkout, command, &parsed)).await?;
    if let Some(number) = cancelled {
        settle_stock(
            &checkout.pool,
            &checkout.catalog,
            &number,
            OrderState::Cancelled,
        )
        .await;
    }
    Ok(reply)
}

/// One try of the command's transaction; also says which order was cancelled by it, to give its stock back.
async fn attempt(
    checkout: &Checkout,
    command: &Command<OrderAction>,
    parsed: &Result<Parsed, Vec<FieldError>>,
) -> Result<(AdminReply<OrderDetail>, Option<OrderNumber>), sqlx::Error> {
    let mut conn = checkout.pool.acquire().await?;
    let mut tx = begin(&mut conn).await?;
    if let Some(replay) = admin_commands::claim(&mut tx, ORDERS_ACTION, command).await? {
        return Ok((replay, None));
    }
    let by = Who::Staff(command.actor.email.clone());
    let outcome = match parsed {
        Ok(parsed) => apply(&mut tx, parsed, &by).await?,
        Err(errors) => Err(Refused::Invalid(errors.clone())),
    };
    let cancelled = match (&outcome, parsed) {
        (
            Ok(_),
            Ok(Parsed {
                number,
                step:
                    Step::Move {
                        to: OrderState::Cancelled,
                        ..
                    },
                ..
            }),
        ) => Some(number.clone()),
        _ => None,
    };
    let accepted = outcome.is_ok();
    let reply = finish(tx, &command.idempotency_key, outcome).await?;
    if accepted {
        checkout.outbox.notify();
    }
    Ok((reply, cancelled))
}

async fn apply(
    conn: &mut MySqlConnection,
    parsed: &Parsed,
    by: &Who,
) -> Result<Result<OrderDetail, Refused>, sqlx::Error> {
    let number = &parsed.number;
    let Some(order) = db::orders::by_number(conn, number, db::Locking::ForUpdate).await? else {
        return Ok(Err(Refused::NotFound(format!("order {number}"))));
    };
    if order.version != parsed.expected_version {
        return Ok(Err(Refused::stale(order.version)));
    }
    let done = match &parsed.step {
        Step::Move { to, reason, parcel } => {
            let moved = move_order(conn, &order, *to, reason.as_deref(), by).await?;
            if moved.is_ok()
                && let Some((carrier, tracking_number)) = parcel
            {
                ship(conn, &order, carrier, tracking_number, by).await?;
            }
            moved
        }
        Step::Refund { of, reason } => refund(conn, &order, of, reason, by).await?,
    };
    if let Err(refused) = done {
        return Ok(Err(refused));
    }
    let order = db::orders::by_number(conn, number, db::Locking::None)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(Ok(detail(conn, order).await?))
}

/// Moves the locked `order` to `to` if the state machine allows it.
async fn move_order(
    conn: &mut MySqlConnection,
    order: &Order,
    to: OrderState,
    reason: Option<&str>,
    by: &Who,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let from = order.state;
    let refused = |reason: String| Refused::Conflict {
        reason,
        current_version: Some(order.version),
    };
    if from == OrderState::Pending {
        return Ok(Err(refused(
            "the order is still being paid; checkout finishes it within minutes".to_owned(),
        )));
    }
    if !from.can_move_to(to) {
        return Ok(Err(refused(IllegalTransition { from, to }.to_string())));
    }
    let stock = if to != OrderState::Cancelled && order.stock_settled {
        StockSettlement::Settled
    } else {
        StockSettlement::Pending
    };
    match record_transition(conn, order, (from, to), reason, stock, by).await {
        Ok(()) => Ok(Ok(())),
        Err(TransitionError::Database(err)) => Err(err),
        Err(other) => Ok(Err(refused(other.to_string()))),
    }
}

/// Records the parcel and its OrderShipped event (after the move to shipped, so the events read in order).
async fn ship(
    conn: &mut MySqlConnection,
    order: &Order,
    carrier: &str,
    tracking_number: &str,
    by: &Who,
) -> Result<(), sqlx::Error> {
    let shipment = Shipment {
        carrier: carrier.to_owned(),
        tracking_number: tracking_number.to_owned(),
        tracking_url: tracking_url(carrier, tracking_number),
        shipped_at: chrono::Utc::now(),
    };
    db::admin::insert_shipment(conn, order.id, &shipment, by).await?;
    let shipped = OrderShipped {
        number: order.number.clone(),
        email: order.email.clone(),
        customer_name: order.customer_name.clone(),
        carrier: shipment.carrier,
        tracking_number: shipment.tracking_number,
        tracking_url: shipment.tracking_url,
        shipped_at: shipment.shipped_at,
    };
    platform::outbox::enqueue(conn, SERVICE.name, shipped).await?;
    Ok(())
}

/// Gives money back for the locked `order`: never more than is left of what was paid.
async fn refund(
    conn: &mut MySqlConnection,
    order: &Order,
    of: &Refund,
    reason: &str,
    by: &Who,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let conflict = |reason: String| Refused::Conflict {
        reason,
        current_version: Some(order.version),
    };
    if !may_refund(order.state) {
        return Ok(Err(conflict(format!(
            "only a paid order can be refunded; this one is {}",
            order.state
        ))));
    }
    let paid = db::admin::paid(conn, order.id).await?;
    let left = paid - order.refunded_total;
    if left <= Decimal::ZERO {
        return Ok(Err(conflict(format!(
            "nothing is left to refund: {} of {paid} was refunded already",
            order.refunded_total
        ))));
    }
    let lines = db::admin::lines(conn, order.id).await?;
    let mut units = Vec::new();
    let mut refunded_lines = Vec::new();
    let amount = match of {
        Refund::Remaining => left,
        Refund::Amount(amount) => *amount,
        Refund::Lines(wanted) => {
            let mut errors = Vec::new();
            let mut amount = Decimal::ZERO;
            for (i, sku, quantity) in wanted {
                let Some(line) = lines.iter().find(|line| line.detail.sku == sku.as_str()) else {
                    errors.push(FieldError::new(
                        format!("refund.lines[{i}].sku"),
                        "is not a line of this order",
                    ));
                    continue;
                };
                let refundable = line.detail.quantity - line.detail.refunded_quantity;
                if *quantity > refundable {
                    errors.push(FieldError::new(
                        format!("refund.lines[{i}].quantity"),
                        format!("at most {refundable} of this line can still be refunded"),
                    ));
                    continue;
                }
                let line_amount = line.detail.unit_price * Decimal::from(*quantity)
                    - discount_of_units(
                        line.discount,
                        line.detail.quantity,
                        line.detail.refunded_quantity,
                        *quantity,
                    );
                amount += line_amount;
                units.push((line.line_no, *quantity));
                refunded_lines.push(RefundedLine {
                    sku: sku.clone(),
                    name: line.detail.name.clone(),
                    quantity: *quantity,
                    amount: line_amount,
                });
            }
            if !errors.is_empty() {
                return Ok(Err(Refused::Invalid(errors)));
            }
            amount
        }
    };
    if amount > left {
        let field = match of {
            Refund::Lines(_) => "refund.lines",
            _ => "refund.amount",
        };
        return Ok(Err(Refused::invalid(
            field,
            format!("at most {left} can still be refunded (of {paid} paid)"),
        )));
    }
    let refund_reference = payments::refund_reference_for(
        &order.number,
        db::admin::refund_count(conn, order.id).await? + 1,
    );
    match payments::refund(
        conn,
        &payments::reference_for(&order.number),
        &refund_reference,
        amount,
    )
    .await?
    {
        Ok(()) => {}
        Err(refused @ (RefundRefused::NotCharged | RefundRefused::MoreThanCharged { .. })) => {
            return Ok(Err(conflict(format!(
                "the payment provider refused the refund: {refused}"
            ))));
        }
    }
    let total_refunded = order.refunded_total + amount;
    let full = total_refunded >= paid;
    db::admin::record_refund(
        conn,
        &NewRefund {
            order_id: order.id,
            provider: payments::PROVIDER,
            reference: &refund_reference,
            amount,
            currency: &order.currency,
            reason,
            by,
        },
        if full {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        },
    )
    .await?;
    for (line_no, quantity) in units {
        db::admin::refund_units(conn, order.id, line_no, quantity).await?;
    }
    let refunded_at = chrono::Utc::now();
    let products: Vec<ProductDelta<'_>> = refunded_lines
        .iter()
        .map(|line| ProductDelta {
            sku: line.sku.as_str(),
            name: &line.name,
            units: -i64::from(line.quantity),
            revenue: -line.amount,
        })
        .collect();
    db::reports::record_refund(
        conn,
        refunded_at.date_naive(),
        amount,
        (order.created_at.date_naive(), &products),
    )
    .await?;
    let refunded = OrderRefunded {
        number: order.number.clone(),
        email: order.email.clone(),
        customer_name: order.customer_name.clone(),
        amount,
        currency: order.currency.clone(),
        total_refunded,
        full,
        lines: refunded_lines,
        reason: Some(reason.to_owned()),
        refund_reference,
        refunded_at,
    };
    platform::outbox::enqueue(&mut *conn, SERVICE.name, refunded).await?;
    if full && order.state.can_move_to(OrderState::Refunded) {
        return move_order(conn, order, OrderState::Refunded, Some(reason), by).await;
    }
    Ok(Ok(()))
}

/// The part of a line's `discount` (over its `units`) that `refunding` more units take back, when `refunded`
/// were refunded before: the discount is shared unit by unit, rounded half away from zero to the cent on the
/// running count, so however a line is refunded its refunds take back exactly its discount, never a cent more.
fn discount_of_units(discount: Decimal, units: u32, refunded: u32, refunding: u32) -> Decimal {
    if units == 0 {
        return Decimal::ZERO;
    }
    let share = |count: u32| {
        (discount * Decimal::from(count) / Decimal::from(units))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    share(refunded + refunding) - share(refunded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refunded_units_take_back_their_share_of_the_discount_exactly() {
        let d = |text: &str| text.parse::<Decimal>().unwrap();
        // 1.00 off 3 units: 0.33, 0.34, 0.33 (on the running count: 0.33, 0.67, 1.00).
        assert_eq!(discount_of_units(d("1.00"), 3, 0, 1), d("0.33"));
        assert_eq!(discount_of_units(d("1.00"), 3, 1, 1), d("0.34"));
        assert_eq!(discount_of_units(d("1.00"), 3, 2, 1), d("0.33"));
        assert_eq!(discount_of_units(d("1.00"), 3, 0, 3), d("1.00"));
        // However the units are split, the refunds add up to the discount.
        for split in [[1, 1, 1, 0], [2, 1, 0, 0], [1, 2, 0, 0]] {
            let mut refunded = 0;
            let mut total = Decimal::ZERO;
            for refunding in split {
                total += discount_of_units(d("1.00"), 3, refunded, refunding);
                refunded += refunding;
            }
            assert_eq!(total, d("1.00"));
        }
        assert_eq!(discount_of_units(Decimal::ZERO, 2, 0, 2), Decimal::ZERO);
    }
    use platform::contracts::orders_admin::RefundLine;

    #[test]
    fn the_actions_offered_follow_the_state_machine() {
        use ActionKind::*;
        let some = Decimal::ONE;
        assert_eq!(
            allowed_actions(OrderState::Paid, some),
            [MarkProcessing, Cancel, Refund]
        );
        assert_eq!(
            allowed_actions(OrderState::Processing, some),
            [Ship, Cancel, Refund]
        );
        assert_eq!(
            allowed_actions(OrderState::Shipped, some),
            [MarkDelivered, Refund]
        );
        assert_eq!(allowed_actions(OrderState::Delivered, Decimal::ZERO), []);
        assert_eq!(allowed_actions(OrderState::Cancelled, some), [Refund]);
        assert_eq!(allowed_actions(OrderState::Pending, some), []);
    }

    #[test]
    fn every_bad_field_of_an_action_is_named() {
        let action = |action| OrderAction {
            number: "SH-7K2M9Q4T".to_owned(),
            expected_version: 1,
            action,
        };
        let fields = |action| -> Vec<String> {
            parse(&action)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(action(Action::Ship {
                carrier: " ".to_owned(),
                tracking_number: "1Z<script>".to_owned()
            })),
            ["carrier", "tracking_number"]
        );
        assert_eq!(
            fields(action(Action::Refund {
                refund: RefundOf::Amount(Decimal::new(1001, 3)),
                reason: String::new()
            })),
            ["reason", "refund.amount"]
        );
        assert_eq!(
            fields(action(Action::Refund {
                refund: RefundOf::Lines(vec![
                    RefundLine {
                        sku: "T-1".to_owned(),
                        quantity: 0
                    },
                    RefundLine {
                        sku: "T-1".to_owned(),
                        quantity: 1
                    }
                ]),
                reason: "broken".to_owned()
            })),
            ["refund.lines[0].quantity", "refund.lines[1].sku"]
        );
        let mut bad_number = action(Action::MarkProcessing);
        bad_number.number = "SH 12".to_owned();
        assert_eq!(fields(bad_number), ["number"]);
        let shipped = parse(&action(Action::Ship {
            carrier: "UPS".to_owned(),
            tracking_number: "1z 999 aa1".to_owned(),
        }))
        .unwrap();
        assert!(matches!(
            shipped.step,
            Step::Move { parcel: Some((ref carrier, ref tracking)), .. }
                if carrier == "UPS" && tracking == "1Z999AA1"
        ));
    }
}
