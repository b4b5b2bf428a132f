//! Promotions' uses are counted with the order, atomically: a promotion or a code at its limit refuses the
//! next order however many race for the last use, a customer's limit holds, and a released order gives its
//! use back.

use checkout::db::promotions::{Redemption, Refusal, redeem, release};
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use crate::helpers::spawn_shop;

async fn promotion(
    pool: &sqlx::MySqlPool,
    max_uses: Option<u32>,
    per_customer: Option<u32>,
) -> u64 {
    let id = sqlx::query(
        "INSERT INTO promotions (name, kind, value, max_uses, max_uses_per_customer) \
         VALUES ('Ten off', 'amount_off', 10, ?, ?)",
    )
    .bind(max_uses)
    .bind(per_customer)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_id();
    sqlx::query("INSERT INTO promotion_codes (code, promotion_id, max_uses) VALUES (?, ?, NULL)")
        .bind(format!("CODE-{id}"))
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    id
}

fn customer(email: &str) -> [u8; 32] {
    Sha256::digest(email.as_bytes()).into()
}

/// One order's transaction redeeming the promotion; committed when counted.
async fn order(
    pool: &sqlx::MySqlPool,
    promotion_id: u64,
    code: Option<&str>,
    number: &str,
    email: &str,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await.unwrap();
    let outcome = redeem(
        &mut tx,
        &Redemption {
            promotion_id,
            name: "Test",
            code,
            order_number: number,
            customer_key: customer(email),
            email_key: customer(email),
            amount: Decimal::TEN,
            shipping: Decimal::ZERO,
        },
    )
    .await
    .unwrap();
    match outcome {
        Ok(()) => tx.commit().await.unwrap(),
        Err(_) => tx.rollback().await.unwrap(),
    }
    outcome
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_orders_racing_for_the_last_three_uses_get_exactly_three() {
    let shop = spawn_shop().await;
    let pool = &shop.checkout.pool;
    let id = promotion(pool, Some(3), None).await;
    let code = format!("CODE-{id}");
    let racers = (0..200).map(|i| {
        let code = code.clone();
        async move {
            order(
                pool,
                id,
                Some(&code),
                &format!("SH-R{i}"),
                &format!("s{i}@example.com"),
            )
            .await
        }
    });
    let outcomes = futures::future::join_all(racers).await;
    assert_eq!(outcomes.iter().filter(|outcome| outcome.is_ok()).count(), 3);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(Refusal::UsedUp)))
    );
    let (uses, held): (u32, i64) = sqlx::query_as(
        "SELECT p.uses, (SELECT COUNT(*) FROM redemptions r WHERE r.promotion_id = p.id AND r.state = 'held') \
         FROM promotions p WHERE p.id = ?",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((uses, held), (3, 3));

    // A failed order gives its use back, once however often it is released.
    let winner: String = sqlx::query_scalar(
        "SELECT order_number FROM redemptions WHERE promotion_id = ? ORDER BY id LIMIT 1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    for _ in 0..2 {
        let mut tx = pool.begin().await.unwrap();
        release(&mut tx, &winner).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        order(pool, id, Some(&code), "SH-LATE", "late@example.com").await,
        Ok(())
    );
    assert_eq!(
        order(pool, id, Some(&code), "SH-LATER", "later@example.com").await,
        Err(Refusal::UsedUp)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_single_use_code_and_a_per_customer_limit_hold_under_concurrency() {
    let shop = spawn_shop().await;
    let pool = &shop.checkout.pool;
    let id = promotion(pool, None, Some(1)).await;
    sqlx::query(
        "INSERT INTO promotion_codes (code, promotion_id, max_uses) VALUES ('ONCE-ONLY', ?, 1)",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    let racers = (0..50).map(|i| async move {
        order(
            pool,
            id,
            Some("ONCE-ONLY"),
            &format!("SH-C{i}"),
            &format!("c{i}@example.com"),
        )
        .await
    });
    let outcomes = futures::future::join_all(racers).await;
    assert_eq!(outcomes.iter().filter(|outcome| outcome.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(Refusal::CodeUsedUp)))
    );

    // One customer, ten orders at once with the shared code: one counts.
    let code = format!("CODE-{id}");
    let same = (0..10).map(|i| {
        let code = code.clone();
        async move {
            order(
                pool,
                id,
                Some(&code),
                &format!("SH-S{i}"),
                "ann@example.com",
            )
            .await
        }
    });
    let outcomes = futures::future::join_all(same).await;
    assert_eq!(outcomes.iter().filter(|outcome| outcome.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(Refusal::CustomerLimit)))
    );
    let uses: u32 = sqlx::query_scalar("SELECT uses FROM promotions WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(uses, 2, "the refused orders counted nothing");
}

// ---- Shoppers: codes on carts, the totals and place-order --------------------------------------------------

mod shoppers {
    use platform::{
        contracts::{
            orders_admin::{Action, RefundLine, RefundOf},
            promotions_admin::PromotionDetail,
        },
        testing::TestProduct,
    };
    use rust_decimal::Decimal;
    use serde_json::{Value, json};
    use uuid::Uuid;

    use crate::{
        admin_orders::{act, get, ok},
        helpers::{Reply, Shop, order_body, spawn_shop},
    };

    fn money(text: &str) -> Value {
        Value::from(text)
    }

    /// A promotion with `code`, written as the admin writes it; its id.
    async fn code(shop: &Shop, code: &str, columns: &str, values: &str) -> u64 {
        let pool = &shop.checkout.pool;
        let sql =
            format!("INSERT INTO promotions (name, {columns}) VALUES ('Promo {code}', {values})");
        let id = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap()
            .last_insert_id();
        sqlx::query("INSERT INTO promotion_codes (code, promotion_id) VALUES (?, ?)")
            .bind(code)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        id
    }

    async fn apply(shop: &Shop, cart: &str, code: &str) -> Reply {
        let url = format!("{}/api/carts/{cart}/coupon", shop.checkout.address);
        shop.send(shop.http.put(url).json(&json!({ "code": code })))
            .await
    }

    async fn totals(shop: &Shop, cart: &str, method: &str) -> Value {
        let url = format!(
            "{}/api/carts/{cart}/totals?shipping_method={method}",
            shop.checkout.address
        );
        let reply = shop.send(shop.http.get(url)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    }

    async fn uses(shop: &Shop, id: u64) -> u32 {
        sqlx::query_scalar("SELECT uses FROM promotions WHERE id = ?")
            .bind(id)
            .fetch_one(&shop.checkout.pool)
            .await
            .unwrap()
    }

    async fn cart_with(shop: &Shop, lines: &[(&str, i64)]) -> String {
        let cart = shop.new_cart().await;
        for (sku, units) in lines {
            let added = shop.add(&cart, sku, *units).await;
            assert_eq!(added.status, 200, "{}", added.body);
        }
        cart
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_code_shows_in_the_cart_and_totals_and_the_order_charges_exactly_that() {
        let shop = spawn_shop().await;
        shop.load(vec![
            TestProduct::new("A-1", "19.99", 50),
            TestProduct {
                brand: "Zest".to_owned(),
                ..TestProduct::new("B-1", "0.05", 50)
            },
        ])
        .await;
        let id = code(&shop, "WELCOME10", "kind, value", "'percent_off', 10").await;
        // Free shipping for every basket, automatically.
        sqlx::query(
            "INSERT INTO promotions (name, kind, automatic, min_subtotal) VALUES ('Free shipping', 'free_shipping', TRUE, 50)",
        )
        .execute(&shop.checkout.pool)
        .await
        .unwrap();
        let cart = cart_with(&shop, &[("A-1", 3), ("B-1", 1)]).await;

        // Any case, spaces around.
        let applied = apply(&shop, &cart, "  welcome10 ").await;
        assert_eq!(applied.status, 200, "{}", applied.body);
        assert_eq!(
            applied.body["coupon"],
            json!({"code": "WELCOME10", "applies": true, "reason": null})
        );
        assert_eq!(applied.body["discount"], money("6.01"));
        assert_eq!(shop.cart(&cart).await["coupon"]["code"], "WELCOME10");

        // 10% of 59.97 = 6.00, of 0.05 = 0.01; shipping free over 50; 8% tax on 54.01.
        let shown = totals(&shop, &cart, "express").await;
        assert_eq!(shown["subtotal"], money("60.02"));
        assert_eq!(shown["discount"], money("6.01"));
        assert_eq!(shown["shipping"], money("0.00"));
        assert_eq!(shown["tax"], money("4.32"));
        assert_eq!(shown["total"], money("58.33"));
        assert_eq!(
            shown["discounts"],
            json!([
                {"name": "Promo WELCOME10", "code": "WELCOME10", "amount": "6.01", "shipping": "0.00"},
                {"name": "Free shipping", "code": null, "amount": "0.00", "shipping": "14.99"},
            ])
        );

        // A stale total is refused, nothing charged; the shown one places the order.
        let mut body = order_body(&cart, "tok_visa");
        body["shipping_method"] = json!("express");
        body["expected_total"] = json!("60.00");
        let stale = shop.place(&Uuid::new_v4().to_string(), &body).await;
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert_eq!(stale.body["code"], "total_changed");
        assert_eq!(stale.body["total"], money("58.33"));
        assert_eq!(uses(&shop, id).await, 0);
        body["expected_total"] = shown["total"].clone();
        let placed = shop.place(&Uuid::new_v4().to_string(), &body).await;
        assert_eq!(placed.status, 201, "{}", placed.body);
        let order = &placed.body;
        assert_eq!(order["total"], money("58.33"));
        assert_eq!(order["discount"], money("6.01"));
        assert_eq!(order["shipping"], money("0.00"));
        assert_eq!(order["discounts"], shown["discounts"]);
        assert_eq!(order["lines"][0]["discount"], money("6.00"));
        assert_eq!(order["lines"][1]["discount"], money("0.01"));
        assert_eq!(uses(&shop, id).await, 1);

        // The event says it too.
        let number = order["number"].as_str().unwrap();
        let payload: Vec<u8> = sqlx::query_scalar("SELECT payload FROM outbox WHERE subject = ?")
            .bind(format!("orders.{number}.created"))
            .fetch_one(&shop.checkout.pool)
            .await
            .unwrap();
        let event: Value = serde_json::from_slice::<Value>(&payload).unwrap()["data"].clone();
        assert_eq!(event["discount"], money("6.01"));
        assert_eq!(event["discounts"], shown["discounts"]);
        assert_eq!(event["lines"][0]["discount"], money("6.00"));

        // A refund of one of the three A-1 gives back what it cost after its share of the discount:
        // 19.99 - 2.00.
        let admin = shop.nats.connect_as("admin").await;
        let detail = get(&admin, number).await;
        let refunded = ok(act(
            &admin,
            number,
            detail.version,
            Action::Refund {
                refund: RefundOf::Lines(vec![RefundLine {
                    sku: "A-1".to_owned(),
                    quantity: 1,
                }]),
                reason: "broken".to_owned(),
            },
        )
        .await);
        assert_eq!(refunded.refunded, "17.99".parse::<Decimal>().unwrap());

        // The admin's figures: one use, what it took off, and what the order brought net of the refund.
        let detail: platform::contracts::admin::AdminReply<PromotionDetail> =
            crate::admin_orders::call(
                &admin,
                platform::contracts::promotions_admin::PROMOTIONS_GET,
                &platform::contracts::promotions_admin::GetPromotion { id },
            )
            .await;
        let platform::contracts::admin::AdminReply::Ok(detail) = detail else {
            panic!("{detail:?}");
        };
        assert_eq!(detail.stats.uses, 1);
        assert_eq!(detail.stats.discount, "6.01".parse::<Decimal>().unwrap());
        assert_eq!(
            detail.stats.revenue,
            "58.33".parse::<Decimal>().unwrap() - "17.99".parse::<Decimal>().unwrap()
        );
        shop.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_code_that_does_not_apply_says_why_and_leaves_the_cart_as_it_was() {
        let shop = spawn_shop().await;
        shop.load(vec![TestProduct::new("A-1", "10.00", 50)]).await;
        code(
            &shop,
            "OLD",
            "kind, value, ends_at",
            "'amount_off', 5, '2020-01-01'",
        )
        .await;
        code(
            &shop,
            "BIG",
            "kind, value, min_subtotal",
            "'amount_off', 5, 50",
        )
        .await;
        code(
            &shop,
            "GONE",
            "kind, value, max_uses, uses",
            "'amount_off', 5, 1, 1",
        )
        .await;
        code(
            &shop,
            "PAUSED",
            "kind, value, state",
            "'amount_off', 5, 'paused'",
        )
        .await;
        code(
            &shop,
            "ZEST",
            "kind, value, scope",
            "'percent_off', 5, 'brands'",
        )
        .await;
        let cart = cart_with(&shop, &[("A-1", 1)]).await;

        for (typed, reason) in [
            ("nope-nope", "this code does not exist"),
            ("old", "this code has expired"),
            ("big", "spend at least 50.00 to use this code"),
            ("gone", "this code has been used up"),
            ("paused", "this code is not active"),
            ("zest", "nothing in the cart qualifies for this code"),
        ] {
            let refused = apply(&shop, &cart, typed).await;
            assert_eq!(refused.status, 422, "{typed}: {}", refused.body);
            assert_eq!(refused.body["code"], "coupon_refused");
            assert_eq!(
                refused.body["errors"],
                json!([{"field": "code", "reason": reason}]),
                "{typed}"
            );
        }
        for malformed in ["x", "no spaces", "ü-ber", &"X".repeat(41)] {
            let refused = apply(&shop, &cart, malformed).await;
            assert_eq!(refused.status, 400, "{malformed}: {}", refused.body);
            assert_eq!(refused.body["errors"][0]["field"], "code");
        }
        let missing = shop
            .send(
                shop.http
                    .put(format!("{}/api/carts/{cart}/coupon", shop.checkout.address))
                    .json(&json!({})),
            )
            .await;
        assert_eq!(missing.status, 400, "{}", missing.body);
        assert_eq!(shop.cart(&cart).await["coupon"], Value::Null);

        // Applied while it fits, then the cart changes: the code stays, says why, and place-order refuses it.
        let cart = cart_with(&shop, &[("A-1", 5)]).await;
        assert_eq!(apply(&shop, &cart, "BIG").await.status, 200);
        let url = format!("{}/api/carts/{cart}/items/A-1", shop.checkout.address);
        let fewer = shop
            .send(shop.http.put(url).json(&json!({"quantity": 2})))
            .await;
        assert_eq!(fewer.status, 200);
        assert_eq!(
            fewer.body["coupon"],
            json!({"code": "BIG", "applies": false, "reason": "spend at least 50.00 to use this code"})
        );
        assert_eq!(fewer.body["discount"], money("0.00"));
        let refused = shop
            .place(&Uuid::new_v4().to_string(), &order_body(&cart, "tok_visa"))
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.body["code"], "coupon_refused");
        assert_eq!(shop.cart(&cart).await["state"], "open");
        // Taken off, the order goes through at list price.
        let url = format!("{}/api/carts/{cart}/coupon", shop.checkout.address);
        let removed = shop.send(shop.http.delete(url)).await;
        assert_eq!(removed.status, 200);
        assert_eq!(removed.body["coupon"], Value::Null);
        let placed = shop
            .place(&Uuid::new_v4().to_string(), &order_body(&cart, "tok_visa"))
            .await;
        assert_eq!(placed.status, 201, "{}", placed.body);
        assert_eq!(placed.body["discounts"], json!([]));
        shop.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn buyers_racing_for_the_last_uses_get_exactly_that_many_and_the_rest_409() {
        let shop = spawn_shop().await;
        shop.load(vec![TestProduct::new("A-1", "10.00", 1000)])
            .await;
        let id = code(
            &shop,
            "LAST3",
            "kind, value, max_uses",
            "'amount_off', 1, 3",
        )
        .await;
        const BUYERS: usize = 60;
        let mut carts = Vec::new();
        for _ in 0..BUYERS {
            let cart = cart_with(&shop, &[("A-1", 1)]).await;
            assert_eq!(apply(&shop, &cart, "last3").await.status, 200);
            carts.push(cart);
        }
        let shop = std::sync::Arc::new(shop);
        let orders = carts.into_iter().enumerate().map(|(i, cart)| {
            let shop = shop.clone();
            tokio::spawn(async move {
                let mut body = order_body(&cart, "tok_visa");
                body["email"] = json!(format!("buyer{i}@example.com"));
                shop.place(&Uuid::new_v4().to_string(), &body).await
            })
        });
        let mut statuses = Vec::new();
        for reply in futures::future::join_all(orders).await {
            let reply = reply.unwrap();
            if reply.status == 409 {
                assert_eq!(reply.body["code"], "promotion_used_up", "{}", reply.body);
            }
            statuses.push(reply.status);
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            3,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            BUYERS - 3,
            "{statuses:?}"
        );
        assert_eq!(uses(&shop, id).await, 3);
        assert_eq!(
            shop.count("SELECT COUNT(*) FROM redemptions WHERE state = 'held'")
                .await,
            3
        );
        // The losers' stock went back.
        platform::testing::eventually("the losers' stock back", async || {
            shop.available("A-1").await == 997
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_declined_payment_or_a_cancelled_order_gives_the_use_back() {
        let shop = spawn_shop().await;
        shop.load(vec![TestProduct::new("A-1", "10.00", 50)]).await;
        let id = code(&shop, "ONCE", "kind, value, max_uses", "'amount_off', 2, 1").await;

        let cart = cart_with(&shop, &[("A-1", 1)]).await;
        assert_eq!(apply(&shop, &cart, "ONCE").await.status, 200);
        let declined = shop
            .place(
                &Uuid::new_v4().to_string(),
                &order_body(&cart, "tok_declined"),
            )
            .await;
        assert_eq!(declined.status, 402, "{}", declined.body);
        assert_eq!(uses(&shop, id).await, 0, "a failed payment holds no use");

        let placed = shop
            .place(&Uuid::new_v4().to_string(), &order_body(&cart, "tok_visa"))
            .await;
        assert_eq!(placed.status, 201, "{}", placed.body);
        assert_eq!(uses(&shop, id).await, 1);
        let other = cart_with(&shop, &[("A-1", 1)]).await;
        let used_up = apply(&shop, &other, "ONCE").await;
        assert_eq!(used_up.status, 422);
        assert_eq!(
            used_up.body["errors"][0]["reason"],
            "this code has been used up"
        );

        let admin = shop.nats.connect_as("admin").await;
        let number = placed.body["number"].as_str().unwrap();
        let detail = get(&admin, number).await;
        ok(act(
            &admin,
            number,
            detail.version,
            Action::Cancel {
                reason: "changed their mind".to_owned(),
            },
        )
        .await);
        assert_eq!(uses(&shop, id).await, 0, "cancelled before shipping");
        assert_eq!(apply(&shop, &other, "ONCE").await.status, 200);
        shop.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_per_customer_limit_counts_the_account_and_its_email_as_one_shopper() {
        let shop = spawn_shop().await;
        shop.load(vec![TestProduct::new("A-1", "10.00", 50)]).await;
        let id = code(
            &shop,
            "ONCEEACH",
            "kind, value, max_uses_per_customer",
            "'amount_off', 1, 1",
        )
        .await;
        // (account, email, expected status)
        let attempts = [
            (Some("c-ana"), "ana@example.com", 201),
            (None, "ANA@example.com", 409),
            (Some("c-ana"), "ana.work@example.com", 409),
            (None, "bo@example.com", 201),
        ];
        for (account, email, expected) in attempts {
            let cart = cart_with(&shop, &[("A-1", 1)]).await;
            if let Some(account) = account {
                sqlx::query("UPDATE carts SET customer_id = ? WHERE token = ?")
                    .bind(account)
                    .bind(&cart)
                    .execute(&shop.checkout.pool)
                    .await
                    .unwrap();
            }
            assert_eq!(apply(&shop, &cart, "onceeach").await.status, 200);
            let mut body = order_body(&cart, "tok_visa");
            body["email"] = json!(email);
            let reply = shop.place(&Uuid::new_v4().to_string(), &body).await;
            assert_eq!(
                reply.status, expected,
                "{account:?} {email}: {}",
                reply.body
            );
            if expected == 409 {
                assert_eq!(reply.body["code"], "promotion_used_up");
                assert_eq!(
                    reply.body["detail"],
                    "this code was already used; nothing was charged"
                );
            }
        }
        assert_eq!(uses(&shop, id).await, 2);
        shop.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_first_order_code_is_refused_to_an_email_that_has_ordered() {
        let shop = spawn_shop().await;
        shop.load(vec![TestProduct::new("A-1", "10.00", 50)]).await;
        code(
            &shop,
            "FIRST",
            "kind, value, first_order_only",
            "'amount_off', 2, TRUE",
        )
        .await;
        for (email, expected) in [("new@example.com", 201), ("NEW@example.com", 422)] {
            let cart = cart_with(&shop, &[("A-1", 1)]).await;
            // The cart does not know the email yet: the code applies there.
            assert_eq!(apply(&shop, &cart, "first").await.status, 200);
            let mut body = order_body(&cart, "tok_visa");
            body["email"] = json!(email);
            let reply = shop.place(&Uuid::new_v4().to_string(), &body).await;
            assert_eq!(reply.status, expected, "{email}: {}", reply.body);
            if expected == 422 {
                assert_eq!(
                    reply.body["errors"],
                    json!([{"field": "code", "reason": "this code is for a first order only"}])
                );
            } else {
                assert_eq!(reply.body["discount"], money("2.00"));
            }
        }
        shop.stop().await;
    }
}
