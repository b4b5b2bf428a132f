//! The NATS connection every service shares: named after the service (so `nats server report connections`
//! says who is who), reconnecting forever, and logging every connection state change.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::{Client, ConnectOptions, Event};

/// Connects to `url` as client `name`, retrying for up to `wait` so services can start before NATS.
/// Once connected, the client reconnects by itself, without limit, after any outage.
pub async fn connect(name: &str, url: &str, wait: Duration) -> anyhow::Result<Client> {
    let deadline = Instant::now() + wait;
    let mut delay = Duration::from_millis(100);
    loop {
        match options(name).connect(url).await {
            Ok(client) => {
                tracing::info!(%url, "connected to NATS");
                return Ok(client);
            }
            Err(err) if Instant::now() + delay < deadline => {
                tracing::warn!(%url, error = %err, "NATS not reachable yet, retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            Err(err) => {
                return Err(err).with_context(|| format!("connecting to NATS at {url}"));
            }
        }
    }
}

fn options(name: &str) -> ConnectOptions {
    ConnectOptions::new()
        .name(name)
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .request_timeout(Some(Duration::from_secs(5)))
        // Reconnect quickly at first, then settle at one attempt a second.
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((attempts as u64 * 100).min(1_000))
        })
        .event_callback(|event| async move {
            match event {
                Event::Connected => tracing::info!("NATS connection (re)established"),
                Event::Disconnected => tracing::warn!("NATS connection lost, reconnecting"),
                Event::Draining => tracing::info!("NATS connection draining"),
                Event::Closed => tracing::info!("NATS connection closed"),
                Event::SlowConsumer(sid) => tracing::warn!(sid, "NATS slow consumer"),
                other => tracing::warn!(event = %other, "NATS event"),
            }
        })
}
