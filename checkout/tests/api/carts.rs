//! Cart lines: quantities, removal, and what the cart shows.

use platform::testing::{TestProduct, eventually};
use serde_json::json;

use crate::helpers::spawn_shop;

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_keeps_snapshots_changes_quantities_and_removes_lines() {
    let shop = spawn_shop().await;
    shop.load(vec![
        TestProduct::new("C-1", "2.50", 10),
        TestProduct::new("C-2", "1.00", 10),
    ])
    .await;
    let cart = shop.new_cart().await;
    assert_eq!(
        shop.cart(&cart).await["subtotal"],
        "0.00",
        "an empty cart's money has two decimals too"
    );
    shop.add(&cart, "C-1", 2).await;
    let with_two = shop.add(&cart, "C-2", 1).await.body;
    assert_eq!(
        (
            with_two["item_count"].as_u64(),
            with_two["subtotal"].as_str()
        ),
        (Some(3), Some("6.00"))
    );
    assert_eq!(with_two["items"][0]["name"], "Product C-1");
    assert_eq!(with_two["checked"], true);

    let url = format!("{}/api/carts/{cart}/items/C-1", shop.checkout.address);
    let changed = shop
        .send(shop.http.put(&url).json(&json!({"quantity": 5})))
        .await;
    assert_eq!(
        (changed.status, changed.body["subtotal"].as_str()),
        (200, Some("13.50"))
    );
    let too_many = shop
        .send(shop.http.put(&url).json(&json!({"quantity": 11})))
        .await;
    assert_eq!(
        (
            too_many.status,
            too_many.body["errors"][0]["field"].as_str()
        ),
        (400, Some("quantity"))
    );
    let removed = shop.send(shop.http.delete(&url)).await;
    assert_eq!(
        (
            removed.status,
            removed.body["items"].as_array().unwrap().len()
        ),
        (200, 1)
    );
    assert_eq!(shop.send(shop.http.delete(&url)).await.status, 404);
    assert_eq!(
        shop.send(
            shop.http
                .get(format!("{}/api/carts/nope", shop.checkout.address))
        )
        .await
        .status,
        404
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_carts_and_old_idempotency_keys_are_deleted_and_orders_keep_their_lines() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("E-1", "4.00", 10)]).await;
    let ordered = shop.new_cart().await;
    shop.add(&ordered, "E-1", 1).await;
    let placed = shop
        .place(
            "key-expiry",
            &crate::helpers::order_body(&ordered, "tok_visa"),
        )
        .await;
    assert_eq!(placed.status, 201);
    let abandoned = shop.new_cart().await;
    shop.add(&abandoned, "E-1", 2).await;
    let fresh = shop.new_cart().await;
    sqlx::query("UPDATE carts SET expires_at = CURRENT_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE token IN (?, ?)")
        .bind(&ordered)
        .bind(&abandoned)
        .execute(&shop.checkout.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE idempotency_keys SET created_at = CURRENT_TIMESTAMP(6) - INTERVAL 2 DAY")
        .execute(&shop.checkout.pool)
        .await
        .unwrap();
    eventually("expired carts and old keys are deleted", || async {
        shop.count("SELECT COUNT(*) FROM carts").await == 1
            && shop.count("SELECT COUNT(*) FROM cart_items").await == 0
            && shop.count("SELECT COUNT(*) FROM idempotency_keys").await == 0
    })
    .await;
    assert_eq!(shop.cart(&fresh).await["state"], "open");
    // The order outlives its cart, with everything it needs.
    let number = placed.body["number"].as_str().unwrap();
    let token = placed.body["lookup_token"].as_str().unwrap();
    let url = format!(
        "{}/api/orders/{number}?token={token}",
        shop.checkout.address
    );
    let order = shop.send(shop.http.get(url)).await;
    assert_eq!(
        (order.status, order.body["lines"][0]["sku"].as_str()),
        (200, Some("E-1"))
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_totals_before_paying_are_what_place_order_charges_for_each_shipping_method() {
    let shop = spawn_shop().await;
    shop.load(vec![
        TestProduct::new("TOT-1", "19.99", 10),
        TestProduct::new("TOT-2", "0.45", 10),
    ])
    .await;
    let cart = shop.new_cart().await;
    let totals = async |query: &str| {
        shop.send(shop.http.get(format!(
            "{}/api/carts/{cart}/totals{query}",
            shop.checkout.address
        )))
        .await
    };
    let empty = totals("?shipping_method=standard").await;
    assert_eq!(
        (empty.status, &empty.body["subtotal"], &empty.body["total"]),
        (200, &json!("0.00"), &json!("4.99"))
    );
    shop.add(&cart, "TOT-1", 2).await;
    shop.add(&cart, "TOT-2", 3).await;

    // 2 x 19.99 + 3 x 0.45 = 41.33; tax 8 % = 3.3064 -> 3.31.
    let standard = totals("?shipping_method=standard").await;
    assert_eq!(standard.status, 200, "{}", standard.body);
    assert_eq!(
        standard.body,
        json!({
            "currency": "USD", "shipping_method": "standard", "item_count": 5,
            "subtotal": "41.33", "discount": "0.00", "shipping": "4.99", "tax": "3.31", "total": "49.63",
            "discounts": [], "coupon": null
        })
    );
    let express = totals("?shipping_method=express").await.body;
    assert_eq!(
        (&express["shipping"], &express["total"]),
        (&json!("14.99"), &json!("59.63"))
    );

    // Bad input names the field; an unknown cart is 404.
    for query in [
        "",
        "?shipping_method=",
        "?shipping_method=drone",
        "?shipping_method=EXPRESS",
    ] {
        let refused = totals(query).await;
        assert_eq!(refused.status, 400, "{query}: {}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["field"], "shipping_method",
            "{query}"
        );
    }
    let unknown = shop
        .send(shop.http.get(format!(
            "{}/api/carts/no-such-cart/totals?shipping_method=standard",
            shop.checkout.address
        )))
        .await;
    assert_eq!(unknown.status, 404);

    // The number shown is the number charged.
    let mut body = crate::helpers::order_body(&cart, "tok_visa");
    body["shipping_method"] = json!("express");
    let placed = shop.place("key-totals", &body).await;
    assert_eq!(placed.status, 201, "{}", placed.body);
    assert_eq!(
        (
            &placed.body["subtotal"],
            &placed.body["shipping"],
            &placed.body["tax"],
            &placed.body["total"]
        ),
        (
            &express["subtotal"],
            &express["shipping"],
            &express["tax"],
            &express["total"]
        )
    );
    shop.stop().await;
}
