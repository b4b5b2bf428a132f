//! Signing up and confirming the address: the link, the same answer for every address, the link that sets
//! the password of the sign-up that asked for it, and bad input.

use serde_json::json;

use crate::helpers::{Shop, accounts_config};

#[tokio::test(flavor = "multi_thread")]
async fn a_shopper_signs_up_confirms_by_the_emailed_link_and_is_signed_in() {
    let shop = Shop::start().await;
    let mut browser = shop.browser();
    let reply = browser
        .sign_up("  Ann@Example.com ", "correct horse battery", "Ann Lee")
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body, json!({"status": "check_email"}));
    assert!(reply.set_cookie.is_none(), "signing up signs nobody in");

    let token = shop.link("ann@example.com", "/account/verify#token=").await;
    let email = &shop.emails_to("ann@example.com")[0];
    assert!(
        email.contains("Subject: Confirm your email address"),
        "{email}"
    );
    assert!(
        email.contains("http://shop.test/account/verify#token="),
        "{email}"
    );

    let reply = browser.verify(&token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let cookie = reply.set_cookie.expect("a session cookie");
    assert!(cookie.starts_with("__Host-shop_session="), "{cookie}");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=86400",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert_eq!(reply.body["customer"]["email"], "ann@example.com");
    assert_eq!(reply.body["customer"]["email_verified"], true);

    let me = browser.get("/api/account").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["customer"]["name"], "Ann Lee");

    // The link worked once.
    let mut other = shop.browser();
    let again = other.verify(&token).await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert_eq!(again.body["code"], "invalid_token");
    assert!(other.session.is_none());

    // Signed out, the session is gone for good.
    let session = browser.session.clone();
    let out = browser.post("/api/account/sign-out", json!({})).await;
    assert_eq!(out.status, 204);
    browser.session = session;
    let me = browser.get("/api/account").await;
    assert_eq!(me.status, 401, "{}", me.body);
    assert_eq!(me.body["code"], "signed_out");

    let reply = browser
        .sign_in("ANN@example.com", "correct horse battery")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_answers_the_same_for_a_taken_address_and_tells_only_its_owner() {
    let shop = Shop::start().await;
    let mut owner = shop
        .customer("ann@example.com", "correct horse battery")
        .await;
    let mut stranger = shop.browser();
    let fresh = stranger
        .sign_up("bob@example.com", "another fine password", "Bob")
        .await;
    let taken = stranger
        .sign_up("ann@example.com", "attacker password 1", "Mallory")
        .await;
    assert_eq!((fresh.status, taken.status), (202, 202));
    assert_eq!(fresh.body, taken.body);
    shop.mail_settled().await;

    let to_ann = shop.emails_to("ann@example.com");
    assert_eq!(to_ann.len(), 2, "the confirmation, then the notice");
    assert!(
        to_ann[1].contains("Subject: You already have an account"),
        "{}",
        to_ann[1]
    );
    assert!(
        !to_ann[1].contains("#token="),
        "the notice carries no link secret"
    );
    // Nothing changed: the owner's password still works, the stranger's does not.
    assert_eq!(
        stranger
            .sign_in("ann@example.com", "attacker password 1")
            .await
            .status,
        401
    );
    assert_eq!(
        owner
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );

    // Password reset requests answer the same for an address without an account, and email nobody.
    let unknown = stranger
        .post(
            "/api/account/password-reset",
            json!({"email": "nobody@example.com"}),
        )
        .await;
    let known = stranger
        .post(
            "/api/account/password-reset",
            json!({"email": "ann@example.com"}),
        )
        .await;
    assert_eq!((unknown.status, known.status), (202, 202));
    assert_eq!(unknown.body, known.body);
    shop.mail_settled().await;
    assert!(shop.emails_to("nobody@example.com").is_empty());
    assert_eq!(shop.emails_to("ann@example.com").len(), 3);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_newest_sign_up_link_sets_its_own_password_not_one_chosen_by_someone_else() {
    let shop = Shop::start().await;
    let mut mallory = shop.browser();
    // Someone signs up with Ann's address first, choosing a password; Ann then signs up herself.
    assert_eq!(
        mallory
            .sign_up("ann@example.com", "mallory knows this", "Ann")
            .await
            .status,
        202
    );
    shop.mail_settled().await;
    let mut ann = shop.browser();
    assert_eq!(
        ann.sign_up("ann@example.com", "correct horse battery", "Ann Lee")
            .await
            .status,
        202
    );
    shop.mail_settled().await;
    // Before confirming, nobody can sign in; the right password of the pending sign-up is told to confirm.
    let pending = ann
        .sign_in("ann@example.com", "correct horse battery")
        .await;
    assert_eq!(pending.status, 403, "{}", pending.body);
    assert_eq!(pending.body["code"], "email_not_verified");
    assert_eq!(
        mallory
            .sign_in("ann@example.com", "mallory knows this")
            .await
            .status,
        401
    );
    shop.mail_settled().await;

    let token = shop.link("ann@example.com", "/account/verify#token=").await;
    assert_eq!(ann.verify(&token).await.status, 200);
    assert_eq!(
        shop.browser()
            .sign_in("ann@example.com", "mallory knows this")
            .await
            .status,
        401,
        "the first sign-up's password was never set (asked from another address: this one is still throttled)"
    );
    assert_eq!(
        shop.browser()
            .sign_in("ann@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn link_emails_for_one_account_are_at_most_one_per_pause() {
    let mut config = accounts_config();
    config.link_email_gap = std::time::Duration::from_secs(3600);
    let shop = Shop::start_with(config).await;
    let mut browser = shop.browser();
    for _ in 0..3 {
        assert_eq!(
            browser
                .sign_up("ann@example.com", "correct horse battery", "Ann")
                .await
                .status,
            202
        );
        assert_eq!(
            browser
                .post(
                    "/api/account/verify/resend",
                    json!({"email": "ann@example.com"})
                )
                .await
                .status,
            202
        );
    }
    shop.mail_settled().await;
    assert_eq!(shop.emails_to("ann@example.com").len(), 1);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_naming_the_field_and_creates_nothing() {
    let shop = Shop::start().await;
    let mut browser = shop.browser();
    let cases = [
        (
            json!({"email": "not an email", "password": "correct horse battery", "name": "A"}),
            "email",
        ),
        (
            json!({"email": "a@example.com", "password": "short", "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": "password123", "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": "a@example.com!!", "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": "correct horse battery", "name": "  "}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "password": "correct horse battery", "name": "x".repeat(101)}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "password": "correct horse battery"}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "password": 12345678, "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": "correct horse battery", "name": "A", "admin": true}),
            "admin",
        ),
    ];
    for (body, field) in cases {
        let reply = browser.post("/api/account/sign-up", body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{body}: {}",
            reply.body
        );
        assert!(
            !reply.body.to_string().contains("correct horse"),
            "a password is never echoed: {}",
            reply.body
        );
    }
    let bad_cart = browser
        .post(
            "/api/account/sign-in",
            json!({"email": "a@example.com", "password": "x", "cart_token": "../../etc"}),
        )
        .await;
    assert_eq!(bad_cart.status, 400);
    assert_eq!(bad_cart.body["errors"][0]["field"], "cart_token");
    shop.mail_settled().await;
    let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(&shop.accounts.pool)
        .await
        .unwrap();
    assert_eq!(customers, 0);
    shop.stop().await;
}
