//! The catalog's NATS service endpoints (`nats micro info catalog`): quote, reserve, release, commit and
//! snapshot, under `rpc.catalog.*`. Business refusals are reply bodies; database failures are 503 service errors.

use chrono::Duration;
use platform::{
    Runtime,
    contracts::catalog::{
        OrderStockRequest, QuoteReply, QuoteRequest, RPC_GROUP, ReserveRequest, SnapshotPage,
        SnapshotRequest, StockReply,
    },
    rpc::{HandlerFailure, serve},
};

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::{config::Config, db};

/// Requests handled at once per endpoint.
const CONCURRENCY: usize = 64;
/// Stock requests taken in at once per endpoint. Far more than the connections they may use (see
/// [`stock_slots`]): a request waiting for its turn is a cheap task, and the serve loop must keep taking in
/// the requests of other orders rather than stall behind those queueing for one product's row.
const STOCK_CONCURRENCY: usize = 1024;

/// Stock changes (reserve, release, commit) of one product queue on its inventory row, each holding a database
/// connection while it waits. They may hold at most half of the pool between them, so that a rush on one
/// product (500 buyers for the last units) never leaves quotes, listings and searches without a connection.
fn stock_slots(pool_size: u32) -> Arc<Semaphore> {
    Arc::new(Semaphore::new((pool_size as usize / 2).max(1)))
}

async fn endpoint(
    group: &async_nats::service::Group,
    name: &'static str,
    description: &'static str,
) -> anyhow::Result<async_nats::service::endpoint::Endpoint> {
    group
        .endpoint_builder()
        .name(name)
        .metadata(std::collections::HashMap::from([(
            "description".to_owned(),
            description.to_owned(),
        )]))
        .add(name)
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint {name}: {err}"))
}

/// Adds the endpoints to the service and answers them until shutdown.
pub async fn start(runtime: &Runtime, config: &Config) -> anyhow::Result<()> {
    let group = runtime.service.group(RPC_GROUP);
    let quote = endpoint(
        &group,
        "quote",
        "Current name, price and availability of SKUs",
    )
    .await?;
    let reserve = endpoint(
        &group,
        "reserve",
        "Reserve stock for all lines of an order, or none",
    )
    .await?;
    let release = endpoint(
        &group,
        "release",
        "Give an order's reserved or sold stock back",
    )
    .await?;
    let commit = endpoint(&group, "commit", "Turn an order's reservation into a sale").await?;
    let snapshot = endpoint(
        &group,
        "snapshot",
        "Every active product's document, a page at a time (search index rebuilds)",
    )
    .await?;

    let shutdown = runtime.shutdown.clone();
    let pool = runtime.db.clone();
    runtime.spawn(serve(
        quote,
        CONCURRENCY,
        shutdown.clone(),
        move |request: QuoteRequest| {
            let pool = pool.clone();
            async move {
                Ok(
                    match db::stock::quote(&pool, &request.skus)
                        .await
                        .map_err(HandlerFailure::unavailable)?
                    {
                        Ok(quote) => QuoteReply::Ok(quote),
                        Err(rejection) => QuoteReply::Rejected(rejection),
                    },
                )
            }
        },
    ));
    let slots = stock_slots(runtime.config.database_max_connections);
    let pool = runtime.db.clone();
    let default_ttl = config.reservation_ttl;
    let reserve_slots = slots.clone();
    runtime.spawn(serve(
        reserve,
        STOCK_CONCURRENCY,
        shutdown.clone(),
        move |request: ReserveRequest| {
            let pool = pool.clone();
            let slots = reserve_slots.clone();
            async move {
                let ttl = request.ttl_secs.map_or(default_ttl, |secs| {
                    Duration::seconds(secs.clamp(1, 86_400).into())
                });
                let _slot = match slots.clone().try_acquire_owned() {
                    Ok(slot) => slot,
                    // A queue: a reserve the stock cannot cover any more is refused now, not after its turn.
                    Err(_) => {
                        let early =
                            db::stock::refuse_early(&pool, &request.order_number, &request.lines)
                                .await
                                .map_err(HandlerFailure::unavailable)?;
                        if let Some(rejection) = early {
                            return Ok(StockReply::Rejected(rejection));
                        }
                        slots
                            .acquire_owned()
                            .await
                            .map_err(HandlerFailure::unavailable)?
                    }
                };
                let reply =
                    db::stock::reserve(&pool, &request.order_number, &request.lines, ttl).await;
                reply.map_err(HandlerFailure::unavailable)
            }
        },
    ));
    let pool = runtime.db.clone();
    let release_slots = slots.clone();
    runtime.spawn(serve(
        release,
        STOCK_CONCURRENCY,
        shutdown.clone(),
        move |request: OrderStockRequest| {
            let pool = pool.clone();
            let slots = release_slots.clone();
            async move {
                let _slot = slots.acquire().await.map_err(HandlerFailure::unavailable)?;
                let reply = db::stock::release(&pool, &request.order_number, "released").await;
                reply.map_err(HandlerFailure::unavailable)
            }
        },
    ));
    let pool = runtime.db.clone();
    runtime.spawn(serve(
        snapshot,
        // A rebuild reads pages one after another; a few at once is plenty.
        4,
        shutdown.clone(),
        move |request: SnapshotRequest| {
            let pool = pool.clone();
            async move {
                let mut conn = pool.acquire().await.map_err(HandlerFailure::unavailable)?;
                let limit = request.limit.unwrap_or(db::documents::SNAPSHOT_MAX_PAGE);
                let (products, next) =
                    db::documents::snapshot(&mut conn, request.after.as_deref(), limit)
                        .await
                        .map_err(HandlerFailure::unavailable)?;
                Ok(SnapshotPage { products, next })
            }
        },
    ));
    let pool = runtime.db.clone();
    runtime.spawn(serve(
        commit,
        STOCK_CONCURRENCY,
        shutdown,
        move |request: OrderStockRequest| {
            let pool = pool.clone();
            let slots = slots.clone();
            async move {
                let _slot = slots.acquire().await.map_err(HandlerFailure::unavailable)?;
                db::stock::commit(&pool, &request.order_number)
                    .await
                    .map_err(HandlerFailure::unavailable)
            }
        },
    ));
    Ok(())
}
