//! Retention: records of forwarded events older than their retention are deleted by the bridge, in batches
//! through the index on their timestamp, and younger ones are kept.

use std::time::Duration;

use sqlx::MySqlPool;

use crate::helpers::{World, config, spawn_bridge};

const DAYS_180: Duration = Duration::from_secs(180 * 24 * 3600);

async fn forwarded_rows(pool: &MySqlPool, count: u32, days: u32) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO forwarded_events (event_id, order_number, sqs_message_id, forwarded_at)
         SELECT UUID(), CONCAT('SH-', seq), UUID(), NOW(6) - INTERVAL {days} DAY - INTERVAL seq SECOND
         FROM seq_1_to_{count}"
    )))
    .execute(pool)
    .await
    .unwrap();
}

async fn count(pool: &MySqlPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn retention_config(queue: &str, every: Duration) -> bridge::config::Config {
    bridge::config::Config {
        forwarded_events_retention: DAYS_180,
        purge_every: every,
        ..config(queue)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_past_their_retention_are_deleted_in_batches_and_younger_ones_kept() {
    let world = World::start().await;
    let (name, _url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, retention_config(&name, Duration::from_millis(200))).await;
    let pool = &bridge.pool;
    forwarded_rows(pool, 2_500, 181).await;
    forwarded_rows(pool, 40, 179).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while count(pool, "SELECT COUNT(*) FROM forwarded_events").await != 40 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old records were not deleted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let oldest: i64 = sqlx::query_scalar(
        "SELECT TIMESTAMPDIFF(DAY, MIN(forwarded_at), NOW(6)) FROM forwarded_events",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(oldest, 179, "the younger records are the ones kept");

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_purge_reads_only_the_old_records_through_its_timestamp_index() {
    let world = World::start().await;
    let (name, _url) = world.create_queue(false).await;
    let config = retention_config(&name, Duration::from_secs(3600));
    let bridge = spawn_bridge(&world, config.clone()).await;
    let pool = &bridge.pool;
    forwarded_rows(pool, 3_000, 1).await;
    forwarded_rows(pool, 20, 181).await;
    sqlx::query("ANALYZE TABLE forwarded_events")
        .execute(pool)
        .await
        .unwrap();

    let purges = bridge::purges(&config);
    let expected = [("forwarded_events", "ix_forwarded_events_at")];
    assert_eq!(purges.len(), expected.len());
    for (purge, (table, index)) in purges.iter().zip(expected) {
        assert_eq!(purge.table, table);
        let plan = purge.plan(pool).await.unwrap();
        assert_eq!(
            (plan.access.as_str(), plan.key.as_deref()),
            ("range", Some(index)),
            "{table}: {plan:?}"
        );
    }

    bridge.stop().await;
    world.stop().await;
}
