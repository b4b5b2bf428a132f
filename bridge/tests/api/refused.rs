//! What the bridge refuses to forward: anything on its subjects that is not a valid order event of a type and
//! version it knows, with a well-formed order number matching its subject. Such an event ends in the dead
//! letters, with the reason, and never in SQS.

use std::time::Duration;

use chrono::Utc;
use platform::{
    consumer::HEADER_REASON,
    contracts::orders::{OrderCancelled, OrderPaid, OrderStatusChanged},
    events::Envelope,
    testing::order_number,
};
use serde_json::{Value, json};

use crate::helpers::{
    World, config, distinct_event_ids, order_created, spawn_bridge, string_attribute,
};

/// The reason of the dead letter the bridge wrote for a message published on `subject`.
async fn dead_letter_reason(world: &World, subject: &str) -> String {
    let dead_letters = world.jetstream.get_stream("DEADLETTER").await.unwrap();
    let wanted = format!("deadletter.bridge.{subject}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(message) = dead_letters.get_last_raw_message_by_subject(&wanted).await {
            return message
                .headers
                .get(HEADER_REASON)
                .unwrap()
                .as_str()
                .to_owned();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no dead letter on {wanted}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A valid OrderCreated for `number`, as JSON to tamper with.
fn order_created_json(number: &str) -> Value {
    serde_json::to_value(order_created(number)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_event_with_cr_lf_in_its_order_number_is_dead_lettered_and_never_reaches_sqs() {
    let world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, config(&name)).await;

    // A whole, valid OrderCreated but for a number that would break SQS group ids and attributes.
    let forged_subject = format!("orders.{}.created", order_number());
    let mut forged = order_created_json("SH-FORGED01");
    forged["data"]["number"] = json!("SH-FORGED01\r\nX-Injected: yes");
    // An envelope with a number and nothing else, which the bridge used to forward as is.
    let thin_number = order_number();
    let thin_subject = format!("orders.{thin_number}.created");
    let mut thin = order_created_json(&thin_number);
    thin["data"] = json!({"number": thin_number});
    // A version the bridge does not know.
    let newer_subject = format!("orders.{}.created", order_number());
    let mut newer = order_created_json("SH-NEWER001");
    newer["version"] = json!(2);
    // A valid event published on another order's subject.
    let elsewhere_subject = format!("orders.{}.created", order_number());
    let elsewhere = order_created_json(&order_number());

    for (subject, payload) in [
        (&forged_subject, &forged),
        (&thin_subject, &thin),
        (&newer_subject, &newer),
        (&elsewhere_subject, &elsewhere),
    ] {
        world
            .publish_raw(subject, serde_json::to_vec(payload).unwrap())
            .await;
    }
    let genuine = order_created(&order_number());
    world.publish(&genuine).await;

    let forged_reason = dead_letter_reason(&world, &forged_subject).await;
    assert!(
        forged_reason.contains("order number") && forged_reason.contains("not well formed"),
        "{forged_reason}"
    );
    assert!(!forged_reason.chars().any(char::is_control));
    let thin_reason = dead_letter_reason(&world, &thin_subject).await;
    assert!(
        thin_reason.contains("not a valid OrderCreated version 1"),
        "{thin_reason}"
    );
    let newer_reason = dead_letter_reason(&world, &newer_subject).await;
    assert!(
        newer_reason.contains("unknown event \"OrderCreated\" version 2"),
        "{newer_reason}"
    );
    let elsewhere_reason = dead_letter_reason(&world, &elsewhere_subject).await;
    assert!(
        elsewhere_reason.contains("belongs on"),
        "{elsewhere_reason}"
    );

    let messages = world.receive(&url, 1, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 1, "{:?}", distinct_event_ids(&messages));
    assert_eq!(
        string_attribute(&messages[0], "event_id"),
        Some(genuine.id.to_string().as_str()),
        "only the genuine event reached SQS"
    );
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM forwarded_events")
        .fetch_one(&bridge.pool)
        .await
        .unwrap();
    assert_eq!(recorded, 1);

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_every_order_event_configured_each_known_type_is_forwarded_from_its_own_subject() {
    let world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let mut config = config(&name);
    config.subjects = platform::contracts::orders::ALL_ORDER_EVENTS.to_owned();
    let bridge = spawn_bridge(&world, config).await;

    let number = order_number();
    let amount = "26.58".parse().unwrap();
    world.publish(&order_created(&number)).await;
    let paid = Envelope::new(
        "checkout",
        OrderPaid {
            number: platform::contracts::OrderNumber::parse(&number).unwrap(),
            amount,
            currency: "USD".to_owned(),
            provider: "mock".to_owned(),
            payment_reference: "pay_1".to_owned(),
            paid_at: Utc::now(),
        },
    );
    world
        .publish_raw(
            &format!("orders.{number}.paid"),
            serde_json::to_vec(&paid).unwrap(),
        )
        .await;
    let shipped = Envelope::new(
        "checkout",
        OrderStatusChanged {
            number: platform::contracts::OrderNumber::parse(&number).unwrap(),
            from: Some(platform::contracts::orders::OrderStatus::Paid),
            to: platform::contracts::orders::OrderStatus::Shipped,
            reason: None,
            changed_at: Utc::now(),
        },
    );
    world
        .publish_raw(
            &format!("orders.{number}.status_changed"),
            serde_json::to_vec(&shipped).unwrap(),
        )
        .await;
    let cancelled = Envelope::new(
        "checkout",
        OrderCancelled {
            number: platform::contracts::OrderNumber::parse(&number).unwrap(),
            reason: Some("asked".to_owned()),
            cancelled_at: Utc::now(),
            email: None,
            customer_name: None,
        },
    );
    world
        .publish_raw(
            &format!("orders.{number}.cancelled"),
            serde_json::to_vec(&cancelled).unwrap(),
        )
        .await;
    // An OrderPaid dressed up as another order's creation.
    let misplaced_subject = format!("orders.{}.created", order_number());
    world
        .publish_raw(&misplaced_subject, serde_json::to_vec(&paid).unwrap())
        .await;

    let messages = world.receive(&url, 4, Duration::from_secs(15)).await;
    let mut types: Vec<&str> = messages
        .iter()
        .map(|message| string_attribute(message, "event_type").unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "OrderCancelled",
            "OrderCreated",
            "OrderPaid",
            "OrderStatusChanged"
        ]
    );
    for message in &messages {
        assert_eq!(
            string_attribute(message, "order_number"),
            Some(number.as_str())
        );
    }
    let reason = dead_letter_reason(&world, &misplaced_subject).await;
    assert!(reason.contains("OrderPaid of order"), "{reason}");

    bridge.stop().await;
    world.stop().await;
}
