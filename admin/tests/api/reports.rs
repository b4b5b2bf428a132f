//! The reports pages and their CSV downloads against real catalog, checkout and mailer services, and the
//! dashboard's events table (outbox backlogs, consumer lag read from JetStream with the admin's own NATS user).

use chrono::Utc;
use platform::testing::{TestProduct, eventually};
use reqwest::StatusCode;

use crate::{
    helpers::body,
    order_shop::{Mail, order_shop},
};

fn products() -> Vec<TestProduct> {
    vec![
        TestProduct::new("TEE-S", "10.00", 50),
        TestProduct::new("MUG-1", "25.00", 50),
        TestProduct::new("LOW-1", "5.00", 2),
    ]
}

/// The `<tr>` of `table` (a `data-testid`) whose text holds `needle`, tags stripped and spaces squeezed.
fn row_of(html: &str, table: &str, needle: &str) -> String {
    let start = html
        .find(&format!(r#"data-testid="{table}""#))
        .unwrap_or_else(|| panic!("no {table} table in {html}"));
    let table = &html[start..html[start..].find("</table>").unwrap() + start];
    table
        .split("<tr")
        .map(|row| {
            let mut text = String::new();
            let mut in_tag = false;
            for c in row.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .find(|row| row.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle} in {table}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn sales_and_top_products_show_todays_orders_as_tables_and_csv_and_a_bad_date_names_its_field()
 {
    let shop = order_shop(products(), Mail::Files).await;
    shop.place(&[("TEE-S", 3)], "ana@example.com", "Ana").await;
    shop.place(&[("MUG-1", 1), ("TEE-S", 1)], "bo@example.com", "Bo")
        .await;
    let viewer = shop.viewer().await;
    let today = Utc::now().date_naive().to_string();

    // Sales by day: the last 30 days by default, today with both orders (lines, $5 shipping and 8% tax each).
    let page = viewer.page("/admin/reports").await;
    assert!(page.contains("Sales by day"), "{page}");
    assert_eq!(
        row_of(&page, "sales-report", &today),
        format!("{today} 2 5 80.18 0 0.00 0"),
        "orders, units, revenue as checkout charged them"
    );
    assert!(row_of(&page, "sales-report", "Total").starts_with("Total 2 5 80.18"));

    let csv = viewer
        .get(&format!("/admin/reports/sales.csv?from={today}&to={today}"))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("sales-{today}-to-{today}.csv"))
    );
    assert_eq!(
        body(csv).await,
        format!(
            "day,orders,units,revenue,refunds,refund_count,payment_failures,currency\n{today},2,5,80.18,0.00,0,0,USD\n"
        )
    );

    // Top products: by units TEE-S (4) before MUG-1 (1); by revenue TEE-S (40.00) before MUG-1 (25.00).
    let page = viewer.page("/admin/reports/top-products").await;
    assert!(row_of(&page, "top-products", "TEE-S").starts_with("1 Product TEE-S TEE-S 4 40.00"));
    assert!(row_of(&page, "top-products", "MUG-1").starts_with("2 "));
    let csv = body(
        viewer
            .get(&format!(
                "/admin/reports/top-products.csv?from={today}&to={today}&by=revenue&limit=1"
            ))
            .await,
    )
    .await;
    assert_eq!(
        csv,
        "rank,sku,name,units,revenue,currency\n1,TEE-S,Product TEE-S,4,40.00,USD\n"
    );

    // A date that is not one, and a range checkout refuses, name their field; the download says why.
    let bad = viewer.get("/admin/reports?from=2026-02-30").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(bad).await;
    assert!(
        html.contains(r#"id="e-from""#) && html.contains("From must be a date (YYYY-MM-DD)"),
        "{html}"
    );
    let html = body(
        viewer
            .get("/admin/reports/top-products?from=2024-01-01&to=2025-06-01")
            .await,
    )
    .await;
    assert!(
        html.contains(r#"id="e-to""#),
        "checkout: the range is too long: {html}"
    );
    let html = body(viewer.get("/admin/reports/top-products?limit=500").await).await;
    assert!(html.contains(r#"id="e-limit""#), "{html}");
    let refused = viewer
        .get("/admin/reports/sales.csv?from=2025-01-02&to=2025-01-01")
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(body(refused).await.contains("to: must not be before from"));

    // Low stock: the 2-unit product, as a CSV of every low variant.
    let csv = body(viewer.get("/admin/reports/low-stock.csv").await).await;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("sku,product_id,product,options,on_hand,reserved,available,low_stock_threshold")
    );
    let low: Vec<&str> = lines.collect();
    assert_eq!(low.len(), 1, "{csv}");
    assert!(
        low[0].starts_with("LOW-1,") && low[0].ends_with(",Product LOW-1,,2,0,2,5"),
        "{csv}"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_shows_each_outbox_backlog_and_each_consumers_lag() {
    let shop = order_shop(products(), Mail::Files).await;
    let number = shop.place(&[("TEE-S", 1)], "ana@example.com", "Ana").await;
    assert!(number.starts_with("SH-"));
    let viewer = shop.viewer().await;

    // The mailer handles the order's events: its consumer ends up with nothing behind.
    let mut page = String::new();
    eventually("the mailer's consumer caught up", async || {
        page = viewer.page("/admin/").await;
        row_of(&page, "consumers", "mailer").starts_with("mailer ORDERS 0 0 0 ")
    })
    .await;
    let last = row_of(&page, "consumers", "mailer");
    assert!(!last.ends_with("never"), "it has received events: {last}");
    // Neither the bridge nor the search indexer runs in this test: their consumers were never created.
    for consumer in ["bridge", "search-indexer"] {
        assert!(
            row_of(&page, "consumers", consumer).contains(&format!(
                "no such consumer: {consumer} has never started it"
            )),
            "{consumer}"
        );
    }
    for service in ["catalog", "checkout"] {
        let row = row_of(&page, "outboxes", service);
        assert!(
            row.ends_with(" 0 —") || row.contains(" s"),
            "a backlog, not a notice: {row}"
        );
    }
    shop.stop().await;
}
