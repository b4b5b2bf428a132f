//! `rpc.catalog.quote` for three SKUs against a raw NATS request/reply echo of the same payload, answered by a
//! process of its own, both asked one request at a time by the same client.

use std::time::Duration;

use anyhow::{Context as _, bail};
use bytes::Bytes;
use futures::StreamExt as _;

use crate::{
    Settings,
    load::{Stats, closed_loop},
};

/// The echo's subject.
pub(crate) const ECHO_SUBJECT: &str = "bench.echo";

/// Asks `subject` with `payload` one request at a time for the settings' duration.
pub(crate) async fn load(
    client: &async_nats::Client,
    subject: &'static str,
    payload: Bytes,
    settings: &Settings,
) -> Stats {
    let client = client.clone();
    closed_loop(1, settings.warm_up, settings.duration, move |_, _| {
        let (client, payload) = (client.clone(), payload.clone());
        async move {
            let answer = client.request(subject, payload).await?;
            if answer.payload.is_empty() {
                bail!("an empty answer");
            }
            Ok(())
        }
    })
    .await
}

/// The quote request the catalog gets.
pub(crate) fn quote_request(skus: &[String]) -> Bytes {
    serde_json::to_vec(&serde_json::json!({ "skus": skus }))
        .expect("JSON")
        .into()
}

/// The baseline: `bench baseline-echo` with `NATS_URL`, `NATS_USER` and `NATS_PASSWORD`; answers every
/// request on `bench.echo` with its own payload.
pub(crate) async fn serve_echo() -> anyhow::Result<()> {
    let url = std::env::var("NATS_URL").context("NATS_URL")?;
    let auth = platform::config::nats_auth_from_env("ops")?;
    let client =
        platform::nats::connect("bench-echo", &url, &auth, Duration::from_secs(10)).await?;
    let mut requests = client.subscribe(ECHO_SUBJECT).await?;
    while let Some(request) = requests.next().await {
        if let Some(reply) = request.reply {
            client.publish(reply, request.payload).await?;
        }
    }
    Ok(())
}
