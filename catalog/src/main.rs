use anyhow::Context as _;
use catalog::{
    MIGRATOR, SERVICE,
    config::Config,
    domain::{NewProduct, Sku},
    stock::{Stock, StockError},
};
use platform::config::CommonConfig;

const USAGE: &str = "usage: catalog [serve]
       catalog import <products.json>   load a file shaped like shared/data/products-bestbuy.json
       catalog import-demo <dir>        load the demo store (shared/data/demo-store: products.json, images/)
       catalog seed [--synthetic N]     load the built-in demo catalog, or N generated products
       catalog delete <SKU>             delete a product (archived instead when orders reference it)
       catalog stock <SKU> <ON_HAND>    set the units on hand of a variant (never below what is reserved)";

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
                catalog::start(runtime, config).await
            })
            .await
        }
        ["import", path] => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {path}"))?;
            let products = catalog::seed::parse_bestbuy_json(&bytes, 42)?;
            load(products).await
        }
        ["import-demo", dir] => {
            let (pool, _) = connect().await?;
            let (counts, photos) =
                catalog::import::import_demo_store(&pool, None, std::path::Path::new(dir)).await?;
            tracing::info!(
                created = counts.created,
                updated = counts.updated,
                unchanged = counts.unchanged,
                "demo store loaded"
            );
            // Through the images pipeline, into the bucket (S3_CREATE_BUCKET creates it, as ./dev does).
            let images =
                catalog::images::Images::connect(pool, &platform::s3::BucketConfig::from_env()?)
                    .await?;
            let attached = images
                .attach_photos(
                    photos
                        .into_iter()
                        .map(|product| (product.sku.as_str().to_owned(), product.files)),
                )
                .await;
            tracing::info!(
                added = attached.added,
                unchanged = attached.unchanged,
                failed = attached.failed,
                "demo store photos attached"
            );
            Ok(())
        }
        ["seed"] => load(catalog::seed::demo_fixture()).await,
        ["seed", "--synthetic", n] => {
            let n: usize = n.parse().context("N must be a number")?;
            load(catalog::seed::synthetic(n, 42).collect()).await
        }
        ["delete", sku] => {
            let sku = Sku::parse(sku)?;
            let (pool, _) = connect().await?;
            let removal = catalog::products::remove(&pool, &sku).await?;
            tracing::info!(%sku, ?removal, "product removed");
            anyhow::ensure!(
                removal != catalog::db::products::Removal::NotFound,
                "no product with SKU {sku}"
            );
            Ok(())
        }
        ["stock", sku, on_hand] => {
            let sku = Sku::parse(sku)?;
            let on_hand: u32 = on_hand.parse().context("ON_HAND must be a whole number")?;
            let (pool, config) = connect().await?;
            let stock = Stock::new(&pool, config.database_max_connections);
            match stock.set_on_hand(&sku, on_hand).await {
                Ok(on_hand) => tracing::info!(%sku, on_hand, "stock set"),
                Err(err @ StockError::Database(_)) => return Err(err.into()),
                Err(refused) => anyhow::bail!("refused: {refused}"),
            }
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// Logging and a migrated pool, for the one-shot commands. Their events wait in the outbox until the running
/// service's relay publishes them.
async fn connect() -> anyhow::Result<(sqlx::MySqlPool, CommonConfig)> {
    let config = CommonConfig::from_env(&SERVICE)?;
    platform::telemetry::init_logging(config.log_format);
    let pool = platform::runtime::connect_database(&config).await?;
    MIGRATOR.run(&pool).await.context("running migrations")?;
    Ok((pool, config))
}

/// Migrates and loads products.
async fn load(products: Vec<NewProduct>) -> anyhow::Result<()> {
    let (pool, _) = connect().await?;
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
