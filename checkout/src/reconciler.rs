//! Finishes what a request could not: orders whose stock outcome the catalog has not confirmed (it was down),
//! and pending orders whose request died mid-way (cancelled and their reservation released). Also drops old
//! idempotency keys. Safe with several replicas: every step is idempotent.

use std::time::Duration;

use chrono::Utc;
use sqlx::MySqlPool;
use tokio_util::sync::CancellationToken;

use crate::{catalog::CatalogClient, db, domain::OrderState, orders};

pub async fn run(
    pool: MySqlPool,
    catalog: CatalogClient,
    every: Duration,
    abandoned_after: Duration,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Err(err) = pass(&pool, &catalog, abandoned_after).await {
            tracing::warn!(error = %err, "reconciling orders failed; retrying next pass");
        }
    }
}

/// One pass over unsettled orders.
pub async fn pass(
    pool: &MySqlPool,
    catalog: &CatalogClient,
    abandoned_after: Duration,
) -> Result<(), sqlx::Error> {
    let abandoned_after =
        chrono::Duration::from_std(abandoned_after).unwrap_or(chrono::Duration::minutes(15));
    for (number, state, created_at) in db::orders::unsettled(pool, 100).await? {
        let Some(state) = OrderState::parse(&state) else {
            continue;
        };
        if state == OrderState::Pending {
            if Utc::now() - created_at < abandoned_after {
                continue;
            }
            // Its request died between reserving and paying: nobody was charged, give the stock back.
            let mut tx = pool.begin().await?;
            if let Some(order) = db::orders::by_number(&mut tx, &number, true).await?
                && order.state == "pending"
            {
                let moved = orders::record_transition(
                    &mut tx,
                    order.id,
                    &number,
                    OrderState::Pending,
                    OrderState::Cancelled,
                    Some("abandoned"),
                    false,
                )
                .await;
                if let Err(err) = moved {
                    tracing::warn!(number, error = %err, "cannot cancel an abandoned order");
                    continue;
                }
            }
            tx.commit().await?;
            orders::settle_stock(pool, catalog, &number, OrderState::Cancelled).await;
        } else {
            orders::settle_stock(pool, catalog, &number, state).await;
        }
    }
    db::idempotency::purge_older_than(pool, chrono::Duration::days(1)).await?;
    Ok(())
}
