//! Place-order: claim the cart -> price it with its promotions (as the totals preview did) -> reserve at the
//! prices the shopper saw -> order, lines, payment and each promotion's use in one transaction -> charge
//! -> record the outcome ([`super::outcome`]) -> settle the stock with the catalog.
//!
//! # One cart, one paid order
//!
//! An attempt first claims its cart with one conditional update (`open` -> `checking_out`, holding the
//! attempt's order number): of any number of concurrent attempts on one cart, exactly one gets it; the others
//! answer 409 `checkout_in_progress` (or `cart_converted` once it is paid) and charge nothing. While claimed, the
//! cart's lines cannot change. A failed payment gives the cart back; so does any refusal before the order is
//! written. Each cart may make `PAYMENT_ATTEMPTS_PER_CART` payment attempts per window, then 429.
//!
//! # A retry after a crash
//!
//! An attempt's order number (and so its payment reference, `pay_<number>`) and lookup token belong to its
//! Idempotency-Key from the first try. A retry with the same key after the first request died finds that
//! order: still pending, it is charged again under the same reference, which the provider answers with the
//! first outcome instead of charging twice; already finished, the key answers what was recorded with it.
//!
//! # Stock
//!
//! Every failure after the reservation gives the stock back. When the catalog may hold a reservation that no
//! order shows (the reserve timed out, the order could not be written), the release is written down in the same
//! transaction that gives the cart back and retried until the catalog confirms it; a release that reaches the
//! catalog before the late reserve it cancels wins over it. No connection is held while waiting for the catalog
//! or the provider: a slow dependency must not drain the pool for everyone else.

use std::time::Duration;

use chrono::{SubsecRound as _, Utc};
use platform::contracts::{
    Sku,
    catalog::{ShortLine, StockLine, StockRejection},
    orders::OrderLine,
};
use rust_decimal::Decimal;

use super::{
    attempt::{Attempt, PlaceError, PlaceOrder, PriceChange},
    hash_token,
    outcome::Placed,
    pay,
};
use crate::{
    Checkout,
    catalog::CatalogError,
    db::{
        self,
        carts::{Cart, CartItem},
        orders::Order,
    },
    domain::{CURRENCY, CartState, OrderNumber},
    promotions::{self, CodeRefused, Discounted, PricingError, Shopper},
};

pub async fn place(
    checkout: &Checkout,
    attempt: &Attempt,
    request: &PlaceOrder,
) -> Result<Placed, PlaceError> {
    let number = &attempt.ids.order_number;
    let mut conn = checkout.pool.acquire().await?;
    // A retry of an attempt whose request died after writing its order carries on with that order. (A fresh
    // attempt's number is new: nothing to look for.)
    if attempt.taken_over
        && let Some(order) = db::orders::by_number(&mut conn, number, db::Locking::None).await?
    {
        drop(conn);
        return pay::resume(checkout, attempt, request, order).await;
    }
    let config = &checkout.config;
    let claimed = db::carts::claim(
        &mut conn,
        &request.cart_token,
        number,
        // As long as the key's lease: a retry that takes the key over finds the cart still held for it.
        config.attempt_lease,
        config.payment_attempts_per_cart,
        config.payment_attempts_window,
    )
    .await?;
    if !claimed {
        return Err(why_not_claimed(checkout, &mut conn, &request.cart_token).await?);
    }
    // Held by this attempt from here: its lines cannot change.
    let Some((cart, items)) = db::carts::with_items(&mut conn, &request.cart_token).await? else {
        // Claimed a moment ago, so it cannot have expired since (only an expired cart is deleted).
        return Err(PlaceError::CartNotFound);
    };
    drop(conn);
    match reserve_and_write(checkout, attempt, request, &cart, items).await {
        Ok(order) => pay::pay(checkout, attempt, request, order).await,
        Err((err, Cleanup::None)) => Err(err),
        Err((err, cleanup)) => {
            give_back(checkout, cart.id, number, cleanup).await;
            Err(err)
        }
    }
}

/// What an attempt that ends before writing its order leaves to undo.
enum Cleanup {
    None,
    GiveBackCart,
    /// The catalog may hold a reservation for it (a reserve that timed out, or an order that was not written).
    ReleaseStockAndGiveBackCart,
}

/// Why the cart could not be claimed, read after the fact.
async fn why_not_claimed(
    checkout: &Checkout,
    conn: &mut sqlx::MySqlConnection,
    token: &str,
) -> Result<PlaceError, sqlx::Error> {
    let Some(cart) = db::carts::by_token(conn, token, db::Locking::None).await? else {
        return Ok(PlaceError::CartNotFound);
    };
    Ok(match cart.state {
        CartState::Converted => PlaceError::CartConverted,
        CartState::CheckingOut => PlaceError::CheckoutInProgress {
            retry_after: crate::carts::busy_for(&cart),
        },
        CartState::Open => match db::carts::attempts_blocked_for(
            conn,
            cart.id,
            checkout.config.payment_attempts_per_cart,
            checkout.config.payment_attempts_window,
        )
        .await?
        {
            Some(retry_after) => PlaceError::TooManyAttempts { retry_after },
            // Given back between the claim and this read: the shopper may simply try again.
            None => PlaceError::CheckoutInProgress {
                retry_after: Duration::from_secs(1),
            },
        },
    })
}

/// Reserves the cart's lines, then writes the pending order (its charge is recorded with the outcome). The cart
/// is held by this attempt; on an error the caller undoes what the [`Cleanup`] says.
async fn reserve_and_write(
    checkout: &Checkout,
    attempt: &Attempt,
    request: &PlaceOrder,
    cart: &Cart,
    items: Vec<CartItem>,
) -> Result<Order, (PlaceError, Cleanup)> {
    let before_reserving = |err: PlaceError| (err, Cleanup::GiveBackCart);
    let number = &attempt.ids.order_number;
    if items.is_empty() {
        return Err(before_reserving(PlaceError::CartEmpty));
    }
    let priced = price(checkout, request, cart, &items)
        .await
        .map_err(before_reserving)?;

    // Every line or none, at the prices the shopper saw: the reserve refuses a line that is unknown, not for
    // sale, short or repriced, so no quote is asked for first.
    let lines: Vec<StockLine> = items
        .iter()
        .map(|item| StockLine {
            sku: item.sku.to_string(),
            quantity: item.quantity,
            unit_price: Some(item.unit_price),
        })
        .collect();
    match checkout.catalog.reserve(number, lines).await {
        Ok(_) => {}
        Err(CatalogError::Rejected(rejection)) => {
            let refused = refusal(checkout, cart.id, &items, rejection).await;
            return Err(before_reserving(refused));
        }
        Err(CatalogError::Unavailable(err)) => {
            // The reservation may have been made after our timeout.
            return Err((
                PlaceError::CatalogUnavailable(err),
                Cleanup::ReleaseStockAndGiveBackCart,
            ));
        }
    }

    let line_discounts = priced.line_discounts();
    let order_lines: Vec<OrderLine> = items
        .iter()
        .zip(line_discounts)
        .map(|(item, discount)| OrderLine {
            sku: item.sku.clone(),
            name: item.name.clone(),
            unit_price: item.unit_price,
            quantity: item.quantity,
            line_total: item.unit_price * Decimal::from(item.quantity),
            discount,
        })
        .collect();
    match write_order(checkout, attempt, request, cart, &order_lines, &priced).await {
        Ok(Written::Order(order)) => Ok(*order),
        // The reconciler took the cart back (this attempt had outlived its lease) and is releasing its stock.
        Ok(Written::NotHeld) => Err((PlaceError::AttemptAbandoned, Cleanup::None)),
        Ok(Written::Refused(refusal)) => Err((
            PlaceError::PromotionUsedUp(refusal),
            Cleanup::ReleaseStockAndGiveBackCart,
        )),
        // A concurrent retry of this same attempt wrote it first: carry on with that one.
        Err(err) if db::is_duplicate_key(&err) => {
            let written = async {
                let mut conn = checkout.pool.acquire().await?;
                db::orders::by_number(&mut conn, number, db::Locking::None)
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)
            };
            // Its request owns the cart's claim too: nothing to undo here.
            written.await.map_err(|err| (err.into(), Cleanup::None))
        }
        Err(err) => Err((err.into(), Cleanup::ReleaseStockAndGiveBackCart)),
    }
}

/// What [`write_order`] did.
enum Written {
    Order(Box<Order>),
    /// The attempt no longer holds the cart.
    NotHeld,
    /// A promotion's limit would be passed: nothing was written.
    Refused(db::promotions::Refusal),
}

/// Prices the cart as the totals preview does, and refuses an order that would not charge what the shopper
/// was shown: a code that takes nothing off, or another total than `expected_total`.
async fn price(
    checkout: &Checkout,
    request: &PlaceOrder,
    cart: &Cart,
    items: &[CartItem],
) -> Result<Discounted, PlaceError> {
    let shopper = Shopper::of(cart, Some(request.email.as_str()));
    let priced = promotions::price_cart(
        checkout,
        cart,
        items,
        None,
        request.shipping_method,
        shopper,
    )
    .await
    .map_err(|err| match err {
        PricingError::CatalogUnavailable(err) => PlaceError::CatalogUnavailable(err),
        PricingError::Database(err) => PlaceError::Database(err),
    })?;
    match &priced.coupon {
        // Used up is used up, whether counted now or by the order's own redemption: the same 409.
        Some((_, Some(CodeRefused::UsedUp))) => {
            return Err(PlaceError::PromotionUsedUp(
                db::promotions::Refusal::CodeUsedUp,
            ));
        }
        Some((_, Some(refused))) => return Err(PlaceError::CouponRefused(refused.clone())),
        _ => {}
    }
    if let Some(expected) = request.expected_total
        && expected != priced.totals.total
    {
        return Err(PlaceError::TotalChanged {
            expected,
            total: priced.totals.total,
        });
    }
    Ok(priced)
}

/// The pending order and its lines, and one more payment attempt on the cart, in one transaction
/// that first makes sure the attempt still holds the cart ([`Written::NotHeld`] when it does not) and ends by
/// counting each promotion's use ([`Written::Refused`], nothing written, when one has none left). The order is
/// returned as written, not read back.
async fn write_order(
    checkout: &Checkout,
    attempt: &Attempt,
    request: &PlaceOrder,
    cart: &Cart,
    lines: &[OrderLine],
    priced: &Discounted,
) -> Result<Written, sqlx::Error> {
    let number = &attempt.ids.order_number;
    let mut tx = checkout.pool.begin().await?;
    // The reconciler gives back a stale claim under this same row lock, after checking that no order exists.
    let held = db::carts::hold_for_order(
        &mut tx,
        cart.id,
        number,
        checkout.config.payment_attempts_window,
    )
    .await?;
    if !held {
        tx.rollback().await?;
        return Ok(Written::NotHeld);
    }
    let order = db::orders::insert(
        &mut tx,
        &db::orders::NewOrder {
            number,
            lookup_token_hash: &hash_token(&attempt.ids.lookup_token),
            cart_id: cart.id,
            email: &request.email,
            customer_name: &request.customer_name,
            address: &request.address,
            shipping_method: request.shipping_method,
            totals: priced.totals,
            currency: CURRENCY,
            lines,
            created_at: Utc::now().trunc_subsecs(6),
        },
    )
    .await?;
    // Each promotion's use is counted with the order, or neither is written.
    let shopper = Shopper::of(cart, Some(request.email.as_str()));
    // In the promotions' id order, the order every transaction locks them in.
    let mut applied: Vec<_> = priced.outcome.applied.iter().collect();
    applied.sort_by_key(|applied| applied.promotion_id);
    for applied in applied {
        let redemption = db::promotions::Redemption {
            promotion_id: applied.promotion_id,
            name: &applied.name,
            code: priced.code_for(applied.promotion_id),
            order_number: number,
            customer_key: shopper.key(),
            email_key: shopper.email_key(),
            amount: applied.amount,
            shipping: applied.shipping,
        };
        if let Err(refusal) = db::promotions::redeem(&mut tx, &redemption).await? {
            tx.rollback().await?;
            return Ok(Written::Refused(refusal));
        }
    }
    tx.commit().await?;
    let mut order = order;
    // As the redemptions just written record them.
    order.discounts = priced.discounts();
    Ok(Written::Order(Box::new(order)))
}

/// What the shopper is told when the catalog refused the reserve (nothing was reserved). Repriced lines take
/// today's price and name as their snapshot first, so the shopper's next try pays what they are now shown.
async fn refusal(
    checkout: &Checkout,
    cart_id: u64,
    items: &[CartItem],
    rejection: StockRejection,
) -> PlaceError {
    let unavailable = |skus: Vec<Sku>| {
        PlaceError::NoLongerAvailable(
            items
                .iter()
                .filter(|item| skus.contains(&item.sku))
                .map(|item| ShortLine {
                    sku: item.sku.clone(),
                    requested: item.quantity,
                    available: 0,
                })
                .collect(),
        )
    };
    match rejection {
        StockRejection::UnknownSku { skus } | StockRejection::NotSellable { skus } => {
            unavailable(skus)
        }
        StockRejection::InsufficientStock { lines } => PlaceError::OutOfStock(lines),
        StockRejection::PriceChanged { lines } => {
            let refreshed = async {
                let mut conn = checkout.pool.acquire().await?;
                for line in &lines {
                    db::carts::refresh_snapshot(
                        &mut conn, cart_id, &line.sku, line.price, &line.name,
                    )
                    .await?;
                }
                Ok::<_, sqlx::Error>(())
            };
            if let Err(err) = refreshed.await {
                return err.into();
            }
            PlaceError::PriceChanged(
                lines
                    .into_iter()
                    .filter_map(|line| {
                        let item = items.iter().find(|item| item.sku == line.sku)?;
                        Some(PriceChange {
                            sku: line.sku,
                            name: line.name,
                            old_price: item.unit_price,
                            new_price: line.price,
                        })
                    })
                    .collect(),
            )
        }
        // Released by the reconciler after this attempt's first request died.
        StockRejection::ReservationReleased { .. } => PlaceError::AttemptAbandoned,
        rejection => PlaceError::NotOrderable(rejection.to_string()),
    }
}

/// Gives the cart back after the attempt ended before writing its order; with `ReleaseStockAndGiveBackCart`, writes down in
/// the same transaction that the attempt's stock must go back, then asks the catalog right away (in the
/// background: the shopper's answer does not wait for it), and the reconciler retries until it is confirmed.
/// If the transaction fails, the cart stays held and the reconciler does both once the attempt's lease is over.
async fn give_back(checkout: &Checkout, cart_id: u64, number: &OrderNumber, cleanup: Cleanup) {
    let release_stock = match cleanup {
        Cleanup::None => return,
        Cleanup::GiveBackCart => false,
        Cleanup::ReleaseStockAndGiveBackCart => true,
    };
    let given = async {
        let mut tx = checkout.pool.begin().await?;
        if release_stock {
            db::releases::record(&mut tx, number).await?;
        }
        db::carts::release_claim(&mut tx, cart_id, number).await?;
        tx.commit().await
    };
    if let Err(err) = given.await {
        tracing::warn!(%number, error = %err, "cannot give a cart back now; the reconciler will");
        return;
    }
    if release_stock {
        let checkout = checkout.clone();
        let number = number.clone();
        tokio::spawn(async move {
            super::recovery::release_stock(&checkout, &number).await;
        });
    }
}
