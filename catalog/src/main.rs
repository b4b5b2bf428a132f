use anyhow::Context as _;
use catalog::{MIGRATOR, SERVICE, config::Config};

const USAGE: &str = "usage: catalog [serve]
       catalog import <products.json>   load a file shaped like shared/data/products-bestbuy.json
       catalog seed [--synthetic N]     load the built-in demo catalog, or N generated products";

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
            platform::run(SERVICE, &MIGRATOR, async |runtime| {
                let config = Config::from_env()?;
                catalog::start(runtime, config).await
            })
            .await
        }
        ["import", path] => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {path}"))?;
            let products = catalog::seed::parse_bestbuy_json(&bytes, 42)?;
            load(products).await
        }
        ["seed"] => load(catalog::seed::demo_fixture()).await,
        ["seed", "--synthetic", n] => {
            let n: usize = n.parse().context("N must be a number")?;
            load(catalog::seed::synthetic(n, 42).collect()).await
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// Migrates and loads products; the running service's outbox relay publishes their events.
async fn load(products: Vec<catalog::domain::NewProduct>) -> anyhow::Result<()> {
    let config = platform::config::CommonConfig::from_env(&SERVICE)?;
    platform::telemetry::init_logging(config.log_format);
    let pool = platform::runtime::connect_database(&config).await?;
    MIGRATOR.run(&pool).await.context("running migrations")?;
    let started = std::time::Instant::now();
    let count = products.len();
    let counts = catalog::import::import(&pool, None, products).await?;
    tracing::info!(
        products = count,
        created = counts.created,
        updated = counts.updated,
        unchanged = counts.unchanged,
        took = ?started.elapsed(),
        "catalog loaded"
    );
    Ok(())
}
