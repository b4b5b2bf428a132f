//! The happy path, changed prices, missing stock, declined cards, and what reaches the ORDERS stream.

use std::time::Duration;

use platform::{
    contracts::orders::OrderCreated,
    events::Envelope,
    testing::{TestProduct, eventually},
};
use serde_json::json;

use crate::helpers::{Shop, order_body, spawn_shop};

pub(crate) async fn order_events(shop: &Shop) -> Vec<(String, serde_json::Value)> {
    platform::testing::stream_messages(&shop.client, "ORDERS")
        .await
        .iter()
        .map(|message| {
            (
                message.subject.to_string(),
                serde_json::from_slice(&message.payload).unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paid_order_sells_the_stock_converts_the_cart_and_publishes_order_created_once() {
    let shop = spawn_shop().await;
    shop.load(vec![
        TestProduct::new("A-1", "19.99", 10),
        TestProduct::new("B-2", "5.05", 4),
    ])
    .await;
    let cart = shop.new_cart().await;
    assert_eq!(shop.add(&cart, "A-1", 2).await.status, 200);
    assert_eq!(shop.add(&cart, "B-2", 1).await.status, 200);
    assert_eq!(
        shop.add(&cart, "A-1", 1).await.body["items"][0]["quantity"],
        3,
        "adding again adds up"
    );

    let reply = shop
        .place("key-happy", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let order = &reply.body;
    assert_eq!(order["state"], "paid");
    assert_eq!(order["subtotal"], "65.02");
    assert_eq!(order["shipping"], "4.99");
    assert_eq!(order["tax"], "5.20", "8% of 65.02 = 5.2016");
    assert_eq!(order["total"], "75.21");
    assert_eq!(order["lines"].as_array().unwrap().len(), 2);
    let number = order["number"].as_str().unwrap();
    let token = order["lookup_token"].as_str().unwrap();
    assert!(
        order["order_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/orders/{number}?token={token}"))
    );

    // The same key and body: the same response, byte for byte, and no second order.
    let replay = shop
        .place("key-happy", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!((replay.status, &replay.bytes), (201, &reply.bytes));
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 1);

    // Both lines are sold in one commit.
    eventually("the sale reaches the catalog", || async {
        shop.stock("A-1").await == Some((7, 0)) && shop.stock("B-2").await == Some((3, 0))
    })
    .await;
    let cart_state = shop.cart(&cart).await;
    assert_eq!(cart_state["state"], "converted");
    let again = shop
        .place("key-second", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(
        (again.status, again.body["code"].as_str()),
        (409, Some("cart_converted"))
    );

    // The order page opens with the token, and with nothing else.
    let url = format!("{}/api/orders/{number}", shop.checkout.address);
    let found = shop
        .send(shop.http.get(&url).query(&[("token", token)]))
        .await;
    assert_eq!((found.status, &found.body["number"]), (200, &json!(number)));
    assert_eq!(
        shop.send(shop.http.get(&url).query(&[("token", "wrong")]))
            .await
            .status,
        404
    );
    assert_eq!(shop.send(shop.http.get(&url)).await.status, 404);

    eventually("OrderCreated and OrderPaid are published", || async {
        order_events(&shop).await.len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = order_events(&shop).await;
    let created: Vec<Envelope<OrderCreated>> = events
        .iter()
        .filter(|(subject, _)| subject.ends_with(".created"))
        .map(|(_, body)| serde_json::from_value(body.clone()).unwrap())
        .collect();
    assert_eq!(created.len(), 1);
    let created = &created[0].data;
    assert_eq!(
        (created.number.as_str(), created.customer_name.as_str()),
        (number, "Ana Núñez")
    );
    assert_eq!(created.total.to_string(), "75.21");
    assert_eq!(created.lines.len(), 2);
    assert_eq!(created.shipping_address.city, "Springfield");
    assert!(
        events
            .iter()
            .any(|(subject, _)| subject == &format!("orders.{number}.paid"))
    );
    assert!(
        events
            .iter()
            .any(|(subject, _)| subject == &format!("orders.{number}.status_changed"))
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_price_sends_the_shopper_back_to_a_cart_showing_the_new_price() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("P-1", "10.00", 5)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "P-1", 1).await;
    shop.load(vec![TestProduct::new("P-1", "12.50", 5)]).await;

    let flagged = shop.cart(&cart).await;
    assert_eq!(flagged["items"][0]["price_changed"], true);
    assert_eq!(flagged["items"][0]["current_price"], "12.50");

    let reply = shop
        .place("key-price", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(
        (reply.status, reply.body["code"].as_str()),
        (409, Some("price_changed")),
        "{}",
        reply.body
    );
    assert_eq!(reply.body["lines"][0]["old_price"], "10.00");
    assert_eq!(reply.body["lines"][0]["new_price"], "12.50");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(shop.available("P-1").await, 5, "nothing reserved");

    let refreshed = shop.cart(&cart).await;
    assert_eq!(
        (
            refreshed["items"][0]["unit_price"].as_str(),
            refreshed["items"][0]["price_changed"].as_bool()
        ),
        (Some("12.50"), Some(false))
    );
    let placed = shop
        .place("key-price-2", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(placed.status, 201, "{}", placed.body);
    assert_eq!(placed.body["subtotal"], "12.50");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_stock_is_a_409_listing_what_is_available() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("S-1", "3.00", 5)]).await;
    let cart = shop.new_cart().await;
    assert_eq!(shop.add(&cart, "S-1", 4).await.status, 200);
    let too_many = shop.add(&cart, "S-1", 2).await;
    assert_eq!(
        (
            too_many.status,
            too_many.body["lines"][0]["available"].as_u64()
        ),
        (409, Some(5))
    );

    // Someone else buys first.
    let other = shop.new_cart().await;
    shop.add(&other, "S-1", 3).await;
    assert_eq!(
        shop.place("key-other", &order_body(&other, "tok_visa"))
            .await
            .status,
        201
    );

    let flagged = shop.cart(&cart).await;
    assert_eq!(
        (
            flagged["items"][0]["availability_changed"].as_bool(),
            flagged["items"][0]["available"].as_u64()
        ),
        (Some(true), Some(2))
    );
    let reply = shop
        .place("key-short", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(
        (reply.status, reply.body["code"].as_str()),
        (409, Some("out_of_stock")),
        "{}",
        reply.body
    );
    assert_eq!(
        (
            reply.body["lines"][0]["sku"].as_str(),
            reply.body["lines"][0]["available"].as_u64()
        ),
        (Some("S-1"), Some(2))
    );
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM orders").await,
        1,
        "only the other shopper's order"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_card_fails_the_order_and_gives_the_stock_back() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("D-1", "50.00", 2)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "D-1", 2).await;
    let reply = shop
        .place("key-declined", &order_body(&cart, "tok_declined"))
        .await;
    assert_eq!(
        (reply.status, reply.body["code"].as_str()),
        (402, Some("card_declined")),
        "{}",
        reply.body
    );
    assert_eq!(reply.body["field"], "card_token");
    let number = reply.body["order_number"].as_str().unwrap().to_owned();
    let state: String = sqlx::query_scalar("SELECT state FROM orders WHERE number = ?")
        .bind(&number)
        .fetch_one(&shop.checkout.pool)
        .await
        .unwrap();
    assert_eq!(state, "payment_failed");
    eventually("stock is released", || async {
        shop.stock("D-1").await == Some((2, 0))
    })
    .await;
    assert_eq!(
        shop.cart(&cart).await["state"],
        "open",
        "the shopper can try another card"
    );
    let paid = shop
        .place("key-declined-2", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_names_the_field_and_writes_nothing() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("V-1", "1.00", 5)]).await;
    let cart = shop.new_cart().await;
    for (body, field) in [
        (json!({"sku": "V-1", "quantity": 0}), "quantity"),
        (json!({"sku": "V-1", "quantity": 11}), "quantity"),
        (json!({"sku": "v 1", "quantity": 1}), "sku"),
        (json!({"quantity": 1}), "sku"),
        (json!({"sku": "NOPE-1", "quantity": 1}), "sku"),
        (json!({"sku": "V-1", "quantity": 1.5}), "quantity"),
        (json!({"sku": "V-1", "quantity": "2"}), "quantity"),
        (json!({"sku": 12, "quantity": 1}), "sku"),
        (json!([1, 2]), "body"),
    ] {
        let url = format!("{}/api/carts/{cart}/items", shop.checkout.address);
        let reply = shop.send(shop.http.post(url).json(&body)).await;
        assert!(
            (400..500).contains(&reply.status),
            "{body}: {}",
            reply.status
        );
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{body}: {}",
            reply.body
        );
    }
    shop.add(&cart, "V-1", 1).await;
    let mut good = order_body(&cart, "tok_visa");
    for (i, (pointer, value, field)) in [
        ("/email", json!("not-an-email"), "email"),
        ("/customer_name", json!(""), "customer_name"),
        ("/shipping_address/city", json!(""), "shipping_address.city"),
        (
            "/shipping_address/country",
            json!("USA"),
            "shipping_address.country",
        ),
        ("/shipping_method", json!("teleport"), "shipping_method"),
        ("/card_token", json!("4242424242424242"), "card_token"),
        ("/card_token", json!(42), "card_token"),
        (
            "/shipping_address",
            json!("Springfield"),
            "shipping_address",
        ),
        (
            "/shipping_address/line1",
            json!(["1 Main St"]),
            "shipping_address.line1",
        ),
        ("/email", json!("ana\u{0}@example.com"), "email"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = good.clone();
        *body.pointer_mut(pointer).unwrap() = value;
        let key = format!("key-bad-{i}");
        let reply = shop.place(&key, &body).await;
        assert_eq!(reply.status, 400, "{field}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field);
    }
    let url = format!("{}/api/orders", shop.checkout.address);
    let no_key = shop.send(shop.http.post(&url).json(&good)).await;
    assert_eq!(
        (no_key.status, &no_key.body["errors"][0]["field"]),
        (400, &json!("Idempotency-Key"))
    );
    let not_json = shop
        .send(
            shop.http
                .post(&url)
                .header("Idempotency-Key", "k-json")
                .body("{oops"),
        )
        .await;
    assert_eq!(
        (not_json.status, &not_json.body["errors"][0]["field"]),
        (400, &json!("body"))
    );
    // A big value is refused without being echoed back, and a body past the limit is not even read.
    let mut big = good.clone();
    big["customer_name"] = json!(["x".repeat(50_000)]);
    let reply = shop.place("key-big", &big).await;
    assert_eq!(reply.status, 400);
    assert!(reply.bytes.len() < 1_000, "{} bytes", reply.bytes.len());
    big["customer_name"] = json!(["x".repeat(900_000)]);
    let reply = shop.place("key-huge", &big).await;
    assert_eq!((reply.status, &reply.body["status"]), (413, &json!(413)));
    good["cart_token"] = json!("no-such-cart");
    assert_eq!(shop.place("key-no-cart", &good).await.status, 404);
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(shop.available("V-1").await, 5, "nothing reserved");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_keys_and_order_numbers_match_exactly_not_by_case_or_width() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("X-1", "3.00", 10)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "X-1", 1).await;
    let upper = cart.to_uppercase();
    assert_ne!(upper, cart);
    let url = format!("{}/api/carts/{upper}", shop.checkout.address);
    assert_eq!(shop.send(shop.http.get(url)).await.status, 404);

    let reply = shop
        .place("Key-Case", &order_body(&cart, "tok_declined"))
        .await;
    assert_eq!(reply.status, 402);
    // A key that differs only in case is another key: a new attempt, not a replay of the first.
    let other = shop.place("key-case", &order_body(&cart, "tok_visa")).await;
    assert_eq!(other.status, 201, "{}", other.body);

    let number = other.body["number"].as_str().unwrap();
    let token = other.body["lookup_token"].as_str().unwrap();
    for (number, token) in [
        (number.to_lowercase(), token.to_owned()),
        (number.to_owned(), token.to_uppercase()),
    ] {
        let url = format!(
            "{}/api/orders/{number}?token={token}",
            shop.checkout.address
        );
        assert_eq!(shop.send(shop.http.get(url)).await.status, 404);
    }
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_variants_of_one_product_are_two_lines_named_with_their_options() {
    use catalog::domain::{NewVariant, Sku};

    let shop = spawn_shop().await;
    let size = |sku: &str, value: &str, units: u32| NewVariant {
        sku: Sku::parse(sku).unwrap(),
        option_values: vec![value.to_owned()],
        price: "30.00".parse().unwrap(),
        initial_stock: units,
    };
    let tee =
        catalog::testing::new_product(TestProduct::new("TEE", "30.00", 0).named("Tee", "Acme"))
            .with_variants(
                vec!["size".to_owned()],
                vec![size("TEE-S", "S", 3), size("TEE-M", "M", 3)],
            )
            .unwrap();
    catalog::testing::load(&shop.catalog.pool, vec![tee]).await;
    let cart = shop.new_cart().await;
    assert_eq!(shop.add(&cart, "TEE-S", 1).await.status, 200);
    let added = shop.add(&cart, "TEE-M", 2).await;
    assert_eq!(added.status, 200, "{}", added.body);
    let names: Vec<&str> = added.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Tee — S") && names.contains(&"Tee — M"),
        "{names:?}"
    );

    let reply = shop
        .place("key-variants", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["subtotal"], "90.00");
    assert_eq!(reply.body["lines"].as_array().unwrap().len(), 2);
    eventually("each variant's stock is sold", || async {
        shop.stock("TEE-S").await == Some((2, 0)) && shop.stock("TEE-M").await == Some((1, 0))
    })
    .await;
    shop.stop().await;
}
