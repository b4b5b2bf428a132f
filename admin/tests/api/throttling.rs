use std::time::Duration;

use admin::domain::Role;
use reqwest::{StatusCode, header};

use crate::helpers::{PASSWORD, pause, spawn_app};

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_delay_after_failed_logins_grows_and_a_correct_password_from_elsewhere_still_gets_in() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Owner).await;
    let attacker = app.browser("198.51.100.66");

    let first = attacker
        .sign_in("ann@shop.test", "guess number one", "")
        .await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let throttled = attacker
        .sign_in("ann@shop.test", "guess number two", "")
        .await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&throttled), Some(1));
    assert!(
        throttled
            .text()
            .await
            .unwrap()
            .contains("Too many attempts. Try again in 1 seconds.")
    );

    pause(Duration::from_millis(1100)).await;
    let second = attacker
        .sign_in("ann@shop.test", "guess number three", "")
        .await;
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);
    let throttled = attacker
        .sign_in("ann@shop.test", "guess number four", "")
        .await;
    assert_eq!(retry_after(&throttled), Some(2), "the delay doubled");
    // Even the right password waits out the delay from this address: the guess is not even checked.
    let right_but_throttled = attacker.sign_in("ann@shop.test", PASSWORD, "").await;
    assert_eq!(right_but_throttled.status(), StatusCode::TOO_MANY_REQUESTS);

    // Ann, from her own address, is not locked out.
    let ann = app.browser("203.0.113.60");
    let response = ann.sign_in("ann@shop.test", PASSWORD, "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let throttled_entries = app
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "login.throttled")
        .count();
    assert_eq!(throttled_entries, 3, "every throttled attempt is audited");
    let entry = app.last_audit("login.throttled").await.unwrap();
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str()),
        ("ann@shop.test", "refused")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_on_one_account_do_not_throttle_another_account_from_the_same_address() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Staff).await;
    app.staff_member("bob@shop.test", Role::Staff).await;
    let office = app.browser("192.0.2.7");
    assert_eq!(
        office
            .sign_in("ann@shop.test", "typo typo typo", "")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let bob = office.sign_in("bob@shop.test", PASSWORD, "").await;
    assert_eq!(bob.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}
