//! The admin's dashboard and reports, called as the admin's NATS user: the figures match the orders paid,
//! declined and refunded here (by line and by amount) and an order placed on another day; days without sales
//! are zeros; bad ranges are refused naming the field; concurrent payments add up; the migration's backfill
//! finds what the live updates kept; and every report statement reads an index.

use chrono::{Days, NaiveDate, Utc};
use futures::future::join_all;
use platform::{
    contracts::{
        admin::{AdminReply, OutboxBacklog, OutboxRequest},
        orders_admin::{
            Action, Dashboard, DashboardRequest, OUTBOX, REPORTS_DASHBOARD, REPORTS_SALES,
            REPORTS_TOP_PRODUCTS, RefundLine, RefundOf, SalesReport, SalesReportRequest, TopBy,
            TopProductsReport, TopProductsRequest,
        },
    },
    testing::{TestProduct, eventually},
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sqlx::{MySqlPool, Row as _};
use uuid::Uuid;

use crate::{
    admin_orders::{act, call, get, ok, place},
    helpers::{Shop, order_body, spawn_shop},
};

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

async fn sales(admin: &async_nats::Client, from: NaiveDate, to: NaiveDate) -> SalesReport {
    match call(admin, REPORTS_SALES, &SalesReportRequest { from, to }).await {
        AdminReply::Ok(report) => report,
        other => panic!("sales {from}..{to}: {other:?}"),
    }
}

async fn top(
    admin: &async_nats::Client,
    (from, to): (NaiveDate, NaiveDate),
    by: TopBy,
) -> Vec<(String, u64, Decimal)> {
    let request = TopProductsRequest {
        from,
        to,
        by,
        limit: None,
    };
    match call::<_, AdminReply<TopProductsReport>>(admin, REPORTS_TOP_PRODUCTS, &request).await {
        AdminReply::Ok(report) => report
            .rows
            .into_iter()
            .map(|row| (row.sku, row.units, row.revenue))
            .collect(),
        other => panic!("top products {request:?}: {other:?}"),
    }
}

/// Writes a pending order of one unit of A-1 placed at noon of `day`, already charged at the provider, as a
/// request that died after charging leaves it; the reconciler then pays it the way checkout pays any order.
async fn charged_order_of(pool: &MySqlPool, day: NaiveDate, number: &str) {
    let at = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    // All at once: the reconciler must not find the pending order before its charge is there.
    let mut tx = pool.begin().await.unwrap();
    let id = sqlx::query(
        "INSERT INTO orders (number, lookup_token_hash, email, customer_name, address_line1, city, postal_code, \
         country, shipping_method, subtotal, shipping, tax, total, currency, state, created_at, updated_at) \
         VALUES (?, UNHEX(SHA2(?, 256)), 'old@example.com', 'Old Timer', '1 Main St', 'Springfield', '12345', \
         'US', 'standard', 10.00, 4.99, 0.80, 15.79, 'USD', 'pending', ?, ?)",
    )
    .bind(number)
    .bind(number)
    .bind(at)
    .bind(at)
    .execute(&mut *tx)
    .await
    .unwrap()
    .last_insert_id();
    sqlx::query(
        "INSERT INTO order_items (order_id, line_no, sku, name, unit_price, quantity, line_total, created_at) \
         VALUES (?, 1, 'A-1', 'Product A-1', 10.00, 1, 10.00, ?)",
    )
    .bind(id)
    .bind(at)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO payments (order_id, provider, reference, amount, currency, created_at) \
         VALUES (?, 'mockpay', ?, 15.79, 'USD', ?)",
    )
    .bind(id)
    .bind(format!("pay_{number}"))
    .bind(at)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO mockpay_charges (reference, state, amount, created_at) VALUES (?, 'succeeded', 15.79, ?)",
    )
    .bind(format!("pay_{number}"))
    .bind(at)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Both summary tables, row by row.
async fn summaries(pool: &MySqlPool) -> (Vec<String>, Vec<String>) {
    let rows = |sql: &'static str| async move {
        sqlx::query(sql)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        row.try_get::<String, _>(i)
                            .unwrap_or_else(|_| "?".to_owned())
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
    };
    (
        rows(
            "SELECT CONCAT_WS(' ', day, orders, units, revenue, refunds_amount, refunds_count, payment_failures) \
             FROM sales_daily ORDER BY day",
        )
        .await,
        rows(
            "SELECT CONCAT_WS(' ', day, sku, name, units, revenue) FROM product_sales_daily ORDER BY day, sku",
        )
        .await,
    )
}

/// Runs the backfill of migration 0006 on empty summaries: what it computes from the orders must be what the
/// live updates kept.
async fn backfill(pool: &MySqlPool) {
    checkout::db::reports::rebuild(pool).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_count_what_was_paid_declined_and_refunded_on_each_utc_day() {
    let mut config = crate::helpers::checkout_config();
    // The order written three days back is finished by the reconciler at its next pass.
    config.abandoned_after = std::time::Duration::from_secs(60);
    let shop = crate::helpers::spawn_shop_with(config).await;
    shop.load(vec![
        TestProduct::new("A-1", "10.00", 100),
        TestProduct::new("B-1", "25.00", 100),
        TestProduct::new("C-1", "1.00", 100),
    ])
    .await;
    let admin = shop.nats.connect_as("admin").await;
    let pool = &shop.checkout.pool;
    let today = Utc::now().date_naive();
    let old_day = today - Days::new(3);

    // 50.00 + 8% tax + 4.99 shipping = 58.99, and 75.00 -> 85.99.
    let first = place(
        &shop,
        &[("A-1", 2), ("B-1", 1), ("C-1", 5)],
        "ana@example.com",
        "Ana",
    )
    .await;
    let second = place(&shop, &[("B-1", 3)], "bo@example.com", "Bo").await;
    declined(&shop, "A-1").await;
    charged_order_of(pool, old_day, "SH-0AD00001").await;
    eventually(
        "the reconciler pays the order of three days ago",
        async || {
            get(&admin, "SH-0AD00001").await.state == platform::contracts::orders::OrderStatus::Paid
        },
    )
    .await;

    let detail = get(&admin, &first).await;
    let refund_line = Action::Refund {
        refund: RefundOf::Lines(vec![RefundLine {
            sku: "A-1".to_owned(),
            quantity: 1,
        }]),
        reason: "one arrived broken".to_owned(),
    };
    ok(act(&admin, &first, detail.version, refund_line).await);
    let detail = get(&admin, &second).await;
    let refund_amount = Action::Refund {
        refund: RefundOf::Amount(money("5.00")),
        reason: "late".to_owned(),
    };
    ok(act(&admin, &second, detail.version, refund_amount).await);

    let report = sales(&admin, old_day - Days::new(1), today).await;
    let days: Vec<(NaiveDate, u64, u64, Decimal, Decimal, u64, u64)> = report
        .days
        .iter()
        .map(|d| {
            let f = &d.figures;
            (
                d.day,
                f.orders,
                f.units,
                f.revenue,
                f.refunds,
                f.refund_count,
                f.payment_failures,
            )
        })
        .collect();
    let zero = |day| (day, 0, 0, Decimal::ZERO, Decimal::ZERO, 0, 0);
    assert_eq!(
        days,
        [
            zero(old_day - Days::new(1)),
            (old_day, 1, 1, money("15.79"), Decimal::ZERO, 0, 0),
            zero(old_day + Days::new(1)),
            zero(old_day + Days::new(2)),
            (today, 2, 11, money("144.98"), money("15.00"), 2, 1),
        ],
        "every day of the range, in order"
    );
    assert_eq!(report.totals.orders, 3);
    assert_eq!(report.totals.revenue, money("160.77"));
    assert_eq!(report.currency, "USD");

    // One A-1 came back by line; the refund by amount is no product's.
    let today_only = (today, today);
    assert_eq!(
        top(&admin, today_only, TopBy::Units).await,
        [
            ("C-1".to_owned(), 5, money("5.00")),
            ("B-1".to_owned(), 4, money("100.00")),
            ("A-1".to_owned(), 1, money("10.00")),
        ]
    );
    assert_eq!(
        top(&admin, (old_day, today), TopBy::Revenue).await,
        [
            ("B-1".to_owned(), 4, money("100.00")),
            ("A-1".to_owned(), 2, money("20.00")),
            ("C-1".to_owned(), 5, money("5.00")),
        ]
    );
    let one: AdminReply<TopProductsReport> = call(
        &admin,
        REPORTS_TOP_PRODUCTS,
        &TopProductsRequest {
            from: today,
            to: today,
            by: TopBy::Units,
            limit: Some(1),
        },
    )
    .await;
    assert!(matches!(one, AdminReply::Ok(ref r) if r.rows.len() == 1 && r.rows[0].sku == "C-1"));

    let dashboard: Dashboard = match call(&admin, REPORTS_DASHBOARD, &DashboardRequest {}).await {
        AdminReply::Ok(dashboard) => dashboard,
        other => panic!("dashboard: {other:?}"),
    };
    assert_eq!(dashboard.as_of.date_naive(), today, "ran across midnight");
    assert_eq!((dashboard.today.from, dashboard.today.to), (today, today));
    assert_eq!(dashboard.today.figures.orders, 2);
    assert_eq!(dashboard.today.figures.revenue, money("144.98"));
    assert_eq!(dashboard.today.average_order_value, money("72.49"));
    assert_eq!(dashboard.today.figures.payment_failures, 1);
    assert_eq!(
        (
            dashboard.today.figures.refund_count,
            dashboard.today.figures.refunds
        ),
        (2, money("15.00"))
    );
    let month = &dashboard.last_30_days;
    assert_eq!(month.from, today - Days::new(29));
    assert_eq!(
        (month.figures.orders, month.figures.revenue),
        (3, money("160.77"))
    );
    assert_eq!(month.average_order_value, money("53.59"));
    assert_eq!(dashboard.daily.len(), 30);
    assert_eq!(dashboard.daily[26].day, old_day);
    assert_eq!(dashboard.daily[26].figures.orders, 1);
    assert_eq!(dashboard.daily[25].figures, Default::default());
    assert_eq!(dashboard.waiting.paid, 3, "partial refunds keep paid");
    assert_eq!(
        (dashboard.waiting.processing, dashboard.waiting.shipped),
        (0, 0)
    );
    let outbox: OutboxBacklog = match call(&admin, OUTBOX, &OutboxRequest {}).await {
        AdminReply::Ok(outbox) => outbox,
        other => panic!("outbox: {other:?}"),
    };
    assert_eq!(
        outbox.oldest_age_secs.is_some(),
        outbox.pending > 0,
        "{outbox:?}"
    );

    let kept = summaries(pool).await;
    backfill(pool).await;
    assert_eq!(summaries(pool).await, kept, "the backfill agrees");
    shop.stop().await;
}

/// Places an order of one unit of `sku` paid with a card the bank declines.
async fn declined(shop: &Shop, sku: &str) {
    let cart = shop.new_cart().await;
    shop.add(&cart, sku, 1).await;
    let reply = shop
        .place(
            &Uuid::new_v4().to_string(),
            &order_body(&cart, "tok_declined"),
        )
        .await;
    assert_eq!(reply.status, 402, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_ranges_and_limits_are_refused_naming_the_field() {
    let shop = spawn_shop().await;
    let admin = shop.nats.connect_as("admin").await;
    let refused = |subject: &'static str, request: Value| {
        let admin = admin.clone();
        async move {
            match call::<_, AdminReply<Value>>(&admin, subject, &request).await {
                AdminReply::Invalid { errors } => {
                    errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
                }
                other => panic!("{subject} {request}: {other:?}"),
            }
        }
    };
    assert_eq!(
        refused(
            REPORTS_SALES,
            json!({"from": "2025-03-02", "to": "2025-03-01"})
        )
        .await,
        ["to"]
    );
    assert_eq!(
        refused(
            REPORTS_SALES,
            json!({"from": "2025-01-01", "to": "2026-01-02"})
        )
        .await,
        ["to"],
        "367 days"
    );
    assert_eq!(
        refused(
            REPORTS_TOP_PRODUCTS,
            json!({"from": "2025-01-01", "to": "2025-01-31", "limit": 101, "by": "profit"})
        )
        .await,
        ["by", "limit"]
    );
    assert_eq!(
        refused(
            REPORTS_TOP_PRODUCTS,
            json!({"from": "2025-01-01", "to": "2024-12-31", "limit": 0})
        )
        .await,
        ["to", "limit"]
    );
    // A whole leap year is fine, and a year without sales is 366 days of zeros.
    let year = sales(
        &admin,
        "2024-01-01".parse().unwrap(),
        "2024-12-31".parse().unwrap(),
    )
    .await;
    assert_eq!(year.days.len(), 366);
    assert_eq!(year.totals, Default::default());
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_paid_at_the_same_time_all_count() {
    let shop = spawn_shop().await;
    shop.load(vec![
        TestProduct::new("A-1", "10.00", 100),
        TestProduct::new("B-1", "25.00", 100),
    ])
    .await;
    // Carts filled in opposite orders: the summary rows are still locked in one order.
    let mut carts = Vec::new();
    for i in 0..6 {
        let cart = shop.new_cart().await;
        let lines = if i % 2 == 0 {
            ["A-1", "B-1"]
        } else {
            ["B-1", "A-1"]
        };
        for sku in lines {
            shop.add(&cart, sku, 1).await;
        }
        carts.push(cart);
    }
    let placing = &shop;
    let replies = join_all(carts.iter().map(|cart| {
        let body = order_body(cart, "tok_visa");
        let key = Uuid::new_v4().to_string();
        async move { placing.place(&key, &body).await }
    }))
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let (days, products) = summaries(&shop.checkout.pool).await;
    let today = Utc::now().date_naive();
    // Each: 35.00 + 2.80 tax + 4.99 shipping = 42.79.
    assert_eq!(days, [format!("{today} 6 12 256.74 0.00 0 0")]);
    assert_eq!(
        products,
        [
            format!("{today} A-1 Product A-1 6 60.00"),
            format!("{today} B-1 Product B-1 6 150.00"),
        ]
    );
    shop.stop().await;
}

/// How a report statement may read its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reads {
    DaysOfThePrimaryKey,
    PendingRowsOnly,
    WaitingStatesOfAnIndex,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_report_statement_reads_an_index() {
    let shop = spawn_shop().await;
    let pool = &shop.checkout.pool;
    // Years of days and a thousand products, and orders in every state, written directly: the statements are
    // the subject.
    for sql in [
        "INSERT INTO sales_daily (day, orders, units, revenue) \
         SELECT DATE '2020-01-01' + INTERVAL seq DAY, seq % 40, seq % 90, seq % 4000 FROM seq_0_to_1999",
        "INSERT INTO product_sales_daily (day, sku, name, units, revenue) \
         SELECT DATE '2024-01-01' + INTERVAL (seq DIV 1000) DAY, CONCAT('P-', seq % 1000), 'A product', \
                seq % 7, seq % 7 * 9.99 FROM seq_0_to_99999",
        "INSERT INTO orders (number, lookup_token_hash, email, customer_name, address_line1, city, postal_code, \
         country, shipping_method, subtotal, shipping, tax, total, currency, state, payment_status, created_at) \
         SELECT CONCAT('SH-', LPAD(HEX(seq), 8, '0')), UNHEX(SHA2(seq, 256)), 'c@example.com', 'Ana', \
                '1 Main St', 'Springfield', '12345', 'US', 'standard', 10, 4.99, 0, 14.99, 'USD', \
                ELT(1 + seq % 8, 'pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', \
                    'payment_failed', 'refunded'), 'paid', TIMESTAMP '2025-01-01 00:00:00' + INTERVAL seq MINUTE \
         FROM seq_1_to_5000",
        "INSERT INTO outbox (event_id, subject, payload, published_at) \
         SELECT UUID(), 'orders.x.paid', '{}', IF(seq % 50 = 0, NULL, NOW(6)) FROM seq_1_to_5000",
        "ANALYZE TABLE sales_daily, product_sales_daily, orders, outbox",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }
    let month = ("2024-03-01", "2024-03-30");
    use checkout::db::reports::{Ranking, SALES_DAYS_SQL, top_products_sql};
    let statements = [
        ("sales", SALES_DAYS_SQL, Reads::DaysOfThePrimaryKey),
        (
            "top products by units",
            top_products_sql(Ranking::Units),
            Reads::DaysOfThePrimaryKey,
        ),
        (
            "top products by revenue",
            top_products_sql(Ranking::Revenue),
            Reads::DaysOfThePrimaryKey,
        ),
        (
            "outbox backlog",
            platform::outbox::BACKLOG_SQL,
            Reads::PendingRowsOnly,
        ),
        (
            "orders waiting",
            checkout::db::counts::WAITING_BY_STATE_SQL,
            Reads::WaitingStatesOfAnIndex,
        ),
    ];
    for (what, sql, reads) in statements {
        let ranged = reads == Reads::DaysOfThePrimaryKey;
        let mut explain = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")));
        if ranged {
            explain = explain.bind(month.0).bind(month.1);
        }
        if sql.ends_with("LIMIT ?") {
            explain = explain.bind(10);
        }
        let rows = explain.fetch_all(pool).await.unwrap();
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
        eprintln!("{what}: {plan:?}");
        for (access, key, extra) in &plan {
            assert_ne!(access, "ALL", "{what}: full scan: {plan:?}");
            assert!(key.is_some(), "{what}: no index: {plan:?}");
            match reads {
                // A range of days of the primary key, however many days the table holds.
                Reads::DaysOfThePrimaryKey => assert_eq!(
                    (access.as_str(), key.as_deref()),
                    ("range", Some("PRIMARY")),
                    "{what}: {plan:?}"
                ),
                // Only the unpublished rows, found through the relay's index.
                Reads::PendingRowsOnly => assert_eq!(
                    key.as_deref(),
                    Some("ix_outbox_pending"),
                    "{what}: {plan:?}"
                ),
                // The waiting states' ranges of an index on the state, which holds all it needs: neither the
                // orders themselves nor the delivered history are read.
                Reads::WaitingStatesOfAnIndex => {
                    assert_eq!(access, "range", "{what}: {plan:?}");
                    assert!(
                        extra.as_deref().unwrap_or_default().contains("Using index"),
                        "{what}: reads rows: {plan:?}"
                    );
                }
            }
        }
    }
    shop.stop().await;
}

/// `checkout seed-orders`: made-up orders that are orders in every way the admin reads them, with summaries
/// that agree with them.
#[tokio::test(flavor = "multi_thread")]
async fn seeded_orders_are_whole_orders_and_the_reports_agree_with_them() {
    use platform::contracts::orders_admin::{ListOrders, ORDERS_LIST, OrderPage};

    let shop = crate::helpers::spawn_shop().await;
    let admin = shop.nats.connect_as("admin").await;
    let pool = &shop.checkout.pool;
    assert_eq!(
        checkout::seed::seed_orders(pool, 1_200).await.unwrap(),
        1_200
    );

    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM orders")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(numbers.len(), 1_200);
    for number in &numbers {
        let code = number.strip_prefix("SH-").expect(number);
        assert!(
            code.len() == 8
                && code
                    .bytes()
                    .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)),
            "{number}"
        );
    }
    let wrong: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders o WHERE o.total <> o.subtotal + o.shipping + o.tax \
         OR o.subtotal <> (SELECT SUM(line_total) FROM order_items i WHERE i.order_id = o.id) \
         OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.kind = 'charge')",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(wrong, 0, "every order adds up and was charged");

    // The year's report counts every paid order (failed payments apart) and every refund.
    let today = Utc::now().date_naive();
    let report = sales(&admin, today - Days::new(365), today).await;
    let (paid, revenue, refunds): (i64, Decimal, Decimal) = sqlx::query_as(
        "SELECT COUNT(*), SUM(total), SUM(refunded_total) FROM orders WHERE payment_status <> 'failed'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(report.totals.orders, paid as u64);
    assert_eq!(report.totals.revenue, revenue);
    assert_eq!(report.totals.refunds, refunds);
    assert!(report.totals.payment_failures > 0 && report.totals.refund_count > 0);

    // The admin's list and an order's page read them like any order.
    let page: OrderPage = match call(&admin, ORDERS_LIST, &ListOrders::default()).await {
        AdminReply::Ok(page) => page,
        other => panic!("list: {other:?}"),
    };
    assert!(page.next.is_some());
    let newest = &page.rows[0];
    let detail = get(&admin, &newest.number).await;
    assert_eq!(detail.total, newest.total);
    assert!(!detail.lines.is_empty() && detail.timeline.len() >= 2);
    shop.stop().await;
}
