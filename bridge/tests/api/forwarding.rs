//! Order events reach the queue: all of them, once, batched, without the lookup token; FIFO attributes;
//! redeliveries and replicas send nothing twice.

use std::time::Duration;

use aws_sdk_sqs::types::MessageSystemAttributeName;
use platform::testing::order_number;
use serde_json::Value;

use crate::helpers::{
    World, config, distinct_event_ids, metric, order_created, spawn_bridge, string_attribute,
    system_attribute,
};

#[tokio::test(flavor = "multi_thread")]
async fn twenty_five_events_become_twenty_five_sqs_messages_sent_in_batches_of_up_to_ten() {
    let world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, config(&name)).await;

    let envelopes: Vec<_> = (0..25).map(|_| order_created(&order_number())).collect();
    for envelope in &envelopes {
        world.publish(envelope).await;
    }
    let messages = world.receive(&url, 25, Duration::from_secs(15)).await;

    let ids = distinct_event_ids(&messages);
    assert_eq!(ids.len(), 25, "{ids:?}");
    assert_eq!(messages.len(), 25, "no event was sent twice: {ids:?}");
    for message in &messages {
        let body: Value = serde_json::from_str(message.body().unwrap()).unwrap();
        let event_id = string_attribute(message, "event_id").unwrap();
        let sent = envelopes
            .iter()
            .find(|envelope| envelope.id.to_string() == event_id)
            .expect("the event_id attribute names a published event");
        let mut expected = serde_json::to_value(sent).unwrap();
        expected["data"]
            .as_object_mut()
            .unwrap()
            .remove("lookup_token");
        assert_eq!(
            body, expected,
            "the body is the envelope without the lookup token"
        );
        let token = sent.data.lookup_token.as_deref().expect("a lookup token");
        assert!(!message.body().unwrap().contains(token));
        assert_eq!(
            string_attribute(message, "event_type"),
            Some("OrderCreated")
        );
        assert_eq!(
            string_attribute(message, "order_number"),
            Some(sent.data.number.as_str())
        );
    }

    let queue = format!("queue=\"{name}\"");
    assert_eq!(metric("bridge_forwarded_total", &[&queue]), Some(25.0));
    assert_eq!(metric("bridge_batch_size_sum", &[&queue]), Some(25.0));
    let batches = metric("bridge_batch_size_count", &[&queue]).unwrap();
    assert!(
        (3.0..=6.0).contains(&batches),
        "25 events published at once go out in a few batches of up to 10, not {batches}"
    );
    // Summary quantiles are approximations: 10 may read as 10.001.
    let largest = metric("bridge_batch_size", &[&queue, "quantile=\"1\""]).unwrap();
    assert!(
        (9.5..10.5).contains(&largest),
        "the largest batch had 10 entries, not {largest}"
    );

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fifo_messages_are_grouped_by_order_number_and_deduplicated_by_event_id() {
    let world = World::start().await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let name = format!("orders-{}.fifo", &suffix[..10]);
    // The bridge creates the queue itself (SQS_CREATE_QUEUE=true), as in local development.
    let mut config = config(&name);
    config.create_queue = true;
    let bridge = spawn_bridge(&world, config).await;

    let envelopes: Vec<_> = (0..3).map(|_| order_created(&order_number())).collect();
    for envelope in &envelopes {
        world.publish(envelope).await;
    }
    let url = loop {
        if let Ok(found) = world.sqs.get_queue_url().queue_name(&name).send().await {
            break found.queue_url().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let messages = world.receive(&url, 3, Duration::from_secs(15)).await;

    assert_eq!(messages.len(), 3);
    for message in &messages {
        let event_id = string_attribute(message, "event_id").unwrap();
        let sent = envelopes
            .iter()
            .find(|envelope| envelope.id.to_string() == event_id)
            .unwrap();
        assert_eq!(
            system_attribute(message, MessageSystemAttributeName::MessageGroupId),
            Some(sent.data.number.as_str())
        );
        assert_eq!(
            system_attribute(message, MessageSystemAttributeName::MessageDeduplicationId),
            Some(event_id)
        );
    }

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_delivered_again_is_not_sent_to_sqs_again() {
    let world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let bridge = spawn_bridge(&world, config(&name)).await;

    // Published twice without Nats-Msg-Id: two JetStream messages carrying the same event.
    let envelope = order_created(&order_number());
    world.publish(&envelope).await;
    world.publish(&envelope).await;
    let first = world.receive(&url, 1, Duration::from_secs(10)).await;
    assert_eq!(first.len(), 1);

    // Once more, after it was recorded as forwarded: acked without a second SQS message.
    world.publish(&envelope).await;
    let after = world.receive(&url, 1, Duration::from_secs(2)).await;
    assert!(after.is_empty(), "sent again: {after:?}");
    let recorded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM forwarded_events WHERE event_id = ?")
            .bind(envelope.id.to_string())
            .fetch_one(&bridge.pool)
            .await
            .unwrap();
    assert_eq!(recorded, 1);
    let queue = format!("queue=\"{name}\"");
    assert!(metric("bridge_already_forwarded_total", &[&queue]).unwrap_or(0.0) >= 1.0);
    assert_eq!(metric("bridge_forwarded_total", &[&queue]), Some(1.0));

    bridge.stop().await;
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_replicas_share_the_consumer_and_forward_each_event_once() {
    let world = World::start().await;
    let (name, url) = world.create_queue(false).await;
    let first = spawn_bridge(&world, config(&name)).await;
    let second = spawn_bridge(&world, config(&name)).await;

    for _ in 0..40 {
        world.publish(&order_created(&order_number())).await;
    }
    let messages = world.receive(&url, 40, Duration::from_secs(20)).await;

    let ids = distinct_event_ids(&messages);
    assert_eq!(ids.len(), 40);
    assert_eq!(messages.len(), 40, "{ids:?}");
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM forwarded_events")
        .fetch_one(&first.pool)
        .await
        .unwrap();
    assert_eq!(recorded, 40);

    first.stop().await;
    second.stop().await;
    world.stop().await;
}
