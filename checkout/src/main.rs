use anyhow::Context as _;
use checkout::{MIGRATOR, SERVICE, config::Config};
use platform::config::CommonConfig;

const USAGE: &str = "usage: checkout [serve]
       checkout seed-orders <N>   add N made-up orders over the last 365 days (a benchmark database only)";

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
            // Every setting is read and checked before anything connects: a typo fails at once, naming the
            // variable.
            let config = Config::from_env()?;
            platform::run(SERVICE, &MIGRATOR, async move |runtime| {
                checkout::start(runtime, config).await
            })
            .await
        }
        ["seed-orders", n] => {
            let n: u64 = n.parse().context("N must be a whole number")?;
            let config = CommonConfig::from_env(&SERVICE)?;
            platform::telemetry::init_logging(config.log_format);
            let pool = platform::runtime::connect_database(&config).await?;
            MIGRATOR.run(&pool).await.context("running migrations")?;
            let started = std::time::Instant::now();
            let total = checkout::seed::seed_orders(&pool, n).await?;
            tracing::info!(added = n, orders = total, took = ?started.elapsed(), "orders seeded");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
