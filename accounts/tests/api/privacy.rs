//! The customer's data: a download of everything kept, and deleting the account (orders keep their books
//! without the personal fields; not while an order still needs the address).

use platform::contracts::orders::{TRANSITION, TransitionReply, TransitionRequest};
use serde_json::json;

use crate::helpers::Shop;

async fn move_order(shop: &Shop, number: &str, to: &str) {
    let request = TransitionRequest {
        number: number.to_owned(),
        to: to.to_owned(),
        reason: None,
    };
    let reply: TransitionReply = platform::rpc::call(
        &shop.ops,
        TRANSITION,
        &request,
        std::time::Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert!(matches!(reply, TransitionReply::Ok { .. }), "{reply:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_downloads_their_data_then_deletes_the_account_keeping_anonymous_orders() {
    let shop = Shop::start().await;
    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    assert_eq!(
        ann.post(
            "/api/account/addresses",
            json!({"name": "Ann Lee", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}),
        )
        .await
        .status,
        201
    );
    ann.add("PH-1", 1).await;
    assert_eq!(
        ann.post("/api/account/cart", json!({"cart_token": ann.cart.clone()}))
            .await
            .status,
        200
    );
    let (number, page) = ann.place_order("ann@example.com").await;

    let export = ann.get("/api/account/export").await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["account"]["email"], "ann@example.com");
    assert_eq!(
        export.body["addresses"][0]["address"]["city"],
        "Springfield"
    );
    assert_eq!(export.body["orders"][0]["number"], json!(number));
    assert!(!export.body["sessions"].as_array().unwrap().is_empty());
    assert!(
        !export.body.to_string().contains("argon2"),
        "no password hash"
    );

    let wrong = ann
        .send(
            reqwest::Method::DELETE,
            "/api/account",
            Some(json!({"password": "not it"})),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["errors"][0]["field"], "password");
    let on_its_way = ann
        .send(
            reqwest::Method::DELETE,
            "/api/account",
            Some(json!({"password": "correct horse battery"})),
        )
        .await;
    assert_eq!(on_its_way.status, 409, "{}", on_its_way.body);
    assert_eq!(on_its_way.body["code"], "orders_in_progress");
    assert_eq!(
        ann.get("/api/account").await.status,
        200,
        "nothing was deleted"
    );

    move_order(&shop, &number, "processing").await;
    move_order(&shop, &number, "shipped").await;
    let session = ann.session.clone();
    let deleted = ann
        .send(
            reqwest::Method::DELETE,
            "/api/account",
            Some(json!({"password": "correct horse battery"})),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    ann.session = session;
    assert_eq!(ann.get("/api/account").await.status, 401);
    assert_eq!(
        shop.browser()
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        401
    );
    // The order is still there for the books, without the personal fields.
    let order = ann.get(&format!("/api{page}")).await;
    assert_eq!(order.status, 200);
    assert_eq!(order.body["customer_name"], "Deleted customer");
    assert_ne!(order.body["email"], "ann@example.com");
    assert_eq!(order.body["shipping_address"]["city"], "-");
    assert_eq!(order.body["lines"][0]["sku"], "PH-1");
    // The address can sign up again, as anyone's.
    assert_eq!(
        shop.browser()
            .sign_up("ann@example.com", "a brand new start", "Ann")
            .await
            .status,
        202
    );
    shop.stop().await;
}
