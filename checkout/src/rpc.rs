//! Checkout's NATS service endpoint: `rpc.checkout.transition` moves an order through its life cycle (what
//! the admin and operators use). Illegal moves are refused with a reason, never applied.

use std::collections::HashMap;

use platform::{
    Runtime,
    contracts::orders::{TransitionReply, TransitionRequest},
    rpc::{HandlerFailure, serve},
};

use crate::{
    catalog::CatalogClient,
    domain::OrderState,
    orders::{self, TransitionError},
};

pub async fn start(runtime: &Runtime, catalog: CatalogClient) -> anyhow::Result<()> {
    let endpoint = runtime
        .service
        .group("rpc.checkout")
        .endpoint_builder()
        .name("transition")
        .metadata(HashMap::from([(
            "description".to_owned(),
            "Move an order to another state".to_owned(),
        )]))
        .add("transition")
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint transition: {err}"))?;
    let pool = runtime.db.clone();
    runtime.spawn(serve(
        endpoint,
        16,
        runtime.shutdown.clone(),
        move |request: TransitionRequest| {
            let pool = pool.clone();
            let catalog = catalog.clone();
            async move {
                let Some(to) = OrderState::parse(&request.to) else {
                    return Ok(TransitionReply::Rejected {
                        code: "unknown_state".into(),
                        message: format!("no state {:?}", request.to),
                    });
                };
                match orders::transition(
                    &pool,
                    &catalog,
                    &request.number,
                    to,
                    request.reason.as_deref(),
                )
                .await
                {
                    Ok(from) => Ok(TransitionReply::Ok {
                        number: request.number,
                        from: from.as_str().into(),
                        to: to.as_str().into(),
                    }),
                    Err(TransitionError::NotFound(number)) => Ok(TransitionReply::Rejected {
                        code: "not_found".into(),
                        message: format!("no order {number}"),
                    }),
                    Err(TransitionError::Illegal(err)) => Ok(TransitionReply::Rejected {
                        code: "illegal_transition".into(),
                        message: err.to_string(),
                    }),
                    Err(TransitionError::Database(err)) => Err(HandlerFailure::unavailable(err)),
                }
            }
        },
    ));
    Ok(())
}
