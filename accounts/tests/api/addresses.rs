//! Saved addresses: checked like checkout's shipping address, one default, at most 20 whatever the
//! concurrency, and only the customer's own.

use serde_json::{Value, json};

use crate::helpers::Shop;

fn address(name: &str, city: &str) -> Value {
    json!({"name": name, "line1": "1 Main St", "city": city, "postal_code": "12345", "country": "us"})
}

#[tokio::test(flavor = "multi_thread")]
async fn addresses_are_saved_checked_and_one_is_always_the_default() {
    let shop = Shop::start().await;
    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let home = ann
        .post("/api/account/addresses", address("Ann Lee", "Springfield"))
        .await;
    assert_eq!(home.status, 201, "{}", home.body);
    assert_eq!(home.body["is_default"], true, "the first is the default");
    assert_eq!(home.body["country"], "US");
    let work = ann
        .post(
            "/api/account/addresses",
            address("Ann at work", "Shelbyville"),
        )
        .await;
    assert_eq!(work.body["is_default"], false);
    let work_id = work.body["id"].as_u64().unwrap();
    let home_id = home.body["id"].as_u64().unwrap();

    let mut moved = address("Ann at work", "Capital City");
    moved["is_default"] = json!(true);
    let updated = ann
        .send(
            reqwest::Method::PUT,
            &format!("/api/account/addresses/{work_id}"),
            Some(moved),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["city"], "Capital City");
    let list = ann.get("/api/account/addresses").await;
    let addresses = list.body["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2);
    assert_eq!(addresses[0]["id"], json!(work_id), "the default first");
    assert_eq!(addresses[0]["is_default"], true);
    assert_eq!(addresses[1]["is_default"], false);

    // Deleting the default makes the remaining one the default.
    let deleted = ann
        .send(
            reqwest::Method::DELETE,
            &format!("/api/account/addresses/{work_id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let list = ann.get("/api/account/addresses").await;
    assert_eq!(list.body["addresses"][0]["id"], json!(home_id));
    assert_eq!(list.body["addresses"][0]["is_default"], true);

    for (body, field) in [
        (
            json!({"name": " ", "line1": "1", "city": "c", "postal_code": "1", "country": "US"}),
            "name",
        ),
        (
            json!({"name": "A", "line1": "", "city": "c", "postal_code": "1", "country": "US"}),
            "line1",
        ),
        (
            json!({"name": "A", "line1": "1", "city": "c", "postal_code": "1", "country": "USA"}),
            "country",
        ),
        (
            json!({"name": "A", "line1": "1", "city": "c".repeat(101), "postal_code": "1", "country": "US"}),
            "city",
        ),
        (
            json!({"name": "A", "line1": "1", "city": "c", "postal_code": "1", "country": "US", "x": 1}),
            "x",
        ),
    ] {
        let refused = ann.post("/api/account/addresses", body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["field"], field,
            "{}",
            refused.body
        );
    }

    // Someone else's address is not found, whatever they try.
    let mut bob = shop
        .customer("bob@example.com", "another fine password")
        .await;
    let theirs = bob
        .send(
            reqwest::Method::PUT,
            &format!("/api/account/addresses/{home_id}"),
            Some(address("Bob", "Elsewhere")),
        )
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(
        bob.send(
            reqwest::Method::DELETE,
            &format!("/api/account/addresses/{home_id}"),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        ann.get("/api/account/addresses").await.body["addresses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        shop.browser().get("/api/account/addresses").await.status,
        401
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn at_most_twenty_addresses_even_when_saved_all_at_once() {
    let shop = Shop::start().await;
    let ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let session = ann.session.clone().unwrap();
    let saves = (0..25).map(|i| {
        let shop = &shop;
        let session = session.clone();
        async move {
            let mut browser = shop.browser();
            browser.session = Some(session);
            browser
                .post(
                    "/api/account/addresses",
                    address(&format!("Ann {i}"), "Springfield"),
                )
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(saves).await;
    assert_eq!(statuses.iter().filter(|status| **status == 201).count(), 20);
    assert_eq!(statuses.iter().filter(|status| **status == 409).count(), 5);
    let mut ann = ann;
    let list = ann.get("/api/account/addresses").await;
    let addresses = list.body["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 20);
    assert_eq!(
        addresses.iter().filter(|a| a["is_default"] == true).count(),
        1
    );
    shop.stop().await;
}
