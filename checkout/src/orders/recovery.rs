//! Finishing what a place-order request could not, for the reconciler: stock releases the catalog has not
//! confirmed, carts held by an attempt whose request died before writing its order, and pending orders whose
//! request died before recording the payment's outcome. Each step is idempotent and takes the same row locks as
//! the request it finishes for, so it is safe beside a live retry of that request and beside other replicas.

use crate::{
    Checkout,
    catalog::CatalogError,
    db,
    domain::{CartState, OrderNumber, Who},
    orders::{
        outcome::{self, Outcome, Recorded},
        transition::ask_catalog_to_settle,
    },
    payments::{self, ChargeStatus},
};

/// Asks the catalog to give back the stock of attempt `number`, and records the answer: confirmed, the
/// release is done; unavailable, it stays for the next pass. Says whether it is done.
pub async fn release_stock(checkout: &Checkout, number: &OrderNumber) -> bool {
    let outcome = checkout.catalog.release(number).await;
    let recorded = match &outcome {
        Ok(_) => db::releases::done(&checkout.pool, number).await,
        Err(CatalogError::Rejected(rejection)) => {
            // Nothing more can be done about it automatically.
            tracing::error!(%number, %rejection, "the catalog refused to release an attempt's stock");
            db::releases::done(&checkout.pool, number).await
        }
        Err(CatalogError::Unavailable(err)) => {
            tracing::warn!(%number, error = %err, "releasing stock later: the catalog is unavailable");
            db::releases::failed(&checkout.pool, number, err).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(%number, error = %err, "cannot record a stock release; retrying next pass");
        return false;
    }
    outcome.is_ok() || matches!(outcome, Err(CatalogError::Rejected(_)))
}

/// Gives back the cart `cart_id` held by attempt `number` when no order was written for it: the attempt's
/// stock is written down for release (and released), the cart reopens, and the attempt's key is freed so a
/// retry starts afresh. Nothing happens when the attempt wrote its order after all (see [`finish_abandoned`])
/// or no longer holds the cart.
pub async fn release_stale_claim(
    checkout: &Checkout,
    cart_id: u64,
    number: &OrderNumber,
) -> Result<(), sqlx::Error> {
    let mut tx = checkout.pool.begin().await?;
    // The same lock a request takes before writing its order: one of the two goes first.
    let held = db::carts::lock_by_id(&mut tx, cart_id)
        .await?
        .is_some_and(|cart| {
            cart.state == CartState::CheckingOut && cart.checkout_order.as_deref() == Some(number)
        });
    if !held
        || db::orders::by_number(&mut tx, number, db::Locking::None)
            .await?
            .is_some()
    {
        tx.rollback().await?;
        return Ok(());
    }
    db::releases::record(&mut tx, number).await?;
    db::carts::release_claim(&mut tx, cart_id, number).await?;
    db::idempotency::forget_for_order(&mut tx, number).await?;
    tx.commit().await?;
    tracing::info!(
        %number,
        "gave back a cart whose checkout attempt died before ordering"
    );
    release_stock(checkout, number).await;
    Ok(())
}

/// Finishes the pending order `number` whose request died: the provider is asked whether it was charged
/// (which, if it was not, makes sure it never will be). Charged, the order is paid as if its request had
/// lived; not charged, it is cancelled, its stock released and its cart given back.
pub async fn finish_abandoned(
    checkout: &Checkout,
    number: &OrderNumber,
) -> Result<(), sqlx::Error> {
    let outcome = match payments::resolve(&checkout.pool, &payments::reference_for(number)).await? {
        ChargeStatus::Charged => Outcome::Paid,
        ChargeStatus::NotCharged => Outcome::Abandoned,
    };
    let (token, cart_id) = {
        let mut conn = checkout.pool.acquire().await?;
        (
            db::idempotency::lookup_token_for_order(&mut conn, number).await?,
            db::orders::cart_of(&mut conn, number).await?,
        )
    };
    // As the shopper's request does: the stock first, then the outcome that says it is settled.
    let stock = ask_catalog_to_settle(&checkout.catalog, number, outcome.state()).await;
    if let Recorded::Now(order) = outcome::record(
        checkout,
        number,
        cart_id,
        &outcome,
        (token.as_deref(), &Who::System),
        stock,
        None,
    )
    .await?
    {
        tracing::info!(%number, state = %order.state, "finished a checkout attempt whose request died");
    }
    Ok(())
}
