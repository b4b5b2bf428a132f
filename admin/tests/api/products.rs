//! The products pages against a real catalog: the catalog service runs in the test on the same nats-server
//! (its own scratch database; its photos in a private moto when a test needs them), the admin talks to it
//! only over `rpc.catalog.admin.*`, and what shoppers see is read from the catalog's public API.

use std::time::Duration;

use admin::{config::Config, domain::Role};
use image::{ImageEncoder as _, Rgb, RgbImage, codecs::png::PngEncoder};
use platform::{
    s3::BucketConfig,
    testing::{MotoServer, NatsServer, TestService},
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    catalog_shop::spawn_catalog,
    helpers::{ORIGIN, TestApp, body, hidden_value, location, spawn_app_on},
};

/// The admin and the catalog it manages.
struct Shop {
    admin: TestApp,
    catalog: TestService,
    _moto: Option<MotoServer>,
}

async fn shop() -> Shop {
    shop_with(None).await
}

/// The shop with its photos bucket in a private moto.
async fn shop_with_photos() -> Shop {
    shop_with(Some(MotoServer::start())).await
}

async fn shop_with(moto: Option<MotoServer>) -> Shop {
    let nats = NatsServer::start();
    let images = match &moto {
        Some(moto) => BucketConfig::local("shop-images", &moto.url()),
        None => catalog::testing::no_bucket(),
    };
    let catalog = spawn_catalog(&nats, images.clone()).await;
    let mut admin_config = Config::for_tests(ORIGIN);
    admin_config.images = BucketConfig {
        create_bucket: false,
        ..images
    };
    let admin = spawn_app_on(nats, admin_config).await;
    Shop {
        admin,
        catalog,
        _moto: moto,
    }
}

impl Shop {
    /// The catalog's public product page (what the storefront shows), by slug.
    async fn public_product(&self, slug: &str) -> (StatusCode, Value) {
        let response = reqwest::get(format!("{}/api/products/{slug}", self.catalog.address))
            .await
            .expect("GET product");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn stop(self) {
        self.catalog.stop().await;
        self.admin.stop().await;
    }
}

/// The fields of the new-product form for a one-option product with one variant.
fn new_tee<'a>(key: &'a str, sku: &'a str, price: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("name", "Trail Tee"),
        ("brand", "Acme"),
        ("description", "A light shirt for long runs."),
        ("status", "active"),
        ("low_stock_threshold", "3"),
        ("option_names", "size"),
        ("variants[0].option_values", "M"),
        ("variants[0].sku", sku),
        ("variants[0].price", price),
        ("variants[0].initial_on_hand", "7"),
    ]
}

/// Creates the tee through the form and answers its id.
async fn create_tee(browser: &crate::helpers::Browser) -> u32 {
    let form = browser.page("/admin/products/new").await;
    let key = hidden_value(&form, "idempotency_key").expect("the form has a key");
    let response = browser
        .post("/admin/products", &new_tee(&key, "TEE-M", "19.99"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    to.strip_prefix("/admin/products/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to the product, not {to}"))
}

/// The edit form's fields as a browser would send them back, with `changes`.
fn edit_fields(html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        "idempotency_key",
        "version",
        "name",
        "slug",
        "brand",
        "low_stock_threshold",
        "option_names",
        "variants[0].id",
        "variants[0].sku",
        "variants[0].option_values",
        "variants[0].price",
    ]
    .iter()
    .map(|name| {
        (
            (*name).to_owned(),
            input_value(html, name).unwrap_or_default(),
        )
    })
    .collect();
    fields.push(("status".to_owned(), "active".to_owned()));
    for (name, value) in changes {
        fields.retain(|(key, _)| key != name);
        fields.push(((*name).to_owned(), (*value).to_owned()));
    }
    fields
}

/// The value of the input named `name` (hidden or not).
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag = &html[at..at + html[at..].find('>')?];
    let start = tag.find("value=\"")? + "value=\"".len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_owned())
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_pixel(width, height, Rgb([200, 60, 40]));
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(&image, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn a_product_made_with_the_admin_forms_is_on_sale_with_its_variant_and_photo() {
    let shop = shop_with_photos().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.60").await;

    let id = create_tee(&sam).await;

    let (status, product) = shop.public_product("trail-tee").await;
    assert_eq!(status, StatusCode::OK, "{product}");
    assert_eq!(product["name"], "Trail Tee");
    assert_eq!(product["price"], "19.99");
    assert_eq!(product["available"], 7);
    assert_eq!(product["option_names"], serde_json::json!(["size"]));
    let entry = shop
        .admin
        .last_audit("product.save")
        .await
        .expect("audited");
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str(), entry.3.as_str()),
        ("sam@shop.test", "ok", "product")
    );
    assert_eq!(entry.4, id.to_string());

    let edit = sam.page(&format!("/admin/products/{id}")).await;
    assert!(
        edit.contains("TEE-M") && edit.contains("7 available"),
        "{edit}"
    );
    let key = hidden_value(
        &edit[edit.find("id=\"photos\"").unwrap()..],
        "idempotency_key",
    )
    .unwrap();
    let response = sam
        .post_multipart(
            &format!("/admin/products/{id}/images"),
            &[("idempotency_key", &key), ("alt_text", "The tee, front")],
            ("file", "tee.png", &png(40, 30)),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let edit = sam.page(&format!("/admin/products/{id}")).await;
    assert!(edit.contains("Photo added."), "{edit}");
    assert!(edit.contains("alt=\"The tee, front\""), "{edit}");
    let (_, product) = shop.public_product("trail-tee").await;
    let images = product["images"].as_array().expect("images");
    assert_eq!(images.len(), 1, "{product}");
    assert!(shop.admin.last_audit("image.add").await.is_some());

    // A file that is not a photo is refused next to the file input, whatever its name says.
    let key = hidden_value(
        &edit[edit.find("id=\"photos\"").unwrap()..],
        "idempotency_key",
    )
    .unwrap();
    let response = sam
        .post_multipart(
            &format!("/admin/products/{id}/images"),
            &[("idempotency_key", &key), ("alt_text", "")],
            (
                "file",
                "tee.jpg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(response).await;
    assert!(
        html.contains("The photo is not a JPEG, PNG or WebP photo"),
        "{html}"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_change_submitted_twice_changes_the_product_once() {
    let shop = shop().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.61").await;
    let id = create_tee(&sam).await;
    let (_, before) = shop.public_product("trail-tee").await;

    let edit = sam.page(&format!("/admin/products/{id}")).await;
    let fields = edit_fields(&edit, &[("variants[0].price", "24.50")]);
    let first = sam
        .post(&format!("/admin/products/{id}"), &borrowed(&fields))
        .await;
    let second = sam
        .post(&format!("/admin/products/{id}"), &borrowed(&fields))
        .await;

    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    let (_, after) = shop.public_product("trail-tee").await;
    assert_eq!(after["price"], "24.50");
    assert_eq!(
        after["version"].as_u64().unwrap(),
        before["version"].as_u64().unwrap() + 1,
        "one change for one form"
    );
    // One change, one audit entry (besides the creation's): the first submit's, showing the change.
    let saves: Vec<(String, Value, Value)> = sqlx::query_as(
        "SELECT CAST(outcome AS CHAR), before_json, after_json FROM audit_log \
         WHERE action = 'product.save' AND target_id = ? AND before_json IS NOT NULL",
    )
    .bind(id.to_string())
    .fetch_all(&shop.admin.pool)
    .await
    .unwrap();
    let [(outcome, before_json, after_json)] = &saves[..] else {
        panic!("one entry for the price change: {saves:?}");
    };
    assert_eq!(outcome, "ok");
    assert_eq!(before_json["variants"][0]["price"], "19.99");
    assert_eq!(after_json["variants"][0]["price"], "24.50");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_opened_before_someone_elses_change_is_refused_with_a_link_to_reload() {
    let shop = shop().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    shop.admin.staff_member("kim@shop.test", Role::Staff).await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.62").await;
    let kim = shop.admin.signed_in("kim@shop.test", "203.0.113.63").await;
    let id = create_tee(&sam).await;
    let path = format!("/admin/products/{id}");
    let sams_form = sam.page(&path).await;
    let kims_form = kim.page(&path).await;

    let kims = edit_fields(&kims_form, &[("variants[0].price", "21.00")]);
    assert_eq!(
        kim.post(&path, &borrowed(&kims)).await.status(),
        StatusCode::SEE_OTHER
    );
    let sams = edit_fields(&sams_form, &[("name", "Trail Tee II")]);
    let response = sam.post(&path, &borrowed(&sams)).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = body(response).await;
    assert!(
        html.contains("changed by someone else since you opened it"),
        "{html}"
    );
    assert!(html.contains(&format!("<a href=\"{path}\">Reload the product</a>")));
    let (_, product) = shop.public_product("trail-tee").await;
    assert_eq!(product["name"], "Trail Tee");
    assert_eq!(product["price"], "21.00");
    let entry = shop.admin.last_audit("product.save").await.unwrap();
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str()),
        ("sam@shop.test", "refused")
    );

    // A bad price is shown next to its field, and nothing changes.
    let form = sam.page(&path).await;
    let bad = edit_fields(&form, &[("variants[0].price", "-3")]);
    let response = sam.post(&path, &borrowed(&bad)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(response).await;
    assert!(html.contains("<p class=\"error\">Price "), "{html}");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_reads_the_products_but_may_not_change_them() {
    let shop = shop().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    shop.admin
        .staff_member("vera@shop.test", Role::Viewer)
        .await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.64").await;
    let vera = shop.admin.signed_in("vera@shop.test", "203.0.113.65").await;
    let id = create_tee(&sam).await;

    let list = vera.page("/admin/products").await;
    assert!(list.contains("Trail Tee"), "{list}");
    assert!(!list.contains("name=\"ids\""), "no selection for a viewer");
    let edit = vera.page(&format!("/admin/products/{id}")).await;
    let fields = edit_fields(&edit, &[("variants[0].price", "1.00")]);
    let response = vera
        .post(&format!("/admin/products/{id}"), &borrowed(&fields))
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, product) = shop.public_product("trail-tee").await;
    assert_eq!(product["price"], "19.99");
    let entry = shop.admin.last_audit("access.refused").await.unwrap();
    assert_eq!(entry.1, "vera@shop.test");
    assert_eq!(
        vera.get("/admin/products/new").await.status(),
        StatusCode::FORBIDDEN
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_searches_exports_and_archives_a_selection_in_one_confirmed_step() {
    let shop = shop().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.66").await;
    let tee = create_tee(&sam).await;
    let form = sam.page("/admin/products/new").await;
    let key = hidden_value(&form, "idempotency_key").unwrap();
    let mut mug = new_tee(&key, "MUG-1", "8.00");
    mug.retain(|(name, _)| {
        !name.starts_with("variants[0].option_values") && *name != "option_names" && *name != "name"
    });
    mug.push(("name", "Camp Mug"));
    let response = sam.post("/admin/products", &mug).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let found = sam.page("/admin/products?q=camp").await;
    assert!(
        found.contains("Camp Mug") && !found.contains("Trail Tee"),
        "{found}"
    );
    let by_sku = sam.page("/admin/products?q=TEE-M").await;
    assert!(by_sku.contains("Trail Tee") && !by_sku.contains("Camp Mug"));

    let csv = sam
        .get("/admin/products/export.csv?sort=name&direction=asc")
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,sku,name,brand"), "{csv}");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].contains("Camp Mug") && lines[2].contains("Trail Tee"));

    let review = sam
        .post(
            "/admin/products/bulk",
            &[
                ("ids", &tee.to_string()),
                ("action", "archive"),
                ("back", "/admin/products?q=tee"),
            ],
        )
        .await;
    assert_eq!(review.status(), StatusCode::OK);
    let review = body(review).await;
    assert!(
        review.contains("Archive</strong> for 1 product"),
        "{review}"
    );
    let key = hidden_value(&review, "idempotency_key").unwrap();
    let apply = sam
        .post(
            "/admin/products/bulk/apply",
            &[
                ("idempotency_key", &key),
                ("ids", &tee.to_string()),
                ("action", "archive"),
                ("back", "/admin/products?q=tee"),
            ],
        )
        .await;
    assert_eq!(apply.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&apply), "/admin/products?q=tee");
    let archived = sam.page("/admin/products?status=archived").await;
    assert!(archived.contains("Trail Tee") && !archived.contains("Camp Mug"));
    let entry = shop.admin.last_audit("product.bulk_archive").await.unwrap();
    assert_eq!(entry.2, "ok");

    // The view is saved with its filters and listed for its owner.
    let response = sam
        .post(
            "/admin/products/views",
            &[("name", "Archived"), ("query", "status=archived")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let list = sam.page("/admin/products").await;
    assert!(
        list.contains("<a href=\"/admin/products?status=archived\">Archived</a>"),
        "{list}"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_catalog_does_not_answer_the_page_says_try_again() {
    let shop = shop().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.67").await;
    let Shop { admin, catalog, .. } = shop;
    catalog.stop().await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let response = sam.get("/admin/products").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "5");
    admin.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_import_shows_its_bad_rows_by_line_then_applies_a_good_file_after_a_dry_run() {
    let shop = shop().await;
    shop.admin.staff_member("sam@shop.test", Role::Staff).await;
    let sam = shop.admin.signed_in("sam@shop.test", "203.0.113.68").await;
    let bad =
        "sku,name,price,status,on_hand\nCUP-1,Cup,4.50,active,3\nCUP-2,Cup two,cheap,active,1\n";

    let response = sam
        .post_multipart(
            "/admin/products/import",
            &[],
            ("file", "cups.csv", bad.as_bytes()),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(response).await;
    assert!(html.contains("<td>line 3: price</td>"), "{html}");
    assert_eq!(shop.public_product("cup").await.0, StatusCode::NOT_FOUND);

    let good = "sku,name,price,status,on_hand\nCUP-1,Cup,4.50,active,3\n";
    let response = sam
        .post_multipart(
            "/admin/products/import",
            &[],
            ("file", "cups.csv", good.as_bytes()),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = body(response).await;
    assert!(
        report.contains("1 rows would create 1 products"),
        "{report}"
    );
    assert_eq!(
        shop.public_product("cup").await.0,
        StatusCode::NOT_FOUND,
        "a dry run writes nothing"
    );
    let key = hidden_value(&report, "idempotency_key").unwrap();
    let csv = input_value(&report, "csv").unwrap().replace("&#10;", "\n");
    let response = sam
        .post(
            "/admin/products/import/apply",
            &[("idempotency_key", &key), ("csv", &csv)],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, cup) = shop.public_product("cup").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cup["price"], "4.50");
    assert_eq!(
        shop.admin.last_audit("product.import").await.unwrap().2,
        "ok"
    );
    shop.stop().await;
}
