//! The admin's order list reads indexes, not the whole table: EXPLAIN of each sort, direction and filter, with
//! and without a cursor, and of each search.

use checkout::db::admin::{Arg, ListSpec, Search, SortColumn, explain, list_sql};
use checkout::domain::{OrderState, PaymentStatus};
use sqlx::Row as _;

use crate::helpers::spawn_shop;

#[tokio::test(flavor = "multi_thread")]
async fn every_sort_filter_and_search_of_the_order_list_reads_an_index() {
    let shop = spawn_shop().await;
    let pool = &shop.checkout.pool;
    // Enough rows that the optimizer prefers indexes for real, written directly: the statements are the subject.
    for sql in [
        "INSERT INTO orders (number, lookup_token_hash, email, customer_name, address_line1, city, postal_code, \
         country, shipping_method, subtotal, shipping, tax, total, currency, state, payment_status, created_at) \
         SELECT CONCAT('SH-', LPAD(HEX(seq), 8, '0')), UNHEX(SHA2(seq, 256)), CONCAT('c', seq % 500, '@example.com'), \
                CONCAT(ELT(1 + seq % 4, 'Ana ', 'Bo ', 'Cy ', 'Dee '), seq), '1 Main St', 'Springfield', '12345', 'US', \
                'standard', seq % 300, 4.99, 0, seq % 300 + 4.99, 'USD', \
                ELT(1 + seq % 8, 'pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'payment_failed', 'refunded'), \
                ELT(1 + seq % 5, 'pending', 'paid', 'failed', 'partially_refunded', 'refunded'), \
                TIMESTAMP '2025-01-01 00:00:00' + INTERVAL seq MINUTE \
         FROM seq_1_to_5000",
        "ANALYZE TABLE orders",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }
    let base = ListSpec {
        search: None,
        state: None,
        payment: None,
        created_from: None,
        created_to: None,
        total_min: None,
        total_max: None,
        sort: SortColumn::Created,
        descending: true,
        after: None,
        limit: 51,
    };
    let day = |d: u32| {
        chrono::NaiveDate::from_ymd_opt(2025, 1, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
    };
    let mut specs = Vec::new();
    for (sort, key) in [
        (SortColumn::Created, Arg::Time(day(2))),
        (SortColumn::Total, Arg::Money("100".parse().unwrap())),
    ] {
        for descending in [true, false] {
            let sorted = ListSpec {
                sort,
                descending,
                ..base.clone()
            };
            let name = format!("{sort:?} desc={descending}");
            specs.push((
                format!("{name} after a cursor"),
                ListSpec {
                    after: Some((key.clone(), 1000)),
                    ..sorted.clone()
                },
            ));
            specs.push((
                format!("{name} of one state"),
                ListSpec {
                    state: Some(OrderState::Shipped),
                    ..sorted.clone()
                },
            ));
            specs.push((
                format!("{name} of one payment status"),
                ListSpec {
                    payment: Some(PaymentStatus::PartiallyRefunded),
                    ..sorted.clone()
                },
            ));
            specs.push((name, sorted));
        }
    }
    specs.push((
        "a week".to_owned(),
        ListSpec {
            created_from: Some(day(1)),
            created_to: Some(day(8)),
            ..base.clone()
        },
    ));
    specs.push((
        "a range of totals".to_owned(),
        ListSpec {
            total_min: Some("10".parse().unwrap()),
            total_max: Some("20".parse().unwrap()),
            sort: SortColumn::Total,
            ..base.clone()
        },
    ));
    for search in [
        Search::NumberPrefix("SH-00000A".to_owned()),
        Search::EmailPrefix("c42@".to_owned()),
        Search::NamePrefix("Bo 12".to_owned()),
    ] {
        specs.push((
            format!("{search:?}"),
            ListSpec {
                search: Some(search),
                ..base.clone()
            },
        ));
    }
    for (what, spec) in specs {
        let (sql, args) = list_sql(&spec);
        let explain_sql = format!("EXPLAIN {sql}");
        let rows = explain(&explain_sql, &args).fetch_all(pool).await.unwrap();
        let plan: Vec<(String, Option<String>, Option<String>)> = rows
            .iter()
            .map(|row| {
                (
                    row.try_get::<Option<String>, _>("type")
                        .unwrap()
                        .unwrap_or_default(),
                    row.try_get::<Option<String>, _>("key").unwrap(),
                    row.try_get::<Option<String>, _>("Extra").unwrap(),
                )
            })
            .collect();
        for (access, key, extra) in &plan {
            assert_ne!(access, "ALL", "{what}: full scan: {plan:?}");
            assert!(key.is_some(), "{what}: no index: {plan:?}");
            // Only a search sorts what it found (a range of its own index); every filter reads in order.
            if spec.search.is_none() {
                assert!(
                    !extra.as_deref().unwrap_or_default().contains("filesort"),
                    "{what}: sorts the rows it read: {plan:?}"
                );
            }
        }
        eprintln!("{what}: {plan:?}");
    }
    shop.stop().await;
}
