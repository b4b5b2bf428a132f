//! The dead letters of catalog events as the web admin handles them (`rpc.catalog.admin.deadletters.*`): the
//! catalog lists only those of its own events, replays one by publishing its event again on its subject (once
//! for a double-submitted command), discards one, and answers `not_found` for one that is gone.

use async_nats::jetstream;
use platform::{
    contracts::{
        admin::AdminReply,
        dead_letters::{
            CATALOG, DeadLetter, DeadLetterDiscarded, DeadLetterPage, DeadLetterReplayed,
            DiscardDeadLetter, GetDeadLetter, ListDeadLetters, ReplayDeadLetter,
        },
    },
    testing::{ensure_event_streams, publish_dead_letter, stream_messages_on},
};

use crate::{
    admin_support::{call, command, count},
    helpers::{TestApp, spawn_app},
};

const SUBJECT: &str = "catalog.product.BB-DL00001.upserted";
const EVENT_ID: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

fn event() -> Vec<u8> {
    format!(r#"{{"id":"{EVENT_ID}","type":"ProductUpserted","version":1,"data":{{}}}}"#)
        .into_bytes()
}

/// The catalog with one dead letter of its events (the search indexer's) and one of an order event (the
/// mailer's); returns the sequences of both.
async fn with_dead_letters() -> (TestApp, u64, u64) {
    let app = spawn_app().await;
    ensure_event_streams(&app.client).await;
    let ops = jetstream::new(app.client.clone());
    let catalog_letter = publish_dead_letter(
        &ops,
        "search-indexer",
        ("CATALOG", SUBJECT, 3),
        event(),
        "unknown version",
    )
    .await;
    let order_letter = publish_dead_letter(
        &ops,
        "mailer",
        ("ORDERS", "orders.SH-DL000001.created", 1),
        b"{}".to_vec(),
        "rejected",
    )
    .await;
    (app, catalog_letter, order_letter)
}

async fn listed(app: &TestApp) -> Vec<u64> {
    match call::<_, AdminReply<DeadLetterPage>>(app, CATALOG.list, &ListDeadLetters::default())
        .await
    {
        AdminReply::Ok(page) => page.dead_letters.iter().map(|l| l.sequence).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalog_lists_and_shows_the_dead_letters_of_its_own_events_only() {
    let (app, catalog_letter, order_letter) = with_dead_letters().await;

    let sequences = listed(&app).await;
    let one: AdminReply<DeadLetter> = call(
        &app,
        CATALOG.get,
        &GetDeadLetter {
            sequence: catalog_letter,
        },
    )
    .await;
    let other: AdminReply<DeadLetter> = call(
        &app,
        CATALOG.get,
        &GetDeadLetter {
            sequence: order_letter,
        },
    )
    .await;

    assert_eq!(sequences, [catalog_letter]);
    let AdminReply::Ok(letter) = one else {
        panic!("{one:?}")
    };
    assert_eq!(letter.consumer, "search-indexer");
    assert_eq!(letter.original_subject, SUBJECT);
    assert_eq!(letter.reason, "unknown version");
    assert_eq!(
        letter.event.map(|e| e.event_type).as_deref(),
        Some("ProductUpserted")
    );
    assert!(matches!(other, AdminReply::NotFound { .. }), "{other:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_replay_publishes_the_event_again_once() {
    let (app, sequence, _) = with_dead_letters().await;
    let replay = command(ReplayDeadLetter { sequence });

    let first: AdminReply<DeadLetterReplayed> = call(&app, CATALOG.replay, &replay).await;
    let second: AdminReply<DeadLetterReplayed> = call(&app, CATALOG.replay, &replay).await;
    let another: AdminReply<DeadLetterReplayed> = call(
        &app,
        CATALOG.replay,
        &command(ReplayDeadLetter { sequence }),
    )
    .await;

    let AdminReply::Ok(done) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(second, first, "the same command gets the same answer");
    assert!(
        matches!(another, AdminReply::NotFound { .. }),
        "{another:?}"
    );
    assert_eq!(done.subject, SUBJECT);
    assert_eq!(done.message_id, format!("{EVENT_ID}.replay.{sequence}"));
    let published = stream_messages_on(&app.client, "CATALOG", Some(SUBJECT)).await;
    assert_eq!(published.len(), 1, "published once");
    assert_eq!(&published[0].payload[..], &event()[..]);
    assert!(listed(&app).await.is_empty());
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM admin_commands WHERE endpoint = 'rpc.catalog.admin.deadletters.replay'").await,
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discarded_dead_letter_is_gone_and_nothing_is_published() {
    let (app, sequence, order_letter) = with_dead_letters().await;

    let discarded: AdminReply<DeadLetterDiscarded> = call(
        &app,
        CATALOG.discard,
        &command(DiscardDeadLetter { sequence }),
    )
    .await;
    let again: AdminReply<DeadLetterDiscarded> = call(
        &app,
        CATALOG.discard,
        &command(DiscardDeadLetter { sequence }),
    )
    .await;
    let not_ours: AdminReply<DeadLetterDiscarded> = call(
        &app,
        CATALOG.discard,
        &command(DiscardDeadLetter {
            sequence: order_letter,
        }),
    )
    .await;

    assert_eq!(discarded, AdminReply::Ok(DeadLetterDiscarded { sequence }));
    assert!(matches!(again, AdminReply::NotFound { .. }), "{again:?}");
    assert!(
        matches!(not_ours, AdminReply::NotFound { .. }),
        "{not_ours:?}"
    );
    assert!(listed(&app).await.is_empty());
    assert!(
        stream_messages_on(&app.client, "CATALOG", Some(SUBJECT))
            .await
            .is_empty()
    );
    app.stop().await;
}
