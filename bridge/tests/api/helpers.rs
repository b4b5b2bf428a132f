//! `World`: a private nats-server, a private moto and a scratch database; `spawn_bridge` runs the bridge
//! in-process against them, and the helpers publish order events and read the SQS queue back.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use async_nats::jetstream;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sqs::{
    Client,
    config::Credentials,
    types::{
        DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName, QueueAttributeName,
    },
};
use bridge::{
    MIGRATOR, SERVICE,
    config::{Config, QueueTarget},
};
use chrono::Utc;
use platform::{
    Runtime,
    config::{CommonConfig, LogFormat},
    contracts::orders::{Address, OrderCreated, OrderLine},
    events::Envelope,
    testing::{MotoServer, NatsServer, TestDatabase},
};
use sqlx::MySqlPool;
use tokio_util::sync::CancellationToken;

/// The bridge's dependencies, private to one test.
pub(crate) struct World {
    pub(crate) nats: NatsServer,
    pub(crate) moto: MotoServer,
    pub(crate) database: TestDatabase,
    /// An SQS client on `moto`, for the test's side.
    pub(crate) sqs: Client,
    pub(crate) jetstream: jetstream::Context,
}

impl World {
    pub(crate) async fn start() -> Self {
        platform::telemetry::init_logging(LogFormat::Pretty);
        let nats = NatsServer::start();
        let moto = tokio::task::block_in_place(MotoServer::start);
        let database = TestDatabase::create("bridge").await;
        let sqs = sqs_client(&moto.url()).await;
        // The test publishes the order events, as `ops`: checkout, which would create ORDERS, is not running.
        let client = nats.ops().await;
        platform::testing::ensure_event_streams(&client).await;
        Self {
            nats,
            moto,
            database,
            sqs,
            jetstream: jetstream::new(client),
        }
    }

    /// Creates a queue with a fresh name (`.fifo` when `fifo`) and returns its name and URL.
    pub(crate) async fn create_queue(&self, fifo: bool) -> (String, String) {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let name = format!(
            "orders-{}{}",
            &suffix[..10],
            if fifo { ".fifo" } else { "" }
        );
        let url = self.create_queue_named(&name).await;
        (name, url)
    }

    pub(crate) async fn create_queue_named(&self, name: &str) -> String {
        let mut request = self.sqs.create_queue().queue_name(name);
        if name.ends_with(".fifo") {
            request = request.attributes(QueueAttributeName::FifoQueue, "true");
        }
        request
            .send()
            .await
            .unwrap()
            .queue_url()
            .unwrap()
            .to_owned()
    }

    /// Publishes `envelope` on its subject (without `Nats-Msg-Id`, so a second publish is a second message).
    pub(crate) async fn publish(&self, envelope: &Envelope<OrderCreated>) {
        platform::testing::publish_event(&self.jetstream, envelope).await;
    }

    pub(crate) async fn publish_raw(&self, subject: &str, payload: Vec<u8>) {
        platform::testing::publish_raw(&self.jetstream, subject, payload).await;
    }

    /// Reads (and deletes) messages from the queue until `expected` distinct event ids arrived or `within`
    /// passed, then once more to catch any extra copy. Returns every message read.
    pub(crate) async fn receive(
        &self,
        url: &str,
        expected: usize,
        within: Duration,
    ) -> Vec<Message> {
        let deadline = Instant::now() + within;
        let mut received: Vec<Message> = Vec::new();
        loop {
            let distinct = distinct_event_ids(&received).len();
            if distinct >= expected || Instant::now() > deadline {
                break;
            }
            received.extend(self.receive_once(url).await);
        }
        received.extend(self.receive_once(url).await);
        received
    }

    async fn receive_once(&self, url: &str) -> Vec<Message> {
        let Ok(output) = self
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
        else {
            // The queue may not exist yet (the bridge creates it).
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Vec::new();
        };
        let messages = output.messages().to_vec();
        if !messages.is_empty() {
            let entries: Vec<_> = messages
                .iter()
                .enumerate()
                .map(|(index, message)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .receipt_handle(message.receipt_handle().unwrap())
                        .build()
                        .unwrap()
                })
                .collect();
            self.sqs
                .delete_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .unwrap();
        }
        messages
    }

    pub(crate) async fn stop(self) {
        self.database.drop_database().await;
    }
}

/// An SQS client on a private moto (explicit region, endpoint and credentials: tests share a process).
pub(crate) async fn sqs_client(endpoint: &str) -> Client {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await;
    bridge::sqs::client(&sdk)
}

/// The bridge's settings for a test: the default filter and linger, quick retries.
pub(crate) fn config(queue_name: &str) -> Config {
    Config {
        subjects: platform::contracts::orders::ORDER_CREATED.to_owned(),
        linger: Duration::from_millis(200),
        ack_wait: Duration::from_secs(30),
        retry_max: Duration::from_millis(500),
        queue: QueueTarget::Name(queue_name.to_owned()),
        create_queue: false,
        forwarded_events_retention: Duration::from_secs(180 * 24 * 3600),
        purge_every: platform::retention::PURGE_EVERY,
    }
}

/// One bridge replica running in-process.
pub(crate) struct Bridge {
    pub(crate) address: String,
    pub(crate) pool: MySqlPool,
    shutdown: CancellationToken,
    served: tokio::task::JoinHandle<anyhow::Result<()>>,
}

pub(crate) async fn spawn_bridge(world: &World, config: Config) -> Bridge {
    let common = CommonConfig {
        database_max_connections: 5,
        ..platform::testing::test_config(&world.database, &world.nats, SERVICE.name)
    };
    let shutdown = CancellationToken::new();
    let mut runtime = Runtime::start_with_shutdown(SERVICE, common, &MIGRATOR, shutdown.clone())
        .await
        .unwrap();
    let sqs = sqs_client(&world.moto.url()).await;
    let router = bridge::start(&mut runtime, config, sqs).await.unwrap();
    let pool = runtime.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(runtime.serve_on(listener, router));
    let ops = world.nats.ops().await;
    platform::testing::wait_for_durable(&ops, "ORDERS", bridge::config::CONSUMER).await;
    Bridge {
        address,
        pool,
        shutdown,
        served,
    }
}

impl Bridge {
    pub(crate) async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), self.served)
            .await
            .expect("the bridge stops within its grace period")
            .unwrap()
            .unwrap();
    }
}

/// An OrderCreated envelope for order `number`, with a lookup token that must not reach SQS.
pub(crate) fn order_created(number: &str) -> Envelope<OrderCreated> {
    let price = "19.99".parse().unwrap();
    Envelope::new(
        "checkout",
        OrderCreated {
            number: platform::contracts::OrderNumber::parse(number).unwrap(),
            email: platform::contracts::Email::parse("ana@example.com").unwrap(),
            customer_name: "Ana Núñez".to_owned(),
            lines: vec![OrderLine {
                sku: platform::contracts::Sku::parse("BB-1").unwrap(),
                name: "Kettle".to_owned(),
                unit_price: price,
                quantity: 1,
                line_total: price,
            }],
            subtotal: price,
            shipping: "4.99".parse().unwrap(),
            tax: "1.60".parse().unwrap(),
            total: "26.58".parse().unwrap(),
            currency: "USD".to_owned(),
            shipping_method: "standard".to_owned(),
            shipping_address: Address {
                line1: "1 Main St".to_owned(),
                line2: None,
                city: "Springfield".to_owned(),
                region: None,
                postal_code: "12345".to_owned(),
                country: "US".to_owned(),
            },
            state: platform::contracts::orders::OrderStatus::Paid,
            created_at: Utc::now(),
            lookup_token: Some("secret-lookup-token".to_owned()),
        },
    )
}

/// A fresh order number.
pub(crate) fn order_number() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    format!("SH-{}", &id[..8])
}

pub(crate) fn string_attribute<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message.message_attributes()?.get(name)?.string_value()
}

pub(crate) fn system_attribute(
    message: &Message,
    name: MessageSystemAttributeName,
) -> Option<&str> {
    message.attributes()?.get(&name).map(String::as_str)
}

/// How many messages carry each event id.
pub(crate) fn distinct_event_ids(messages: &[Message]) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for message in messages {
        let id = string_attribute(message, "event_id")
            .unwrap_or("none")
            .to_owned();
        *ids.entry(id).or_insert(0) += 1;
    }
    ids
}

/// The value of the first series of `metric` whose labels contain all of `labels` (`name="value"` pairs).
pub(crate) fn metric(metric: &str, labels: &[&str]) -> Option<f64> {
    platform::telemetry::metrics_handle()
        .render()
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{metric}{{")) || line.starts_with(&format!("{metric} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}
