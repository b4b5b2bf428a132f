use checkout::{MIGRATOR, SERVICE, config::Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::run(SERVICE, &MIGRATOR, async |runtime| {
        let config = Config::from_env()?;
        checkout::start(runtime, config).await
    })
    .await
}
