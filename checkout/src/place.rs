//! Place-order: cart -> re-quote -> reserve -> order, lines and payment in one transaction -> charge ->
//! (paid: OrderCreated and OrderPaid in the outbox with the state change, cart converted; commit the stock)
//! or (declined or provider down: payment_failed, stock released). Every failure after the reservation gives
//! the stock back; what the catalog cannot confirm right away, the reconciler finishes.

use axum::http::StatusCode;
use chrono::Utc;
use platform::{
    contracts::{
        catalog::{StockLine, StockRejection},
        orders::{Address, OrderCreated, OrderLine, OrderPaid},
    },
    http_error::ApiError,
};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use crate::{
    SERVICE,
    catalog::CatalogError,
    db::{self, carts::new_token},
    domain::{CURRENCY, OrderState, ShippingMethod, TestCard, Totals},
    http::AppState,
    orders::{self, hash_token, new_order_number},
    payments::{self, PaymentResult},
};

/// A validated place-order request.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub cart_token: String,
    pub email: String,
    pub customer_name: String,
    pub address: Address,
    pub shipping_method: ShippingMethod,
    pub card: TestCard,
}

/// What the shopper gets back: the order, and the secret link to reopen it.
#[derive(Debug, Serialize)]
pub struct Placed {
    #[serde(flatten)]
    pub order: db::orders::Order,
    pub lookup_token: String,
    pub order_url: String,
}

fn conflict(code: &str, detail: &str, extra: serde_json::Value) -> ApiError {
    let mut body = json!({ "code": code });
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    ApiError::problem(StatusCode::CONFLICT, "Conflict", detail, body)
}

fn catalog_unavailable(err: &str) -> ApiError {
    ApiError::Unavailable(format!(
        "the catalog is unavailable, nothing was ordered: {err}"
    ))
}

pub async fn place(state: &AppState, request: PlaceOrder) -> Result<Placed, ApiError> {
    // 1. The cart, as the shopper sees it. No connection is held across a call to the catalog or the payment
    // provider: a slow dependency must not drain the pool for everyone else.
    let mut conn = state.pool.acquire().await?;
    let cart = db::carts::by_token(&mut conn, &request.cart_token, false)
        .await?
        .ok_or_else(|| {
            ApiError::problem(
                StatusCode::NOT_FOUND,
                "Not found",
                "no such cart",
                json!({"field": "cart_token"}),
            )
        })?;
    if cart.state != "open" {
        return Err(conflict(
            "cart_converted",
            "this cart was already ordered",
            json!({}),
        ));
    }
    let items = db::carts::items(&mut conn, cart.id).await?;
    drop(conn);
    if items.is_empty() {
        return Err(ApiError::problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Empty cart",
            "the cart has no items",
            json!({"code": "cart_empty", "field": "cart_token"}),
        ));
    }

    // 2. Re-quote: the shopper pays what they saw, or is told what changed.
    let quote = state
        .catalog
        .quote(items.iter().map(|item| item.sku.clone()).collect())
        .await
        .map_err(|err| catalog_unavailable(&err.to_string()))?;
    let mut changed = Vec::new();
    let mut unavailable = Vec::new();
    let mut conn = state.pool.acquire().await?;
    for item in &items {
        match quote.items.iter().find(|quoted| quoted.sku == item.sku) {
            Some(quoted) if !quoted.sellable => unavailable
                .push(json!({"sku": item.sku, "requested": item.quantity, "available": 0})),
            Some(quoted) if quoted.price != item.unit_price => {
                db::carts::refresh_snapshot(
                    &mut conn,
                    cart.id,
                    &item.sku,
                    quoted.price,
                    &quoted.name,
                )
                .await?;
                changed.push(json!({"sku": item.sku, "name": quoted.name, "old_price": item.unit_price, "new_price": quoted.price}));
            }
            Some(_) => {}
            None => unavailable
                .push(json!({"sku": item.sku, "requested": item.quantity, "available": 0})),
        }
    }
    drop(conn);
    if !unavailable.is_empty() {
        return Err(conflict(
            "out_of_stock",
            "some items are no longer available",
            json!({"lines": unavailable}),
        ));
    }
    if !changed.is_empty() {
        return Err(conflict(
            "price_changed",
            "prices changed since the items were added; the cart now shows the new prices",
            json!({"lines": changed}),
        ));
    }

    // 3. Reserve every line or none.
    let number = new_order_number();
    let lines: Vec<StockLine> = items
        .iter()
        .map(|item| StockLine {
            sku: item.sku.clone(),
            quantity: item.quantity,
        })
        .collect();
    match state.catalog.reserve(&number, lines).await {
        Ok(_) => {}
        Err(CatalogError::Rejected(StockRejection::InsufficientStock { lines })) => {
            return Err(conflict(
                "out_of_stock",
                "not enough stock for some items",
                json!({"lines": lines}),
            ));
        }
        Err(CatalogError::Rejected(rejection)) => {
            return Err(conflict("not_orderable", &rejection.to_string(), json!({})));
        }
        Err(CatalogError::Unavailable(err)) => {
            // The reservation may have been made after our timeout: give it back (idempotent).
            release_in_background(state, &number);
            return Err(catalog_unavailable(&err));
        }
    }

    // 4. The order, its lines and the pending payment, in one transaction.
    let order_lines: Vec<OrderLine> = items
        .iter()
        .map(|item| OrderLine {
            sku: item.sku.clone(),
            name: item.name.clone(),
            unit_price: item.unit_price,
            quantity: item.quantity,
            line_total: item.unit_price * Decimal::from(item.quantity),
        })
        .collect();
    let priced: Vec<(Decimal, u32)> = items
        .iter()
        .map(|item| (item.unit_price, item.quantity))
        .collect();
    let totals = Totals::compute(&priced, request.shipping_method, state.config.tax_rate);
    let lookup_token = new_token();
    let reference = format!("pay_{}", uuid::Uuid::new_v4().simple());
    let created = async {
        let mut tx = state.pool.begin().await?;
        let order_id = db::orders::insert(
            &mut tx,
            &db::orders::NewOrder {
                number: &number,
                lookup_token_hash: &hash_token(&lookup_token),
                cart_id: cart.id,
                email: &request.email,
                customer_name: &request.customer_name,
                address: &request.address,
                shipping_method: request.shipping_method,
                totals,
                currency: CURRENCY,
                lines: &order_lines,
            },
        )
        .await?;
        db::orders::insert_payment(
            &mut tx,
            order_id,
            payments::PROVIDER,
            &reference,
            totals.total,
            CURRENCY,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(order_id)
    }
    .await;
    let order_id = match created {
        Ok(id) => id,
        Err(err) => {
            release_in_background(state, &number);
            return Err(err.into());
        }
    };

    // 5. Charge, and record the outcome with its events.
    let result = payments::charge(request.card, &reference, totals.total).await;
    let mut tx = state.pool.begin().await?;
    let (to, payment_state, reason) = match &result {
        PaymentResult::Succeeded => (OrderState::Paid, "succeeded", None),
        PaymentResult::Declined { reason } => {
            (OrderState::PaymentFailed, "declined", Some(*reason))
        }
        PaymentResult::Unavailable => (
            OrderState::PaymentFailed,
            "failed",
            Some("payment provider unavailable"),
        ),
    };
    db::orders::settle_payment(
        &mut tx,
        payments::PROVIDER,
        &reference,
        payment_state,
        reason,
    )
    .await?;
    orders::record_transition(
        &mut tx,
        order_id,
        &number,
        OrderState::Pending,
        to,
        reason,
        false,
    )
    .await
    .map_err(|err| ApiError::Internal(err.into()))?;
    // Read back after the state change, for the events and (when paid) the response.
    let order = db::orders::by_number(&mut tx, &number, false)
        .await?
        .ok_or(ApiError::NotFound("order"))?;
    if to == OrderState::Paid {
        db::carts::mark_converted(&mut tx, cart.id).await?;
        let now = Utc::now();
        let created = OrderCreated {
            number: number.clone(),
            email: order.email.clone(),
            customer_name: order.customer_name.clone(),
            lines: order.lines.clone(),
            subtotal: order.subtotal,
            shipping: order.shipping,
            tax: order.tax,
            total: order.total,
            currency: order.currency.clone(),
            shipping_method: order.shipping_method.clone(),
            shipping_address: order.shipping_address.clone(),
            state: to.as_str().to_owned(),
            created_at: order.created_at,
            lookup_token: Some(lookup_token.clone()),
        };
        platform::outbox::enqueue(&mut tx, SERVICE.name, created).await?;
        let paid = OrderPaid {
            number: number.clone(),
            amount: order.total,
            currency: order.currency.clone(),
            provider: payments::PROVIDER.to_owned(),
            payment_reference: reference.clone(),
            paid_at: now,
        };
        platform::outbox::enqueue(&mut tx, SERVICE.name, paid).await?;
    }
    tx.commit().await?;
    state.outbox.notify();
    metrics::counter!("checkout_orders_total", "outcome" => to.as_str()).increment(1);

    // 6. The catalog makes the sale final, or takes the stock back.
    orders::settle_stock(&state.pool, &state.catalog, &number, to).await;
    match result {
        PaymentResult::Succeeded => {
            let order_url = format!("{}/orders/{number}?token={lookup_token}", state.config.public_base_url.trim_end_matches('/'));
            // The order as the transaction above left it: settling the stock only flips a field the
            // response does not show.
            Ok(Placed { order, lookup_token, order_url })
        }
        PaymentResult::Declined { reason } => Err(ApiError::problem(
            StatusCode::PAYMENT_REQUIRED,
            "Payment declined",
            reason,
            json!({"code": "card_declined", "field": "card_token", "order_number": number}),
        )),
        PaymentResult::Unavailable => Err(ApiError::Unavailable(
            "the payment provider is unavailable; nothing was charged and the items are back in stock".to_owned(),
        )),
    }
}

fn release_in_background(state: &AppState, number: &str) {
    let catalog = state.catalog.clone();
    let number = number.to_owned();
    tokio::spawn(async move {
        if let Err(err) = catalog.release(&number).await {
            tracing::warn!(number, error = %err, "releasing a possibly made reservation failed; it will expire");
        }
    });
}
