//! Checkout's NATS service endpoints, for the admin and operators: `rpc.checkout.transition` moves an order
//! through its life cycle (illegal moves are refused with a reason, never applied; every field is checked
//! before the database sees it; `refunded` only through a refund, which records the money), and `rpc.checkout.counts` counts orders by state and what the reconciler
//! still has to finish (read-only). The web admin's endpoints (`rpc.checkout.admin.*`) are added by
//! [`crate::admin::start`].

use std::collections::HashMap;

use platform::{
    Runtime,
    contracts::orders::{CountsRequest, TransitionRejection, TransitionReply, TransitionRequest},
    rpc::{HandlerFailure, serve},
};

use crate::{
    Checkout,
    domain::{OrderState, parse_order_number},
    orders::{
        self,
        transition::{TransitionError, transition},
    },
};

/// Longest reason kept in the order's history.
const MAX_REASON_CHARS: usize = 255;

async fn endpoint(
    runtime: &Runtime,
    name: &'static str,
    description: &'static str,
) -> anyhow::Result<async_nats::service::endpoint::Endpoint> {
    runtime
        .service
        .group("rpc.checkout")
        .endpoint_builder()
        .name(name)
        .metadata(HashMap::from([(
            "description".to_owned(),
            description.to_owned(),
        )]))
        .add(name)
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint {name}: {err}"))
}

pub async fn start(runtime: &Runtime, checkout: Checkout) -> anyhow::Result<()> {
    crate::admin::start(runtime, &checkout).await?;
    let transitions = endpoint(runtime, "transition", "Move an order to another state").await?;
    let pool = checkout.pool.clone();
    runtime.spawn(serve(
        transitions,
        16,
        runtime.shutdown.clone(),
        move |request: TransitionRequest| {
            let checkout = checkout.clone();
            async move { move_order(&checkout, request).await }
        },
    ));
    let counts = endpoint(
        runtime,
        "counts",
        "Orders by state, unconfirmed stock releases and charges by outcome",
    )
    .await?;
    runtime.spawn(serve(
        counts,
        // A few short queries each; nobody needs many at a time.
        4,
        runtime.shutdown.clone(),
        move |_: CountsRequest| {
            let pool = pool.clone();
            async move {
                orders::counts::counts(&pool)
                    .await
                    .map_err(HandlerFailure::unavailable)
            }
        },
    ));
    Ok(())
}

fn rejected(code: TransitionRejection, message: impl Into<String>) -> TransitionReply {
    TransitionReply::Rejected {
        code,
        message: message.into(),
    }
}

async fn move_order(
    checkout: &Checkout,
    request: TransitionRequest,
) -> Result<TransitionReply, HandlerFailure> {
    let Ok(number) = parse_order_number(&request.number) else {
        return Ok(rejected(
            TransitionRejection::InvalidRequest,
            "number: an order number like SH-7K2M9Q4T",
        ));
    };
    let Some(to) = OrderState::parse(&request.to) else {
        return Ok(rejected(
            TransitionRejection::UnknownState,
            format!(
                "to: one of {}",
                OrderState::ALL.map(OrderState::as_str).join(", ")
            ),
        ));
    };
    if to == OrderState::Refunded {
        // A refund moves money: only the admin's refund records it (a payment row, the refunded amounts, the
        // OrderRefunded event). Moving the state alone would say "refunded" with nothing given back.
        return Ok(rejected(
            TransitionRejection::IllegalTransition,
            "to: an order becomes refunded by refunding it (rpc.checkout.admin.orders.action, action refund), \
             which records the money",
        ));
    }
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(reason) = reason {
        if reason.chars().count() > MAX_REASON_CHARS {
            return Ok(rejected(
                TransitionRejection::InvalidRequest,
                format!("reason: at most {MAX_REASON_CHARS} characters"),
            ));
        }
        if reason.chars().any(char::is_control) {
            return Ok(rejected(
                TransitionRejection::InvalidRequest,
                "reason: must not contain control characters",
            ));
        }
    }
    match transition(&checkout.pool, &checkout.catalog, &number, to, reason).await {
        Ok(from) => Ok(TransitionReply::Ok {
            number,
            from: from.into(),
            to: to.into(),
        }),
        Err(err) => {
            let code = match err {
                TransitionError::NotFound(_) => TransitionRejection::NotFound,
                TransitionError::Illegal(_) => TransitionRejection::IllegalTransition,
                TransitionError::PaymentInProgress(_) => TransitionRejection::PaymentInProgress,
                TransitionError::Database(err) => return Err(HandlerFailure::unavailable(err)),
            };
            Ok(rejected(code, err.to_string()))
        }
    }
}
