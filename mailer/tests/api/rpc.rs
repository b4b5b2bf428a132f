//! `rpc.mailer.counts`: the email log counted by state, as operators and the admin ask for it.

use std::time::Duration;

use platform::{
    contracts::{
        Email,
        mailer::{COUNTS, EmailCounts},
    },
    events::Envelope,
    rpc::{RpcError, call},
    testing::{order_created, owners},
};

use crate::helpers::{Via, spawn_mailer, test_config};

#[tokio::test(flavor = "multi_thread")]
async fn the_email_log_is_counted_by_state_over_nats_and_a_filter_is_refused() {
    let mailer = spawn_mailer(Via::Files, test_config()).await;
    assert_eq!(
        owners::email_counts(&mailer.client).await,
        EmailCounts::default()
    );
    let mut unmailable = order_created();
    // A well-formed address by the contract's rule, yet not one an email can carry (a comment in it).
    unmailable.email = Email::parse("ana(x)@example.com").unwrap();
    mailer.publish(&Envelope::new("checkout", unmailable)).await;
    for _ in 0..2 {
        mailer
            .publish(&Envelope::new("checkout", order_created()))
            .await;
    }
    mailer.wait_for_state("sent", 2).await;
    mailer.wait_for_state("failed", 1).await;

    assert_eq!(
        owners::email_counts(&mailer.client).await,
        EmailCounts {
            sent: 2,
            failed: 1,
            ..EmailCounts::default()
        }
    );
    let filtered = call::<_, EmailCounts>(
        &mailer.client,
        COUNTS,
        &serde_json::json!({"state": "sent"}),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        matches!(filtered, Err(RpcError::Service { code: 400, .. })),
        "{filtered:?}"
    );
    mailer.stop().await;
}
