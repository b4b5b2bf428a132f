//! One cart, one paid order: concurrent attempts on one cart with keys of their own, shoppers who hang up and
//! retry with their key, the cap on payment attempts, and lines changed concurrently. (A checkout process killed
//! mid-flow is `system-tests`' `crashes`.)

use std::time::Duration;

use futures::future::join_all;
use platform::testing::{TestProduct, eventually};

use crate::helpers::{Shop, checkout_config, order_body, spawn_shop, spawn_shop_with};

async fn succeeded_charges(shop: &Shop) -> i64 {
    shop.count("SELECT COUNT(*) FROM mockpay_charges WHERE state = 'succeeded'")
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_concurrent_attempts_on_one_cart_with_keys_of_their_own_pay_once() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("ONE-1", "12.00", 100)])
        .await;
    let cart = shop.new_cart().await;
    assert_eq!(shop.add(&cart, "ONE-1", 2).await.status, 200);
    let body = order_body(&cart, "tok_visa");
    let replies = join_all((0..20).map(|i| {
        let (shop, body) = (&shop, &body);
        async move { shop.place(&format!("tab-{i}"), body).await }
    }))
    .await;

    let created = replies.iter().filter(|reply| reply.status == 201).count();
    let refused: Vec<_> = replies
        .iter()
        .filter(|reply| reply.status != 201)
        .map(|reply| {
            (
                reply.status,
                reply.body["code"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    assert_eq!(created, 1, "one order is paid; the others: {refused:?}");
    assert!(
        refused.iter().all(|(status, code)| *status == 409
            && (code == "checkout_in_progress" || code == "cart_converted")),
        "every other attempt is told why, and charged nothing: {refused:?}"
    );
    assert!(
        replies
            .iter()
            .filter(|reply| reply.body["code"] == "checkout_in_progress")
            .all(|reply| reply.retry_after.is_some())
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 1);
    assert_eq!(succeeded_charges(&shop).await, 1);
    eventually("two units are sold, no more", || async {
        shop.stock("ONE-1").await == Some((98, 0))
    })
    .await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn payment_attempts_per_cart_are_capped_with_a_429_that_charges_nothing() {
    let shop = spawn_shop_with(checkout::config::Config {
        payment_attempts_per_cart: 3,
        ..checkout_config()
    })
    .await;
    shop.load(vec![TestProduct::new("CAP-1", "5.00", 10)]).await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "CAP-1", 1).await;
    for attempt in 0..3 {
        let reply = shop
            .place(
                &format!("declined-{attempt}"),
                &order_body(&cart, "tok_declined"),
            )
            .await;
        assert_eq!(reply.status, 402, "{}", reply.body);
    }
    let capped = shop.place("fourth", &order_body(&cart, "tok_visa")).await;
    assert_eq!(
        (capped.status, capped.body["code"].as_str()),
        (429, Some("too_many_attempts")),
        "{}",
        capped.body
    );
    let wait: u64 = capped.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "Retry-After {wait}");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 3);
    assert_eq!(succeeded_charges(&shop).await, 0);
    // Not final for its key: the same request may be sent again once the window allows it.
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key = 'fourth'")
            .await,
        0
    );
    assert_eq!(shop.cart(&cart).await["state"], "open");
    eventually("the stock is back", || async {
        shop.stock("CAP-1").await == Some((10, 0))
    })
    .await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_concurrent_plus_ones_on_one_line_each_add_exactly_one_unit() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("INC-1", "1.00", 100)])
        .await;
    let cart = shop.new_cart().await;
    let replies = join_all((0..20).map(|_| shop.add(&cart, "INC-1", 1))).await;
    let added = replies.iter().filter(|reply| reply.status == 200).count();
    let capped = replies
        .iter()
        .filter(|reply| reply.status == 400 && reply.body["errors"][0]["field"] == "quantity")
        .count();
    assert_eq!(
        (added, capped),
        (10, 10),
        "ten fit in a line, ten are refused"
    );
    assert_eq!(shop.cart(&cart).await["items"][0]["quantity"], 10);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_line_cap_holds_when_new_lines_arrive_at_once() {
    let shop = spawn_shop().await;
    shop.load(
        (0..60)
            .map(|i| TestProduct::new(&format!("LINE-{i}"), "1.00", 5))
            .collect(),
    )
    .await;
    let cart = shop.new_cart().await;
    for i in 0..45 {
        assert_eq!(shop.add(&cart, &format!("LINE-{i}"), 1).await.status, 200);
    }
    let replies = join_all((45..60).map(|i| {
        let (shop, cart) = (&shop, &cart);
        async move { shop.add(cart, &format!("LINE-{i}"), 1).await }
    }))
    .await;
    let added = replies.iter().filter(|reply| reply.status == 200).count();
    assert_eq!(added, 5, "five more lines fit");
    assert!(
        replies
            .iter()
            .filter(|reply| reply.status != 200)
            .all(|reply| reply.status == 400 && reply.body["errors"][0]["field"] == "sku")
    );
    assert_eq!(
        shop.cart(&cart).await["items"].as_array().unwrap().len(),
        50
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_being_checked_out_cannot_change_and_says_so() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("HOLD-1", "3.00", 10)])
        .await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "HOLD-1", 1).await;
    // An attempt holds the cart (as during a payment).
    sqlx::query(
        "UPDATE carts SET state = 'checking_out', checkout_order = 'SH-HOLDING1', \
         checkout_until = CURRENT_TIMESTAMP(6) + INTERVAL 30 SECOND WHERE token = ?",
    )
    .bind(&cart)
    .execute(&shop.checkout.pool)
    .await
    .unwrap();
    let add = shop.add(&cart, "HOLD-1", 1).await;
    assert_eq!(
        (add.status, add.body["code"].as_str()),
        (409, Some("checkout_in_progress"))
    );
    assert!(add.retry_after.is_some());
    let other = shop
        .place("other-tab", &order_body(&cart, "tok_visa"))
        .await;
    assert_eq!(
        (other.status, other.body["code"].as_str()),
        (409, Some("checkout_in_progress"))
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, 0);
    shop.stop().await;
}

/// Sends the place-order request with `key` until it has a final answer, hanging up on each of the first tries
/// after `cuts[try]` milliseconds (the server finishes the work; only the answer is lost).
async fn place_until_final(
    shop: &Shop,
    key: &str,
    body: &serde_json::Value,
    cuts: &[u64],
) -> (u16, serde_json::Value) {
    let url = format!("{}/api/orders", shop.checkout.address);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    for attempt in 0..100 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{key}: no final answer after two minutes"
        );
        let mut request = shop
            .http
            .post(&url)
            .header("Idempotency-Key", key)
            .json(body);
        if let Some(cut) = cuts.get(attempt) {
            request = request.timeout(Duration::from_millis(*cut));
        }
        let Ok(response) = request.send().await else {
            continue;
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        let Ok(bytes) = response.bytes().await else {
            continue;
        };
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if status == 503 || (status == 409 && body["code"] == "in_progress") {
            tokio::time::sleep(Duration::from_millis(200 * retry_after.unwrap_or(1).min(2))).await;
            continue;
        }
        return (status, body);
    }
    panic!("{key}: no final answer after 100 tries")
}

#[tokio::test(flavor = "multi_thread")]
async fn shoppers_who_hang_up_and_retry_with_their_key_pay_each_cart_exactly_once() {
    // Short leases so that a retry takes over quickly from a request that is slow to answer, but the reconciler's
    // patience well above what a request takes on a loaded machine.
    let shop = spawn_shop_with(checkout::config::Config {
        attempt_lease: Duration::from_secs(1),
        abandoned_after: Duration::from_secs(20),
        reconcile_every: Duration::from_millis(300),
        ..checkout_config()
    })
    .await;
    shop.load(vec![TestProduct::new("DIE-1", "8.00", 1000)])
        .await;
    let mut carts = Vec::new();
    for _ in 0..30 {
        let cart = shop.new_cart().await;
        assert_eq!(shop.add(&cart, "DIE-1", 1).await.status, 200);
        carts.push(cart);
    }
    // Each shopper's first tries are cut at different points of the flow; the last try waits for its answer.
    let answers = join_all(carts.iter().enumerate().map(|(i, cart)| {
        let shop = &shop;
        async move {
            let cuts = [1 + (i as u64 * 7) % 40, 5 + (i as u64 * 13) % 60, 2];
            let body = order_body(cart, "tok_visa");
            place_until_final(shop, &format!("shopper-{i}"), &body, &cuts).await
        }
    }))
    .await;
    let finals: Vec<_> = answers
        .iter()
        .map(|(status, body)| (*status, body["code"].as_str().unwrap_or("").to_owned()))
        .filter(|(status, _)| *status != 201)
        .collect();
    assert!(
        finals.is_empty(),
        "every shopper's own key ends with their order: {finals:?}"
    );
    let numbers: std::collections::HashSet<_> = answers
        .iter()
        .map(|(_, body)| body["number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(numbers.len(), 30);

    // Whatever was left pending is finished by the reconciler; then every cart has exactly one paid order
    // and every charge belongs to a paid order.
    eventually("no order is left pending", || async {
        shop.count("SELECT COUNT(*) FROM orders WHERE state = 'pending'")
            .await
            == 0
    })
    .await;
    assert_eq!(
        shop.count(
            "SELECT COUNT(*) FROM (SELECT cart_id FROM orders WHERE state = 'paid' \
             GROUP BY cart_id HAVING COUNT(*) > 1) twice"
        )
        .await,
        0
    );
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM orders WHERE state = 'paid'")
            .await,
        30
    );
    assert_eq!(succeeded_charges(&shop).await, 30);
    eventually("exactly thirty units are sold, none held", || async {
        shop.stock("DIE-1").await == Some((970, 0))
    })
    .await;
    // The shopper sees the order their key paid for.
    for ((_, body), cart) in answers.iter().zip(&carts) {
        let number = body["number"].as_str().unwrap();
        let token = body["lookup_token"].as_str().unwrap();
        let url = format!(
            "{}/api/orders/{number}?token={token}",
            shop.checkout.address
        );
        let order = shop.send(shop.http.get(url)).await;
        assert_eq!(
            (order.status, order.body["state"].as_str()),
            (200, Some("paid"))
        );
        assert_eq!(shop.cart(cart).await["state"], "converted");
    }
    let add = shop.add(&carts[0], "DIE-1", 1).await;
    assert_eq!(add.status, 409);
    shop.stop().await;
}
