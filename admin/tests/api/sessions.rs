use std::time::Duration;

use admin::{config::SessionTimeouts, domain::Role};
use reqwest::{StatusCode, header};

use crate::helpers::{PASSWORD, location, session_cookie, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_always_makes_a_new_session_id_whose_value_is_never_stored() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.browser("203.0.113.20");
    // A session id planted in the browser before sign-in (session fixation) is not the one it gets.
    let planted = "A".repeat(43);
    browser.plant_cookie(&format!(
        "__Host-admin_session={planted}; Path=/; Secure; HttpOnly"
    ));

    let signed_in = browser.sign_in("ann@shop.test", PASSWORD, "").await;

    let cookie = session_cookie(&signed_in).expect("a new session cookie");
    let id = cookie
        .trim_start_matches("__Host-admin_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(id, planted);
    assert_eq!(id.len(), 43, "256 random bits");
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
    let elsewhere = app
        .browser("203.0.113.21")
        .sign_in("ann@shop.test", PASSWORD, "")
        .await;
    assert_ne!(
        session_cookie(&elsewhere).unwrap(),
        cookie,
        "every sign-in its own id"
    );
    // Only a hash is stored: the table does not hold the cookie's value.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id_hash = ?")
        .bind(id.as_bytes())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.signed_in("ann@shop.test", "203.0.113.21").await;
    let response = browser.get("/admin").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("Sign out"));
    assert_eq!(app.sessions_of(id).await, 1);

    let response = browser.post("/admin/logout", &[]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/login");
    assert!(
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|value| value
                .to_str()
                .unwrap()
                .starts_with("__Host-admin_session=;"))
    );
    assert_eq!(app.sessions_of(id).await, 0);
    assert_eq!(browser.get("/admin").await.status(), StatusCode::SEE_OTHER);
    let login = browser.page("/admin/login").await;
    assert!(login.contains("You have signed out."), "the flash message");
    assert!(app.last_audit("logout").await.is_some());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_idle_for_longer_than_the_idle_timeout_has_ended() {
    let app = spawn_app_with(SessionTimeouts {
        idle: Duration::from_secs(30 * 60),
        absolute: Duration::from_secs(8 * 3600),
    })
    .await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.signed_in("ann@shop.test", "203.0.113.22").await;
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);

    // 31 minutes without a request.
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL 31 MINUTE WHERE staff_id = ?",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();

    let response = browser.get("/admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/admin/login"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn use_keeps_a_session_alive_but_never_past_its_absolute_end() {
    let app = spawn_app_with(SessionTimeouts {
        idle: Duration::from_secs(30 * 60),
        absolute: Duration::from_secs(8 * 3600),
    })
    .await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.signed_in("ann@shop.test", "203.0.113.23").await;

    // Used 29 minutes after the last request: still valid, and the idle timer starts again.
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL 29 MINUTE WHERE staff_id = ?",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
    let idle_secs: i64 = sqlx::query_scalar(
        "SELECT TIMESTAMPDIFF(SECOND, last_seen_at, CURRENT_TIMESTAMP(6)) FROM sessions WHERE staff_id = ?",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(idle_secs < 60, "the idle timer was refreshed: {idle_secs}");

    // Signed in 8 hours and a minute ago, used a moment ago: ended all the same.
    sqlx::query(
        "UPDATE sessions SET created_at = created_at - INTERVAL 481 MINUTE WHERE staff_id = ?",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(browser.get("/admin").await.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn short_configured_timeouts_end_sessions_by_themselves() {
    let app = spawn_app_with(SessionTimeouts {
        idle: Duration::from_secs(2),
        absolute: Duration::from_secs(3600),
    })
    .await;
    app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.signed_in("ann@shop.test", "203.0.113.24").await;
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
    crate::helpers::pause(Duration::from_millis(2500)).await;
    assert_eq!(browser.get("/admin").await.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ended_sessions_are_purged_through_an_index_and_live_ones_are_kept() {
    let app = spawn_app().await;
    let ann = app.staff_member("ann@shop.test", Role::Staff).await;
    let bob = app.staff_member("bob@shop.test", Role::Staff).await;
    app.signed_in("ann@shop.test", "203.0.113.25").await;
    app.signed_in("bob@shop.test", "203.0.113.26").await;
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL 31 MINUTE WHERE staff_id = ?",
    )
    .bind(ann)
    .execute(&app.pool)
    .await
    .unwrap();

    let config = admin::config::Config::for_tests(crate::helpers::ORIGIN);
    let shutdown = tokio_util::sync::CancellationToken::new();
    for purge in admin::purges(&config) {
        let plan = purge.plan(&app.pool).await.unwrap();
        assert!(
            plan.key.is_some(),
            "{} by {}: {plan:?}",
            purge.table,
            purge.column
        );
        purge.run_once(&app.pool, &shutdown).await.unwrap();
    }

    assert_eq!(app.sessions_of(ann).await, 0);
    assert_eq!(app.sessions_of(bob).await, 1);
    app.stop().await;
}
