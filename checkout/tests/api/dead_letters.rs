//! The dead letters of order events as the web admin handles them (`rpc.checkout.admin.deadletters.*`):
//! checkout lists only those of its own events, replays one by publishing the order event again on its subject
//! (once for a double-submitted command; the mailer and the bridge are idempotent on the event id), discards
//! one, and answers `not_found` for one that is gone or not its own.

use std::time::Duration;

use async_nats::jetstream;
use platform::{
    contracts::{
        admin::{Actor, AdminReply, Command},
        dead_letters::{
            CHECKOUT, DeadLetterDiscarded, DeadLetterPage, DeadLetterReplayed, DiscardDeadLetter,
            ListDeadLetters, ReplayDeadLetter,
        },
    },
    testing::{ensure_event_streams, publish_dead_letter, stream_messages_on},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::helpers::{Shop, spawn_shop};

const SUBJECT: &str = "orders.SH-DLQ00001.created";
const EVENT_ID: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";

fn event() -> Vec<u8> {
    format!(r#"{{"id":"{EVENT_ID}","type":"OrderCreated","version":1,"data":{{}}}}"#).into_bytes()
}

fn command<T>(body: T) -> Command<T> {
    Command {
        idempotency_key: uuid::Uuid::new_v4(),
        actor: Actor {
            staff_id: 1,
            email: "ann@shop.test".to_owned(),
        },
        body,
    }
}

async fn call<Req: Serialize, Resp: DeserializeOwned>(
    shop: &Shop,
    subject: &str,
    request: &Req,
) -> Resp {
    platform::rpc::call(&shop.client, subject, request, Duration::from_secs(20))
        .await
        .unwrap_or_else(|err| panic!("{subject}: {err}"))
}

/// The shop with one dead letter of an order event (the mailer's) and one of a catalog event (the search
/// indexer's); returns the sequences of both.
async fn with_dead_letters() -> (Shop, u64, u64) {
    let shop = spawn_shop().await;
    ensure_event_streams(&shop.client).await;
    let ops = jetstream::new(shop.client.clone());
    let order_letter =
        publish_dead_letter(&ops, "mailer", ("ORDERS", SUBJECT, 1), event(), "rejected").await;
    let catalog_letter = publish_dead_letter(
        &ops,
        "search-indexer",
        ("CATALOG", "catalog.product.BB-1.upserted", 2),
        b"{}".to_vec(),
        "unknown version",
    )
    .await;
    (shop, order_letter, catalog_letter)
}

async fn listed(shop: &Shop) -> Vec<(u64, String)> {
    match call::<_, AdminReply<DeadLetterPage>>(shop, CHECKOUT.list, &ListDeadLetters::default())
        .await
    {
        AdminReply::Ok(page) => page
            .dead_letters
            .into_iter()
            .map(|l| (l.sequence, l.consumer))
            .collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_replay_publishes_the_order_event_again_once() {
    let (shop, sequence, catalog_letter) = with_dead_letters().await;
    assert_eq!(listed(&shop).await, [(sequence, "mailer".to_owned())]);
    let replay = command(ReplayDeadLetter { sequence });

    let first: AdminReply<DeadLetterReplayed> = call(&shop, CHECKOUT.replay, &replay).await;
    let second: AdminReply<DeadLetterReplayed> = call(&shop, CHECKOUT.replay, &replay).await;
    let not_ours: AdminReply<DeadLetterReplayed> = call(
        &shop,
        CHECKOUT.replay,
        &command(ReplayDeadLetter {
            sequence: catalog_letter,
        }),
    )
    .await;

    let AdminReply::Ok(done) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(second, first);
    assert_eq!(
        (done.subject.as_str(), done.stream.as_str()),
        (SUBJECT, "ORDERS")
    );
    assert!(
        matches!(not_ours, AdminReply::NotFound { .. }),
        "{not_ours:?}"
    );
    let published = stream_messages_on(&shop.client, "ORDERS", Some(SUBJECT)).await;
    assert_eq!(published.len(), 1, "published once");
    assert_eq!(&published[0].payload[..], &event()[..]);
    assert!(listed(&shop).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discarded_dead_letter_is_gone_and_a_second_discard_finds_nothing() {
    let (shop, sequence, _) = with_dead_letters().await;

    let discarded: AdminReply<DeadLetterDiscarded> = call(
        &shop,
        CHECKOUT.discard,
        &command(DiscardDeadLetter { sequence }),
    )
    .await;
    let again: AdminReply<DeadLetterDiscarded> = call(
        &shop,
        CHECKOUT.discard,
        &command(DiscardDeadLetter { sequence }),
    )
    .await;

    assert_eq!(discarded, AdminReply::Ok(DeadLetterDiscarded { sequence }));
    assert!(matches!(again, AdminReply::NotFound { .. }), "{again:?}");
    assert!(listed(&shop).await.is_empty());
    assert!(
        stream_messages_on(&shop.client, "ORDERS", Some(SUBJECT))
            .await
            .is_empty()
    );
}
