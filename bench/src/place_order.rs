//! Place-order end to end as shoppers do it (a new cart, one line, the order, each over HTTP) with the catalog,
//! checkout and the mailer running; the SQL statements and commits per order from MariaDB's own counters; the
//! time from each order's paid commit to its confirmation email's `sent`. The baseline: a bare transaction writing an
//! order and its line, as many at once, on a pool of the same size.

use std::{sync::Arc, time::Duration};

use anyhow::bail;
use sqlx::{MySqlPool, Row as _};

use crate::{
    Settings,
    load::{Stats, closed_loop, percentile},
};

/// Shoppers at once in the loaded run, as in the measurement.
pub(crate) const SHOPPERS: usize = 64;

/// SKUs that can take many orders: the most popular in stock, from the listing.
pub(crate) async fn skus(catalog: &str) -> anyhow::Result<Vec<String>> {
    let client = reqwest::Client::new();
    let mut skus = Vec::new();
    for page in 1..=10 {
        let listing: serde_json::Value = client
            .get(format!(
                "{catalog}/api/products?in_stock=true&sort=popularity&limit=100&page={page}"
            ))
            .send()
            .await?
            .json()
            .await?;
        for product in listing["products"].as_array().into_iter().flatten() {
            if product["available"].as_u64().unwrap_or(0) >= 50
                && let Some(sku) = product["sku"].as_str()
            {
                skus.push(sku.to_owned());
            }
        }
    }
    if skus.len() < 20 {
        bail!(
            "the bench catalog has only {} SKUs with 50 units or more",
            skus.len()
        );
    }
    Ok(skus)
}

/// Shoppers placing orders for the settings' duration.
pub(crate) async fn load(
    checkout: &str,
    skus: Arc<Vec<String>>,
    shoppers: usize,
    settings: &Settings,
) -> Stats {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(shoppers)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let base = checkout.to_owned();
    closed_loop(shoppers, settings.warm_up, settings.duration, move |worker, n| {
        let (client, base, skus) = (client.clone(), base.clone(), skus.clone());
        async move {
            let cart: serde_json::Value = client.post(format!("{base}/api/carts")).send().await?.json().await?;
            let token = cart["token"].as_str().unwrap_or_default().to_owned();
            let sku = &skus[(worker * 31 + n as usize * 17) % skus.len()];
            let added = client
                .post(format!("{base}/api/carts/{token}/items"))
                .json(&serde_json::json!({"sku": sku, "quantity": 1}))
                .send()
                .await?;
            if added.status() != 200 {
                bail!("add to cart: {}", added.status());
            }
            let placed = client
                .post(format!("{base}/api/orders"))
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                .json(&serde_json::json!({
                    "cart_token": token, "email": format!("shopper{worker}@example.com"), "customer_name": "Bench Shopper",
                    "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
                    "shipping_method": "standard", "card_token": "tok_visa"
                }))
                .send()
                .await?;
            if placed.status() != 201 {
                bail!("place-order: {}", placed.status());
            }
            Ok(())
        }
    })
    .await
}

/// MariaDB's server-wide statement and commit counters.
pub(crate) async fn counters(pool: &MySqlPool) -> anyhow::Result<(u64, u64)> {
    let rows = sqlx::query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit')")
        .fetch_all(pool)
        .await?;
    let mut questions = 0;
    let mut commits = 0;
    for row in rows {
        let name: String = row.try_get(0)?;
        let value: String = row.try_get(1)?;
        match name.as_str() {
            "Questions" => questions = value.parse()?,
            "Com_commit" => commits = value.parse()?,
            _ => {}
        }
    }
    Ok((questions, commits))
}

/// Orders in the bench's checkout schema.
pub(crate) async fn orders(pool: &MySqlPool, checkout_db: &str) -> anyhow::Result<u64> {
    let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM `{checkout_db}`.orders"
    )))
    .fetch_one(pool)
    .await?;
    Ok(count as u64)
}

/// Confirmation emails sent in the bench's mailer schema.
pub(crate) async fn emails_sent(pool: &MySqlPool, mailer_db: &str) -> anyhow::Result<u64> {
    let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM `{mailer_db}`.email_log WHERE kind = 'order_confirmation' AND state = 'sent'"
    )))
    .fetch_one(pool)
    .await?;
    Ok(count as u64)
}

/// Percentiles (p50, p99) of the confirmation's way from each order's paid commit (the transaction writing
/// OrderCreated, whose history row's `created_at` is its time), each stage counted from that commit and read by
/// MariaDB's clock: OrderCreated published by the relay, its email in the mailer's log, the email `sent`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmailLatency {
    pub(crate) published: (Duration, Duration),
    pub(crate) logged: (Duration, Duration),
    pub(crate) sent: (Duration, Duration),
}

pub(crate) async fn email_latencies(
    pool: &MySqlPool,
    checkout_db: &str,
    mailer_db: &str,
) -> anyhow::Result<EmailLatency> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT TIMESTAMPDIFF(MICROSECOND, h.created_at, x.published_at), \
                TIMESTAMPDIFF(MICROSECOND, h.created_at, e.created_at), \
                TIMESTAMPDIFF(MICROSECOND, h.created_at, e.sent_at) FROM `{mailer_db}`.email_log e \
         JOIN `{checkout_db}`.orders o ON o.number = e.order_number \
         JOIN `{checkout_db}`.order_state_history h ON h.order_id = o.id AND h.to_state = 'paid' \
         JOIN `{checkout_db}`.outbox x ON x.subject = CONCAT('orders.', o.number, '.created') \
         WHERE e.kind = 'order_confirmation' AND e.sent_at IS NOT NULL AND x.published_at IS NOT NULL"
    )))
    .fetch_all(pool)
    .await?;
    let stage = |pick: fn(&(i64, i64, i64)) -> i64| {
        let mut latencies: Vec<Duration> = rows
            .iter()
            .map(|row| Duration::from_micros(pick(row).max(0) as u64))
            .collect();
        latencies.sort_unstable();
        (percentile(&latencies, 50.0), percentile(&latencies, 99.0))
    };
    Ok(EmailLatency {
        published: stage(|row| row.0),
        logged: stage(|row| row.1),
        sent: stage(|row| row.2),
    })
}

/// The baseline's tables, in a schema of its own.
pub(crate) async fn prepare_baseline(pool: &MySqlPool) -> anyhow::Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS orders (
            id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
            number VARCHAR(20) NOT NULL UNIQUE,
            email VARCHAR(254) NOT NULL,
            total DECIMAL(12, 2) NOT NULL,
            created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
        ) ENGINE = InnoDB;
        CREATE TABLE IF NOT EXISTS order_lines (
            order_id BIGINT UNSIGNED NOT NULL,
            sku VARCHAR(32) NOT NULL,
            quantity INT UNSIGNED NOT NULL,
            unit_price DECIMAL(12, 2) NOT NULL,
            PRIMARY KEY (order_id, sku)
        ) ENGINE = InnoDB;",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The baseline: each order and its line in one transaction.
pub(crate) async fn load_baseline(pool: MySqlPool, shoppers: usize, settings: &Settings) -> Stats {
    closed_loop(shoppers, settings.warm_up, settings.duration, move |_, _| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await?;
            let number = format!("B-{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
            let id = sqlx::query("INSERT INTO orders (number, email, total) VALUES (?, ?, ?)")
                .bind(&number)
                .bind("shopper@example.com")
                .bind(rust_decimal::Decimal::new(4999, 2))
                .execute(&mut *tx)
                .await?
                .last_insert_id();
            sqlx::query("INSERT INTO order_lines (order_id, sku, quantity, unit_price) VALUES (?, ?, 1, ?)")
                .bind(id)
                .bind("BB-BENCH")
                .bind(rust_decimal::Decimal::new(4999, 2))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        }
    })
    .await
}
