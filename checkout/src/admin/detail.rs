//! `orders.get`: an order with everything that happened to it, for the admin's order page (and as the reply of
//! every action, so the page shows the order as the action left it), the promotions it got included.

use platform::contracts::{
    admin::AdminReply,
    orders_admin::{GetOrder, OrderDetail, PaymentKind, TimelineEntry, TimelineEvent, Who},
};
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool};

use super::actions::allowed_actions;
use crate::{
    db::{self, orders::Order},
    domain::parse_order_number,
};

/// The order `request.number`.
pub async fn get(
    pool: &MySqlPool,
    request: &GetOrder,
) -> Result<AdminReply<OrderDetail>, sqlx::Error> {
    let Ok(number) = parse_order_number(request.number.trim()) else {
        return Ok(AdminReply::invalid(
            "number",
            "an order number like SH-7K2M9Q4T",
        ));
    };
    let mut conn = pool.acquire().await?;
    Ok(
        match db::orders::by_number(&mut conn, &number, db::Locking::None).await? {
            Some(order) => AdminReply::Ok(detail(&mut conn, order).await?),
            None => AdminReply::NotFound {
                what: format!("order {number}"),
            },
        },
    )
}

/// The admin's view of `order`, read on `conn` (inside an action's transaction: as it is about to commit).
pub async fn detail(conn: &mut MySqlConnection, order: Order) -> Result<OrderDetail, sqlx::Error> {
    let lines = db::admin::lines(conn, order.id).await?;
    let payments = db::admin::payments(conn, order.id).await?;
    let shipments = db::admin::shipments(conn, order.id).await?;
    let history = db::admin::history(conn, order.id).await?;
    let notes = db::admin::notes(conn, order.id).await?;
    let discounts = db::promotions_admin::order_discounts(conn, &order.number).await?;
    let paid: Decimal = payments
        .iter()
        .filter(|p| p.record.kind == PaymentKind::Charge && p.record.state == "succeeded")
        .map(|p| p.record.amount)
        .sum();
    // Each source is in the order it was written; a stable sort by time keeps that order for equal times.
    let mut timeline: Vec<TimelineEntry> = history
        .into_iter()
        .map(|row| TimelineEntry {
            at: row.at,
            by: row.by,
            event: TimelineEvent::StateChanged {
                from: row.from.map(Into::into),
                to: row.to.into(),
                reason: row.reason,
            },
        })
        .chain(shipments.iter().map(|row| TimelineEntry {
            at: row.shipment.shipped_at,
            by: row.by.clone(),
            event: TimelineEvent::Shipped {
                carrier: row.shipment.carrier.clone(),
                tracking_number: row.shipment.tracking_number.clone(),
                tracking_url: row.shipment.tracking_url.clone(),
            },
        }))
        .chain(
            payments
                .iter()
                .filter(|p| p.record.kind == PaymentKind::Refund)
                .map(|p| TimelineEntry {
                    at: p.record.at,
                    by: p.by.clone(),
                    event: TimelineEvent::Refunded {
                        amount: p.record.amount,
                        reference: p.record.reference.clone(),
                        reason: p.record.reason.clone(),
                    },
                }),
        )
        .chain(notes.into_iter().map(|note| TimelineEntry {
            at: note.at,
            by: Who::Staff(note.staff_email),
            event: TimelineEvent::Note { body: note.body },
        }))
        .collect();
    timeline.sort_by_key(|entry| entry.at);
    Ok(OrderDetail {
        number: order.number.to_string(),
        version: order.version,
        state: order.state.into(),
        payment: order.payment_status,
        email: order.email.to_string(),
        customer_name: order.customer_name,
        shipping_address: order.shipping_address,
        shipping_method: order.shipping_method,
        lines: lines.into_iter().map(|line| line.detail).collect(),
        subtotal: order.subtotal,
        discount: order.discount,
        shipping: order.shipping,
        tax: order.tax,
        total: order.total,
        currency: order.currency,
        discounts,
        paid,
        refunded: order.refunded_total,
        payments: payments.into_iter().map(|p| p.record).collect(),
        shipments: shipments.into_iter().map(|row| row.shipment).collect(),
        timeline,
        actions: allowed_actions(order.state, paid - order.refunded_total),
        created_at: order.created_at,
        updated_at: order.updated_at,
    })
}
