//! The dead-letters page against a real catalog (checkout not running): the list of every service's dead
//! letters with a notice for the one that does not answer, the payload shown escaped, and replay and discard
//! for staff only (CSRF, a fresh idempotency key, audited; a double submit replays once).

use async_nats::jetstream;
use platform::testing::{ensure_event_streams, publish_dead_letter, stream_messages_on};
use reqwest::StatusCode;

use crate::{
    catalog_shop::{Shop, form_value, shop},
    helpers::{body, location},
};

const SUBJECT: &str = "catalog.product.BB-DL00001.upserted";
const EVENT_ID: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

/// A catalog event's dead letter whose payload tries to inject markup and script.
fn hostile_event() -> Vec<u8> {
    format!(
        r#"{{"id":"{EVENT_ID}","type":"ProductUpserted","version":1,"data":{{"name":"<script>alert(1)</script><img src=x onerror=alert(2)>"}}}}"#
    )
    .into_bytes()
}

async fn with_dead_letter() -> (Shop, u64) {
    let shop = shop(Vec::new()).await;
    let ops = shop.admin.ops().await;
    ensure_event_streams(&ops).await;
    let sequence = publish_dead_letter(
        &jetstream::new(ops),
        "search-indexer",
        ("CATALOG", SUBJECT, 7),
        hostile_event(),
        "unknown version <b>2</b>",
    )
    .await;
    (shop, sequence)
}

async fn published(shop: &Shop) -> usize {
    stream_messages_on(&shop.admin.ops().await, "CATALOG", Some(SUBJECT))
        .await
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn viewers_see_every_services_dead_letters_and_a_notice_for_a_service_that_does_not_answer() {
    let (shop, sequence) = with_dead_letter().await;
    let viewer = shop.viewer().await;

    let page = viewer.page("/admin/dead-letters").await;

    assert!(
        page.contains("href=\"/admin/dead-letters\" aria-current=\"page\""),
        "in the nav"
    );
    assert!(page.contains(&format!("href=\"/admin/dead-letters/catalog/{sequence}\"")));
    assert!(page.contains("<code>catalog.product.BB-DL00001.upserted</code>"));
    assert!(page.contains("<td>ProductUpserted</td>"));
    assert!(page.contains("<td>search-indexer</td>"));
    assert!(
        page.contains("The checkout service did not answer"),
        "checkout is not running: a notice for its part, not an error page"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_payload_is_shown_indented_and_escaped() {
    let (shop, sequence) = with_dead_letter().await;
    let viewer = shop.viewer().await;

    let page = viewer
        .page(&format!("/admin/dead-letters/catalog/{sequence}"))
        .await;

    assert!(
        !page.contains("<script>alert"),
        "no markup from the payload"
    );
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("<b>2</b>"), "nor from the reason");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"));
    assert!(
        page.contains("\n  &quot;id&quot;: &quot;0190a1b2"),
        "indented JSON"
    );
    assert!(!page.contains("/replay\""), "a viewer gets no buttons");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_is_refused_a_replay_and_the_refusal_is_audited() {
    let (shop, sequence) = with_dead_letter().await;
    let viewer = shop.viewer().await;

    let refused = viewer
        .post(
            &format!("/admin/dead-letters/catalog/{sequence}/replay"),
            &[("idempotency_key", &uuid::Uuid::new_v4().to_string())],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(shop.last_refused_access().await, "viewer@shop.test");
    assert_eq!(published(&shop).await, 0);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_replay_a_dead_letter_once_even_when_the_form_is_sent_twice() {
    let (shop, sequence) = with_dead_letter().await;
    let staff = shop.staff().await;
    let path = format!("/admin/dead-letters/catalog/{sequence}");
    let page = staff.page(&path).await;
    let action = format!("{path}/replay");
    assert!(page.contains(&format!(
        "action=\"{action}\" data-confirm=\"Publish this event again"
    )));
    let key = form_value(&page, &action, "idempotency_key").expect("a key in the form");

    let first = staff.post(&action, &[("idempotency_key", &key)]).await;
    let second = staff.post(&action, &[("idempotency_key", &key)]).await;

    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first), "/admin/dead-letters");
    assert_eq!(
        second.status(),
        StatusCode::SEE_OTHER,
        "the repeat gets the first answer"
    );
    assert_eq!(published(&shop).await, 1, "published once");
    let list = staff.page("/admin/dead-letters").await;
    assert!(list.contains(&format!(
        "Dead letter {sequence} replayed: published again on {SUBJECT}"
    )));
    assert!(
        !list.contains(&format!("href=\"{path}\"")),
        "gone from the list"
    );
    let replays: Vec<_> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "deadletter.replay")
        .collect();
    assert_eq!(replays.len(), 1, "one audit entry: {replays:?}");
    assert_eq!(
        (
            replays[0].1.as_str(),
            replays[0].2.as_str(),
            replays[0].3.as_str(),
            replays[0].4.as_str()
        ),
        (
            "staff@shop.test",
            "ok",
            "dead_letter",
            format!("catalog/{sequence}").as_str()
        )
    );
    let after: String = sqlx::query_scalar(
        "SELECT CAST(after_json AS CHAR) FROM audit_log WHERE action = 'deadletter.replay'",
    )
    .fetch_one(&shop.admin.pool)
    .await
    .unwrap();
    assert!(
        after.contains(&format!("{EVENT_ID}.replay.{sequence}")),
        "{after}"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_discard_a_dead_letter_and_a_second_try_is_refused_as_gone() {
    let (shop, sequence) = with_dead_letter().await;
    let staff = shop.staff().await;
    let action = format!("/admin/dead-letters/catalog/{sequence}/discard");

    let discarded = staff
        .post(
            &action,
            &[("idempotency_key", &uuid::Uuid::new_v4().to_string())],
        )
        .await;
    let again = staff
        .post(
            &action,
            &[("idempotency_key", &uuid::Uuid::new_v4().to_string())],
        )
        .await;

    assert_eq!(discarded.status(), StatusCode::SEE_OTHER);
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let list = body(staff.get("/admin/dead-letters").await).await;
    assert!(list.contains(&format!(
        "Dead letter {sequence} was not discarded: it is not there any more"
    )));
    assert_eq!(published(&shop).await, 0, "nothing replayed");
    let outcomes: Vec<String> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "deadletter.discard")
        .map(|entry| entry.2)
        .collect();
    assert_eq!(outcomes, ["refused", "ok"], "newest first");
    shop.stop().await;
}
