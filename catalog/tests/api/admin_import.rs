//! The admin's CSV import through NATS: all rows checked before anything is written.

use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        PRODUCTS_IMPORT,
        import::{ImportProducts, ImportReport},
        listing::ListProducts,
    },
};
use rust_decimal::Decimal;

use crate::{
    admin_support::{call, command, count, get, invalid_fields, list},
    helpers::spawn_app,
};

const FILE: &str = "sku,name,brand,category,price,status,on_hand,product_sku,option:size\n\
TR-42,Trail Runner,Acme,Shoes > Running,89.90,active,3,TR,42\n\
TR-43,Trail Runner,Acme,Shoes > Running,79.90,active,0,TR,43\n\
MUG-1,Mug,Potter,Kitchen,9.50,active,12,,\n";

async fn import(
    app: &crate::helpers::TestApp,
    csv: &str,
    dry_run: bool,
) -> AdminReply<ImportReport> {
    call(
        app,
        PRODUCTS_IMPORT,
        &command(ImportProducts {
            csv: csv.to_owned(),
            dry_run,
        }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_one_bad_row_writes_nothing_and_names_its_line() {
    let app = spawn_app().await;
    let bad = format!("{FILE}SOCK-1,Socks,,,12.345,active,1,,\n");
    let reply = import(&app, &bad, false).await;
    assert_eq!(invalid_fields(&reply), ["line 5: price"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM products").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM categories").await, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_creates_products_with_variants_and_a_second_one_updates_them_by_sku() {
    let app = spawn_app().await;
    let dry = import(&app, FILE, true).await;
    assert!(
        matches!(&dry, AdminReply::Ok(report) if report.dry_run && report.products_created == 2),
        "{dry:?}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM products").await,
        0,
        "a dry run writes nothing"
    );

    let AdminReply::Ok(report) = import(&app, FILE, false).await else {
        panic!("import refused")
    };
    assert_eq!(
        (
            report.rows,
            report.products_created,
            report.variants_created
        ),
        (3, 2, 3)
    );
    let page = list(
        &app,
        &ListProducts {
            q: Some("TR".to_owned()),
            ..ListProducts::default()
        },
    )
    .await;
    let runner = get(&app, page.rows[0].id).await;
    assert_eq!(runner.sku, "TR");
    assert_eq!(runner.option_names, ["size"]);
    assert_eq!(runner.variants.len(), 2);
    assert_eq!(runner.categories[0].path, "Shoes > Running");

    let update = "sku,name,price,on_hand\nTR-43,Trail Runner II,75.00,9\nMUG-2,Big Mug,14.00,\n";
    let AdminReply::Ok(report) = import(&app, update, false).await else {
        panic!("update refused")
    };
    assert_eq!(
        (
            report.products_created,
            report.products_updated,
            report.variants_updated
        ),
        (1, 1, 1)
    );
    let runner = get(&app, runner.id).await;
    assert_eq!(runner.name, "Trail Runner II");
    let tr43 = runner.variants.iter().find(|v| v.sku == "TR-43").unwrap();
    assert_eq!(
        (tr43.price, tr43.on_hand),
        ("75.00".parse::<Decimal>().unwrap(), 9)
    );
    assert_eq!(runner.version, 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_naming_another_products_variant_is_refused_with_its_line() {
    let app = spawn_app().await;
    assert!(matches!(import(&app, FILE, false).await, AdminReply::Ok(_)));
    let before = count(&app, "SELECT COUNT(*) FROM products").await;
    let file = "sku,name,price,product_sku,option:size\n\
                LAMP-1,Lamp,20.00,LAMP,small\n\
                TR-42,Lamp,25.00,LAMP,big\n";
    let reply = import(&app, file, false).await;
    assert_eq!(invalid_fields(&reply), ["line 3: sku"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM products").await, before);

    let missing: AdminReply<platform::contracts::catalog_admin::products::ProductDetail> = call(
        &app,
        platform::contracts::catalog_admin::PRODUCTS_GET,
        &platform::contracts::catalog_admin::products::GetProduct { id: 999_999 },
    )
    .await;
    assert!(
        matches!(missing, AdminReply::NotFound { .. }),
        "{missing:?}"
    );
    app.stop().await;
}
