//! How long the admin list takes at 100,000 products, each filter and sort through NATS, and a 5,000-row
//! import. Ignored in the suite (loading takes a minute); run with
//! `cargo nextest run -p catalog --run-ignored only admin_ --no-capture` and read the printed table.
//!
//! Measured on the shared 2-core machine, debug build, while other builds ran (first page and the two after
//! it): every indexed sort and filter 8 to 55 ms; a category with its subcategories 50 to 85 ms; a name
//! search matching 5% of the catalog 120 to 280 ms (FULLTEXT's cost follows the matches), two words under
//! 100 ms, a SKU prefix 11 to 23 ms; stock level filters 15 to 30 ms; **sorting by stock 0.65 to 1 s**: it
//! totals the stock of every product (no column holds a product's available units: stock changes on every
//! order and only the stock code writes it). The import: 5,000 new products in 10 to 25 s.

use std::time::{Duration, Instant};

use platform::contracts::catalog_admin::listing::{
    Direction, ListProducts, SortField, StatusFilter, StockLevel,
};

use crate::{admin_support::list, helpers::spawn_app};

const WORDS: &str = "'Wireless', 'Portable', 'Smart', 'Compact', 'Classic', 'Ultra', 'Pro', 'Mini', 'Digital', 'Outdoor', \
                     'Kitchen', 'Studio', 'Travel', 'Gaming', 'Home', 'Office', 'Sport', 'Kids', 'Vintage', 'Eco'";
const KINDS: &str = "'Speaker', 'Headphones', 'Camera', 'Lamp', 'Kettle', 'Blender', 'Monitor', 'Keyboard', 'Mouse', \
                     'Backpack', 'Watch', 'Charger', 'Router', 'Drone', 'Printer'";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a timing run at 100,000 products, not a check"]
async fn admin_list_timing() {
    let app = spawn_app().await;
    let load = [
        "INSERT INTO categories (id, parent_id, name, slug, path, depth) \
         SELECT seq, NULL, CONCAT('Department ', seq), CONCAT('department-', seq), CONCAT('/', seq, '/'), 0 FROM seq_1_to_10"
            .to_owned(),
        "INSERT INTO categories (id, parent_id, name, slug, path, depth) \
         SELECT 10 + seq, 1 + seq % 10, CONCAT('Aisle ', seq), CONCAT('aisle-', seq), CONCAT('/', 1 + seq % 10, '/', 10 + seq, '/'), 1 \
         FROM seq_1_to_90"
            .to_owned(),
        format!(
            "INSERT INTO products (sku, slug, name, description, brand, price, status, popularity, created_at, updated_at) \
             SELECT CONCAT('SY-', LPAD(seq, 6, '0')), CONCAT('synthetic-', seq), \
                    CONCAT(ELT(1 + seq % 20, {WORDS}), ' ', ELT(1 + (seq DIV 20) % 15, {KINDS}), ' ', seq), \
                    'A product made up for timing.', CONCAT('Brand ', seq % 300), (seq * 7919) % 50000 / 100, \
                    ELT(1 + (seq % 10 = 0) + (seq % 10 = 1) * 2, 'active', 'draft', 'archived'), seq % 1000, \
                    NOW(6) - INTERVAL seq SECOND, NOW(6) - INTERVAL (seq * 13) % 100000 SECOND \
             FROM seq_1_to_100000"
        ),
        "INSERT INTO variants (product_id, sku, price, position) SELECT id, sku, price, 0 FROM products".to_owned(),
        "INSERT INTO inventory (variant_id, on_hand) SELECT id, (id * 31) % 40 FROM variants".to_owned(),
        "UPDATE products p JOIN variants v ON v.product_id = p.id JOIN inventory i ON i.variant_id = v.id \
         SET p.in_stock = i.on_hand > 0"
            .to_owned(),
        "INSERT INTO product_categories (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) \
         SELECT 11 + p.id % 90, p.id, TRUE, p.status = 'active', p.price, p.popularity, p.created_at, p.brand, p.in_stock \
         FROM products p"
            .to_owned(),
        "INSERT INTO product_categories (category_id, product_id, direct, active, price, popularity, created_at, brand, in_stock) \
         SELECT c.parent_id, pc.product_id, FALSE, pc.active, pc.price, pc.popularity, pc.created_at, pc.brand, pc.in_stock \
         FROM product_categories pc JOIN categories c ON c.id = pc.category_id"
            .to_owned(),
        "ANALYZE TABLE products, variants, inventory, product_categories, categories".to_owned(),
    ];
    let started = Instant::now();
    for sql in load {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&app.pool)
            .await
            .unwrap();
    }
    eprintln!("loaded 100,000 products in {:?}", started.elapsed());

    let base = ListProducts::default();
    let cases: Vec<(&str, ListProducts)> = vec![
        ("first page, newest change first", base.clone()),
        (
            "by name",
            ListProducts {
                sort: SortField::Name,
                direction: Direction::Asc,
                ..base.clone()
            },
        ),
        (
            "by price, active",
            ListProducts {
                sort: SortField::Price,
                status: StatusFilter::Active,
                ..base.clone()
            },
        ),
        (
            "by creation",
            ListProducts {
                sort: SortField::Created,
                ..base.clone()
            },
        ),
        (
            "a brand",
            ListProducts {
                brand: Some("Brand 7".to_owned()),
                ..base.clone()
            },
        ),
        (
            "a department (with its aisles)",
            ListProducts {
                category_id: Some(3),
                ..base.clone()
            },
        ),
        (
            "an aisle, by name",
            ListProducts {
                category_id: Some(42),
                sort: SortField::Name,
                ..base.clone()
            },
        ),
        (
            "search: a common word",
            ListProducts {
                q: Some("wireless".to_owned()),
                ..base.clone()
            },
        ),
        (
            "search: two words",
            ListProducts {
                q: Some("smart came".to_owned()),
                ..base.clone()
            },
        ),
        (
            "search: 2 letters",
            ListProducts {
                q: Some("sm".to_owned()),
                ..base.clone()
            },
        ),
        (
            "search: a SKU prefix",
            ListProducts {
                q: Some("sy-0123".to_owned()),
                ..base.clone()
            },
        ),
        (
            "out of stock",
            ListProducts {
                stock: Some(StockLevel::Out),
                ..base.clone()
            },
        ),
        (
            "low stock",
            ListProducts {
                stock: Some(StockLevel::Low),
                ..base.clone()
            },
        ),
        (
            "in stock",
            ListProducts {
                stock: Some(StockLevel::In),
                ..base.clone()
            },
        ),
        (
            "by stock",
            ListProducts {
                sort: SortField::Stock,
                ..base.clone()
            },
        ),
    ];
    for (what, request) in cases {
        let mut times = Vec::new();
        let mut request = request;
        // The first page, then the two after it through their cursors.
        for _ in 0..3 {
            let started = Instant::now();
            let page = list(&app, &request).await;
            times.push(started.elapsed());
            match page.next {
                Some(next) => request.cursor = Some(next),
                None => break,
            }
        }
        let worst = times.iter().max().copied().unwrap_or(Duration::ZERO);
        eprintln!("{what:<36} pages {:?}  worst {worst:?}", times);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a timing run of a large import, not a check"]
async fn admin_import_timing() {
    use platform::contracts::{
        admin::AdminReply,
        catalog_admin::{
            PRODUCTS_IMPORT,
            import::{ImportProducts, ImportReport},
        },
    };
    const ROWS: usize = 5_000;
    let app = spawn_app().await;
    let mut csv = String::from("sku,name,brand,category,price,status,on_hand\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "IM-{i},Imported thing number {i},Brand {},Home > Room {},{}.99,active,{}\n",
            i % 40,
            i % 25,
            i % 300,
            i % 17
        ));
    }
    eprintln!("{ROWS} rows, {} KiB", csv.len() / 1024);
    for dry_run in [true, false] {
        let started = Instant::now();
        let reply: AdminReply<ImportReport> = platform::rpc::call(
            &app.client,
            PRODUCTS_IMPORT,
            &crate::admin_support::command(ImportProducts {
                csv: csv.clone(),
                dry_run,
            }),
            Duration::from_secs(300),
        )
        .await
        .unwrap();
        assert!(matches!(reply, AdminReply::Ok(_)), "{reply:?}");
        eprintln!("dry run {dry_run}: {:?}", started.elapsed());
    }
    app.stop().await;
}
