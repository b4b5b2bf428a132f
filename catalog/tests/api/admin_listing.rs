//! The admin's product list through NATS: keyset pages, search, filters.

use std::collections::HashSet;

use platform::contracts::{
    admin::AdminReply,
    catalog::{RELEASE, StockReply},
    catalog_admin::{
        PRODUCTS_LIST,
        listing::{Direction, ListProducts, ProductPage, SortField, StatusFilter, StockLevel},
    },
};
use rust_decimal::Decimal;
use serde_json::json;

use crate::{
    admin_support::{call, list, plain, saved},
    helpers::spawn_app,
};

#[tokio::test(flavor = "multi_thread")]
async fn keyset_pages_sorted_by_price_return_every_product_exactly_once() {
    let app = spawn_app().await;
    let mut ids = HashSet::new();
    for i in 0..23 {
        // Few distinct prices: rows with equal keys straddle page boundaries.
        let price = format!("{}.00", 10 + i % 4);
        let product = saved(
            &app,
            plain(&format!("PG-{i}"), &format!("Paged {i}"), &price, 1),
        )
        .await;
        ids.insert(product.id);
    }
    for direction in [Direction::Asc, Direction::Desc] {
        let mut request = ListProducts {
            sort: SortField::Price,
            direction,
            limit: Some(5),
            ..ListProducts::default()
        };
        let mut seen = Vec::new();
        let mut prices: Vec<Decimal> = Vec::new();
        loop {
            let page = list(&app, &request).await;
            assert!(page.rows.len() <= 5);
            seen.extend(page.rows.iter().map(|row| row.id));
            prices.extend(page.rows.iter().map(|row| row.price));
            match page.next {
                Some(next) => request.cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(
            seen.len(),
            23,
            "{direction:?}: every product once: {seen:?}"
        );
        assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), ids);
        let mut sorted = prices.clone();
        sorted.sort();
        if direction == Direction::Desc {
            sorted.reverse();
        }
        assert_eq!(prices, sorted, "{direction:?}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_searches_names_and_skus_and_filters_by_status_stock_and_category() {
    let app = spawn_app().await;
    sqlx::query("INSERT INTO categories (id, parent_id, name, slug, path, depth) VALUES \
                 (1, NULL, 'Shoes', 'shoes', '/1/', 0), (2, 1, 'Running', 'shoes--running', '/1/2/', 1)")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut runner = plain("RUN-1", "Trail Runner", "90.00", 50);
    runner["category_ids"] = json!([2]);
    let runner = saved(&app, runner).await;
    let mut boots = json!({
        "sku": "BOOT", "name": "Hiking Boots", "brand": "Peak", "status": "draft", "option_names": ["size"],
        "variants": [
            {"sku": "BOOT-41", "price": "120.00", "option_values": ["41"], "initial_on_hand": 2},
            {"sku": "BOOT-42", "price": "110.00", "option_values": ["42"], "initial_on_hand": 1}
        ]
    });
    boots["category_ids"] = json!([1]);
    let boots = saved(&app, boots).await;
    let socks = saved(&app, plain("SOCK-1", "Wool Socks", "8.00", 0)).await;

    let found = |page: ProductPage| page.rows.iter().map(|row| row.id).collect::<Vec<_>>();
    let query = |q: &str| ListProducts {
        q: Some(q.to_owned()),
        ..ListProducts::default()
    };
    assert_eq!(found(list(&app, &query("trail run")).await), [runner.id]);
    assert_eq!(
        found(list(&app, &query("boot-4")).await),
        [boots.id],
        "a variant SKU prefix"
    );
    assert_eq!(
        found(list(&app, &query("peak")).await),
        [boots.id],
        "a brand"
    );
    assert_eq!(
        found(list(&app, &query("wo")).await),
        [socks.id],
        "a short start of a name"
    );

    let drafts = list(
        &app,
        &ListProducts {
            status: StatusFilter::Draft,
            ..ListProducts::default()
        },
    )
    .await;
    assert_eq!(found(drafts.clone()), [boots.id]);
    let row = &drafts.rows[0];
    assert_eq!((row.variant_count, row.on_hand, row.available), (2, 3, 3));
    assert_eq!(row.price, "110.00".parse::<Decimal>().unwrap());
    assert_eq!(
        row.main_category.as_ref().map(|c| c.path.as_str()),
        Some("Shoes")
    );

    let by_stock = |level| ListProducts {
        stock: Some(level),
        sort: SortField::Name,
        direction: Direction::Asc,
        ..ListProducts::default()
    };
    assert_eq!(
        found(list(&app, &by_stock(StockLevel::Out)).await),
        [socks.id]
    );
    assert_eq!(
        found(list(&app, &by_stock(StockLevel::Low)).await),
        [boots.id]
    );
    assert_eq!(
        found(list(&app, &by_stock(StockLevel::In)).await),
        [runner.id]
    );

    let mut in_shoes = found(
        list(
            &app,
            &ListProducts {
                category_id: Some(1),
                ..ListProducts::default()
            },
        )
        .await,
    );
    in_shoes.sort_unstable();
    assert_eq!(
        in_shoes,
        [runner.id, boots.id],
        "a category includes its descendants"
    );

    let by_stock_sort = ListProducts {
        sort: SortField::Stock,
        direction: Direction::Desc,
        ..ListProducts::default()
    };
    assert_eq!(
        found(list(&app, &by_stock_sort).await),
        [runner.id, boots.id, socks.id]
    );
    // A reservation moves the runner below the boots; a release puts it back.
    assert!(matches!(
        app.reserve("SO-LIST-1", &[("RUN-1", 48)]).await,
        StockReply::Ok(_)
    ));
    assert_eq!(
        found(list(&app, &by_stock_sort).await),
        [boots.id, runner.id, socks.id]
    );
    let mut low = found(list(&app, &by_stock(StockLevel::Low)).await);
    low.sort_unstable();
    assert_eq!(low, [runner.id, boots.id]);
    assert!(matches!(
        app.order_call(RELEASE, "SO-LIST-1").await,
        StockReply::Ok(_)
    ));
    assert_eq!(
        found(list(&app, &by_stock_sort).await),
        [runner.id, boots.id, socks.id]
    );

    let refused: AdminReply<ProductPage> = call(
        &app,
        PRODUCTS_LIST,
        &json!({"cursor": "not-a-cursor", "limit": 500}),
    )
    .await;
    assert_eq!(
        crate::admin_support::invalid_fields(&refused),
        ["limit", "cursor"]
    );
    app.stop().await;
}
