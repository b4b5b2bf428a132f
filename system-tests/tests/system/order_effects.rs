//! Order events leave the host exactly once each: 200 orders placed through checkout give 200 logged emails (as
//! the mailer counts them over NATS),
//! 200 emails accepted by SES and 200 SQS messages, even when the mailer and the bridge are killed mid-stream
//! and restarted, and when the AWS endpoint is unreachable for 30 s. (A SIGKILL inside the instant between
//! the provider accepting and the record being written is the documented exception: the mailer then leaves the
//! email `uncertain` rather than risk a second one; a FIFO queue drops the bridge's resend.)

use std::{collections::HashSet, time::Duration};

use futures::future::join_all;
use platform::{
    contracts::mailer::EmailCounts,
    testing::{MotoServer, NatsServer, TcpPlug, eventually_within, owners},
};
use serde_json::Value;

use crate::helpers::{NO_RATE_LIMITS, ServiceProcess, json_of, place_order};

const MAIL_FROM: &str = "orders@shop.example";
/// FIFO: a bridge killed between SQS accepting a batch and recording it sends that batch again, and only a
/// FIFO queue's deduplication (by event id) drops the copy; on a standard queue that is the documented window.
const QUEUE: &str = "shop-orders-system-test.fifo";

/// The services reach AWS through `endpoint` (moto, or a plug in front of it).
fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
    ]
}

async fn aws_config(moto: &MotoServer) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto.url())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test",
            "test",
            None,
            None,
            "system-test",
        ))
        .load()
        .await
}

/// What moto needs before the services can use it; moto forgets everything when it restarts.
async fn prepare_aws(moto: &MotoServer) {
    let config = aws_config(moto).await;
    aws_sdk_sesv2::Client::new(&config)
        .create_email_identity()
        .email_identity(MAIL_FROM)
        .send()
        .await
        .unwrap();
    aws_sdk_sqs::Client::new(&config)
        .create_queue()
        .queue_name(QUEUE)
        // Without the attribute moto makes a standard queue whatever the name, and deduplicates nothing.
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap();
}

/// How many emails moto's SES accepted (moto's own view of its state).
async fn ses_sent(http: &reqwest::Client, moto: &MotoServer) -> u64 {
    let data: Value = json_of(http.get(format!("{}/moto-api/data.json", moto.url()))).await;
    data["ses"]["Message"]
        .as_array()
        .map_or(0, |messages| messages.len() as u64)
}

/// Every message on the queue (deleted as read), as event ids.
async fn drain_queue(moto: &MotoServer, into: &mut Vec<String>) {
    let sqs = aws_sdk_sqs::Client::new(&aws_config(moto).await);
    let Ok(url) = sqs.get_queue_url().queue_name(QUEUE).send().await else {
        return;
    };
    let url = url.queue_url().unwrap_or_default().to_owned();
    loop {
        let Ok(batch) = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
        else {
            return;
        };
        let messages = batch.messages();
        if messages.is_empty() {
            return;
        }
        for message in messages {
            let body: Value =
                serde_json::from_str(message.body().unwrap_or("{}")).unwrap_or(Value::Null);
            assert!(
                body["data"].get("lookup_token").is_none_or(Value::is_null),
                "the lookup token left the host"
            );
            into.push(body["id"].as_str().unwrap_or_default().to_owned());
            if let Some(handle) = message.receipt_handle() {
                let _ = sqs
                    .delete_message()
                    .queue_url(&url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
}

struct Stack {
    nats: NatsServer,
    /// A client as `ops`, for asking the services what they hold.
    ops: async_nats::Client,
    catalog: ServiceProcess,
    checkout: ServiceProcess,
    mailer: ServiceProcess,
    bridge: ServiceProcess,
    http: reqwest::Client,
    skus: Vec<String>,
}

async fn start_stack(aws_endpoint: &str) -> Stack {
    let nats = NatsServer::start();
    let aws = aws_env(aws_endpoint);
    let mut mailer_env: Vec<(&str, &str)> = aws.iter().map(|(k, v)| (*k, v.as_str())).collect();
    mailer_env.extend([
        ("MAIL_TRANSPORT", "ses"),
        ("MAIL_FROM", MAIL_FROM),
        ("MAIL_RATE_PER_SEC", "200"),
        ("MAIL_BACKOFF_SECS", "1,2,2,2"),
    ]);
    let mut bridge_env: Vec<(&str, &str)> = aws.iter().map(|(k, v)| (*k, v.as_str())).collect();
    bridge_env.extend([("SQS_QUEUE_NAME", QUEUE)]);
    let catalog = ServiceProcess::start("catalog", &nats, &[]).await;
    let mut checkout_env = vec![("CATALOG_TIMEOUT_MS", "10000")];
    checkout_env.extend(NO_RATE_LIMITS);
    let checkout = ServiceProcess::start("checkout", &nats, &checkout_env).await;
    let mailer = ServiceProcess::start("mailer", &nats, &mailer_env).await;
    let bridge = ServiceProcess::start("bridge", &nats, &bridge_env).await;
    let http = reqwest::Client::new();
    for service in [&catalog, &checkout, &mailer, &bridge] {
        service
            .wait_for_readyz(&http, 200, Duration::from_secs(60))
            .await;
    }
    let skus = catalog.seed_demo_catalog(&http, 100, 10).await;
    let ops = nats.ops().await;
    Stack {
        nats,
        ops,
        catalog,
        checkout,
        mailer,
        bridge,
        http,
        skus,
    }
}

impl Stack {
    async fn place(&self, i: usize) -> String {
        let sku = &self.skus[i % self.skus.len()];
        let order = place_order(
            &self.http,
            &self.checkout.http,
            sku,
            i,
            &format!("Buyer <{i}> & Søn"),
            &format!("order-{i}"),
        )
        .await;
        order["number"].as_str().unwrap().to_owned()
    }

    async fn place_many(&self, range: std::ops::Range<usize>) {
        for chunk in range.collect::<Vec<_>>().chunks(10) {
            join_all(chunk.iter().map(|i| self.place(*i))).await;
        }
    }

    /// The mailer's email log counted by state, as the mailer answers on NATS.
    async fn emails(&self) -> EmailCounts {
        owners::email_counts(&self.ops).await
    }
}

/// Messages waiting on the queue. Nothing is deleted before the end: moto, unlike SQS, deduplicates a FIFO
/// message only against messages still in the queue.
async fn queue_depth(moto: &MotoServer) -> usize {
    let sqs = aws_sdk_sqs::Client::new(&aws_config(moto).await);
    let Ok(url) = sqs.get_queue_url().queue_name(QUEUE).send().await else {
        return 0;
    };
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url.queue_url().unwrap_or_default())
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await;
    attributes
        .ok()
        .and_then(|a| {
            a.attributes().and_then(|map| {
                map.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
                    .cloned()
            })
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Waits until the queue holds `count` messages and moto's SES accepted `emails`, then reads every message
/// into `sqs`; fails after two minutes.
async fn wait_for_effects(
    stack: &Stack,
    moto: &MotoServer,
    sqs: &mut Vec<String>,
    emails: u64,
    count: usize,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let depth = queue_depth(moto).await;
        let sent = ses_sent(&stack.http, moto).await;
        if depth >= count && sent >= emails {
            // A duplicate would arrive a little later: give it the chance.
            tokio::time::sleep(Duration::from_secs(2)).await;
            drain_queue(moto, sqs).await;
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "after 2 min: {depth} of {count} SQS messages, {sent} of {emails} emails (logs: {}, {})",
            stack.mailer.log.display(),
            stack.bridge.log.display()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_orders_give_two_hundred_emails_and_queue_messages_across_restarts() {
    let moto = MotoServer::start();
    prepare_aws(&moto).await;
    let mut stack = start_stack(&moto.url()).await;
    assert!(
        stack.skus.len() >= 20,
        "the demo catalog has enough stocked products"
    );

    stack.place_many(0..80).await;
    stack.mailer.kill().await;
    stack.bridge.kill().await;
    stack.place_many(80..140).await;
    stack.mailer.restart();
    stack.bridge.restart();
    stack.place_many(140..200).await;

    let mut sqs = Vec::new();
    wait_for_effects(&stack, &moto, &mut sqs, 200, 200).await;
    let distinct: HashSet<_> = sqs.iter().collect();
    assert_eq!(
        (sqs.len(), distinct.len()),
        (200, 200),
        "exactly one SQS message per order"
    );
    assert_eq!(
        ses_sent(&stack.http, &moto).await,
        200,
        "exactly one email per order"
    );
    // A crash between SES accepting and the log row being written leaves that row `sending`; its redelivery
    // (after the ack wait) marks it `uncertain` and never resends it.
    let settled = |emails: EmailCounts| emails.sent + emails.uncertain;
    eventually_within(
        "the email log settles at 200 emails",
        Duration::from_secs(90),
        async || settled(stack.emails().await) >= 200,
    )
    .await;
    assert_eq!(settled(stack.emails().await), 200);
    assert_eq!(
        ses_sent(&stack.http, &moto).await,
        200,
        "still exactly one email per order"
    );
    let _ = (&stack.nats, &stack.catalog);
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_placed_while_aws_is_down_for_thirty_seconds_are_all_delivered_when_it_returns() {
    let moto = MotoServer::start();
    prepare_aws(&moto).await;
    // The services reach moto through a plug: pulled, AWS is unreachable; moto itself keeps its state.
    let mut plug = TcpPlug::new(&moto.url()).await;
    let stack = start_stack(&plug.url()).await;
    plug.unplug().await;
    stack.place_many(0..30).await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        ses_sent(&stack.http, &moto).await,
        0,
        "nothing reached AWS during the outage"
    );
    plug.plug().await;

    let mut sqs = Vec::new();
    wait_for_effects(&stack, &moto, &mut sqs, 30, 30).await;
    let distinct: HashSet<_> = sqs.iter().collect();
    assert_eq!((sqs.len(), distinct.len()), (30, 30));
    assert_eq!(ses_sent(&stack.http, &moto).await, 30);
    assert_eq!(stack.emails().await.sent, 30);
}
