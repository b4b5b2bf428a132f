//! The mailer binary: `platform::run` with the mailer's workers (see the library's docs).

use mailer::{MIGRATOR, SERVICE, config::Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::run(SERVICE, &MIGRATOR, async |runtime| {
        let config = Config::from_env()?;
        mailer::start(runtime, config).await
    })
    .await
}
