//! The bridge binary: the common service start-up, then forwarding order events to SQS until SIGTERM.

use bridge::{MIGRATOR, SERVICE, config::Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::run(SERVICE, &MIGRATOR, async |runtime| {
        let config = Config::from_env()?;
        let sqs = bridge::sqs::client_from_env().await;
        bridge::start(runtime, config, sqs).await
    })
    .await
}
