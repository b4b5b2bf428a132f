//! Sending through SES (moto): one email per order, duplicates and redeliveries send nothing more, permanent
//! rejections are dead-lettered after one attempt, and an outage is waited out.

use std::{collections::HashSet, time::Duration};

use platform::{events::Envelope, testing::MotoServer};

use crate::helpers::{
    MAIL_FROM, Plug, Via, eventually, leave_sending, moto_emails, order, spawn_mailer, test_config,
    verify_sender,
};

fn start_moto() -> MotoServer {
    tokio::task::block_in_place(MotoServer::start)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_order_gets_exactly_one_email_through_ses() {
    let moto = start_moto();
    verify_sender(&moto.url()).await;
    let mailer = spawn_mailer(Via::Ses(moto.url()), test_config()).await;

    let envelopes: Vec<_> = (0..12)
        .map(|_| Envelope::new("checkout", order()))
        .collect();
    for envelope in &envelopes {
        mailer.publish(envelope).await;
    }
    mailer.wait_for_state("sent", 12).await;
    mailer.wait_until_settled().await;

    let emails = mailer.emails().await;
    assert_eq!(emails.len(), 12);
    let accepted = moto_emails(&mailer.http, &moto.url()).await;
    assert_eq!(accepted.len(), 12, "moto accepted one email per order");
    let moto_ids: HashSet<&str> = accepted.iter().filter_map(|m| m["id"].as_str()).collect();
    for envelope in &envelopes {
        let email = emails
            .iter()
            .find(|email| email.event_id == envelope.id.to_string())
            .expect("every event has its email");
        assert_eq!(envelope.data.number, email.order_number.as_str());
        assert_eq!((email.state.as_str(), email.attempts), ("sent", 1));
        assert_eq!(email.recipient, "ana@example.com");
        assert_eq!(
            email.subject,
            format!("Your order {} is confirmed", envelope.data.number)
        );
        let message_id = email.provider_message_id.as_deref().unwrap();
        assert!(
            moto_ids.contains(message_id),
            "{message_id} is one moto accepted"
        );
    }
    let first = accepted
        .iter()
        .find(|m| m["subject"] == format!("Your order {} is confirmed", envelopes[0].data.number))
        .expect("the subject reached SES");
    assert!(
        first["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("<{MAIL_FROM}>"))
    );
    assert_eq!(
        first["destinations"]["ToAddresses"][0], "=?UTF-8?B?QW5hIE7DusOxZXo=?= <ana@example.com>",
        "the customer's name travels as an encoded word"
    );
    assert!(
        first["body"].as_str().unwrap().contains("Ana Núñez"),
        "SES got the HTML part"
    );
    assert!(mailer.dead_letters().await.is_empty());

    let (status, metrics) = mailer.get("/metrics").await;
    assert_eq!(status, 200);
    for name in [
        "mailer_emails_sent_total",
        "mailer_emails_failed_total",
        "mailer_emails_retried_total",
        "consumer_pending",
    ] {
        assert!(metrics.contains(name), "{name} in /metrics");
    }
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_event_published_again_or_redelivered_sends_one_email() {
    let moto = start_moto();
    verify_sender(&moto.url()).await;
    let mailer = spawn_mailer(Via::Ses(moto.url()), test_config()).await;

    let twice = Envelope::new("checkout", order());
    let once = Envelope::new("checkout", order());
    // Back to back: the copies may be handled at the same moment by two handlers.
    mailer.publish(&twice).await;
    mailer.publish(&twice).await;
    mailer.publish(&once).await;
    mailer.wait_for_state("sent", 2).await;
    // And again once it was sent.
    mailer.publish(&twice).await;
    mailer.wait_until_settled().await;

    assert_eq!(moto_emails(&mailer.http, &moto.url()).await.len(), 2);
    let emails = mailer.emails().await;
    assert_eq!(emails.len(), 2);
    assert!(
        emails.iter().all(|e| e.state == "sent" && e.attempts == 1),
        "{emails:?}"
    );
    assert!(mailer.dead_letters().await.is_empty());
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_mailers_sharing_the_consumer_send_each_email_once() {
    let moto = start_moto();
    verify_sender(&moto.url()).await;
    let config = mailer::config::Config {
        concurrency: 2,
        ..test_config()
    };
    let mailer = spawn_mailer(Via::Ses(moto.url()), config.clone()).await;
    let replica = mailer.spawn_replica(Via::Ses(moto.url()), config).await;

    let envelopes: Vec<_> = (0..20)
        .map(|_| Envelope::new("checkout", order()))
        .collect();
    for envelope in &envelopes {
        mailer.publish(envelope).await;
    }
    // Some events twice, as a relay re-publishing after the duplicate window would.
    for envelope in envelopes.iter().step_by(4) {
        mailer.publish(envelope).await;
    }
    mailer.wait_for_state("sent", 20).await;
    mailer.wait_until_settled().await;

    assert_eq!(moto_emails(&mailer.http, &moto.url()).await.len(), 20);
    let emails = mailer.emails().await;
    assert_eq!(emails.len(), 20);
    assert!(
        emails.iter().all(|e| e.state == "sent" && e.attempts == 1),
        "{emails:?}"
    );
    replica.cancel();
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_ses_rejects_is_failed_after_one_attempt_and_dead_lettered() {
    let moto = start_moto();
    // The sender is not verified: SES answers MessageRejected.
    let mailer = spawn_mailer(Via::Ses(moto.url()), test_config()).await;
    let envelope = Envelope::new("checkout", order());
    mailer.publish(&envelope).await;

    mailer.wait_for_state("failed", 1).await;
    eventually("the rejected event is dead-lettered", async || {
        !mailer.dead_letters().await.is_empty()
    })
    .await;
    mailer.wait_until_settled().await;
    // Long enough for a retry, were there one.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let email = mailer.email(&envelope.data.number).await.unwrap();
    assert_eq!((email.state.as_str(), email.attempts), ("failed", 1));
    let error = email.last_error.unwrap();
    assert!(error.contains("MessageRejected"), "{error}");
    let dead = mailer.dead_letters().await;
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].subject,
        format!("deadletter.mailer.orders.{}.created", envelope.data.number)
    );
    assert!(
        dead[0].reason.contains("MessageRejected"),
        "{}",
        dead[0].reason
    );
    assert!(moto_emails(&mailer.http, &moto.url()).await.is_empty());
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_that_arrive_while_ses_is_down_are_sent_once_when_it_returns() {
    let mut moto = start_moto();
    verify_sender(&moto.url()).await;
    let mut plug = Plug::new(&moto.url()).await;
    // Two deliveries only: an outage must not use them up and dead-letter the emails.
    let config = mailer::config::Config {
        max_deliver: 2,
        backoff: vec![Duration::from_millis(400)],
        ..test_config()
    };
    let mailer = spawn_mailer(Via::Ses(plug.url()), config).await;

    plug.unplug().await;
    tokio::task::block_in_place(|| moto.stop());
    let envelopes: Vec<_> = (0..3).map(|_| Envelope::new("checkout", order())).collect();
    for envelope in &envelopes {
        mailer.publish(envelope).await;
    }
    eventually(
        "every email is retried past its last delivery",
        async || {
            let emails = mailer.emails().await;
            emails.len() == 3
                && emails
                    .iter()
                    .all(|e| e.state == "retrying" && e.attempts >= 3)
        },
    )
    .await;
    let email = mailer.email(&envelopes[0].data.number).await.unwrap();
    let error = email.last_error.unwrap();
    assert!(
        error.contains("Connect") || error.contains("refused"),
        "{error}"
    );
    assert!(
        mailer.dead_letters().await.is_empty(),
        "an outage dead-letters nothing"
    );
    let (status, readiness) = mailer.get("/readyz").await;
    assert_eq!(
        status, 200,
        "SES being down does not make the mailer unready: {readiness}"
    );

    // moto comes back empty: the sender is verified again before the mailer can reach it.
    tokio::task::block_in_place(|| moto.start_again());
    verify_sender(&moto.url()).await;
    plug.plug().await;

    mailer.wait_for_state("sent", 3).await;
    mailer.wait_until_settled().await;
    assert_eq!(moto_emails(&mailer.http, &moto.url()).await.len(), 3);
    assert!(mailer.dead_letters().await.is_empty());
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_left_sending_by_a_handler_that_died_is_marked_uncertain_and_not_sent_again_through_ses()
 {
    let moto = start_moto();
    verify_sender(&moto.url()).await;
    let mailer = spawn_mailer(Via::Ses(moto.url()), test_config()).await;
    let envelope = Envelope::new("checkout", order());
    // SES cannot be asked whether it took the email before the handler died.
    leave_sending(&mailer, &envelope).await;

    mailer.publish(&envelope).await;
    mailer.wait_for_state("uncertain", 1).await;
    mailer.wait_until_settled().await;

    let email = mailer.email(&envelope.data.number).await.unwrap();
    assert_eq!(email.attempts, 1, "no new attempt");
    assert!(email.last_error.unwrap().contains("may have been sent"));
    assert!(
        moto_emails(&mailer.http, &moto.url()).await.is_empty(),
        "nothing was sent again"
    );
    assert!(mailer.dead_letters().await.is_empty());

    // A later redelivery leaves it alone too.
    mailer.publish(&envelope).await;
    mailer.wait_until_settled().await;
    assert_eq!(
        mailer.email(&envelope.data.number).await.unwrap().state,
        "uncertain"
    );
    assert!(moto_emails(&mailer.http, &moto.url()).await.is_empty());
    mailer.stop().await;
}
