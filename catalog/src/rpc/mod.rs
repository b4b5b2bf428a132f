//! The catalog's NATS service endpoints (`nats micro info catalog`): quote, reserve, release, commit,
//! snapshot and `alerts.confirm` (back-in-stock alerts), under `rpc.catalog.*`. Each parses its request into domain values, calls one operation of
//! [`Stock`] (or `products::snapshot`), and maps the result once ([`stock_reply`], [`quote_reply`]): refusals,
//! invalid values included, are reply bodies naming the field; database failures are 503 service errors.
//! The web admin's endpoints (`rpc.catalog.admin.*`) are registered by [`admin`].

pub mod admin;

use chrono::Duration;
use platform::{
    Runtime,
    contracts::catalog::{
        AlertConfirmRequest, OrderStockRequest, QuoteReply, QuoteRequest, QuoteResponse, RPC_GROUP,
        ReserveRequest, SnapshotRequest, StockOutcome, StockRejection, StockReply,
    },
    rpc::{HandlerFailure, serve},
};

use crate::{
    alerts,
    config::Config,
    domain::{
        InvalidValue,
        reservation::{self, ReserveLines},
    },
    products,
    stock::{Stock, StockError},
};

/// Requests handled at once per endpoint.
const CONCURRENCY: usize = 64;
/// Stock requests taken in at once per endpoint. Far more than the connections they may use (the stock slots,
/// see `stock`): a request waiting for its turn is a cheap task, and the serve loop must keep taking in the
/// requests of other orders rather than stall behind those queueing for one product's row.
const STOCK_CONCURRENCY: usize = 1024;
/// The longest reservation a caller may ask for (`ttl_secs`); shorter than a second is a second.
const MAX_TTL_SECS: u32 = 86_400;

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
pub async fn start(
    runtime: &Runtime,
    config: &Config,
    stock: Stock,
    pages: &crate::product_cache::ProductCache,
) -> anyhow::Result<()> {
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
    admin::start(runtime, pages).await?;
    let snapshot = endpoint(
        &group,
        "snapshot",
        "Every active product's document, a page at a time (search index rebuilds)",
    )
    .await?;

    let confirm = endpoint(
        &group,
        "alerts.confirm",
        "Whether a back-in-stock alert may be emailed now (sold out again: back to waiting)",
    )
    .await?;

    let shutdown = runtime.shutdown.clone();
    let confirming = runtime.db.clone();
    runtime.spawn(serve(
        confirm,
        CONCURRENCY,
        shutdown.clone(),
        move |request: AlertConfirmRequest| {
            let pool = confirming.clone();
            async move {
                alerts::confirm(&pool, request.alert_id, request.event_id)
                    .await
                    .map_err(HandlerFailure::unavailable)
            }
        },
    ));
    let quoting = stock.clone();
    runtime.spawn(serve(
        quote,
        CONCURRENCY,
        shutdown.clone(),
        move |request: QuoteRequest| {
            let stock = quoting.clone();
            async move { quote_reply(stock.quote(&request.skus).await) }
        },
    ));
    let default_ttl = config.reservation_ttl;
    let reserving = stock.clone();
    runtime.spawn(serve(
        reserve,
        STOCK_CONCURRENCY,
        shutdown.clone(),
        move |request: ReserveRequest| {
            let stock = reserving.clone();
            async move {
                let reserved = async {
                    let order_number = reservation::order_number(&request.order_number)?;
                    let lines = ReserveLines::parse(&request.lines)?;
                    let ttl = request.ttl_secs.map_or(default_ttl, |secs| {
                        Duration::seconds(secs.clamp(1, MAX_TTL_SECS).into())
                    });
                    stock.reserve(&order_number, &lines, ttl).await
                };
                stock_reply(reserved.await)
            }
        },
    ));
    let releasing = stock.clone();
    runtime.spawn(serve(
        release,
        STOCK_CONCURRENCY,
        shutdown.clone(),
        move |request: OrderStockRequest| {
            let stock = releasing.clone();
            async move {
                let released = async {
                    let order_number = reservation::order_number(&request.order_number)?;
                    stock.release(&order_number).await
                };
                stock_reply(released.await)
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
                products::snapshot(&pool, request.after.as_deref(), request.limit)
                    .await
                    .map_err(HandlerFailure::unavailable)
            }
        },
    ));
    runtime.spawn(serve(
        commit,
        STOCK_CONCURRENCY,
        shutdown,
        move |request: OrderStockRequest| {
            let stock = stock.clone();
            async move {
                let committed = async {
                    let order_number = reservation::order_number(&request.order_number)?;
                    stock.commit(&order_number).await
                };
                stock_reply(committed.await)
            }
        },
    ));
    Ok(())
}

/// The reply to a reserve, release or commit.
fn stock_reply(result: Result<StockOutcome, StockError>) -> Result<StockReply, HandlerFailure> {
    match result {
        Ok(outcome) => Ok(StockReply::Ok(outcome)),
        Err(err) => rejection(err).map(StockReply::Rejected),
    }
}

/// The reply to a quote.
fn quote_reply(result: Result<QuoteResponse, StockError>) -> Result<QuoteReply, HandlerFailure> {
    match result {
        Ok(quote) => Ok(QuoteReply::Ok(quote)),
        Err(err) => rejection(err).map(QuoteReply::Rejected),
    }
}

/// A refusal as the contract spells it; a failure of the service as a service error the caller may retry.
fn rejection(err: StockError) -> Result<StockRejection, HandlerFailure> {
    Ok(match err {
        StockError::Invalid(InvalidValue { field, reason }) => {
            StockRejection::InvalidRequest { field, reason }
        }
        StockError::UnknownSkus(skus) => StockRejection::UnknownSku { skus },
        StockError::NotSellable(skus) => StockRejection::NotSellable { skus },
        StockError::Insufficient(lines) => StockRejection::InsufficientStock { lines },
        StockError::Repriced(lines) => StockRejection::PriceChanged { lines },
        StockError::OtherLines(order_number) => {
            StockRejection::ConflictingReservation { order_number }
        }
        StockError::Released {
            order_number,
            reason,
        } => StockRejection::ReservationReleased {
            order_number,
            reason,
        },
        StockError::NoReservation(order_number) => StockRejection::NoReservation { order_number },
        err @ (StockError::ShuttingDown | StockError::Database(_)) => {
            return Err(HandlerFailure::unavailable(err));
        }
    })
}
