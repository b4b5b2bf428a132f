//! The mailer binary: `platform::run` with the mailer's workers (see the library's docs).

use mailer::{MIGRATOR, SERVICE, config::Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Every setting is read and checked before anything connects: a typo fails at once, naming the variable.
    let config = Config::from_env()?;
    platform::run(SERVICE, &MIGRATOR, async move |runtime| {
        mailer::start(runtime, config).await
    })
    .await
}
