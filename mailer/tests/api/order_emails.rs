//! The emails after the confirmation: shipped, cancelled and refunded, each sent once however often its
//! event is delivered; one per refund; an old cancellation without an address; the order events the mailer
//! does not write about.

use chrono::Utc;
use platform::{
    contracts::{
        Email, OrderNumber, Sku,
        orders::{
            OrderCancelled, OrderCreated, OrderPaid, OrderRefunded, OrderShipped, OrderStatus,
            OrderStatusChanged, RefundedLine,
        },
    },
    events::Envelope,
    testing::{eventually, order_created},
};
use rust_decimal::Decimal;

use crate::helpers::{TestMailer, Via, parse_eml, spawn_mailer, test_config};

pub(crate) fn shipped(order: &OrderCreated) -> OrderShipped {
    OrderShipped {
        number: order.number.clone(),
        email: order.email.clone(),
        customer_name: order.customer_name.clone(),
        carrier: "DHL".to_owned(),
        tracking_number: "JD0146000012345".to_owned(),
        tracking_url: Some("https://track.example/JD0146000012345".to_owned()),
        shipped_at: Utc::now(),
    }
}

pub(crate) fn cancelled(number: &OrderNumber, email: Option<&str>) -> OrderCancelled {
    OrderCancelled {
        number: number.clone(),
        reason: Some("Asked by the customer".to_owned()),
        cancelled_at: Utc::now(),
        email: email.map(|email| Email::parse(email).unwrap()),
        customer_name: email.map(|_| "Bea Baker".to_owned()),
    }
}

pub(crate) fn refunded(order: &OrderCreated, amount: &str, by_line: bool) -> OrderRefunded {
    let amount: Decimal = amount.parse().unwrap();
    OrderRefunded {
        number: order.number.clone(),
        email: order.email.clone(),
        customer_name: order.customer_name.clone(),
        amount,
        currency: "USD".to_owned(),
        total_refunded: amount,
        full: false,
        lines: if by_line {
            vec![RefundedLine {
                sku: Sku::parse("BB-0001").unwrap(),
                name: "Product 1".to_owned(),
                quantity: 1,
                amount,
            }]
        } else {
            Vec::new()
        },
        reason: None,
        refund_reference: format!("re_{}", uuid::Uuid::new_v4().simple()),
        refunded_at: Utc::now(),
    }
}

/// The `.eml` files of `kind`, read.
fn emails_of_kind(mailer: &TestMailer, kind: &str) -> Vec<(String, serde_json::Value)> {
    mailer
        .eml_files()
        .into_iter()
        .filter_map(|path| {
            let raw = std::fs::read_to_string(&path).unwrap();
            raw.contains(&format!("X-Shop-Email-Kind: {kind}\r\n"))
                .then(|| (raw, parse_eml(&path)))
        })
        .collect()
}

fn part<'a>(eml: &'a serde_json::Value, content_type: &str) -> &'a str {
    eml["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|part| part["type"] == content_type)
        .and_then(|part| part["content"].as_str())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn shipping_cancellation_and_refund_emails_are_each_sent_once_even_when_delivered_twice() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let order = order_created();
    let token = order.lookup_token.clone().unwrap();
    mailer
        .publish(&Envelope::new("checkout", order.clone()))
        .await;
    mailer.wait_for_state("sent", 1).await;

    let shipment = Envelope::new("checkout", shipped(&order));
    let refund = Envelope::new("checkout", refunded(&order, "19.99", true));
    let cancellation = Envelope::new(
        "checkout",
        cancelled(&order.number, Some("ana@example.com")),
    );
    for _ in 0..2 {
        mailer.publish(&shipment).await;
        mailer.publish(&refund).await;
        mailer.publish(&cancellation).await;
    }
    mailer.wait_for_state("sent", 4).await;
    mailer.wait_until_settled().await;
    // And once more after they were sent.
    mailer.publish(&shipment).await;
    mailer.wait_until_settled().await;

    let emails = mailer.emails().await;
    assert_eq!(emails.len(), 4, "{emails:?}");
    assert!(
        emails.iter().all(|e| e.state == "sent" && e.attempts == 1),
        "{emails:?}"
    );
    assert_eq!(mailer.eml_files().len(), 4);
    let link = format!("http://shop.test/orders/{}?token={token}", order.number);

    let shipping = emails_of_kind(&mailer, "order_shipped");
    assert_eq!(shipping.len(), 1);
    let (raw, eml) = &shipping[0];
    assert_eq!(eml["defects"], serde_json::json!([]), "{eml}");
    assert!(raw.contains(&format!("X-Shop-Order-Number: {}\r\n", order.number)));
    assert_eq!(
        eml["subject"],
        format!("Your order {} has shipped", order.number)
    );
    let text = part(eml, "text/plain");
    assert!(text.contains("Carrier: DHL"), "{text}");
    assert!(text.contains("Tracking number: JD0146000012345"));
    assert!(text.contains("Track your parcel: https://track.example/JD0146000012345"));
    assert!(
        text.contains(&link),
        "the confirmation's order link: {text}"
    );
    assert!(part(eml, "text/html").contains("JD0146000012345"));

    let refunds = emails_of_kind(&mailer, "order_refunded");
    assert_eq!(refunds.len(), 1);
    let text = part(&refunds[0].1, "text/plain");
    assert!(text.contains("we refunded $19.99"), "{text}");
    assert!(text.contains("1 x Product 1 (BB-0001)"), "{text}");

    let cancellations = emails_of_kind(&mailer, "order_cancelled");
    assert_eq!(cancellations.len(), 1);
    let eml = &cancellations[0].1;
    assert_eq!(eml["to_name"], "Bea Baker", "the event's name");
    assert!(part(eml, "text/plain").contains("Reason: Asked by the customer"));
    assert!(mailer.dead_letters().await.is_empty());
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_refund_of_an_order_gets_its_own_email() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let order = order_created();
    let first = Envelope::new("checkout", refunded(&order, "5.00", false));
    let mut second = refunded(&order, "7.50", false);
    second.total_refunded = "12.50".parse().unwrap();
    let second = Envelope::new("checkout", second);
    mailer.publish(&first).await;
    mailer.publish(&second).await;
    mailer.publish(&first).await;
    mailer.wait_for_state("sent", 2).await;
    mailer.wait_until_settled().await;

    let emails = mailer.emails().await;
    assert_eq!(emails.len(), 2, "{emails:?}");
    let refunds = emails_of_kind(&mailer, "order_refunded");
    assert_eq!(refunds.len(), 2);
    let texts: Vec<&str> = refunds
        .iter()
        .map(|(_, eml)| part(eml, "text/plain"))
        .collect();
    assert!(texts.iter().any(|t| t.contains("we refunded $5.00")));
    assert!(
        texts
            .iter()
            .any(|t| t.contains("we refunded $7.50") && t.contains("so far: $12.50"))
    );
    assert!(
        texts.iter().all(|t| !t.contains("View your order")),
        "no confirmation logged, so no link"
    );
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_old_cancellation_without_an_address_goes_to_the_confirmations_or_to_nobody() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let order = order_created();
    mailer
        .publish(&Envelope::new("checkout", order.clone()))
        .await;
    mailer.wait_for_state("sent", 1).await;

    mailer
        .publish(&Envelope::new("checkout", cancelled(&order.number, None)))
        .await;
    let unknown = OrderNumber::parse("SH-NEVERSEEN").unwrap();
    mailer
        .publish(&Envelope::new("checkout", cancelled(&unknown, None)))
        .await;
    mailer.wait_for_state("sent", 2).await;
    mailer.wait_until_settled().await;

    let emails = mailer.emails().await;
    assert_eq!(emails.len(), 2, "none for the order never seen: {emails:?}");
    let cancellations = emails_of_kind(&mailer, "order_cancelled");
    assert_eq!(cancellations.len(), 1);
    let eml = &cancellations[0].1;
    assert_eq!(eml["to_address"], "ana@example.com");
    assert_eq!(eml["to_name"], "Ana Núñez", "the confirmation's name");
    assert!(mailer.dead_letters().await.is_empty());
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn order_events_without_an_email_are_acked_and_a_known_one_in_an_unknown_version_dead_lettered()
 {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let order = order_created();
    mailer
        .publish(&Envelope::new(
            "checkout",
            OrderPaid {
                number: order.number.clone(),
                amount: order.total,
                currency: "USD".to_owned(),
                provider: "mock".to_owned(),
                payment_reference: "pay_1".to_owned(),
                paid_at: Utc::now(),
            },
        ))
        .await;
    mailer
        .publish(&Envelope::new(
            "checkout",
            OrderStatusChanged {
                number: order.number.clone(),
                from: Some(OrderStatus::Paid),
                to: OrderStatus::Processing,
                reason: None,
                changed_at: Utc::now(),
            },
        ))
        .await;
    let mut newer = serde_json::to_value(Envelope::new("checkout", shipped(&order))).unwrap();
    newer["version"] = serde_json::json!(2);
    mailer
        .publish_raw(
            &format!("orders.{}.shipped", order.number),
            serde_json::to_vec(&newer).unwrap(),
        )
        .await;
    mailer.wait_until_settled().await;

    assert!(mailer.emails().await.is_empty());
    let dead = mailer.dead_letters().await;
    assert_eq!(dead.len(), 1, "only the unknown version");
    assert_eq!(
        dead[0].subject,
        format!("deadletter.mailer.orders.{}.shipped", order.number)
    );
    assert!(
        dead[0]
            .reason
            .starts_with("unknown event \"OrderShipped\" version 2"),
        "{}",
        dead[0].reason
    );
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_left_by_an_older_mailer_on_confirmations_only_is_widened_at_start() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let stream = mailer.jetstream.get_stream("ORDERS").await.unwrap();
    let mut consumer: async_nats::jetstream::consumer::PullConsumer =
        stream.get_consumer("mailer").await.unwrap();
    let mut old = consumer.cached_info().config.clone();
    old.filter_subject = "orders.*.created".to_owned();
    stream.create_consumer(old).await.unwrap();
    assert_eq!(
        consumer.info().await.unwrap().config.filter_subject,
        "orders.*.created"
    );

    // A mailer of this version starting (a replica, or the next deployment).
    let replica = mailer.spawn_replica(Via::Files, test_config()).await;
    eventually("the consumer reads every order event", async || {
        consumer.info().await.unwrap().config.filter_subject == "orders.>"
    })
    .await;
    let order = order_created();
    mailer
        .publish(&Envelope::new("checkout", shipped(&order)))
        .await;
    mailer.wait_for_state("sent", 1).await;
    replica.cancel();
    mailer.stop().await;
}
