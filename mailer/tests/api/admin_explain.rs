//! The admin's email list reads an index, not the whole log: EXPLAIN of the list's statement with each
//! filter, a date range and a cursor, over enough rows that the optimizer chooses for real.

use chrono::Utc;
use mailer::{
    admin::{ListSpec, list_sql},
    email_log::State,
    mail::Kind,
};
use sqlx::Row as _;

use crate::helpers::{Via, spawn_mailer, test_config};

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_of_the_email_list_reads_an_index_in_order() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let pool = &mailer.service.pool;
    for sql in [
        "INSERT INTO email_log (event_id, kind, repeat_key, order_number, recipient, subject, transport, state,
                                created_at)
         SELECT UUID(), ELT(1 + seq % 4, 'order_confirmation', 'order_shipped', 'order_cancelled', 'order_refunded'),
                IF(seq % 4 = 3, CONCAT('r', seq), ''), CONCAT('SH-', seq), CONCAT('buyer', seq % 500, '@example.com'), 's',
                'ses', ELT(1 + seq % 20, 'failed', 'uncertain', 'sent', 'sent', 'sent', 'sent', 'sent', 'sent',
                'sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'sent', 'retrying'),
                NOW(6) - INTERVAL seq MINUTE
         FROM seq_1_to_20000",
        "ANALYZE TABLE email_log",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }
    let now = Utc::now();
    let base = ListSpec {
        limit: 51,
        ..ListSpec::default()
    };
    let specs = [
        ("everything", base.clone()),
        (
            "a state",
            ListSpec {
                state: Some(State::Failed),
                ..base.clone()
            },
        ),
        (
            "a kind",
            ListSpec {
                kind: Some(Kind::OrderRefunded),
                ..base.clone()
            },
        ),
        (
            "a recipient",
            ListSpec {
                recipient: Some("buyer7@example.com".to_owned()),
                ..base.clone()
            },
        ),
        (
            "a date range",
            ListSpec {
                from: Some(now - chrono::Duration::days(3)),
                until: Some(now - chrono::Duration::days(2)),
                ..base.clone()
            },
        ),
        (
            "a state after a cursor",
            ListSpec {
                state: Some(State::Uncertain),
                after: Some((now - chrono::Duration::days(5), 123)),
                ..base.clone()
            },
        ),
        (
            "a state and a kind in a date range",
            ListSpec {
                state: Some(State::Failed),
                kind: Some(Kind::OrderShipped),
                from: Some(now - chrono::Duration::days(10)),
                ..base.clone()
            },
        ),
    ];
    for (what, spec) in specs {
        let (sql, args) = list_sql(&spec);
        let explain = format!("EXPLAIN {sql}");
        let rows = platform::keyset::query(&explain, &args)
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{what}: one table");
        let row = &rows[0];
        let access: String = row.try_get("type").unwrap();
        let key: Option<String> = row.try_get("key").unwrap();
        let extra: Option<String> = row.try_get("Extra").unwrap();
        eprintln!("{what}: {access} {key:?} {extra:?}");
        assert_ne!(access, "ALL", "{what}: a full scan");
        assert!(key.is_some(), "{what}: no index");
        assert!(
            !extra.unwrap_or_default().contains("filesort"),
            "{what}: sorted after reading instead of read in order"
        );
    }
    mailer.stop().await;
}
