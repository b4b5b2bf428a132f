//! Signing in and out: throttled guessing that cannot lock the owner out, new sessions that ignore a planted
//! cookie, password resets by a single-use link that end every session, and password changes.

use std::time::Duration;

use serde_json::json;

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread")]
async fn guessing_is_refused_for_a_while_after_a_failure_and_says_when_to_try_again() {
    let shop = Shop::start().await;
    let mut owner = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let mut guesser = shop.browser();
    let wrong = guesser.sign_in("ann@example.com", "wrong guess 1").await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert_eq!(wrong.body["code"], "invalid_credentials");
    // Within the delay the next try is not even checked, right password or not.
    let refused = guesser
        .sign_in("ann@example.com", "correct horse battery")
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.body["code"], "too_many_attempts");
    assert_eq!(refused.retry_after.as_deref(), Some("1"));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        owner
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    // An unknown address is refused the same way as a wrong password.
    let unknown = guesser
        .sign_in("nobody@example.com", "whatever it is")
        .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.body, wrong.body);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sign_in_starts_a_new_session_whatever_cookie_the_browser_held() {
    let shop = Shop::start().await;
    let mut first = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let first_session = first.session.clone().unwrap();

    // A cookie planted by someone else before sign-in is not the session afterwards.
    let planted = platform::tokens::random_token();
    let mut browser = shop.browser();
    browser.session = Some(planted.clone());
    assert_eq!(browser.get("/api/account").await.status, 401);
    assert_eq!(
        browser
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    let session = browser.session.clone().unwrap();
    assert_ne!(session, planted);
    let mut attacker = shop.browser();
    attacker.session = Some(planted);
    assert_eq!(attacker.get("/api/account").await.status, 401);

    // Signing in again from a signed-in browser replaces its session.
    assert_eq!(
        browser
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    assert_ne!(browser.session.as_deref(), Some(session.as_str()));
    let mut old = shop.browser();
    old.session = Some(session);
    assert_eq!(old.get("/api/account").await.status, 401);
    // Other devices stay signed in.
    first.session = Some(first_session);
    assert_eq!(first.get("/api/account").await.status, 200);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_link_works_once_ends_every_session_and_the_owner_is_told() {
    let shop = Shop::start().await;
    let mut device = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let mut browser = shop.browser();
    assert_eq!(
        browser
            .post(
                "/api/account/password-reset",
                json!({"email": "ann@example.com"})
            )
            .await
            .status,
        202
    );
    let token = shop.link("ann@example.com", "/account/reset#token=").await;
    let email = shop
        .emails_to("ann@example.com")
        .into_iter()
        .find(|email| email.contains("/account/reset#token="))
        .unwrap();
    assert!(email.contains("Subject: Reset your password"), "{email}");

    // A weak password is refused, and the link still works.
    let weak = browser
        .post(
            "/api/account/password-reset/confirm",
            json!({"token": token, "password": "password1"}),
        )
        .await;
    assert_eq!(weak.status, 400, "{}", weak.body);
    assert_eq!(weak.body["errors"][0]["field"], "password");
    let done = browser
        .post(
            "/api/account/password-reset/confirm",
            json!({"token": token, "password": "a brand new secret"}),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    let again = browser
        .post(
            "/api/account/password-reset/confirm",
            json!({"token": token, "password": "yet another secret"}),
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(again.body["code"], "invalid_token");

    assert_eq!(
        device.get("/api/account").await.status,
        401,
        "signed out everywhere"
    );
    assert_eq!(
        browser
            .sign_in("ann@example.com", "a brand new secret")
            .await
            .status,
        200
    );
    assert_eq!(
        browser
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        401
    );
    shop.mail_settled().await;
    assert!(
        shop.emails_to("ann@example.com")
            .iter()
            .any(|email| email.contains("Subject: Your password was changed")),
    );
    // The log keeps that the reset email went out, not its link.
    let secrets: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM email_log WHERE kind IN ('account_verify', 'password_reset') \
         AND content IS NOT NULL",
    )
    .fetch_one(&shop.mailer.pool)
    .await
    .unwrap();
    assert_eq!(secrets, 0);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_change_needs_the_current_one_and_signs_out_the_other_devices() {
    let shop = Shop::start().await;
    let mut phone = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let mut laptop = shop.browser();
    assert_eq!(
        laptop
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    let wrong = laptop
        .post(
            "/api/account/password",
            json!({"current_password": "not it at all", "new_password": "a brand new secret"}),
        )
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    let changed = laptop
        .post(
            "/api/account/password",
            json!({"current_password": "correct horse battery", "new_password": "a brand new secret"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(
        laptop.get("/api/account").await.status,
        200,
        "this device stays in"
    );
    assert_eq!(
        phone.get("/api/account").await.status,
        401,
        "the others are out"
    );
    let signed_out = shop
        .browser()
        .post(
            "/api/account/password",
            json!({"current_password": "a", "new_password": "b"}),
        )
        .await;
    assert_eq!(signed_out.status, 401);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_site_can_neither_sign_a_browser_in_nor_out() {
    let shop = Shop::start().await;
    let _ann = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let url = format!("{}/api/account/sign-in", shop.accounts.address);
    let body = json!({"email": "ann@example.com", "password": "correct horse battery"}).to_string();
    // A form on another site posting to the shop.
    let cross = shop
        .http
        .post(&url)
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert!(cross.headers().get("set-cookie").is_none());
    // A form can only send form encodings or text/plain without asking first.
    let plain = shop
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let out = shop
        .http
        .post(format!("{}/api/account/sign-out", shop.accounts.address))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 403);
    // The shop's own page, on whatever port it is served.
    let own = shop
        .http
        .post(&url)
        .header("origin", "http://127.0.0.1:8080")
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    shop.stop().await;
}
