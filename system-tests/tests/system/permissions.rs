//! NATS is locked down (`infra/nats-server.conf`): no anonymous client, and each user may touch only its own
//! subjects. Every refusal is checked twice: the server reports a permissions violation naming the subject,
//! and nothing happened (no stock reserved, no message stored, nothing received). Where a refusal could be
//! mistaken for an absent responder, `ops` does the same thing first and it works.

use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull};
use futures::{StreamExt as _, TryStreamExt as _};
use platform::{
    contracts::{
        catalog::{
            QUOTE, QuoteReply, QuoteRequest, RESERVE, ReserveRequest, StockLine, StockReply,
        },
        orders::{TRANSITION, TransitionReply, TransitionRequest},
    },
    rpc::{RpcError, call},
    testing::{NatsServer, owners, publish_raw},
};
use serde_json::{Value, json};

use crate::helpers::{ServiceProcess, discover, json_of};

/// How long a test waits for an answer that must not come.
const REFUSED_WITHIN: Duration = Duration::from_secs(1);

/// A JetStream context whose API calls give up quickly: refused ones never get an answer.
fn jetstream_of(client: &async_nats::Client) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(REFUSED_WITHIN)
        .build(client.clone())
}

async fn stream_messages(ops: &async_nats::Client, stream: &str) -> u64 {
    let mut stream = jetstream::new(ops.clone())
        .get_stream(stream)
        .await
        .expect("stream exists");
    stream.info().await.expect("stream info").state.messages
}

/// An OrderCreated-shaped payload: what a reader of ORDERS must never see.
fn order_payload(number: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "OrderCreated", "data": {"number": number, "email": "ana@example.com", "lookup_token": "secret"}
    }))
    .unwrap()
}

/// A seeded catalog and checkout, as processes on their own users, and one SKU in stock.
async fn catalog_and_checkout(nats: &NatsServer) -> (ServiceProcess, ServiceProcess, String) {
    let catalog = ServiceProcess::start("catalog", nats, &[]).await;
    let checkout = ServiceProcess::start("checkout", nats, &[]).await;
    let http = reqwest::Client::new();
    for service in [&catalog, &checkout] {
        service
            .wait_for_readyz(&http, 200, Duration::from_secs(60))
            .await;
    }
    catalog.run_command(&["seed"]).await;
    let listing: Value = json_of(http.get(format!(
        "{}/api/products?in_stock=true&limit=1",
        catalog.http
    )))
    .await;
    let sku = listing["products"][0]["sku"]
        .as_str()
        .expect("a product in stock")
        .to_owned();
    (catalog, checkout, sku)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_anonymous_client_and_a_wrong_password_are_refused() {
    let nats = NatsServer::start();

    let anonymous = async_nats::connect(nats.url()).await;
    let err = anonymous.expect_err("an anonymous client is refused");
    assert_eq!(
        err.kind(),
        async_nats::ConnectErrorKind::AuthorizationViolation,
        "{err}"
    );

    let wrong = async_nats::ConnectOptions::with_user_and_password("ops".into(), "guess".into())
        .connect(nats.url())
        .await;
    assert!(wrong.is_err(), "a wrong password is refused");

    // A service with the wrong password fails at once, saying why, instead of retrying until its timeout.
    let mut auth = nats.credentials("catalog");
    auth.password = Some("guess".to_owned().into());
    let started = std::time::Instant::now();
    let err = platform::nats::connect("catalog", &nats.url(), &auth, Duration::from_secs(20))
        .await
        .expect_err("refused");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        format!("{err:#}").contains("refused user catalog"),
        "{err:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mailers_user_can_neither_reserve_stock_nor_move_orders_nor_publish_order_events() {
    let nats = NatsServer::start();
    let (catalog, checkout, sku) = catalog_and_checkout(&nats).await;
    let ops = nats.ops().await;
    let (mailer, mut refused) = nats.connect_watching("mailer").await;
    let before = owners::available(&ops, &sku).await;
    let reserve = |number: &str| ReserveRequest {
        order_number: number.to_owned(),
        lines: vec![StockLine {
            sku: sku.clone(),
            quantity: 1,
            unit_price: None,
        }],
        ttl_secs: Some(86_400),
    };

    // Reserving a whole product for a day would take it off sale: refused, and nothing is reserved.
    let answer =
        call::<_, StockReply>(&mailer, RESERVE, &reserve("SH-MAILER01"), REFUSED_WITHIN).await;
    assert!(
        matches!(
            answer,
            Err(RpcError::Timeout(_) | RpcError::NoResponders(_))
        ),
        "{answer:?}"
    );
    refused
        .expect(r#"Permissions Violation for Publish to "rpc.catalog.reserve""#)
        .await;
    assert_eq!(
        owners::available(&ops, &sku).await,
        before,
        "nothing was reserved"
    );
    // The endpoint itself answers: the refusal was the mailer's, not a missing catalog.
    let answer: StockReply = call(
        &ops,
        RESERVE,
        &reserve("SH-OPS0001"),
        Duration::from_secs(5),
    )
    .await
    .expect("ops may reserve");
    assert!(matches!(answer, StockReply::Ok(_)), "{answer:?}");
    assert_eq!(owners::available(&ops, &sku).await, before - 1);

    // Refunds and cancellations go through checkout's transition endpoint: not for the mailer.
    let transition = TransitionRequest {
        number: "SH-NOSUCH01".to_owned(),
        to: "refunded".to_owned(),
        reason: None,
    };
    let answer = call::<_, TransitionReply>(&mailer, TRANSITION, &transition, REFUSED_WITHIN).await;
    assert!(answer.is_err(), "{answer:?}");
    refused
        .expect(r#"Permissions Violation for Publish to "rpc.checkout.transition""#)
        .await;
    let answer: TransitionReply = call(&ops, TRANSITION, &transition, Duration::from_secs(5))
        .await
        .expect("ops may move orders");
    assert!(
        matches!(answer, TransitionReply::Rejected { .. }),
        "{answer:?}"
    );

    // A forged order event reaches neither the stream nor anyone subscribed to it.
    let mut watching = ops.subscribe("orders.>").await.unwrap();
    ops.flush().await.unwrap();
    let forged = jetstream_of(&mailer)
        .publish(
            "orders.SH-FORGED1.created",
            order_payload("SH-FORGED1").into(),
        )
        .await
        .expect("the publish is sent")
        .await;
    assert!(forged.is_err(), "no stream acknowledged it: {forged:?}");
    refused
        .expect(r#"Permissions Violation for Publish to "orders.SH-FORGED1.created""#)
        .await;
    mailer
        .publish("orders.SH-FORGED2.paid", "{}".into())
        .await
        .unwrap();
    refused
        .expect(r#"Permissions Violation for Publish to "orders.SH-FORGED2.paid""#)
        .await;
    assert_eq!(
        stream_messages(&ops, "ORDERS").await,
        0,
        "nothing reached ORDERS"
    );
    let seen = tokio::time::timeout(REFUSED_WITHIN, watching.next()).await;
    assert!(seen.is_err(), "a subscriber saw a forged event: {seen:?}");

    // Nor can it answer in the catalog's place.
    let _stolen = mailer.subscribe("rpc.catalog.reserve").await.unwrap();
    refused
        .expect(r#"Permissions Violation for Subscription to "rpc.catalog.reserve""#)
        .await;

    catalog.terminate(Duration::from_secs(15)).await;
    checkout.terminate(Duration::from_secs(15)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalogs_user_cannot_read_orders() {
    let nats = NatsServer::start();
    let ops = nats.ops().await;
    platform::testing::ensure_event_streams(&ops).await;
    let ops_jetstream = jetstream::new(ops.clone());
    publish_raw(
        &ops_jetstream,
        "orders.SH-SECRET1.created",
        order_payload("SH-SECRET1"),
    )
    .await;
    let (catalog, mut refused) = nats.connect_watching("catalog").await;
    let catalog_jetstream = jetstream_of(&catalog);

    // No consumer on ORDERS: neither a durable nor an ephemeral one.
    let created = catalog_jetstream
        .create_consumer_on_stream(
            pull::Config {
                durable_name: Some("catalog".to_owned()),
                ..Default::default()
            },
            "ORDERS",
        )
        .await;
    assert!(created.is_err(), "a consumer on ORDERS for the catalog");
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.CONSUMER.CREATE.ORDERS.catalog""#)
        .await;
    let created = catalog_jetstream
        .create_consumer_on_stream(pull::Config::default(), "ORDERS")
        .await;
    assert!(
        created.is_err(),
        "an ephemeral consumer on ORDERS for the catalog"
    );
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.CONSUMER.CREATE.ORDERS""#)
        .await;

    // No message by its sequence number, and not even the stream's description.
    let got = catalog
        .send_request(
            "$JS.API.STREAM.MSG.GET.ORDERS",
            async_nats::Request::new()
                .payload(r#"{"seq":1}"#.into())
                .timeout(Some(REFUSED_WITHIN)),
        )
        .await;
    assert!(got.is_err(), "{got:?}");
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.STREAM.MSG.GET.ORDERS""#)
        .await;
    assert!(catalog_jetstream.get_stream("ORDERS").await.is_err());
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.STREAM.INFO.ORDERS""#)
        .await;

    // Not the live subject, nor the replies of users who can read it (the mailer's inbox, or a shared one).
    let mut live = catalog.subscribe("orders.>").await.unwrap();
    refused
        .expect(r#"Permissions Violation for Subscription to "orders.>""#)
        .await;
    for inbox in ["_INBOX.>", "_INBOX_mailer.>"] {
        let _ = catalog.subscribe(inbox).await.unwrap();
        refused
            .expect(&format!(
                r#"Permissions Violation for Subscription to "{inbox}""#
            ))
            .await;
    }
    publish_raw(
        &ops_jetstream,
        "orders.SH-SECRET2.created",
        order_payload("SH-SECRET2"),
    )
    .await;
    let seen = tokio::time::timeout(REFUSED_WITHIN, live.next()).await;
    assert!(
        !matches!(seen, Ok(Some(_))),
        "the catalog received an order event: {seen:?}"
    );

    let mut orders = ops_jetstream.get_stream("ORDERS").await.unwrap();
    assert_eq!(orders.info().await.unwrap().state.consumer_count, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_monitor_user_sees_streams_consumers_and_services_but_no_message() {
    let nats = NatsServer::start();
    let ops = nats.ops().await;
    platform::testing::ensure_event_streams(&ops).await;
    let ops_jetstream = jetstream::new(ops.clone());
    publish_raw(
        &ops_jetstream,
        "orders.SH-SECRET1.created",
        order_payload("SH-SECRET1"),
    )
    .await;
    // A service registered with the services API, and a durable consumer with a backlog.
    let catalog = ServiceProcess::start("catalog", &nats, &[]).await;
    catalog
        .wait_for_readyz(&reqwest::Client::new(), 200, Duration::from_secs(60))
        .await;
    let mailer_spec = platform::consumer::ConsumerSpec {
        stream: "ORDERS".to_owned(),
        durable: "mailer".to_owned(),
        filter_subject: "orders.*.created".to_owned(),
        max_deliver: 5,
        backoff: Vec::new(),
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 100,
    };
    platform::consumer::ensure_consumer(
        &jetstream::new(nats.connect_as("mailer").await),
        &mailer_spec,
    )
    .await
    .unwrap();

    let (monitor, mut refused) = nats.connect_watching("monitor").await;
    let monitor_jetstream = jetstream_of(&monitor);

    // `nats stream ls` / `info`, `nats consumer ls` / `info`.
    let mut names: Vec<String> = monitor_jetstream
        .stream_names()
        .try_collect()
        .await
        .unwrap();
    names.sort();
    assert_eq!(names, ["ACCOUNTS", "CATALOG", "DEADLETTER", "ORDERS"]);
    let listed: Vec<_> = monitor_jetstream.streams().try_collect().await.unwrap();
    assert_eq!(listed.len(), 4);
    let mut orders = monitor_jetstream.get_stream("ORDERS").await.unwrap();
    assert_eq!(orders.info().await.unwrap().state.messages, 1);
    let consumers: Vec<String> = orders.consumer_names().try_collect().await.unwrap();
    assert_eq!(consumers, ["mailer"]);
    let listed: Vec<_> = orders.consumers().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    let info = orders.consumer_info("mailer").await.unwrap();
    assert_eq!(info.num_pending, 1, "the backlog shows");

    // `nats micro ls`, `nats micro stats catalog`.
    let infos = discover(&monitor, "$SRV.INFO", Duration::from_secs(1)).await;
    assert!(
        infos.iter().any(|info| info["name"] == "catalog"),
        "{infos:?}"
    );
    let stats = discover(&monitor, "$SRV.STATS.catalog", Duration::from_secs(1)).await;
    assert_eq!(stats.len(), 1, "{stats:?}");

    // But no message: not by sequence, not through a consumer of its own, not live.
    assert!(orders.get_raw_message(1).await.is_err());
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.STREAM.MSG.GET.ORDERS""#)
        .await;
    assert!(
        orders
            .create_consumer(pull::Config::default())
            .await
            .is_err()
    );
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.CONSUMER.CREATE.ORDERS""#)
        .await;
    let mut live = monitor.subscribe("orders.>").await.unwrap();
    refused
        .expect(r#"Permissions Violation for Subscription to "orders.>""#)
        .await;
    publish_raw(
        &ops_jetstream,
        "orders.SH-SECRET2.created",
        order_payload("SH-SECRET2"),
    )
    .await;
    let seen = tokio::time::timeout(REFUSED_WITHIN, live.next()).await;
    assert!(!matches!(seen, Ok(Some(_))), "{seen:?}");

    // And it changes nothing: no rpc call, no event.
    let quote = call::<_, QuoteReply>(
        &monitor,
        QUOTE,
        &QuoteRequest { skus: vec![] },
        REFUSED_WITHIN,
    )
    .await;
    assert!(quote.is_err(), "{quote:?}");
    refused
        .expect(r#"Permissions Violation for Publish to "rpc.catalog.quote""#)
        .await;
    // Not even the read-only counts of checkout and the mailer: they are for operators.
    for subject in [
        platform::contracts::orders::COUNTS,
        platform::contracts::mailer::COUNTS,
    ] {
        let counts = call::<_, Value>(&monitor, subject, &json!({}), REFUSED_WITHIN).await;
        assert!(counts.is_err(), "{counts:?}");
        refused
            .expect(&format!(
                r#"Permissions Violation for Publish to "{subject}""#
            ))
            .await;
    }
    monitor
        .publish("catalog.product.BB-1.deleted", "{}".into())
        .await
        .unwrap();
    refused
        .expect(r#"Permissions Violation for Publish to "catalog.product.BB-1.deleted""#)
        .await;
    assert_eq!(stream_messages(&ops, "CATALOG").await, 0);

    catalog.terminate(Duration::from_secs(15)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admins_user_may_call_only_the_services_admin_endpoints() {
    let nats = NatsServer::start();
    let ops = nats.ops().await;
    platform::testing::ensure_event_streams(&ops).await;
    let (admin, mut refused) = nats.connect_watching("admin").await;

    // Its own subjects get through to the server: with no catalog, checkout or mailer running, nobody answers.
    for subject in [
        "rpc.catalog.admin.products.list",
        "rpc.catalog.admin.deadletters.list",
        "rpc.checkout.admin.orders.list",
        "rpc.checkout.admin.deadletters.list",
        "rpc.mailer.admin.emails.list",
    ] {
        let answer = call::<_, Value>(&admin, subject, &json!({}), Duration::from_secs(2)).await;
        assert!(
            matches!(answer, Err(RpcError::NoResponders(_))),
            "{subject}: {answer:?}"
        );
    }

    // Not the stock endpoints checkout uses, nor checkout's or the mailer's operator ones, nor an event, nor a
    // stream, nor a consumer's messages or its removal (only the durables' info, below).
    for subject in [
        RESERVE,
        QUOTE,
        TRANSITION,
        "rpc.search.rebuild",
        "rpc.mailer.counts",
        "$JS.API.CONSUMER.DELETE.ORDERS.mailer",
        "$JS.API.CONSUMER.MSG.NEXT.ORDERS.mailer",
        "$JS.API.CONSUMER.INFO.DEADLETTER.mailer",
    ] {
        let answer = call::<_, Value>(&admin, subject, &json!({}), REFUSED_WITHIN).await;
        assert!(answer.is_err(), "{subject}: {answer:?}");
        refused
            .expect(&format!(
                r#"Permissions Violation for Publish to "{subject}""#
            ))
            .await;
    }
    admin
        .publish(
            "orders.SH-FORGED1.created",
            order_payload("SH-FORGED1").into(),
        )
        .await
        .unwrap();
    refused
        .expect(r#"Permissions Violation for Publish to "orders.SH-FORGED1.created""#)
        .await;
    admin
        .publish("catalog.product.BB-1.deleted", "{}".into())
        .await
        .unwrap();
    refused
        .expect(r#"Permissions Violation for Publish to "catalog.product.BB-1.deleted""#)
        .await;
    assert!(jetstream_of(&admin).get_stream("ORDERS").await.is_err());
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.STREAM.INFO.ORDERS""#)
        .await;
    // Dead letters only through their producers: never the stream itself.
    assert!(jetstream_of(&admin).get_stream("DEADLETTER").await.is_err());
    refused
        .expect(r#"Permissions Violation for Publish to "$JS.API.STREAM.INFO.DEADLETTER""#)
        .await;
    assert_eq!(stream_messages(&ops, "ORDERS").await, 0);
    assert_eq!(stream_messages(&ops, "CATALOG").await, 0);

    // The durable consumers' info, for the dashboard's lag: read, never changed, never pulled from.
    jetstream_of(&ops)
        .get_stream("ORDERS")
        .await
        .unwrap()
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some(platform::streams::MAILER_CONSUMER.to_owned()),
            ..Default::default()
        })
        .await
        .unwrap();
    let info = call::<_, Value>(
        &admin,
        "$JS.API.CONSUMER.INFO.ORDERS.mailer",
        &json!({}),
        Duration::from_secs(2),
    )
    .await
    .unwrap();
    assert_eq!(info["num_pending"], 0, "{info}");

    // It reads nothing but its own replies: no event, no other user's inbox, no request meant for the
    // catalog (it cannot answer in the catalog's place).
    for subject in [
        "orders.>",
        "catalog.>",
        "_INBOX.>",
        "_INBOX_catalog.>",
        "rpc.catalog.admin.products.save",
        "rpc.checkout.admin.orders.action",
        "rpc.mailer.admin.emails.resend",
    ] {
        let _ = admin.subscribe(subject).await.unwrap();
        refused
            .expect(&format!(
                r#"Permissions Violation for Subscription to "{subject}""#
            ))
            .await;
    }
}
