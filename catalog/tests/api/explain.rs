//! The main queries use indexes: EXPLAIN shows no full table scan for listing, detail and search.

use catalog::db::{
    listing::{Filter, Sort, bind_filter, count_sql, page_sql},
    search::{Driver, prefix_candidates_sql},
};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row as _};

use crate::helpers::{TestApp, product, spawn_app};

/// EXPLAIN rows as (table, access type, key).
async fn explain(
    app: &TestApp,
    query: sqlx::query::Query<'_, sqlx::MySql, sqlx::mysql::MySqlArguments>,
) -> Vec<(String, String, Option<String>)> {
    let rows = query.fetch_all(&app.pool).await.unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get::<Option<String>, _>("table")
                    .unwrap()
                    .unwrap_or_default(),
                row.try_get::<Option<String>, _>("type")
                    .unwrap()
                    .unwrap_or_default(),
                row.try_get::<Option<String>, _>("key").unwrap(),
            )
        })
        .collect()
}

fn assert_no_full_scan(what: &str, plan: &[(String, String, Option<String>)]) {
    for (table, access, key) in plan {
        // Derived tables (<derived2>) are our own bounded subqueries; base tables must use an index.
        if table.starts_with('<') {
            continue;
        }
        assert_ne!(access, "ALL", "{what}: full scan of {table}: {plan:?}");
        assert!(
            key.is_some() || access == "const" || access == "system",
            "{what}: no index on {table}: {plan:?}"
        );
    }
    eprintln!("{what}: {plan:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_detail_and_search_queries_read_indexes_not_whole_tables() {
    let app = spawn_app().await;
    // Enough rows that the optimizer prefers indexes for real.
    let products: Vec<_> = (0..400)
        .map(|i| {
            let path: &[&str] = if i % 2 == 0 {
                &["Audio", "Headphones"]
            } else {
                &["TV", "OLED"]
            };
            product(
                &format!("EX-{i}"),
                &format!("Example product number {i}"),
                ["Sony", "LG", "Bose"][i % 3],
                "25.00",
                path,
                3,
            )
        })
        .collect();
    app.load(products).await;
    sqlx::query("ANALYZE TABLE products, product_categories, search_prefixes, categories")
        .execute(&app.pool)
        .await
        .unwrap();
    let category: u32 =
        sqlx::query_scalar("SELECT id FROM categories WHERE slug = 'audio--headphones'")
            .fetch_one(&app.pool)
            .await
            .unwrap();

    let filters = [
        Filter::default(),
        Filter {
            brand: Some("Sony".into()),
            ..Filter::default()
        },
        Filter {
            category: Some(category),
            ..Filter::default()
        },
        Filter {
            category: Some(category),
            min_price: Some(10.into()),
            in_stock: true,
            ..Filter::default()
        },
    ];
    for filter in &filters {
        for sort in [Sort::Popularity, Sort::PriceAsc, Sort::Newest] {
            let sql = format!("EXPLAIN {}", page_sql(filter, sort));
            let plan = explain(
                &app,
                bind_filter(sqlx::query(AssertSqlSafe(sql)), filter)
                    .bind(24)
                    .bind(0),
            )
            .await;
            assert_no_full_scan(&format!("listing {filter:?} {sort:?}"), &plan);
        }
        let sql = format!("EXPLAIN {}", count_sql(filter));
        let plan = explain(&app, bind_filter(sqlx::query(AssertSqlSafe(sql)), filter)).await;
        assert_no_full_scan(&format!("count {filter:?}"), &plan);
    }

    let plan = explain(
        &app,
        sqlx::query("EXPLAIN SELECT id FROM products WHERE slug = ? AND status = 'active'")
            .bind("example-product-number-1"),
    )
    .await;
    assert_no_full_scan("detail", &plan);

    let plain = Filter::default();
    let sql = format!(
        "EXPLAIN {}",
        prefix_candidates_sql(1, &plain, Driver::RarestWord)
    );
    let plan = explain(
        &app,
        bind_filter(
            sqlx::query(AssertSqlSafe(sql))
                .bind("exa")
                .bind(1000)
                .bind("pro"),
            &plain,
        ),
    )
    .await;
    assert_no_full_scan("search by prefix", &plan);
    let in_category = Filter {
        category: Some(category),
        ..Filter::default()
    };
    let sql = format!(
        "EXPLAIN {}",
        prefix_candidates_sql(0, &in_category, Driver::Category)
    );
    let plan = explain(
        &app,
        bind_filter(
            sqlx::query(AssertSqlSafe(sql))
                .bind(category)
                .bind(1000)
                .bind("exa"),
            &in_category,
        ),
    )
    .await;
    assert_no_full_scan("search in a category", &plan);
    let _: Value = app.get_ok("/api/search?q=exa").await;
    app.stop().await;
}
