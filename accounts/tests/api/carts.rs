//! The cart follows the shopper: signing in merges this browser's guest cart into the customer's cart
//! (quantities added up to the limit, the customer's price snapshots kept, what did not fit reported), on
//! every device, and concurrent sign-ins neither lose nor double a line.

use serde_json::json;

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_merges_the_guest_cart_into_the_customers_on_any_device() {
    let shop = Shop::start().await;
    // Device A: the customer's own cart.
    let mut a = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    assert!(a.cart.is_none(), "no cart yet");
    a.add("PH-1", 8).await;
    let linked = a
        .post("/api/account/cart", json!({"cart_token": a.cart.clone()}))
        .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(linked.body["cart"]["token"], json!(a.cart.clone()));
    let own = a.cart.clone().unwrap();

    // Device B: a guest cart, then sign-in.
    let mut b = shop.browser();
    b.add("PH-1", 5).await;
    b.add("PH-2", 2).await;
    let guest = b.cart.clone().unwrap();
    // A promotion code typed as a guest comes along.
    let promotion = sqlx::query(
        "INSERT INTO promotions (name, kind, value) VALUES ('Five off', 'amount_off', 5)",
    )
    .execute(&shop.checkout.pool)
    .await
    .unwrap()
    .last_insert_id();
    sqlx::query("INSERT INTO promotion_codes (code, promotion_id) VALUES ('FIVE-OFF', ?)")
        .bind(promotion)
        .execute(&shop.checkout.pool)
        .await
        .unwrap();
    let applied = b
        .send(
            reqwest::Method::PUT,
            &format!("/api/carts/{guest}/coupon"),
            Some(json!({"code": "five-off"})),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let reply = b.sign_in("ann@example.com", "correct horse battery").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        b.cart.as_deref(),
        Some(own.as_str()),
        "B now uses the customer's cart"
    );
    assert_eq!(
        reply.body["cart"]["notes"],
        json!([{"sku": "PH-1", "requested": 13, "kept": 10, "reason": "quantity_limit"}])
    );
    assert_eq!(
        b.lines().await,
        vec![("PH-1".into(), 10), ("PH-2".into(), 2)]
    );
    assert_eq!(
        a.lines().await,
        b.lines().await,
        "the same cart on both devices"
    );
    let merged = b.get(&format!("/api/carts/{own}")).await;
    assert_eq!(merged.body["coupon"]["code"], "FIVE-OFF", "{}", merged.body);
    assert_eq!(merged.body["discount"], "5.00");
    // The guest cart is gone: another tab still holding it adds nothing twice.
    let gone = b.get(&format!("/api/carts/{guest}")).await;
    assert_eq!(gone.status, 404);
    let mut c = shop.browser();
    c.cart = Some(guest);
    assert_eq!(
        c.sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    assert_eq!(
        c.lines().await,
        vec![("PH-1".into(), 10), ("PH-2".into(), 2)]
    );

    let me = a.get("/api/account").await;
    assert_eq!(me.body["cart_token"], json!(own));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sign_ins_with_two_guest_carts_end_in_one_cart_holding_both() {
    let shop = Shop::start().await;
    let _ = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    for round in 0..3 {
        let mut first = shop.browser();
        first.add("PH-1", 1).await;
        let mut second = shop.browser();
        second.add("PH-2", 1).await;
        let (one, two) = tokio::join!(
            first.sign_in("ann@example.com", "correct horse battery"),
            second.sign_in("ann@example.com", "correct horse battery"),
        );
        assert_eq!(
            (one.status, two.status),
            (200, 200),
            "{} {}",
            one.body,
            two.body
        );
        assert_eq!(first.cart, second.cart, "round {round}: one cart");
        let expected = vec![
            ("PH-1".to_owned(), round + 1),
            ("PH-2".to_owned(), round + 1),
        ];
        assert_eq!(first.lines().await, expected, "round {round}");
    }
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_of_someone_else_or_an_ordered_one_is_never_merged() {
    let shop = Shop::start().await;
    let mut ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    ann.add("PH-1", 1).await;
    assert_eq!(
        ann.post("/api/account/cart", json!({"cart_token": ann.cart.clone()}))
            .await
            .status,
        200
    );
    let mut bob = shop
        .customer("bob@example.com", "another fine password")
        .await;
    // Bob presents Ann's cart token as his guest cart: it stays Ann's.
    let reply = bob
        .post("/api/account/cart", json!({"cart_token": ann.cart.clone()}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["cart"]["token"], json!(null));
    assert_eq!(ann.lines().await, vec![("PH-1".into(), 1)]);
    let signed_out = shop
        .browser()
        .post("/api/account/cart", json!({"cart_token": null}))
        .await;
    assert_eq!(signed_out.status, 401);
    shop.stop().await;
}
