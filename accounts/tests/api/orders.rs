//! Order history: the customer's orders with the order page's timeline, reordering what is still for sale,
//! and claiming the orders placed as a guest with the confirmed address.

use platform::contracts::customers::{ORDERS, OrdersReply, OrdersRequest};
use serde_json::json;

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread")]
async fn the_history_shows_the_customers_orders_and_reorder_puts_back_what_is_still_for_sale() {
    let shop = Shop::start().await;
    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    ann.add("PH-1", 2).await;
    ann.add("PH-2", 1).await;
    let linked = ann
        .post("/api/account/cart", json!({"cart_token": ann.cart.clone()}))
        .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    let (number, page) = ann.place_order("ann@example.com").await;

    let history = ann.get("/api/account/orders").await;
    assert_eq!(history.status, 200, "{}", history.body);
    let orders = history.body["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["number"], json!(number));
    assert_eq!(orders[0]["status"], "paid");
    assert_eq!(orders[0]["item_count"], 3);
    assert_eq!(orders[0]["lines"][0]["sku"], "PH-1");
    assert_eq!(history.body["next"], json!(null));

    // The same page, timeline and all, as the confirmation link shows.
    let detail = ann.get(&format!("/api/account/orders/{number}")).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let by_link = ann.get(&format!("/api{page}")).await;
    assert_eq!(by_link.status, 200, "{}", by_link.body);
    assert_eq!(detail.body, by_link.body);
    assert!(!detail.body["timeline"].as_array().unwrap().is_empty());

    // Nobody else's.
    let mut bob = shop
        .customer("bob@example.com", "another fine password")
        .await;
    assert_eq!(
        bob.get(&format!("/api/account/orders/{number}"))
            .await
            .status,
        404
    );
    assert_eq!(
        bob.post(&format!("/api/account/orders/{number}/reorder"), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        bob.get("/api/account/orders/not-a-number!").await.status,
        404
    );

    // PH-2 sold out since: reorder puts back PH-1 only, and says why not PH-2.
    shop.sell_out("PH-2").await;
    let reorder = ann
        .post(&format!("/api/account/orders/{number}/reorder"), json!({}))
        .await;
    assert_eq!(reorder.status, 200, "{}", reorder.body);
    assert_eq!(
        reorder.body["added"],
        json!([{"sku": "PH-1", "quantity": 2}])
    );
    assert_eq!(reorder.body["skipped"][0]["sku"], "PH-2");
    assert_eq!(reorder.body["skipped"][0]["reason"], "unavailable");
    ann.cart = Some(reorder.body["cart"]["token"].as_str().unwrap().to_owned());
    assert_eq!(ann.lines().await, vec![("PH-1".into(), 2)]);
    let me = ann.get("/api/account").await;
    assert_eq!(me.body["cart_token"], reorder.body["cart"]["token"]);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn guest_orders_with_the_confirmed_address_can_be_claimed_by_its_owner_only() {
    let shop = Shop::start().await;
    let mut guest = shop.browser();
    guest.add("PH-1", 1).await;
    let (number, _) = guest.place_order("Ann@Example.com").await;

    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let before = ann.get("/api/account/orders").await;
    assert_eq!(before.body["orders"], json!([]));
    assert_eq!(before.body["claimable"], 1);
    let mut bob = shop
        .customer("bob@example.com", "another fine password")
        .await;
    assert_eq!(bob.get("/api/account/orders").await.body["claimable"], 0);
    assert_eq!(
        bob.post("/api/account/orders/claim", json!({})).await.body["claimed"],
        0
    );

    let claimed = ann.post("/api/account/orders/claim", json!({})).await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    assert_eq!(claimed.body["claimed"], 1);
    let after = ann.get("/api/account/orders").await;
    assert_eq!(after.body["orders"][0]["number"], json!(number));
    assert_eq!(after.body["claimable"], 0);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_history_pages_newest_first_without_skipping_or_repeating() {
    let shop = Shop::start().await;
    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let mut numbers = Vec::new();
    for _ in 0..3 {
        ann.add("PH-1", 1).await;
        let linked = ann
            .post("/api/account/cart", json!({"cart_token": ann.cart.clone()}))
            .await;
        assert_eq!(linked.status, 200);
        numbers.push(ann.place_order("ann@example.com").await.0);
    }
    numbers.reverse();
    let me = ann.get("/api/account").await;
    let customer_id: uuid::Uuid = me.body["customer"]["id"].as_str().unwrap().parse().unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let request = OrdersRequest {
            customer_id,
            email: platform::contracts::Email::parse("ann@example.com").unwrap(),
            before: before.clone(),
            limit: Some(2),
        };
        let page: OrdersReply = platform::rpc::call(
            &shop.ops,
            ORDERS,
            &request,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
        seen.extend(page.orders.iter().map(|order| order.number.to_string()));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, numbers);
    shop.stop().await;
}
