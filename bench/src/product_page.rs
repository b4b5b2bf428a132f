//! `GET /api/products/{slug}` against a bare axum + sqlx server doing one point select by slug on the same
//! database, both as processes of their own, loaded in turn by the same generator.

use std::{sync::Arc, time::Duration};

use anyhow::{Context as _, bail};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::get,
};
use rust_decimal::Decimal;
use sqlx::MySqlPool;

use crate::{
    Settings,
    load::{Stats, closed_loop},
    stack::spawn_self,
};

/// Connections of the load generator, as in the measurement.
pub(crate) const CONNECTIONS: usize = 32;

/// Active slugs to ask for, spread over the catalog.
pub(crate) async fn slugs(pool: &MySqlPool) -> anyhow::Result<Vec<String>> {
    let slugs: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM products WHERE status = 'active' ORDER BY RAND() LIMIT 5000",
    )
    .fetch_all(pool)
    .await?;
    if slugs.is_empty() {
        bail!("the bench catalog has no active products");
    }
    Ok(slugs)
}

/// Loads `base` (`http://host:port`) with product pages for the settings' duration.
pub(crate) async fn load(base: &str, slugs: Arc<Vec<String>>, settings: &Settings) -> Stats {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client");
    let base = base.to_owned();
    closed_loop(
        CONNECTIONS,
        settings.warm_up,
        settings.duration,
        move |worker, n| {
            let url = format!(
                "{base}/api/products/{}",
                slugs[(worker * 7919 + n as usize * 104_729) % slugs.len()]
            );
            let client = client.clone();
            async move {
                let response = client.get(url).send().await?;
                if response.status() != 200 {
                    bail!("status {}", response.status());
                }
                response.bytes().await?;
                Ok(())
            }
        },
    )
    .await
}

/// Starts the baseline server as a child process on a free port; returns its base URL and the child.
pub(crate) async fn start_baseline(
    database_url: &str,
) -> anyhow::Result<(String, tokio::process::Child)> {
    let port = platform::testing::free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = spawn_self(&["baseline-http", &addr], &[("DATABASE_URL", database_url)])?;
    platform::testing::wait_for_port(port, Duration::from_secs(10));
    Ok((format!("http://{addr}"), child))
}

#[derive(serde::Serialize, sqlx::FromRow)]
struct Row {
    sku: String,
    slug: String,
    name: String,
    description: String,
    brand: String,
    price: Decimal,
}

async fn by_slug(
    State(pool): State<MySqlPool>,
    Path(slug): Path<String>,
) -> Result<Json<Row>, StatusCode> {
    sqlx::query_as::<_, Row>(
        "SELECT sku, slug, name, description, brand, price FROM products WHERE slug = ? AND status = 'active'",
    )
    .bind(slug)
    .fetch_optional(&pool)
    .await
    .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?
    .map(Json)
    .ok_or(StatusCode::NOT_FOUND)
}

/// The baseline: `bench baseline-http <addr>` with `DATABASE_URL`; a pool as large as the catalog's default.
pub(crate) async fn serve_baseline(addr: &str) -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL")?;
    let pool = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(10)
        .connect(&url)
        .await?;
    let app = Router::new()
        .route("/api/products/{slug}", get(by_slug))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
