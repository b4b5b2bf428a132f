//! Seeing, replaying and discarding dead letters against a real nats-server with the shop's permissions: the
//! mailer dead-letters an order event the way it does in production, the search indexer's dead letter of a
//! catalog event is published with the same headers, and each producer handles only the dead letters of its
//! own events, as its own NATS user (checkout for `orders.>`, the catalog for `catalog.>`).

use std::time::Duration;

use async_nats::{HeaderMap, jetstream};
use futures::StreamExt as _;
use platform::{
    consumer::{ConsumerSpec, HEADER_REASON, dead_letter, ensure_consumer, replay::DeadLetters},
    contracts::{
        admin::AdminReply,
        dead_letters::{DeadLetterPage, ListDeadLetters},
    },
    testing::{NatsServer, publish_dead_letter, stream_messages_on},
};

const ORDER_SUBJECT: &str = "orders.SH-RPLY0001.created";
const EVENT_ID: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

struct Setup {
    _nats: NatsServer,
    ops: async_nats::Client,
    mailer: jetstream::Context,
    /// The dead letters of order events, as checkout sees them.
    orders: DeadLetters,
    /// The dead letters of catalog events, as the catalog sees them.
    catalog: DeadLetters,
}

async fn setup() -> Setup {
    let nats = NatsServer::start();
    let ops = nats.ops().await;
    platform::testing::ensure_event_streams(&ops).await;
    let mailer = jetstream::new(nats.connect_as("mailer").await);
    let orders = DeadLetters::new(jetstream::new(nats.connect_as("checkout").await), "orders");
    let catalog = DeadLetters::new(jetstream::new(nats.connect_as("catalog").await), "catalog");
    Setup {
        _nats: nats,
        ops,
        mailer,
        orders,
        catalog,
    }
}

fn order_event() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": EVENT_ID, "type": "OrderCreated", "version": 1, "occurred_at": "2025-01-02T03:04:05Z",
        "source": "checkout", "data": {"number": "SH-RPLY0001"}
    }))
    .unwrap()
}

fn mailer_spec() -> ConsumerSpec {
    ConsumerSpec {
        stream: "ORDERS".to_owned(),
        durable: "mailer".to_owned(),
        filter_subject: "orders.*.created".to_owned(),
        max_deliver: 5,
        backoff: vec![],
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 100,
    }
}

/// Checkout publishes the order event (with its id as message id and a header of its own), the mailer takes
/// it and dead-letters it. Returns the mailer's consumer.
async fn order_event_dead_lettered(setup: &Setup) -> jetstream::consumer::PullConsumer {
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", EVENT_ID);
    headers.insert("Shop-Trace", "trace-1");
    jetstream::new(setup.ops.clone())
        .publish_with_headers(ORDER_SUBJECT, headers, order_event().into())
        .await
        .unwrap()
        .await
        .unwrap();
    let consumer = ensure_consumer(&setup.mailer, &mailer_spec())
        .await
        .unwrap();
    let mut messages = consumer.fetch().max_messages(1).messages().await.unwrap();
    let message = messages.next().await.unwrap().unwrap();
    dead_letter(&setup.mailer, &message, "rejected: address unknown")
        .await
        .unwrap();
    consumer
}

/// A dead letter of a catalog event, as the search indexer writes one.
async fn catalog_event_dead_lettered(setup: &Setup, payload: &[u8]) -> u64 {
    publish_dead_letter(
        &jetstream::new(setup.ops.clone()),
        "search-indexer",
        ("CATALOG", "catalog.product.BB-1.upserted", 4),
        payload.to_vec(),
        "unknown version",
    )
    .await
}

async fn page(dead_letters: &DeadLetters, request: ListDeadLetters) -> DeadLetterPage {
    match dead_letters.list(&request).await.unwrap() {
        AdminReply::Ok(page) => page,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_producer_lists_the_dead_letters_of_its_own_events_with_where_they_came_from() {
    let setup = setup().await;
    order_event_dead_lettered(&setup).await;
    catalog_event_dead_lettered(&setup, b"{\"not\": \"an envelope\"}").await;

    let orders = page(&setup.orders, ListDeadLetters::default()).await;
    let catalog = page(&setup.catalog, ListDeadLetters::default()).await;

    assert_eq!(orders.dead_letters.len(), 1);
    assert_eq!(orders.next, None);
    let letter = &orders.dead_letters[0];
    assert_eq!(letter.consumer, "mailer");
    assert_eq!(letter.original_subject, ORDER_SUBJECT);
    assert_eq!(letter.original_stream.as_deref(), Some("ORDERS"));
    assert_eq!(letter.original_sequence, Some(1));
    assert_eq!(letter.reason, "rejected: address unknown");
    let event = letter.event.as_ref().expect("an envelope names its event");
    assert_eq!(
        (event.id.as_str(), event.event_type.as_str()),
        (EVENT_ID, "OrderCreated")
    );
    assert_eq!(letter.payload.text.as_bytes(), &order_event()[..]);
    assert!(
        (chrono::Utc::now() - letter.dead_lettered_at).num_seconds() < 60,
        "when it was dead-lettered"
    );

    assert_eq!(catalog.dead_letters.len(), 1);
    let letter = &catalog.dead_letters[0];
    assert_eq!(letter.consumer, "search-indexer");
    assert_eq!(letter.original_subject, "catalog.product.BB-1.upserted");
    assert_eq!(letter.event, None, "not an envelope");
    assert_eq!(
        setup
            .catalog
            .get(orders.dead_letters[0].sequence)
            .await
            .unwrap(),
        None,
        "the catalog does not see checkout's"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_is_paged_oldest_first_and_a_long_payload_is_cut() {
    let setup = setup().await;
    let long = "x".repeat(2000);
    let mut sequences = Vec::new();
    for _ in 0..3 {
        sequences.push(catalog_event_dead_lettered(&setup, long.as_bytes()).await);
    }

    let first = page(
        &setup.catalog,
        ListDeadLetters {
            after: None,
            limit: Some(2),
        },
    )
    .await;
    let rest = page(
        &setup.catalog,
        ListDeadLetters {
            after: first.next,
            limit: Some(2),
        },
    )
    .await;

    let seen: Vec<u64> = first
        .dead_letters
        .iter()
        .chain(&rest.dead_letters)
        .map(|letter| letter.sequence)
        .collect();
    assert_eq!(seen, sequences);
    assert_eq!(first.next, Some(sequences[1]));
    assert_eq!(rest.next, None);
    let payload = &first.dead_letters[0].payload;
    assert!(payload.truncated);
    assert_eq!(payload.bytes, 2000);
    assert!(payload.text.len() <= platform::contracts::dead_letters::LIST_PREVIEW_BYTES);
    let whole = setup.catalog.get(sequences[0]).await.unwrap().unwrap();
    assert_eq!(
        (whole.payload.text.len(), whole.payload.truncated),
        (2000, false)
    );
    assert!(matches!(
        setup
            .catalog
            .list(&ListDeadLetters {
                after: None,
                limit: Some(0)
            })
            .await
            .unwrap(),
        AdminReply::Invalid { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replay_reaches_the_original_subject_once_even_when_asked_twice_and_removes_the_dead_letter()
 {
    let setup = setup().await;
    let consumer = order_event_dead_lettered(&setup).await;
    let sequence = page(&setup.orders, ListDeadLetters::default())
        .await
        .dead_letters[0]
        .sequence;

    // Two replays at once (a retry racing the first): one message id, so the stream keeps one.
    let (first, second) =
        tokio::join!(setup.orders.replay(sequence), setup.orders.replay(sequence));
    let replayed = first.unwrap().or(second.unwrap()).expect("replayed");
    let again = setup.orders.replay(sequence).await.unwrap();

    assert_eq!(again, None, "the dead letter is gone after its replay");
    assert_eq!(replayed.subject, ORDER_SUBJECT);
    assert_eq!(replayed.stream, "ORDERS");
    assert_eq!(replayed.message_id, format!("{EVENT_ID}.replay.{sequence}"));
    let on_subject = stream_messages_on(&setup.ops, "ORDERS", Some(ORDER_SUBJECT)).await;
    assert_eq!(on_subject.len(), 2, "the original and one replay");
    let replay = &on_subject[1];
    assert_eq!(&replay.payload[..], &order_event()[..]);
    let headers = replay.headers.as_ref().unwrap();
    assert_eq!(
        headers.get("Nats-Msg-Id").unwrap().as_str(),
        replayed.message_id
    );
    assert_eq!(headers.get("Shop-Trace").unwrap().as_str(), "trace-1");
    assert!(headers.get(HEADER_REASON).is_none());
    assert!(
        page(&setup.orders, ListDeadLetters::default())
            .await
            .dead_letters
            .is_empty()
    );

    // The consumer that gave up gets the event again.
    let mut messages = consumer
        .fetch()
        .max_messages(2)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    let redelivered = messages.next().await.unwrap().unwrap();
    assert_eq!(&redelivered.payload[..], &order_event()[..]);
    assert!(messages.next().await.is_none(), "once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_producer_neither_replays_nor_discards_another_producers_dead_letter() {
    let setup = setup().await;
    order_event_dead_lettered(&setup).await;
    let sequence = page(&setup.orders, ListDeadLetters::default())
        .await
        .dead_letters[0]
        .sequence;

    assert_eq!(setup.catalog.replay(sequence).await.unwrap(), None);
    assert_eq!(setup.catalog.discard(sequence).await.unwrap(), None);

    assert!(setup.orders.get(sequence).await.unwrap().is_some());
    assert_eq!(
        stream_messages_on(&setup.ops, "ORDERS", Some(ORDER_SUBJECT))
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discarded_dead_letter_is_gone_without_being_replayed() {
    let setup = setup().await;
    let sequence = catalog_event_dead_lettered(&setup, b"{}").await;

    let discarded = setup.catalog.discard(sequence).await.unwrap();
    let again = setup.catalog.discard(sequence).await.unwrap();

    assert_eq!(discarded.map(|d| d.sequence), Some(sequence));
    assert_eq!(again, None);
    assert_eq!(setup.catalog.get(sequence).await.unwrap(), None);
    assert!(
        page(&setup.catalog, ListDeadLetters::default())
            .await
            .dead_letters
            .is_empty()
    );
    assert!(
        stream_messages_on(&setup.ops, "CATALOG", None)
            .await
            .is_empty(),
        "nothing was published"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_dead_letter_stream_there_is_nothing_to_list() {
    let nats = NatsServer::start();
    let orders = DeadLetters::new(jetstream::new(nats.connect_as("checkout").await), "orders");

    assert!(
        page(&orders, ListDeadLetters::default())
            .await
            .dead_letters
            .is_empty()
    );
    assert_eq!(orders.get(1).await.unwrap(), None);
}
