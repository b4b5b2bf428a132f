//! The mailer's NATS service endpoint: `rpc.mailer.counts`, the email log counted by state, for operators and
//! the admin (what an operator would otherwise read with SQL in the mailer's schema). Read-only; a database
//! failure is a 503 service error.

use std::collections::HashMap;

use platform::{
    Runtime,
    contracts::mailer::{CountsRequest, RPC_GROUP},
    rpc::{HandlerFailure, serve},
};

use crate::email_log;

/// Requests answered at once: each is one short query, and nobody needs many at a time.
const CONCURRENCY: usize = 4;

/// Adds the endpoint to the service and answers it until shutdown.
pub async fn start(runtime: &Runtime) -> anyhow::Result<()> {
    let endpoint = runtime
        .service
        .group(RPC_GROUP)
        .endpoint_builder()
        .name("counts")
        .metadata(HashMap::from([(
            "description".to_owned(),
            "The email log counted by state".to_owned(),
        )]))
        .add("counts")
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint counts: {err}"))?;
    let pool = runtime.db.clone();
    runtime.spawn(serve(
        endpoint,
        CONCURRENCY,
        runtime.shutdown.clone(),
        move |_: CountsRequest| {
            let pool = pool.clone();
            async move {
                email_log::counts(&pool)
                    .await
                    .map_err(HandlerFailure::unavailable)
            }
        },
    ));
    Ok(())
}
