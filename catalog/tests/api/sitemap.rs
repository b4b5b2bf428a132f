//! What crawlers get: robots.txt pointing at the sitemap, and the sitemap listing every active product page
//! and category at the public address.

use crate::helpers::{product, spawn_app};

#[tokio::test]
async fn the_sitemap_lists_every_active_product_and_category_and_robots_points_to_it() {
    let app = spawn_app().await;
    app.load(vec![
        product(
            "SM-1",
            "Garden Spade",
            "Acme",
            "12.00",
            &["Garden", "Tools"],
            3,
        ),
        product(
            "SM-2",
            "Sold Out Rake",
            "Acme",
            "9.00",
            &["Garden", "Tools"],
            0,
        ),
        product("SM-3", "Old Hoe", "Acme", "7.00", &["Garden"], 2),
    ])
    .await;
    sqlx::query("UPDATE products SET status = 'archived' WHERE sku = 'SM-3'")
        .execute(&app.pool)
        .await
        .unwrap();
    let get = async |path: &str| {
        let response = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    };

    let (status, content_type, robots) = get("/robots.txt").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/plain; charset=utf-8")
    );
    assert!(robots.contains("Disallow: /checkout\n"), "{robots}");
    assert!(
        robots.contains("Sitemap: https://shop.example/sitemap.xml\n"),
        "{robots}"
    );

    let (status, content_type, index) = get("/sitemap.xml").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/xml; charset=utf-8")
    );
    assert!(
        index.contains("<loc>https://shop.example/sitemaps/pages.xml</loc>"),
        "{index}"
    );
    assert!(
        index.contains("<loc>https://shop.example/sitemaps/products-0.xml</loc>"),
        "{index}"
    );

    let (status, _, products) = get("/sitemaps/products-0.xml").await;
    assert_eq!(status, 200);
    assert!(
        products.contains("<loc>https://shop.example/p/garden-spade</loc><lastmod>"),
        "{products}"
    );
    // Out of stock is still a page worth finding; archived is not.
    assert!(products.contains("/p/sold-out-rake<"), "{products}");
    assert!(!products.contains("old-hoe"), "{products}");

    let (status, _, pages) = get("/sitemaps/pages.xml").await;
    assert_eq!(status, 200);
    assert!(
        pages.contains("<loc>https://shop.example/</loc>"),
        "{pages}"
    );
    assert!(
        pages.contains("<loc>https://shop.example/category/garden</loc>"),
        "{pages}"
    );

    for missing in [
        "/sitemaps/products-7.xml",
        "/sitemaps/products-007.xml",
        "/sitemaps/other.xml",
    ] {
        assert_eq!(get(missing).await.0, 404, "{missing}");
    }
    app.stop().await;
}
