//! Listing filters and sorts, product detail, the category tree, and bad input.

use serde_json::Value;

use crate::helpers::{TestApp, product, spawn_app};

async fn small_catalog() -> TestApp {
    let app = spawn_app().await;
    let mut products = vec![
        product(
            "TV-1",
            "Samsung 65 inch QLED TV",
            "Samsung",
            "999.99",
            &["TV & Home Theater", "TVs", "4K TVs"],
            5,
        ),
        product(
            "TV-2",
            "Sony 55 inch OLED TV",
            "Sony",
            "1299.00",
            &["TV & Home Theater", "TVs", "OLED TVs"],
            0,
        ),
        product(
            "TV-3",
            "Insignia 32 inch HD TV",
            "Insignia",
            "129.99",
            &["TV & Home Theater", "TVs"],
            12,
        ),
        product(
            "SB-1",
            "Sonos Beam Soundbar",
            "Sonos",
            "449.00",
            &["TV & Home Theater", "Soundbars"],
            3,
        ),
        product(
            "LP-1",
            "Dell XPS 13 Laptop",
            "Dell",
            "1099.50",
            &["Computers", "Laptops"],
            7,
        ),
    ];
    for (i, product) in products.iter_mut().enumerate() {
        product.popularity = 100 * (i as u32 + 1);
    }
    app.load(products).await;
    app
}

fn skus(listing: &Value) -> Vec<&str> {
    listing["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_category_lists_the_products_of_all_its_descendants() {
    let app = small_catalog().await;
    let tree = app.get_ok("/api/categories").await;
    let tv = &tree["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "TV & Home Theater")
        .unwrap();
    assert_eq!(tv["product_count"], 4);
    let tvs = tv["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "TVs")
        .unwrap();
    assert_eq!(
        tvs["product_count"], 3,
        "the direct product and both subcategories' products"
    );

    let slug = tvs["slug"].as_str().unwrap();
    let listing = app
        .get_ok(&format!("/api/products?category={slug}&sort=price_asc"))
        .await;
    assert_eq!(skus(&listing), ["TV-3", "TV-1", "TV-2"]);
    assert_eq!(listing["total"], 3);
    assert_eq!(listing["category"]["path"][0]["name"], "TV & Home Theater");
    let children: Vec<&str> = listing["facets"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(children.len(), 2, "{children:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_combine_and_every_sort_orders_the_listing() {
    let app = small_catalog().await;
    assert_eq!(
        skus(&app.get_ok("/api/products?sort=price_desc").await),
        ["TV-2", "LP-1", "TV-1", "SB-1", "TV-3"]
    );
    assert_eq!(
        skus(&app.get_ok("/api/products?sort=popularity").await),
        ["LP-1", "SB-1", "TV-3", "TV-2", "TV-1"]
    );
    assert_eq!(
        skus(&app.get_ok("/api/products?brand=Sony").await),
        ["TV-2"]
    );
    assert_eq!(
        skus(
            &app.get_ok("/api/products?min_price=400&max_price=1100&sort=price_asc")
                .await
        ),
        ["SB-1", "TV-1", "LP-1"]
    );
    let in_stock = app
        .get_ok("/api/products?in_stock=true&sort=price_asc")
        .await;
    assert_eq!(skus(&in_stock), ["TV-3", "SB-1", "TV-1", "LP-1"]);
    assert_eq!(in_stock["facets"]["brands"].as_array().unwrap().len(), 4);

    let page = app
        .get_ok("/api/products?sort=price_asc&limit=2&page=2")
        .await;
    assert_eq!(skus(&page), ["TV-1", "LP-1"]);
    assert_eq!(page["total"], 5);
    assert_eq!(page["pages"], 3);
    let newest = app.get_ok("/api/products?sort=newest").await;
    assert_eq!(newest["products"].as_array().unwrap().len(), 5);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_product_is_found_by_slug_with_images_category_path_and_availability() {
    let app = small_catalog().await;
    let product = app.get_ok("/api/products/sonos-beam-soundbar").await;
    assert_eq!(product["sku"], "SB-1");
    assert_eq!(product["price"], "449.00");
    assert_eq!(product["available"], 3);
    assert_eq!(product["in_stock"], true);
    assert_eq!(product["images"][0]["url"], "/images/SB-1.jpg");
    let path: Vec<&str> = product["category_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["TV & Home Theater", "Soundbars"]);

    let (status, body) = app.get("/api/products/no-such-product").await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_400_problem_naming_the_field() {
    let app = small_catalog().await;
    let long_query = format!("/api/search?q={}", "a".repeat(201));
    for (path, field) in [
        ("/api/products?limit=0", "limit"),
        ("/api/products?limit=1000", "limit"),
        ("/api/products?page=abc", "page"),
        ("/api/products?min_price=-5", "min_price"),
        ("/api/products?max_price=ten", "max_price"),
        ("/api/products?min_price=50&max_price=10", "min_price"),
        ("/api/products?sort=cheapest", "sort"),
        ("/api/products?in_stock=maybe", "in_stock"),
        ("/api/products?category=no-such-category", "category"),
        ("/api/search?q=tv&sort=random", "sort"),
        (long_query.as_str(), "q"),
    ] {
        let response = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
    }
    let (status, _) = app.get("/api/nothing-here").await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let document = app.get_ok("/api/openapi.json").await;
    for path in [
        "/api/products",
        "/api/products/{slug}",
        "/api/categories",
        "/api/search",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} missing");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn related_products_come_from_the_category_its_brand_first_then_the_category_above() {
    let app = spawn_app().await;
    let with_popularity = |sku: &str, brand: &str, path: &[&str], stock: u32, popularity: u32| {
        let mut p = product(sku, &format!("Case {sku}"), brand, "9.99", path, stock);
        p.popularity = popularity;
        p
    };
    let cases = ["Phones", "Cases"];
    let chargers = ["Phones", "Chargers"];
    app.load(vec![
        with_popularity("CASE-A1", "Acme", &cases, 5, 10),
        with_popularity("CASE-A2", "Acme", &cases, 5, 1),
        with_popularity("CASE-B1", "Bolt", &cases, 5, 50),
        with_popularity("CASE-B2", "Bolt", &cases, 0, 99),
        with_popularity("CHG-1", "Acme", &chargers, 5, 70),
    ])
    .await;

    let slug = |sku: &str| format!("case-{}", sku.to_lowercase());
    let related = app
        .get_ok(&format!("/api/products/{}/related", slug("CASE-A1")))
        .await;
    let skus: Vec<&str> = related["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    // Its brand's first, then its category's by popularity, then the category above; never itself, never
    // one out of stock.
    assert_eq!(skus, ["CASE-A2", "CASE-B1", "CHG-1"], "{related}");
    assert_eq!(related["products"][0]["name"], "Case CASE-A2");

    let one = app
        .get_ok(&format!(
            "/api/products/{}/related?limit=1",
            slug("CASE-A1")
        ))
        .await;
    assert_eq!(one["products"].as_array().unwrap().len(), 1);
    for bad in ["limit=0", "limit=25", "limit=x"] {
        let (status, body) = app
            .get(&format!("/api/products/{}/related?{bad}", slug("CASE-A1")))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body.to_string().contains("limit"), "{bad}: {body}");
    }
    let (status, _) = app.get("/api/products/no-such-product/related").await;
    assert_eq!(status, 404);
    app.stop().await;
}
