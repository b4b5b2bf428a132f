//! Checkout's NATS service endpoints, for the admin and operators: `rpc.checkout.transition` moves an order
//! through its life cycle (illegal moves are refused with a reason, never applied; every field is checked
//! before the database sees it; `refunded` only through a refund, which records the money), and `rpc.checkout.counts` counts orders by state and what the reconciler
//! still has to finish (read-only). The web admin's endpoints (`rpc.checkout.admin.*`) are added by
//! [`crate::admin::start`].

use std::collections::HashMap;

use platform::{
    Runtime,
    contracts::{
        customers::{
            self, CartRequest, ClaimReply, ClaimRequest, ForgetReply, ForgetRequest, OrderReply,
            OrderRequest, OrdersRequest, ReorderReply,
        },
        orders::{CountsRequest, TransitionRejection, TransitionReply, TransitionRequest},
    },
    rpc::{HandlerFailure, serve},
};

use crate::{
    Checkout,
    customers::{CustomerCartError, ForgetError, ReorderError},
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
    customers(runtime, checkout.clone()).await?;
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

/// One endpoint of `rpc.checkout.customers.*`, named `customers-<name>` in the services API, answered by
/// `handler` up to 16 at a time.
async fn customer_endpoint<Req, Resp, F, Fut>(
    runtime: &Runtime,
    name: &'static str,
    description: &'static str,
    checkout: &Checkout,
    handler: F,
) -> anyhow::Result<()>
where
    Req: serde::de::DeserializeOwned + Send + 'static,
    Resp: serde::Serialize + Send + 'static,
    F: Fn(Checkout, Req) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Resp, HandlerFailure>> + Send + 'static,
{
    let endpoint = runtime
        .service
        .group(customers::RPC_GROUP)
        .endpoint_builder()
        .name(format!("customers-{name}"))
        .metadata(HashMap::from([(
            "description".to_owned(),
            description.to_owned(),
        )]))
        .add(name)
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint customers.{name}: {err}"))?;
    let checkout = checkout.clone();
    runtime.spawn(serve(
        endpoint,
        16,
        runtime.shutdown.clone(),
        move |request: Req| handler.clone()(checkout.clone(), request),
    ));
    Ok(())
}

/// The endpoints the accounts service calls for a signed-in customer (`rpc.checkout.customers.*`): it has
/// checked the session and passes the customer's id (and confirmed address); only its NATS user may call them.
async fn customers(runtime: &Runtime, checkout: Checkout) -> anyhow::Result<()> {
    customer_endpoint(
        runtime,
        "cart",
        "The signed-in customer's cart, with a guest cart merged into it",
        &checkout,
        async |checkout, request: CartRequest| {
            crate::customers::cart(
                &checkout,
                request.customer_id,
                request.cart_token.as_deref(),
            )
            .await
            .map_err(|err| match err {
                CustomerCartError::CheckoutInProgress => in_progress(),
                CustomerCartError::Database(err) => HandlerFailure::unavailable(err),
            })
        },
    )
    .await?;
    customer_endpoint(
        runtime,
        "orders",
        "A page of the customer's orders, newest first, and how many guest orders they could claim",
        &checkout,
        async |checkout, request: OrdersRequest| {
            crate::customers::orders(
                &checkout,
                request.customer_id,
                &request.email,
                request.before.as_deref(),
                request.limit,
            )
            .await
            .map_err(HandlerFailure::unavailable)
        },
    )
    .await?;
    customer_endpoint(
        runtime,
        "order",
        "One of the customer's orders as its order page shows it",
        &checkout,
        async |checkout, request: OrderRequest| -> Result<OrderReply, HandlerFailure> {
            let page = crate::customers::order(&checkout, request.customer_id, &request.number)
                .await
                .map_err(HandlerFailure::unavailable)?;
            page.map(serde_json::to_value)
                .transpose()
                .map_err(HandlerFailure::unavailable)
        },
    )
    .await?;
    customer_endpoint(
        runtime,
        "reorder",
        "The still-available lines of one of the customer's orders into their cart",
        &checkout,
        async |checkout, request: OrderRequest| match crate::customers::reorder(
            &checkout,
            request.customer_id,
            &request.number,
        )
        .await
        {
            Ok(done) => Ok(ReorderReply::Done(done)),
            Err(ReorderError::NotFound) => Ok(ReorderReply::NotFound),
            Err(ReorderError::CheckoutInProgress) => Ok(ReorderReply::CheckoutInProgress),
            Err(ReorderError::CatalogUnavailable(err)) => Err(HandlerFailure::unavailable(err)),
            Err(ReorderError::Database(err)) => Err(HandlerFailure::unavailable(err)),
        },
    )
    .await?;
    customer_endpoint(
        runtime,
        "claim",
        "Guest orders placed with the customer's confirmed address become theirs",
        &checkout,
        async |checkout, request: ClaimRequest| {
            crate::customers::claim(&checkout, request.customer_id, &request.email)
                .await
                .map(|claimed| ClaimReply { claimed })
                .map_err(HandlerFailure::unavailable)
        },
    )
    .await?;
    customer_endpoint(
        runtime,
        "forget",
        "The customer deleted their account: anonymise their orders, delete their carts",
        &checkout,
        async |checkout, request: ForgetRequest| match crate::customers::forget(
            &checkout,
            request.customer_id,
        )
        .await
        {
            Ok((orders, carts)) => Ok(ForgetReply { orders, carts }),
            Err(ForgetError::OrdersInProgress(open)) => Err(HandlerFailure {
                code: 409,
                status: format!("orders_in_progress: {open} orders are still on their way"),
            }),
            Err(ForgetError::Database(err)) => Err(HandlerFailure::unavailable(err)),
        },
    )
    .await
}

fn in_progress() -> HandlerFailure {
    HandlerFailure {
        code: 409,
        status: "checkout_in_progress: the customer's cart is being checked out".to_owned(),
    }
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
