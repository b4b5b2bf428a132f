//! Finishes what a request could not, every `RECONCILE_EVERY_SECS`: stock releases the catalog has not
//! confirmed; orders whose stock outcome the catalog has not confirmed (it was down); place-order attempts whose
//! request died (see [`orders::recovery`]); and housekeeping: idempotency keys older than a day and expired
//! carts are deleted. Safe with several replicas: every step is idempotent and takes the row locks the
//! requests take.

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::{
    Checkout, db,
    domain::OrderState,
    orders::{self, recovery},
};

/// Rows looked at per step and pass.
const PER_PASS: u32 = 100;
/// How long idempotency keys are kept.
const KEY_RETENTION: chrono::Duration = chrono::Duration::days(1);
/// Expired carts deleted per statement.
const CART_PURGE_BATCH: u32 = 1_000;

pub async fn run(checkout: Checkout, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(checkout.config.reconcile_every) => {}
        }
        if let Err(err) = pass(&checkout).await {
            tracing::warn!(error = %err, "reconciling orders failed; retrying next pass");
        }
    }
}

/// One pass over everything that may need finishing.
pub async fn pass(checkout: &Checkout) -> Result<(), sqlx::Error> {
    let pool = &checkout.pool;
    for number in db::releases::pending(pool, PER_PASS).await? {
        recovery::release_stock(checkout, &number).await;
    }

    // A claim whose attempt wrote no order is given back once the attempt could no longer be running or
    // resumed by a retry of its key; one whose attempt wrote its order is finished with that order below.
    let grace = checkout
        .config
        .abandoned_after
        .saturating_sub(checkout.config.attempt_lease);
    for (cart_id, number) in db::carts::stale_claims(pool, grace, PER_PASS).await? {
        recovery::release_stale_claim(checkout, cart_id, &number).await?;
    }

    let abandoned_after = chrono::Duration::from_std(checkout.config.abandoned_after)
        .unwrap_or(chrono::Duration::minutes(2));
    for (number, state, created_at) in db::orders::unsettled(pool, PER_PASS).await? {
        if state == OrderState::Pending {
            if Utc::now() - created_at < abandoned_after {
                continue;
            }
            if let Err(err) = recovery::finish_abandoned(checkout, &number).await {
                tracing::warn!(%number, error = %err, "cannot finish an abandoned order yet");
            }
        } else {
            orders::transition::settle_stock(pool, &checkout.catalog, &number, state).await;
        }
    }

    let keys = db::idempotency::purge_older_than(pool, KEY_RETENTION).await?;
    let mut carts = 0;
    loop {
        let deleted = db::carts::delete_expired(pool, CART_PURGE_BATCH).await?;
        carts += deleted;
        if deleted < u64::from(CART_PURGE_BATCH) {
            break;
        }
    }
    if keys + carts > 0 {
        tracing::info!(
            idempotency_keys = keys,
            carts,
            "deleted expired idempotency keys and carts"
        );
    }
    Ok(())
}
