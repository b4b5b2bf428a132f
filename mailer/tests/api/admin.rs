//! The email log for the web admin over NATS, asked as the admin's own NATS user: the list with its filters
//! and keyset pages, one email with its attempts, an order's emails, and the resend of a failed email (once,
//! however often the command is submitted; never for a sent one).

use std::time::Duration;

use platform::{
    contracts::{
        admin::{Actor, AdminReply, Command},
        mailer::{
            AttemptOutcome, EMAILS_FOR_ORDER, EMAILS_GET, EMAILS_LIST, EMAILS_RESEND, EmailDetail,
            EmailKind, EmailPage, EmailState, EmailsForOrder, GetEmail, ListEmails, OrderEmails,
            ResendEmail, Resent,
        },
    },
    events::Envelope,
    rpc::{RpcError, call},
    testing::{MotoServer, eventually, order_created},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    helpers::{Via, moto_emails, spawn_mailer, test_config, verify_sender},
    order_emails::shipped,
};

async fn ask<Req: Serialize, Resp: DeserializeOwned>(
    client: &async_nats::Client,
    subject: &str,
    request: &Req,
) -> Resp {
    call(client, subject, request, Duration::from_secs(10))
        .await
        .unwrap_or_else(|err| panic!("{subject}: {err}"))
}

fn ok<T: std::fmt::Debug>(reply: AdminReply<T>) -> T {
    match reply {
        AdminReply::Ok(value) => value,
        other => panic!("expected ok, got {other:?}"),
    }
}

fn resend_command(id: u64, key: uuid::Uuid) -> Command<ResendEmail> {
    Command {
        idempotency_key: key,
        actor: Actor {
            staff_id: 7,
            email: "ann@shop.test".to_owned(),
        },
        body: ResendEmail { id },
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_lists_the_log_newest_first_filtered_and_in_pages_and_sees_an_orders_emails() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    let admin = mailer.connect_as("admin").await;
    let mut orders = Vec::new();
    for i in 0..5 {
        let mut order = order_created();
        if i == 4 {
            order.email = platform::contracts::Email::parse("zoe@example.com").unwrap();
        }
        mailer
            .publish(&Envelope::new("checkout", order.clone()))
            .await;
        orders.push(order);
    }
    mailer.wait_for_state("sent", 5).await;
    mailer
        .publish(&Envelope::new("checkout", shipped(&orders[0])))
        .await;
    mailer.wait_for_state("sent", 6).await;

    // Every page of two, newest first, without a gap or a repeat.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page: EmailPage = ok(ask(
            &admin,
            EMAILS_LIST,
            &ListEmails {
                cursor: cursor.clone(),
                limit: Some(2),
                ..ListEmails::default()
            },
        )
        .await);
        assert!(page.rows.len() <= 2);
        seen.extend(page.rows);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert!(
        seen.windows(2)
            .all(|w| (w[0].created_at, w[0].id) > (w[1].created_at, w[1].id)),
        "newest first: {seen:?}"
    );
    assert_eq!(seen[0].kind, EmailKind::OrderShipped);

    let filtered = |request: ListEmails| {
        let admin = admin.clone();
        async move {
            let page: EmailPage = ok(ask(&admin, EMAILS_LIST, &request).await);
            page.rows
        }
    };
    let shipped_rows = filtered(ListEmails {
        kind: Some(EmailKind::OrderShipped),
        ..ListEmails::default()
    })
    .await;
    assert_eq!(shipped_rows.len(), 1);
    assert_eq!(shipped_rows[0].order_number, orders[0].number.as_str());
    let zoe = filtered(ListEmails {
        recipient: Some(" ZOE@example.com ".to_owned()),
        ..ListEmails::default()
    })
    .await;
    assert_eq!(zoe.len(), 1, "by address, letter case aside");
    assert_eq!(
        filtered(ListEmails {
            state: Some(EmailState::Failed),
            ..ListEmails::default()
        })
        .await
        .len(),
        0
    );
    let now = chrono::Utc::now();
    assert_eq!(
        filtered(ListEmails {
            from: Some(now - chrono::Duration::hours(1)),
            until: Some(now + chrono::Duration::hours(1)),
            state: Some(EmailState::Sent),
            ..ListEmails::default()
        })
        .await
        .len(),
        6
    );
    assert_eq!(
        filtered(ListEmails {
            until: Some(now - chrono::Duration::hours(1)),
            ..ListEmails::default()
        })
        .await
        .len(),
        0
    );
    let bad: AdminReply<EmailPage> = ask(
        &admin,
        EMAILS_LIST,
        &ListEmails {
            cursor: Some("not-a-cursor".to_owned()),
            ..ListEmails::default()
        },
    )
    .await;
    assert!(
        matches!(&bad, AdminReply::Invalid { errors } if errors[0].field == "cursor"),
        "{bad:?}"
    );
    let misspelt = call::<_, AdminReply<EmailPage>>(
        &admin,
        EMAILS_LIST,
        &serde_json::json!({"sate": "failed"}),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        matches!(misspelt, Err(RpcError::Service { code: 400, .. })),
        "{misspelt:?}"
    );

    let timeline: OrderEmails = ok(ask(
        &admin,
        EMAILS_FOR_ORDER,
        &EmailsForOrder {
            number: orders[0].number.to_string(),
        },
    )
    .await);
    let kinds: Vec<EmailKind> = timeline.emails.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EmailKind::OrderConfirmation, EmailKind::OrderShipped]
    );
    assert!(timeline.emails.iter().all(|e| e.state == EmailState::Sent));
    let invalid: AdminReply<OrderEmails> = ask(
        &admin,
        EMAILS_FOR_ORDER,
        &EmailsForOrder {
            number: "no such thing!".to_owned(),
        },
    )
    .await;
    assert!(matches!(invalid, AdminReply::Invalid { .. }), "{invalid:?}");

    let detail: EmailDetail = ok(ask(
        &admin,
        EMAILS_GET,
        &GetEmail {
            id: timeline.emails[1].id,
        },
    )
    .await);
    assert_eq!(detail.transport, "file");
    assert!(!detail.resendable);
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.history[0].outcome, AttemptOutcome::Sent);
    assert_eq!(
        detail.history[0].provider_message_id,
        detail.provider_message_id
    );
    assert_eq!(detail.history[0].requested_by, None);
    let missing: AdminReply<EmailDetail> = ask(&admin, EMAILS_GET, &GetEmail { id: 999_999 }).await;
    assert!(
        matches!(missing, AdminReply::NotFound { .. }),
        "{missing:?}"
    );
    mailer.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_email_is_resent_once_however_often_the_command_comes_and_a_sent_one_never() {
    let moto = tokio::task::block_in_place(MotoServer::start);
    // The sender is not verified yet: SES rejects the email for good.
    let mailer = spawn_mailer(Via::Ses(moto.url()), test_config()).await;
    let admin = mailer.connect_as("admin").await;
    let order = order_created();
    mailer
        .publish(&Envelope::new("checkout", order.clone()))
        .await;
    mailer.wait_for_state("failed", 1).await;
    mailer.wait_until_settled().await;
    let failed: EmailPage = ok(ask(
        &admin,
        EMAILS_LIST,
        &ListEmails {
            state: Some(EmailState::Failed),
            ..ListEmails::default()
        },
    )
    .await);
    let id = failed.rows[0].id;
    let detail: EmailDetail = ok(ask(&admin, EMAILS_GET, &GetEmail { id }).await);
    assert!(detail.resendable);
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.history[0].outcome, AttemptOutcome::Failed);
    assert!(
        detail.history[0]
            .error
            .as_deref()
            .unwrap()
            .contains("MessageRejected")
    );

    // The operator fixes the cause, then sends it again: the form submitted twice at once.
    verify_sender(&moto.url()).await;
    let command = resend_command(id, uuid::Uuid::new_v4());
    let (first, second) = tokio::join!(
        ask::<_, AdminReply<Resent>>(&admin, EMAILS_RESEND, &command),
        ask::<_, AdminReply<Resent>>(&admin, EMAILS_RESEND, &command),
    );
    let replies = [first, second];
    assert!(
        replies.iter().any(|reply| matches!(
            reply,
            AdminReply::Ok(Resent {
                state: EmailState::Sent,
                attempt: 2,
                ..
            })
        )),
        "{replies:?}"
    );
    assert!(
        replies
            .iter()
            .all(|reply| matches!(reply, AdminReply::Ok(Resent { attempt: 2, .. }))),
        "both are the one resend: {replies:?}"
    );
    // And once more, after it went through: the same answer, nothing sent.
    let again: AdminReply<Resent> = ask(&admin, EMAILS_RESEND, &command).await;
    assert!(
        matches!(
            again,
            AdminReply::Ok(Resent {
                state: EmailState::Sent,
                attempt: 2,
                ..
            })
        ),
        "{again:?}"
    );
    eventually("SES took the resent email", async || {
        moto_emails(&mailer.http, &moto.url()).await.len() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(moto_emails(&mailer.http, &moto.url()).await.len(), 1);

    let detail: EmailDetail = ok(ask(&admin, EMAILS_GET, &GetEmail { id }).await);
    assert_eq!(detail.email.state, EmailState::Sent);
    assert_eq!(detail.email.attempts, 2);
    assert!(!detail.resendable);
    assert_eq!(detail.history.len(), 2);
    assert_eq!(detail.history[1].outcome, AttemptOutcome::Sent);
    assert_eq!(
        detail.history[1].requested_by,
        Some(Actor {
            staff_id: 7,
            email: "ann@shop.test".to_owned()
        }),
        "who asked"
    );

    // A new command for the sent email is refused, and sends nothing.
    let refused: AdminReply<Resent> = ask(
        &admin,
        EMAILS_RESEND,
        &resend_command(id, uuid::Uuid::new_v4()),
    )
    .await;
    assert!(
        matches!(&refused, AdminReply::Conflict { reason, .. } if reason.contains("this one is sent")),
        "{refused:?}"
    );
    let unknown: AdminReply<Resent> = ask(
        &admin,
        EMAILS_RESEND,
        &resend_command(999_999, uuid::Uuid::new_v4()),
    )
    .await;
    assert!(
        matches!(unknown, AdminReply::NotFound { .. }),
        "{unknown:?}"
    );
    assert_eq!(moto_emails(&mailer.http, &moto.url()).await.len(), 1);
    mailer.stop().await;
}

/// A resend the mailer was killed in the middle of has no JetStream message to come back: the sweep makes it
/// `uncertain` once it has been `sending` too long (it may have been sent), and leaves a recent one alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_resend_interrupted_by_a_crash_becomes_uncertain_not_sending_for_ever() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    mailer
        .publish(&Envelope::new("checkout", order_created()))
        .await;
    mailer.wait_for_state("sent", 1).await;
    let pool = &mailer.service.pool;
    let id: u64 = sqlx::query_scalar("SELECT id FROM email_log")
        .fetch_one(pool)
        .await
        .unwrap();
    // As an operator's resend leaves it when the process dies while sending (attempt 2, by staff 7).
    let interrupt = |started_ago_secs: u64| async move {
        sqlx::query("UPDATE email_log SET state = 'sending', attempts = 2 WHERE id = ?")
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(
            "REPLACE INTO email_attempts (email_id, attempt, transport, requested_by_staff_id, \
             requested_by_email, started_at) VALUES (?, 2, 'files', 7, 'ann@shop.test', \
             NOW(6) - INTERVAL ? SECOND)",
        )
        .bind(id)
        .bind(started_ago_secs)
        .execute(pool)
        .await
        .unwrap();
    };
    let stale_after = Duration::from_secs(60);

    interrupt(5).await;
    assert_eq!(
        mailer::admin::sweep_once(pool, stale_after).await.unwrap(),
        0,
        "still in its time"
    );
    interrupt(600).await;
    assert_eq!(
        mailer::admin::sweep_once(pool, stale_after).await.unwrap(),
        1
    );
    let (state, outcome): (String, String) = sqlx::query_as(
        "SELECT e.state, a.outcome FROM email_log e JOIN email_attempts a \
         ON a.email_id = e.id AND a.attempt = e.attempts WHERE e.id = ?",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), outcome.as_str()),
        ("uncertain", "uncertain")
    );
    assert_eq!(
        mailer::admin::sweep_once(pool, stale_after).await.unwrap(),
        0
    );
}
