use admin::{domain::Role, staff, totp};
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, hidden_value, spawn_app};

fn code(secret: &[u8], step: i64) -> String {
    format!("{:06}", totp::code_at_step(secret, step))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_member_turns_on_totp_then_signs_in_with_a_code_that_cannot_be_replayed() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Viewer).await;
    let ann = app.signed_in("ann@shop.test", "203.0.113.70").await;

    // The enrolment page shows the secret, the otpauth URI and the QR code inline.
    let page = ann.page("/admin/account/totp").await;
    let secret_text = hidden_value(&page, "secret").expect("the secret in the form");
    assert!(page.contains(&format!(
        "otpauth://totp/Shop%20admin:ann%40shop.test?secret={secret_text}"
    )));
    assert!(page.contains("<svg"), "a QR code");
    let secret = totp::from_base32(&secret_text).unwrap();
    let now = totp::step_at(chrono::Utc::now().timestamp());

    let wrong = ann
        .post(
            "/admin/account/totp",
            &[("secret", &secret_text), ("code", "000000")],
        )
        .await;
    // (A one-in-a-million chance that 000000 is a valid code: then this test is unlucky, not wrong.)
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let enrolled = ann
        .post(
            "/admin/account/totp",
            &[("secret", &secret_text), ("code", &code(&secret, now))],
        )
        .await;
    assert_eq!(enrolled.status(), StatusCode::SEE_OTHER);
    assert!(app.last_audit("account.totp_enable").await.is_some());
    // Stored sealed, not in the clear.
    let (stored, sealed): (Vec<u8>, bool) = sqlx::query_as(
        "SELECT totp_secret, totp_sealed FROM staff_users WHERE email = 'ann@shop.test'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(sealed);
    assert!(
        !stored.windows(secret.len()).any(|window| window == secret),
        "the secret is not in the row"
    );

    // A password alone no longer signs in.
    let without = app
        .browser("203.0.113.71")
        .sign_in("ann@shop.test", PASSWORD, "")
        .await;
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    // The code used to enrol was seen once: it does not sign in.
    let replayed_enrolment = app
        .browser("203.0.113.72")
        .sign_in("ann@shop.test", PASSWORD, &code(&secret, now))
        .await;
    assert_eq!(replayed_enrolment.status(), StatusCode::UNAUTHORIZED);
    // The next step's code (a clock a little ahead) does, once.
    let next = code(&secret, now + 1);
    let signed_in = app
        .browser("203.0.113.73")
        .sign_in("ann@shop.test", PASSWORD, &next)
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let replayed = app
        .browser("203.0.113.74")
        .sign_in("ann@shop.test", PASSWORD, &next)
        .await;
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    let reasons: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "login.failed")
        .map(|entry| entry.5)
        .collect();
    assert_eq!(
        reasons,
        [
            "authentication code already used",
            "authentication code already used",
            "no authentication code"
        ]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn turning_totp_off_needs_the_password_and_a_fresh_code() {
    let app = spawn_app().await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    let secret = totp::new_secret();
    let now = totp::step_at(chrono::Utc::now().timestamp());
    sqlx::query(
        "UPDATE staff_users SET totp_secret = ?, totp_sealed = TRUE, totp_last_step = ? WHERE id = ?",
    )
    .bind(app.totp_key.seal(id, &secret))
    .bind(now - 1)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let ann = app.browser("203.0.113.75");
    assert_eq!(
        ann.sign_in("ann@shop.test", PASSWORD, &code(&secret, now))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let without_password = ann
        .post(
            "/admin/account/totp/disable",
            &[
                ("password", "wrong wrong wrong"),
                ("code", &code(&secret, now + 1)),
            ],
        )
        .await;
    assert_eq!(without_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let off = ann
        .post(
            "/admin/account/totp/disable",
            &[("password", PASSWORD), ("code", &code(&secret, now + 1))],
        )
        .await;
    // The code of now + 1 was taken by the refused attempt already (a code is good once, whatever came of it).
    assert_eq!(off.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Within the window there is no fresher code; the test takes the next step's by waiting for it would be
    // slow, so it backdates the last step used instead, as if the refused attempt had not happened.
    sqlx::query("UPDATE staff_users SET totp_last_step = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let off = ann
        .post(
            "/admin/account/totp/disable",
            &[("password", PASSWORD), ("code", &code(&secret, now + 1))],
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    let secret_left: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT totp_secret FROM staff_users WHERE id = ?")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(secret_left.is_none());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_stored_in_the_clear_is_sealed_and_one_that_does_not_open_never_means_no_second_factor()
 {
    let app = spawn_app().await;
    let id = app.staff_member("old@shop.test", Role::Staff).await;
    let secret = totp::new_secret();
    // As the admin stored secrets before they were sealed.
    sqlx::query("UPDATE staff_users SET totp_secret = ?, totp_sealed = FALSE WHERE id = ?")
        .bind(&secret)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let key = totp::TotpKey::random();
    let credentials = staff::credentials(&app.pool, &key, "old@shop.test").await;
    assert!(credentials.is_err(), "a secret not yet sealed is not read");

    assert_eq!(
        staff::seal_clear_totp_secrets(&app.pool, &key)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        staff::seal_clear_totp_secrets(&app.pool, &key)
            .await
            .unwrap(),
        0
    );
    let credentials = staff::credentials(&app.pool, &key, "old@shop.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.totp_secret, Some(secret.clone()));
    assert_eq!(
        staff::totp_secret(&app.pool, &key, id).await.unwrap(),
        Some(secret)
    );

    // Under another key (ADMIN_TOTP_KEY changed): an error, so sign-in fails closed.
    let other = totp::TotpKey::random();
    assert!(
        staff::credentials(&app.pool, &other, "old@shop.test")
            .await
            .is_err()
    );
    assert!(staff::totp_secret(&app.pool, &other, id).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_turns_off_the_second_factor_of_someone_who_lost_their_phone() {
    let app = spawn_app().await;
    app.staff_member("olga@shop.test", Role::Owner).await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    sqlx::query("UPDATE staff_users SET totp_secret = ?, totp_sealed = TRUE WHERE id = ?")
        .bind(app.totp_key.seal(id, &totp::new_secret()))
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let olga = app.signed_in("olga@shop.test", "203.0.113.77").await;
    let page = olga.page(&format!("/admin/staff/{id}")).await;
    assert!(page.contains("Turn off two-factor"));
    let version = hidden_value(&page, "version").expect("the version");

    let stale = olga
        .post(
            &format!("/admin/staff/{id}/totp-off"),
            &[("version", "999")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::SEE_OTHER);
    let off = olga
        .post(
            &format!("/admin/staff/{id}/totp-off"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    let entry = app.last_audit("staff.totp_off").await.expect("audited");
    assert_eq!(entry.2, "ok");
    let ann = app.browser("203.0.113.76");
    assert_eq!(
        ann.sign_in("ann@shop.test", PASSWORD, "").await.status(),
        StatusCode::SEE_OTHER,
        "the password alone signs in"
    );
}
