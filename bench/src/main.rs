//! The shop's benchmark suite (README, "Benchmarks"): each hot path against a bare baseline measured in the
//! same run on the same machine, printed as a table of ratios. Release builds only:
//!
//! ```sh
//! cargo build --release -p catalog -p checkout -p mailer -p bench
//! target/release/bench [all | product-page | quote | place-order] [--products N] [--seconds S]
//! ```
//!
//! It starts its own nats-server (the shop's configuration) and the services as processes on databases
//! `bench_catalog`, `bench_checkout`, `bench_mailer` and `bench_baseline` of `BENCH_DATABASE_URL` (default
//! `mysql://root@127.0.0.1:3306`); the catalog is seeded once with N synthetic products (default 100,000) and
//! kept for the next run. Nothing in `./dev test` runs it: speed on a shared machine is measured, never asserted.

mod load;
mod place_order;
mod product_page;
mod quote;
mod stack;

use std::{sync::Arc, time::Duration};

use anyhow::{Context as _, bail};
use load::Stats;
use platform::testing::NatsServer;
use stack::Service;

/// How long each measured run lasts, after its warm-up.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) duration: Duration,
    pub(crate) warm_up: Duration,
    pub(crate) products: u64,
}

const USAGE: &str =
    "usage: bench [all | product-page | quote | place-order] [--products N] [--seconds S]";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Runtime::new()?;
    match args.first().map(String::as_str) {
        // The baselines' own processes.
        Some("baseline-http") => {
            let addr = args.get(1).context("baseline-http <addr>")?;
            runtime.block_on(product_page::serve_baseline(addr))
        }
        Some("baseline-echo") => runtime.block_on(quote::serve_echo()),
        _ => {
            let (what, settings) = parse(&args)?;
            runtime.block_on(run(&what, &settings))
        }
    }
}

fn parse(args: &[String]) -> anyhow::Result<(String, Settings)> {
    let mut what = "all".to_owned();
    let mut settings = Settings {
        duration: Duration::from_secs(10),
        warm_up: Duration::from_secs(2),
        products: 100_000,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--products" => settings.products = args.next().context(USAGE)?.parse()?,
            "--seconds" => {
                settings.duration = Duration::from_secs(args.next().context(USAGE)?.parse()?)
            }
            "all" | "product-page" | "quote" | "place-order" => what = arg.clone(),
            _ => bail!("{USAGE}"),
        }
    }
    Ok((what, settings))
}

/// One row of the report.
struct Row {
    path: String,
    shop: String,
    baseline: String,
    ratio: String,
    goal: &'static str,
}

async fn run(what: &str, settings: &Settings) -> anyhow::Result<()> {
    let nats = NatsServer::start();
    let catalog_url = catalog_database(settings.products).await?;
    let catalog = Service::start("catalog", &nats, &catalog_url, &[]).await?;
    let admin = sqlx::MySqlPool::connect(&stack::admin_url()).await?;
    let catalog_pool = sqlx::MySqlPool::connect(&catalog_url).await?;
    let mut rows = Vec::new();

    if matches!(what, "all" | "product-page") {
        let slugs = Arc::new(product_page::slugs(&catalog_pool).await?);
        let (baseline_url, baseline) = product_page::start_baseline(&catalog_url).await?;
        // The same catalog without its product cache, beside it: what the cache is worth, in the same run.
        let uncached = Service::start(
            "catalog",
            &nats,
            &catalog_url,
            &[("PRODUCT_CACHE_ENTRIES", "0")],
        )
        .await?;
        // In turn, twice each: a burst of the machine's other work hits every side alike.
        let (mut shop, mut bare, mut plain) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..2 {
            shop.push(product_page::load(&catalog.http, slugs.clone(), settings).await);
            plain.push(product_page::load(&uncached.http, slugs.clone(), settings).await);
            bare.push(product_page::load(&baseline_url, slugs.clone(), settings).await);
        }
        drop(baseline);
        uncached.stop().await;
        let (shop, bare, plain) = (
            Stats::merge(&shop),
            Stats::merge(&bare),
            Stats::merge(&plain),
        );
        let without_cache = Row {
            path: "the same, the catalog without its product cache (`PRODUCT_CACHE_ENTRIES=0`)"
                .to_owned(),
            shop: throughput(&plain, "req/s"),
            baseline: String::new(),
            ratio: format!(
                "{:.2}x throughput, p99 {:.2}x",
                plain.per_second() / bare.per_second(),
                ratio(plain.percentile(99.0), bare.percentile(99.0))
            ),
            goal: "",
        };
        rows.push(Row {
            path: format!(
                "`GET /api/products/{{slug}}`, {} connections",
                product_page::CONNECTIONS
            ),
            shop: throughput(&shop, "req/s"),
            baseline: format!(
                "bare axum + sqlx point select: {}",
                throughput(&bare, "req/s")
            ),
            ratio: format!(
                "{:.2}x throughput, p99 {:.2}x",
                shop.per_second() / bare.per_second(),
                ratio(shop.percentile(99.0), bare.percentile(99.0))
            ),
            goal: "≥ 0.7x throughput, p99 ≤ 1.5x",
        });
        rows.push(without_cache);
    }

    let skus = Arc::new(place_order::skus(&catalog.http).await?);

    if matches!(what, "all" | "quote") {
        let ops = nats.ops().await;
        let ops_password = nats.credentials("ops").password.expect("a password");
        let echo = stack::spawn_self(
            &["baseline-echo"],
            &[
                ("NATS_URL", &nats.url()),
                ("NATS_USER", "ops"),
                (
                    "NATS_PASSWORD",
                    secrecy::ExposeSecret::expose_secret(&ops_password),
                ),
            ],
        )?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let request = quote::quote_request(&skus[..3]);
        let mut shop = Vec::new();
        let mut bare = Vec::new();
        for _ in 0..2 {
            shop.push(quote::load(&ops, "rpc.catalog.quote", request.clone(), settings).await);
            bare.push(quote::load(&ops, quote::ECHO_SUBJECT, request.clone(), settings).await);
        }
        drop(echo);
        let (shop, bare) = (Stats::merge(&shop), Stats::merge(&bare));
        rows.push(Row {
            path: "`rpc.catalog.quote` (3 SKUs), one at a time".to_owned(),
            shop: latency(&shop),
            baseline: format!("raw NATS echo: {}", latency(&bare)),
            ratio: format!(
                "p99 {:.2}x",
                ratio(shop.percentile(99.0), bare.percentile(99.0))
            ),
            goal: "p99 ≤ 2x",
        });
    }

    if matches!(what, "all" | "place-order") {
        rows.extend(place_orders(&nats, &admin, skus, settings).await?);
    }
    catalog.stop().await;

    print_report(&rows, settings);
    Ok(())
}

/// The catalog's bench database with `products` synthetic products: kept from an earlier run when it has
/// exactly that many, else seeded afresh. The seed's events are marked published: nothing in the bench reads
/// them, and relaying 100,000 of them would load the machine during the measurements.
async fn catalog_database(products: u64) -> anyhow::Result<String> {
    let url = stack::database("bench_catalog", false).await?;
    let pool = sqlx::MySqlPool::connect(&url).await?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(&pool)
        .await
        .ok();
    if existing != Some(products as i64) {
        drop(pool);
        let url = stack::database("bench_catalog", true).await?;
        eprintln!("seeding {products} synthetic products into bench_catalog (once)");
        let status = tokio::process::Command::new(stack::binary("catalog")?)
            .args(["seed", "--synthetic", &products.to_string()])
            .env("DATABASE_URL", &url)
            .env("LOG_FORMAT", "json")
            .status()
            .await?;
        if !status.success() {
            bail!("catalog seed --synthetic {products} failed");
        }
    }
    let pool = sqlx::MySqlPool::connect(&url).await?;
    sqlx::query("UPDATE outbox SET published_at = CURRENT_TIMESTAMP(6) WHERE published_at IS NULL")
        .execute(&pool)
        .await?;
    Ok(url)
}

async fn place_orders(
    nats: &NatsServer,
    admin: &sqlx::MySqlPool,
    skus: Arc<Vec<String>>,
    settings: &Settings,
) -> anyhow::Result<Vec<Row>> {
    let checkout_url = stack::database("bench_checkout", true).await?;
    let mailer_url = stack::database("bench_mailer", true).await?;
    let baseline_url = stack::database("bench_baseline", true).await?;
    let mail_dir = std::env::temp_dir().join("shop-bench-mail");
    let _ = std::fs::remove_dir_all(&mail_dir);
    let no_limits = [
        ("RATE_LIMIT_CARTS_PER_MIN", "0"),
        ("RATE_LIMIT_CART_CHANGES_PER_MIN", "0"),
        ("RATE_LIMIT_ORDERS_PER_MIN", "0"),
    ];
    let checkout = Service::start("checkout", nats, &checkout_url, &no_limits).await?;
    let mail_dir_setting = mail_dir.display().to_string();
    let mailer = Service::start(
        "mailer",
        nats,
        &mailer_url,
        &[
            ("MAIL_TRANSPORT", "file"),
            ("MAIL_DIR", &mail_dir_setting),
            ("MAIL_RATE_PER_SEC", "100000"),
        ],
    )
    .await?;

    let (questions_before, commits_before) = place_order::counters(admin).await?;
    let orders_before = place_order::orders(admin, "bench_checkout").await?;
    let loaded = place_order::load(
        &checkout.http,
        skus.clone(),
        place_order::SHOPPERS,
        settings,
    )
    .await;
    let orders = place_order::orders(admin, "bench_checkout").await? - orders_before;
    // Every confirmation out before the counters are read again: the mailer's statements are the order's too.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while place_order::emails_sent(admin, "bench_mailer").await? < orders {
        if std::time::Instant::now() > deadline {
            bail!("the mailer did not send every confirmation within 2 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (questions_after, commits_after) = place_order::counters(admin).await?;
    let email = place_order::email_latencies(admin, "bench_checkout", "bench_mailer").await?;
    let alone = place_order::load(&checkout.http, skus, 1, settings).await;
    checkout.stop().await;
    mailer.stop().await;

    let baseline_pool = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(10)
        .connect(&baseline_url)
        .await?;
    place_order::prepare_baseline(&baseline_pool).await?;
    let bare = place_order::load_baseline(baseline_pool, place_order::SHOPPERS, settings).await;

    let per_order = |delta: u64| delta as f64 / orders.max(1) as f64;
    Ok(vec![
        Row {
            path: format!(
                "place-order end to end, {} shoppers, mailer running",
                place_order::SHOPPERS
            ),
            shop: format!(
                "{} ({} errors)",
                throughput(&loaded, "orders/s"),
                loaded.errors
            ),
            baseline: format!(
                "bare order + line transaction: {}",
                throughput(&bare, "orders/s")
            ),
            ratio: format!("{:.2}x", loaded.per_second() / bare.per_second()),
            goal: "≥ 250 orders/s",
        },
        Row {
            path: "place-order end to end, 1 shopper".to_owned(),
            shop: throughput(&alone, "orders/s"),
            baseline: String::new(),
            ratio: String::new(),
            goal: "≥ 100 orders/s",
        },
        Row {
            path:
                "SQL statements per placed order, all services (MariaDB `Questions`, `Com_commit`)"
                    .to_owned(),
            shop: format!(
                "{:.1} statements, {:.1} commits ({orders} orders)",
                per_order(questions_after - questions_before),
                per_order(commits_after - commits_before)
            ),
            baseline: "2 inserts, 1 commit".to_owned(),
            ratio: String::new(),
            goal: "≤ 25 statements",
        },
        Row {
            path: "order committed as paid (OrderCreated) -> confirmation email `sent`, under that load"
                .to_owned(),
            shop: format!(
                "p50 {}, p99 {} (published by the relay: p50 {}, p99 {}; in the mailer's log: p50 {}, p99 {})",
                ms(email.sent.0),
                ms(email.sent.1),
                ms(email.published.0),
                ms(email.published.1),
                ms(email.logged.0),
                ms(email.logged.1)
            ),
            baseline: String::new(),
            ratio: String::new(),
            goal: "p99 < 250 ms",
        },
    ])
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn throughput(stats: &Stats, unit: &str) -> String {
    format!(
        "{:.0} {unit}, p50 {}, p99 {}",
        stats.per_second(),
        ms(stats.percentile(50.0)),
        ms(stats.percentile(99.0))
    )
}

fn latency(stats: &Stats) -> String {
    format!(
        "p50 {}, p99 {}",
        ms(stats.percentile(50.0)),
        ms(stats.percentile(99.0))
    )
}

#[allow(clippy::print_stdout)]
fn print_report(rows: &[Row], settings: &Settings) {
    println!(
        "\n{} products, {} s per run after {} s of warm-up, release builds\n",
        settings.products,
        settings.duration.as_secs(),
        settings.warm_up.as_secs()
    );
    println!("| path | the shop | baseline in the same run | ratio | goal |");
    println!("| --- | --- | --- | --- | --- |");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            row.path, row.shop, row.baseline, row.ratio, row.goal
        );
    }
}
