use std::time::Duration;

use platform::contracts::search::{REBUILD, RebuildReply};
use search_indexer::{MIGRATOR, SERVICE, config::Config};

const USAGE: &str = "usage: search-indexer [serve]
       search-indexer rebuild    ask the running indexer to rebuild the index and swap it in";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => {
            // Every setting is read and checked before anything connects: a typo fails at once, naming the variable.
            let config = Config::from_env()?;
            platform::run(SERVICE, &MIGRATOR, async move |runtime| {
                search_indexer::start(runtime, config).await
            })
            .await
        }
        ["rebuild"] => {
            let config = platform::config::CommonConfig::from_env(&SERVICE)?;
            platform::telemetry::init_logging(config.log_format);
            let nats = platform::nats::connect(
                "search-indexer-cli",
                &config.nats_url,
                &config.nats_auth,
                config.nats_connect_timeout,
            )
            .await?;
            let reply: RebuildReply = platform::rpc::call(
                &nats,
                REBUILD,
                &serde_json::json!({}),
                Duration::from_secs(10),
            )
            .await?;
            match reply {
                RebuildReply::Started { index } => {
                    tracing::info!(%index, "rebuild started; `nats consumer info CATALOG search-indexer` and the indexer's log show progress")
                }
                RebuildReply::AlreadyRunning { index } => {
                    tracing::info!(%index, "a rebuild is already running")
                }
            }
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
