//! Retention: email-log rows older than their retention are deleted by the mailer, in batches through the
//! index on their timestamp, and younger ones are kept.

use std::time::Duration;

use platform::retention::Plan;
use sqlx::MySqlPool;

use crate::helpers::{TestMailer, Via, eventually, spawn_mailer, test_config};

const DAYS_180: Duration = Duration::from_secs(180 * 24 * 3600);

/// `count` email-log rows created `days` days ago, each for its own order.
async fn email_rows(pool: &MySqlPool, prefix: &str, count: u32, days: u32) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO email_log (event_id, kind, order_number, recipient, subject, transport, state, created_at)
         SELECT UUID(), 'order_confirmation', CONCAT('{prefix}', seq), 'ana@example.com', 's', 'file', 'sent',
                NOW(6) - INTERVAL {days} DAY - INTERVAL seq SECOND
         FROM seq_1_to_{count}"
    )))
    .execute(pool)
    .await
    .unwrap();
}

async fn count(pool: &MySqlPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn spawn_purging_every(every: Duration) -> TestMailer {
    let config = mailer::config::Config {
        email_log_retention: DAYS_180,
        purge_every: every,
        ..test_config()
    };
    spawn_mailer(Via::Files, config).await
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_past_their_retention_are_deleted_in_batches_and_younger_ones_kept() {
    let mailer = spawn_purging_every(Duration::from_millis(200)).await;
    let pool = &mailer.service.pool;
    // More than two batches past the retention, and rows just inside it.
    email_rows(pool, "SH-OLD", 2_500, 181).await;
    email_rows(pool, "SH-KEPT", 50, 179).await;

    eventually("the old rows are deleted", async || {
        count(pool, "SELECT COUNT(*) FROM email_log").await == 50
    })
    .await;
    assert_eq!(
        count(
            pool,
            "SELECT COUNT(*) FROM email_log WHERE order_number LIKE 'SH-KEPT%'"
        )
        .await,
        50
    );
    let (status, metrics) = mailer.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("retention_deleted_rows_total{table=\"email_log\"}"),
        "{metrics}"
    );
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_purge_reads_only_the_old_rows_through_its_timestamp_index() {
    let mailer = spawn_purging_every(Duration::from_secs(3600)).await;
    let pool = &mailer.service.pool;
    // What a purge finds in a running shop: months of rows, a few of them just past the retention.
    email_rows(pool, "SH-YOUNG", 3_000, 1).await;
    email_rows(pool, "SH-OLD", 20, 181).await;
    sqlx::query("ANALYZE TABLE email_log")
        .execute(pool)
        .await
        .unwrap();

    let config = mailer::config::Config {
        email_log_retention: DAYS_180,
        ..test_config()
    };
    let plans: Vec<(&str, Plan)> = {
        let mut plans = Vec::new();
        for purge in mailer::purges(&config) {
            plans.push((purge.table, purge.plan(pool).await.unwrap()));
        }
        plans
    };
    let expected = [("email_log", "ix_email_log_created")];
    assert_eq!(plans.len(), expected.len());
    for ((table, plan), (expected_table, index)) in plans.iter().zip(expected) {
        assert_eq!(*table, expected_table);
        assert_eq!(
            (plan.access.as_str(), plan.key.as_deref()),
            ("range", Some(index)),
            "{table}: {plan:?}"
        );
    }
    mailer.stop().await;
}
