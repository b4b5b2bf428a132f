use accounts::{MIGRATOR, SERVICE, config::Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Every setting is read and checked before anything connects: a typo fails at once, naming the variable.
    let config = Config::from_env()?;
    platform::run(SERVICE, &MIGRATOR, async move |runtime| {
        accounts::start(runtime, config).await
    })
    .await
}
