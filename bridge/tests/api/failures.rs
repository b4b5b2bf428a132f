//! SQS outages, poison payloads and readiness.

use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use platform::consumer::HEADER_REASON;

use crate::helpers::{
    World, config, distinct_event_ids, metric, order_created, order_number, spawn_bridge,
};

#[tokio::test(flavor = "multi_thread")]
async fn an_sqs_outage_delays_events_but_loses_and_duplicates_none() {
    let mut world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, config(&name)).await;
    // Forwarding works before the outage.
    world.publish(&order_created(&order_number())).await;
    assert_eq!(
        world.receive(&url, 1, Duration::from_secs(10)).await.len(),
        1
    );

    world.moto.stop();
    for _ in 0..30 {
        world.publish(&order_created(&order_number())).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let queue = format!("queue=\"{name}\"");
    assert_eq!(metric("bridge_sqs_up", &[&queue]), Some(0.0));
    assert_eq!(metric("bridge_forwarded_total", &[&queue]), Some(1.0));
    tokio::task::block_in_place(|| world.moto.start_again());
    // moto forgets everything: the same name gives the same URL.
    assert_eq!(world.create_queue_named(&name).await, url);

    let messages = world.receive(&url, 30, Duration::from_secs(20)).await;
    let ids = distinct_event_ids(&messages);
    assert_eq!(ids.len(), 30, "none lost: {ids:?}");
    assert_eq!(messages.len(), 30, "none duplicated: {ids:?}");
    assert_eq!(metric("bridge_sqs_up", &[&queue]), Some(1.0));
    assert!(metric("bridge_failed_total", &[&queue, "outcome=\"retried\""]).unwrap_or(0.0) > 0.0);

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_waiting_for_sqs_are_kept_alive_rather_than_redelivered() {
    let mut world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let mut config = config(&name);
    // The outage outlasts the ack wait several times: only progress signals keep JetStream from
    // redelivering the batch the bridge holds.
    config.ack_wait = Duration::from_secs(1);
    let bridge = spawn_bridge(&world, config).await;
    world.publish(&order_created(&order_number())).await;
    assert_eq!(
        world.receive(&url, 1, Duration::from_secs(10)).await.len(),
        1
    );
    world.moto.stop();
    for _ in 0..5 {
        world.publish(&order_created(&order_number())).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Another puller on the same durable (as a second replica would be): a redelivery would reach it.
    let pulled = platform::testing::pull_as_another_replica(
        &world.jetstream,
        "ORDERS",
        "bridge",
        Duration::from_millis(3500),
    )
    .await;
    let redelivered = pulled
        .iter()
        .filter(|(_, delivered)| *delivered > 1)
        .count();
    assert_eq!(
        redelivered, 0,
        "messages the bridge was retrying were redelivered"
    );

    tokio::task::block_in_place(|| world.moto.start_again());
    world.create_queue_named(&name).await;
    let messages = world.receive(&url, 5, Duration::from_secs(15)).await;
    assert_eq!(distinct_event_ids(&messages).len(), 5);
    assert_eq!(messages.len(), 5);
    let queue = format!("queue=\"{name}\"");
    assert!(
        metric("bridge_failed_total", &[&queue, "outcome=\"retried\""]).unwrap_or(0.0) > 0.0,
        "SQS was down while the batch was held"
    );

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poison_payload_is_dead_lettered_and_does_not_hold_up_the_next_events() {
    let world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, config(&name)).await;

    world
        .publish_raw("orders.X.created", b"this is not an envelope".to_vec())
        .await;
    for _ in 0..3 {
        world.publish(&order_created(&order_number())).await;
    }
    let messages = world.receive(&url, 3, Duration::from_secs(10)).await;
    assert_eq!(distinct_event_ids(&messages).len(), 3);
    assert_eq!(messages.len(), 3);

    let dead_letters = world.jetstream.get_stream("DEADLETTER").await.unwrap();
    let dead = loop {
        match dead_letters
            .get_last_raw_message_by_subject("deadletter.bridge.orders.X.created")
            .await
        {
            Ok(message) => break message,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    assert_eq!(&dead.payload[..], b"this is not an envelope");
    let reason = dead.headers.get(HEADER_REASON).unwrap().as_str().to_owned();
    assert!(reason.contains("not JSON"), "{reason}");

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_sqs_refuses_is_dead_lettered_and_the_rest_of_its_batch_forwarded() {
    let world = World::start().await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("orders-small-{}", &suffix[..10]);
    let url = world
        .sqs
        .create_queue()
        .queue_name(&name)
        .attributes(QueueAttributeName::MaximumMessageSize, "2048")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let bridge = spawn_bridge(&world, config(&name)).await;

    let mut too_big = order_created(&order_number());
    too_big.data.customer_name = "A".repeat(4000);
    world.publish(&order_created(&order_number())).await;
    world.publish(&too_big).await;
    world.publish(&order_created(&order_number())).await;

    let messages = world.receive(&url, 2, Duration::from_secs(10)).await;
    assert_eq!(distinct_event_ids(&messages).len(), 2);
    assert_eq!(messages.len(), 2);
    let subject = format!("deadletter.bridge.orders.{}.created", too_big.data.number);
    let dead_letters = world.jetstream.get_stream("DEADLETTER").await.unwrap();
    let dead = loop {
        match dead_letters.get_last_raw_message_by_subject(&subject).await {
            Ok(message) => break message,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let reason = dead.headers.get(HEADER_REASON).unwrap().as_str().to_owned();
    assert!(reason.contains("SQS refused"), "{reason}");

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bridge_stays_ready_while_sqs_is_down() {
    let mut world = World::start().await;
    let (name, _url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, config(&name)).await;
    world.moto.stop();
    world.publish(&order_created(&order_number())).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let response = reqwest::get(format!("{}/readyz", bridge.address))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let health = reqwest::get(format!("{}/healthz", bridge.address))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    bridge.stop().await;
    world.stop().await;
}
