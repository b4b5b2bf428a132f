use mailer::{MIGRATOR, SERVICE, router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::run(SERVICE, &MIGRATOR, async |_runtime| Ok(router())).await
}
