//! `orders.note`: a staff note appended to an order (never changed or removed afterwards, never shown to the
//! shopper), as an idempotent command. A note changes nothing of the order, so it needs no version.

use platform::{
    admin_commands::{self, Refused, begin, finish, retrying},
    contracts::{
        admin::{AdminReply, Command, FieldError},
        orders_admin::{AddNote, MAX_NOTE_CHARS, ORDERS_NOTE, OrderDetail},
    },
};
use sqlx::MySqlPool;

use super::detail::detail;
use crate::{
    db,
    domain::{OrderNumber, parse_order_number},
};

/// Every bad field at once, or the order and the note's text.
fn parse(body: &AddNote) -> Result<(OrderNumber, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = parse_order_number(body.number.trim())
        .map_err(|err| errors.push(FieldError::new(err.field, err.reason)))
        .ok();
    let text = body.body.trim();
    if text.is_empty() {
        errors.push(FieldError::new("body", "is required"));
    } else if text.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError::new(
            "body",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    } else if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::new(
            "body",
            "must not contain control characters",
        ));
    }
    match number {
        Some(number) if errors.is_empty() => Ok((number, text.to_owned())),
        _ => Err(errors),
    }
}

/// Appends the note and answers the order as it now reads.
pub async fn add(
    pool: &MySqlPool,
    command: &Command<AddNote>,
) -> Result<AdminReply<OrderDetail>, sqlx::Error> {
    let parsed = parse(&command.body);
    retrying(|| async {
        let mut conn = pool.acquire().await?;
        let mut tx = begin(&mut conn).await?;
        if let Some(replay) = admin_commands::claim(&mut tx, ORDERS_NOTE, command).await? {
            return Ok(replay);
        }
        let outcome = match &parsed {
            Err(errors) => Err(Refused::Invalid(errors.clone())),
            Ok((number, text)) => {
                match db::orders::by_number(&mut tx, number, db::Locking::None).await? {
                    None => Err(Refused::NotFound(format!("order {number}"))),
                    Some(order) => {
                        db::admin::insert_note(
                            &mut tx,
                            order.id,
                            (command.actor.staff_id, &command.actor.email),
                            text,
                        )
                        .await?;
                        Ok(detail(&mut tx, order).await?)
                    }
                }
            }
        };
        finish(tx, &command.idempotency_key, outcome).await
    })
    .await
}
