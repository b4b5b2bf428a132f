//! Moving orders through their life cycle over NATS, legal and illegal moves, and cancelling with restock.

use std::time::Duration;

use platform::{
    contracts::orders::{
        COUNTS, ChargeCounts, CheckoutCounts, OrderCounts, TRANSITION, TransitionRejection,
        TransitionReply, TransitionRequest,
    },
    rpc::RpcError,
    testing::{TestProduct, eventually, owners},
};

use crate::helpers::{Shop, order_body, spawn_shop};

async fn transition(shop: &Shop, number: &str, to: &str) -> TransitionReply {
    let request = TransitionRequest {
        number: number.to_owned(),
        to: to.to_owned(),
        reason: Some("test".to_owned()),
    };
    platform::rpc::call(&shop.client, TRANSITION, &request, Duration::from_secs(5))
        .await
        .unwrap()
}

async fn paid_order(shop: &Shop, sku: &str, key: &str) -> String {
    let cart = shop.new_cart().await;
    shop.add(&cart, sku, 2).await;
    let reply = shop.place(key, &order_body(&cart, "tok_visa")).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["number"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_follow_the_state_machine_and_illegal_moves_are_refused() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("T-1", "10.00", 10)]).await;
    let number = paid_order(&shop, "T-1", "key-life").await;
    for to in ["processing", "shipped", "delivered"] {
        assert!(
            matches!(
                transition(&shop, &number, to).await,
                TransitionReply::Ok { .. }
            ),
            "-> {to}"
        );
    }
    let refused = transition(&shop, &number, "cancelled").await;
    assert!(
        matches!(refused, TransitionReply::Rejected { ref code, .. } if *code == TransitionRejection::IllegalTransition),
        "{refused:?}"
    );
    assert!(
        matches!(transition(&shop, &number, "flying").await, TransitionReply::Rejected { ref code, .. } if *code == TransitionRejection::UnknownState)
    );
    assert!(
        matches!(transition(&shop, "SH-NOPE", "shipped").await, TransitionReply::Rejected { ref code, .. } if *code == TransitionRejection::NotFound)
    );
    // Refunded only through a refund, which records the money.
    let refunded = transition(&shop, &number, "refunded").await;
    assert!(
        matches!(refunded, TransitionReply::Rejected { ref code, ref message } if *code == TransitionRejection::IllegalTransition && message.contains("refund")),
        "{refunded:?}"
    );

    let history: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT h.from_state, h.to_state FROM order_state_history h JOIN orders o ON o.id = h.order_id WHERE o.number = ? ORDER BY h.id",
    )
    .bind(&number)
    .fetch_all(&shop.checkout.pool)
    .await
    .unwrap();
    let states: Vec<&str> = history.iter().map(|(_, to)| to.as_str()).collect();
    assert_eq!(
        states,
        ["pending", "paid", "processing", "shipped", "delivered",]
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_before_shipping_puts_the_sold_units_back_in_stock() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("R-1", "10.00", 10)]).await;
    let number = paid_order(&shop, "R-1", "key-cancel").await;
    eventually("the sale reaches the catalog", || async {
        shop.stock("R-1").await == Some((8, 0))
    })
    .await;
    assert!(matches!(
        transition(&shop, &number, "processing").await,
        TransitionReply::Ok { .. }
    ));
    assert!(matches!(
        transition(&shop, &number, "cancelled").await,
        TransitionReply::Ok { .. }
    ));
    eventually("the units are restocked", || async {
        shop.stock("R-1").await == Some((10, 0))
    })
    .await;
    let settled: bool = sqlx::query_scalar("SELECT stock_settled FROM orders WHERE number = ?")
        .bind(&number)
        .fetch_one(&shop.checkout.pool)
        .await
        .unwrap();
    assert!(settled);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_transition_requests_are_refused_by_field_before_the_database_and_never_echoed() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("W-1", "10.00", 10)]).await;
    let number = paid_order(&shop, "W-1", "key-bad-transition").await;
    let client = &shop.client;
    let send = |request: TransitionRequest| async move {
        platform::rpc::call::<_, TransitionReply>(
            client,
            TRANSITION,
            &request,
            Duration::from_secs(5),
        )
        .await
    };
    for (number, reason, code) in [
        (
            number.clone(),
            "x".repeat(300),
            TransitionRejection::InvalidRequest,
        ),
        (
            number.clone(),
            "y".repeat(900_000),
            TransitionRejection::InvalidRequest,
        ),
        (
            number.clone(),
            "ok\r\nInjected: yes".to_owned(),
            TransitionRejection::InvalidRequest,
        ),
        (
            "sh-1\r\n".to_owned(),
            "fine".to_owned(),
            TransitionRejection::InvalidRequest,
        ),
        (
            "SH-NOSUCH01".to_owned(),
            "fine".to_owned(),
            TransitionRejection::NotFound,
        ),
    ] {
        let reply = send(TransitionRequest {
            number,
            to: "processing".to_owned(),
            reason: Some(reason),
        })
        .await
        .expect("a business answer, not a service failure");
        let TransitionReply::Rejected {
            code: got, message, ..
        } = reply
        else {
            panic!("accepted")
        };
        assert_eq!(got, code, "{message}");
        assert!(message.len() < 200, "{message}");
    }
    // A body that does not parse is a 400 service error naming the field, never the value.
    let raw = shop
        .client
        .request(
            TRANSITION.to_owned(),
            format!(
                r#"{{"number": ["{}"], "to": "shipped"}}"#,
                "z".repeat(900_000)
            )
            .into(),
        )
        .await
        .unwrap();
    let headers = raw.headers.expect("error headers");
    assert_eq!(
        headers.get("Nats-Service-Error-Code").unwrap().as_str(),
        "400"
    );
    let status = headers.get("Nats-Service-Error").unwrap().as_str();
    assert!(status.contains("number") && status.len() < 250, "{status}");
    // The order was never touched.
    let state: String = sqlx::query_scalar("SELECT state FROM orders WHERE number = ?")
        .bind(&number)
        .fetch_one(&shop.checkout.pool)
        .await
        .unwrap();
    assert_eq!(state, "paid");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_see_orders_by_state_and_the_providers_charges_counted() {
    let shop = spawn_shop().await;
    shop.load(vec![TestProduct::new("C-1", "10.00", 10)]).await;
    assert_eq!(
        owners::checkout_counts(&shop.client).await,
        CheckoutCounts::default()
    );
    let shipped = paid_order(&shop, "C-1", "key-shipped").await;
    for to in ["processing", "shipped"] {
        assert!(matches!(
            transition(&shop, &shipped, to).await,
            TransitionReply::Ok { .. }
        ));
    }
    paid_order(&shop, "C-1", "key-paid").await;
    let cart = shop.new_cart().await;
    shop.add(&cart, "C-1", 1).await;
    let declined = shop
        .place("key-declined", &order_body(&cart, "tok_declined"))
        .await;
    assert_eq!(declined.status, 402, "{}", declined.body);

    let counts = owners::checkout_counts(&shop.client).await;
    assert_eq!(
        counts.orders,
        OrderCounts {
            paid: 1,
            shipped: 1,
            payment_failed: 1,
            ..OrderCounts::default()
        }
    );
    assert_eq!(
        counts.charges,
        ChargeCounts {
            succeeded: 2,
            declined: 1,
            voided: 0
        }
    );
    assert_eq!(counts.unconfirmed_stock_releases, 0);
    // A filter the endpoint does not have is refused, not ignored.
    let filtered = platform::rpc::call::<_, CheckoutCounts>(
        &shop.client,
        COUNTS,
        &serde_json::json!({"state": "paid"}),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        matches!(filtered, Err(RpcError::Service { code: 400, .. })),
        "{filtered:?}"
    );
    shop.stop().await;
}
