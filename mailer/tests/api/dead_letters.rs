//! Events the mailer can never handle go to the DEADLETTER stream with a reason, once, and do not hold up the
//! ones after them.

use platform::{
    contracts::{Email, OrderNumber},
    events::Envelope,
};
use serde_json::json;

use crate::helpers::{Via, eventually, order, spawn_mailer, test_config};

#[tokio::test(flavor = "multi_thread")]
async fn poison_payloads_are_dead_lettered_with_a_reason_and_not_retried() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;

    mailer
        .publish_raw("orders.SH-POISON1.created", b"{not json".to_vec())
        .await;
    let wrong_type = json!({
        "id": uuid::Uuid::now_v7(), "type": "OrderPaid", "version": 1,
        "occurred_at": "2026-11-21T10:00:00Z", "source": "checkout", "data": {"number": "SH-POISON2"}
    });
    mailer
        .publish_raw(
            "orders.SH-POISON2.created",
            serde_json::to_vec(&wrong_type).unwrap(),
        )
        .await;
    let mut unmailable = order();
    unmailable.number = OrderNumber::parse("SH-NOMAIL").unwrap();
    // A well-formed address by the contract's rule, yet not one an email can carry (a comment in it).
    unmailable.email = Email::parse("ana(x)@example.com").unwrap();
    mailer.publish(&Envelope::new("checkout", unmailable)).await;
    let good = Envelope::new("checkout", order());
    mailer.publish(&good).await;

    eventually("three dead letters", async || {
        mailer.dead_letters().await.len() >= 3
    })
    .await;
    mailer.wait_for_state("sent", 1).await;
    mailer.wait_until_settled().await;

    let mut dead = mailer.dead_letters().await;
    // Handled concurrently: in any order.
    dead.sort_by_key(|d| {
        d.subject.contains("NOMAIL") as u8 * 10 + d.subject.contains("POISON2") as u8
    });
    let subjects: Vec<&str> = dead.iter().map(|d| d.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "deadletter.mailer.orders.SH-POISON1.created",
            "deadletter.mailer.orders.SH-POISON2.created",
            "deadletter.mailer.orders.SH-NOMAIL.created",
        ]
    );
    assert!(
        dead[0].reason.starts_with("not an event envelope"),
        "{}",
        dead[0].reason
    );
    assert!(
        dead[1].reason.contains("unknown event \"OrderPaid\""),
        "{}",
        dead[1].reason
    );
    assert!(
        dead[2].reason.contains("cannot be mailed"),
        "{}",
        dead[2].reason
    );

    let unmailable = mailer.email("SH-NOMAIL").await.unwrap();
    assert_eq!(
        (unmailable.state.as_str(), unmailable.attempts),
        ("failed", 0)
    );
    assert_eq!(mailer.email(&good.data.number).await.unwrap().state, "sent");
    assert_eq!(
        mailer.emails().await.len(),
        2,
        "poison leaves no email behind"
    );
    assert_eq!(mailer.eml_files().len(), 1);
    mailer.stop().await;
}
