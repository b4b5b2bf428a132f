//! The wishlist: saved variants with today's price and stock.

use serde_json::json;

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread")]
async fn a_wishlist_shows_todays_price_and_stock_and_keeps_each_variant_once() {
    let shop = Shop::start().await;
    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    for sku in ["PH-1", "PH-2", "PH-1"] {
        let saved = ann
            .send(
                reqwest::Method::PUT,
                &format!("/api/account/wishlist/{sku}"),
                None,
            )
            .await;
        assert_eq!(saved.status, 204, "{}", saved.body);
    }
    shop.sell_out("PH-2").await;
    let list = ann.get("/api/account/wishlist").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let one = items.iter().find(|item| item["sku"] == "PH-1").unwrap();
    assert_eq!(one["price"], "99.00");
    assert_eq!(one["available"], 100);
    assert_eq!(one["for_sale"], true);
    let two = items.iter().find(|item| item["sku"] == "PH-2").unwrap();
    assert_eq!(two["available"], 0);

    let unknown = ann
        .send(reqwest::Method::PUT, "/api/account/wishlist/NOPE-1", None)
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["errors"][0]["field"], "sku");
    let malformed = ann
        .send(reqwest::Method::PUT, "/api/account/wishlist/no%20sku", None)
        .await;
    assert_eq!(malformed.status, 400);

    let removed = ann
        .send(reqwest::Method::DELETE, "/api/account/wishlist/PH-1", None)
        .await;
    assert_eq!(removed.status, 204);
    let list = ann.get("/api/account/wishlist").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        shop.browser()
            .send(reqwest::Method::PUT, "/api/account/wishlist/PH-1", None)
            .await
            .status,
        401
    );
    let _ = json!({});
    shop.stop().await;
}
