//! Search-as-you-type benchmark: replays shopper queries one keystroke at a time against a running catalog
//! (`GET /api/search`) and, in the same run on the same database, the naive FULLTEXT query
//! (`MATCH … AGAINST('+word*' IN BOOLEAN MODE) ORDER BY score DESC LIMIT 10`) as the baseline.
//!
//! ```sh
//! DATABASE_URL=mysql://root@127.0.0.1:3306/catalog_bench cargo run --release -p catalog -- seed --synthetic 100000
//! DATABASE_URL=... HTTP_ADDR=127.0.0.1:9181 cargo run --release -p catalog &
//! cargo run --release -p catalog --example search_bench -- http://127.0.0.1:9181 mysql://root@127.0.0.1:3306/catalog_bench
//! ```
//!
//! With `MEILI_URL` (and an indexer that filled the index) the catalog answers from Meilisearch: the report
//! counts which engine answered each keystroke.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, MySqlPool};

/// Real shopper queries for an electronics and appliances shop.
const QUERIES: &[&str] = &[
    "iphone case",
    "samsung galaxy",
    "otterbox defender",
    "wireless charger",
    "screen protector",
    "bluetooth headphones",
    "tv",
    "laptop",
    "usb c cable",
    "apple watch band",
    "portable charger",
    "car mount",
    "gaming mouse",
    "4k tv",
    "refrigerator",
    "washer",
    "microwave",
    "camera",
    "printer",
    "speaker",
    "sony",
    "lg oled",
    "hdmi cable",
    "ipad",
    "nintendo switch",
    "xbox controller",
    "dishwasher",
    "air fryer",
    "vacuum",
    "smart watch",
    "earbuds",
    "soundbar",
    "router",
    "external hard drive",
    "sd card",
    "keyboard",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p99 = percentile(&samples, 0.99);
    println!(
        "{name:<28} n={:<5} p50={:>8.2?} p95={:>8.2?} p99={:>8.2?} max={:>8.2?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.95),
        p99,
        samples[samples.len() - 1]
    );
    p99
}

/// Every keystroke of every query: "i", "ip", ..., "iphone case".
fn keystrokes() -> Vec<String> {
    QUERIES
        .iter()
        .flat_map(|query| {
            (1..=query.chars().count()).map(|n| query.chars().take(n).collect::<String>())
        })
        .filter(|typed| !typed.ends_with(' '))
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, database] = args.as_slice() else {
        anyhow::bail!("usage: search_bench <catalog base URL> <catalog database URL>");
    };
    let http = reqwest::Client::new();
    let pool = MySqlPool::connect(database).await?;
    let typed = keystrokes();

    // Warm both paths once so neither pays for cold caches.
    for text in &typed {
        http.get(format!("{base}/api/search"))
            .query(&[("q", text)])
            .send()
            .await?
            .error_for_status()?;
    }

    let mut ours = Vec::with_capacity(typed.len());
    let mut slowest = Vec::with_capacity(typed.len());
    let mut engines: std::collections::BTreeMap<String, usize> = Default::default();
    for text in &typed {
        let started = Instant::now();
        let body = http
            .get(format!("{base}/api/search"))
            .query(&[("q", text.as_str()), ("limit", "10")])
            .send()
            .await?
            .bytes()
            .await?;
        ours.push(started.elapsed());
        slowest.push((started.elapsed(), text));
        let engine = serde_json::from_slice::<serde_json::Value>(&body)?["engine"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        *engines.entry(engine).or_default() += 1;
    }
    slowest.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    let worst: Vec<String> = slowest
        .iter()
        .take(8)
        .map(|(took, text)| format!("{text:?} {took:.1?}"))
        .collect();

    let mut naive = Vec::with_capacity(typed.len());
    for text in &typed {
        let boolean: String = text
            .split_whitespace()
            .map(|word| format!("+{word}* "))
            .collect();
        let started = Instant::now();
        let _: Vec<(u32,)> = sqlx::query_as(AssertSqlSafe(
            "SELECT id FROM products WHERE MATCH (name, brand, description) AGAINST (? IN BOOLEAN MODE) \
             ORDER BY MATCH (name, brand, description) AGAINST (? IN BOOLEAN MODE) DESC LIMIT 10"
                .to_owned(),
        ))
        .bind(&boolean)
        .bind(&boolean)
        .fetch_all(&pool)
        .await?;
        naive.push(started.elapsed());
    }

    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(&pool)
        .await?;
    println!(
        "{products} products, {} keystrokes of {} queries",
        typed.len(),
        QUERIES.len()
    );
    let ours = report("catalog /api/search (HTTP)", ours);
    let naive = report("naive FULLTEXT (SQL only)", naive);
    println!(
        "p99 ratio catalog / naive: {:.2}",
        ours.as_secs_f64() / naive.as_secs_f64()
    );
    println!("slowest keystrokes: {}", worst.join(", "));
    println!("answered by: {engines:?}");
    Ok(())
}
