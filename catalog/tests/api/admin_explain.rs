//! The admin list's statements read indexes, not whole tables: EXPLAIN of each sort, with and without a
//! status, a brand, a category, a stock level and the searches.

use catalog::db::admin::{ListSpec, SortColumn, StockFilter, TextSearch, explain, list_sql};
use catalog::domain::ProductStatus;
use sqlx::Row as _;

use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread")]
async fn every_sort_filter_and_search_of_the_admin_list_reads_an_index() {
    let app = spawn_app().await;
    // Enough rows that the optimizer prefers indexes for real, written directly: the statements are the subject.
    for sql in [
        "INSERT INTO categories (id, parent_id, name, slug, path, depth) VALUES (1, NULL, 'All', 'all', '/1/', 0)",
        "INSERT INTO products (sku, slug, name, description, brand, price, status) \
         SELECT CONCAT('EX-', seq), CONCAT('ex-', seq), CONCAT('Example product ', seq), '', \
                ELT(1 + seq % 3, 'Sony', 'LG', 'Bose'), 10 + seq % 50, ELT(1 + seq % 3, 'draft', 'active', 'archived') \
         FROM seq_1_to_2000",
        "INSERT INTO variants (product_id, sku, price, position) SELECT id, sku, price, 0 FROM products",
        "INSERT INTO inventory (variant_id, on_hand) SELECT id, id % 7 FROM variants",
        "UPDATE products SET available = id % 7, in_stock = id % 7 > 0",
        "INSERT INTO product_categories (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) \
         SELECT 1, id, TRUE, status = 'active', price, 0, created_at, brand, FALSE FROM products WHERE id % 10 = 0",
        "ANALYZE TABLE products, variants, inventory, product_categories",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let base = ListSpec {
        search: None,
        category: None,
        brand: None,
        status: None,
        stock: None,
        sort: SortColumn::Updated,
        descending: true,
        after: None,
        limit: 51,
    };
    let mut specs = Vec::new();
    for sort in [
        SortColumn::Name,
        SortColumn::Price,
        SortColumn::Updated,
        SortColumn::Created,
        SortColumn::Available,
    ] {
        specs.push((
            format!("{sort:?}"),
            ListSpec {
                sort,
                ..base.clone()
            },
        ));
        specs.push((
            format!("{sort:?} of one status"),
            ListSpec {
                sort,
                status: Some(ProductStatus::Active),
                ..base.clone()
            },
        ));
    }
    specs.push((
        "a brand".to_owned(),
        ListSpec {
            brand: Some("LG".to_owned()),
            ..base.clone()
        },
    ));
    specs.push((
        "a category".to_owned(),
        ListSpec {
            category: Some(1),
            ..base.clone()
        },
    ));
    for stock in [StockFilter::Out, StockFilter::Low, StockFilter::In] {
        specs.push((
            format!("{stock:?} stock by units available"),
            ListSpec {
                stock: Some(stock),
                sort: SortColumn::Available,
                ..base.clone()
            },
        ));
    }
    specs.push((
        "a name search".to_owned(),
        ListSpec {
            search: Some(TextSearch {
                fulltext: Some("+example +produ*".to_owned()),
                ..TextSearch::default()
            }),
            ..base.clone()
        },
    ));
    specs.push((
        "a SKU and short name search".to_owned(),
        ListSpec {
            search: Some(TextSearch {
                sku_prefix: Some("EX-199".to_owned()),
                name_prefix: Some("ex".to_owned()),
                ..TextSearch::default()
            }),
            ..base.clone()
        },
    ));
    for (what, spec) in specs {
        let (sql, args) = list_sql(&spec);
        let explain_sql = format!("EXPLAIN {sql}");
        let rows = explain(&explain_sql, &args)
            .fetch_all(&app.pool)
            .await
            .unwrap();
        let plan: Vec<(String, String, Option<String>)> = rows
            .iter()
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
            .collect();
        for (table, access, key) in &plan {
            if table.starts_with('<') || table.is_empty() {
                continue;
            }
            assert_ne!(access, "ALL", "{what}: full scan of {table}: {plan:?}");
            assert!(key.is_some(), "{what}: no index on {table}: {plan:?}");
        }
        eprintln!("{what}: {plan:?}");
    }
    app.stop().await;
}
