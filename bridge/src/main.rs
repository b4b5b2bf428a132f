//! The bridge binary: the common service start-up, then forwarding order events to SQS until SIGTERM.

use bridge::{MIGRATOR, SERVICE, config::Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Every setting is read and checked before anything connects: a typo fails at once, naming the variable.
    let config = Config::from_env()?;
    platform::run(SERVICE, &MIGRATOR, async move |runtime| {
        let sqs = bridge::sqs::client_from_env().await;
        bridge::start(runtime, config, sqs).await
    })
    .await
}
