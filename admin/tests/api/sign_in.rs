use admin::domain::Role;
use reqwest::{StatusCode, header};

use crate::helpers::{ORIGIN, PASSWORD, location, session_cookie, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_member_signs_in_with_a_locked_down_cookie_and_sees_the_dashboard() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.browser("203.0.113.10");

    let response = browser.sign_in("Ann@Shop.test", PASSWORD, "").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin");
    let cookie = session_cookie(&response).expect("a session cookie");
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let dashboard = browser.get("/admin").await;
    assert_eq!(dashboard.status(), StatusCode::OK);
    let headers = dashboard.headers().clone();
    let html = dashboard.text().await.unwrap();
    assert!(html.contains("ann@shop.test"), "{html}");
    assert!(
        html.contains("login.success"),
        "the dashboard shows the recent activity"
    );
    // Security headers on every page.
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(!html.contains("<script>"), "no inline script");

    let entry = app.last_audit("login.success").await.expect("audited");
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str()),
        ("ann@shop.test", "ok")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_and_both_are_audited() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Staff).await;

    let wrong_password = app
        .browser("203.0.113.11")
        .sign_in("ann@shop.test", "not the password at all", "")
        .await;
    let unknown_email = app
        .browser("203.0.113.12")
        .sign_in("nobody@shop.test", PASSWORD, "")
        .await;

    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&wrong_password).is_none());
    let first = wrong_password.text().await.unwrap();
    let second = unknown_email.text().await.unwrap();
    let message = "The email, password or authentication code is not right.";
    assert!(first.contains(message) && second.contains(message));
    let failures: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "login.failed")
        .map(|entry| (entry.1, entry.2, entry.5))
        .collect();
    assert_eq!(
        failures,
        [
            (
                "nobody@shop.test".to_owned(),
                "refused".to_owned(),
                "no account has this email".to_owned()
            ),
            (
                "ann@shop.test".to_owned(),
                "refused".to_owned(),
                "wrong password".to_owned()
            ),
        ]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_account_cannot_sign_in_even_with_its_password() {
    let app = spawn_app().await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    sqlx::query("UPDATE staff_users SET disabled_at = NOW() WHERE id = ?")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();

    let response = app
        .browser("203.0.113.13")
        .sign_in("ann@shop.test", PASSWORD, "")
        .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.last_audit("login.failed").await.unwrap().5,
        "the account is disabled"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_asked_for_without_a_session_leads_to_the_login_form_and_back() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Owner).await;
    let browser = app.browser("203.0.113.14");

    let response = browser.get("/admin/staff?x=1").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/admin/login?next=%2Fadmin%2Fstaff%3Fx%3D1"
    );
    // htmx gets told where to go instead of a redirect it would follow silently.
    let htmx = browser
        .client
        .get(browser.url("/admin/staff"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(
        htmx.headers()["hx-redirect"],
        "/admin/login?next=%2Fadmin%2Fstaff"
    );

    let form = browser.page("/admin/login?next=%2Fadmin%2Fstaff").await;
    let token = crate::helpers::hidden_value(&form, "csrf_token").unwrap();
    let response = browser
        .post_raw(
            "/admin/login",
            &[
                ("csrf_token", &token),
                ("email", "ann@shop.test"),
                ("password", PASSWORD),
                ("next", "/admin/staff"),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(location(&response), "/admin/staff");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn static_files_are_served_with_a_version_and_cached_for_a_year() {
    let app = spawn_app().await;
    let browser = app.browser("203.0.113.15");
    let login = browser.page("/admin/login").await;
    let start = login
        .find("/admin/static/admin.css?v=")
        .expect("a versioned stylesheet");
    let end = login[start..].find('"').unwrap();
    let response = browser.get(&login[start..start + end]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let htmx = browser.get("/admin/static/htmx.min.js").await;
    assert!(htmx.text().await.unwrap().starts_with("/*! htmx.org"));
    assert_eq!(
        browser.get("/admin/static/nope.js").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// `admin create-user … --or-set-password`, as `./dev up` runs it: an existing member gets the password from
/// stdin (their sessions end), and running it again with the same password changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn create_user_or_set_password_gives_an_existing_member_the_new_password() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    let old_session = app.signed_in("owner@shop.test", "10.0.9.1").await;
    let new_password = "a brand new demo password";
    let create_user = || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_admin"))
            .args([
                "create-user",
                "--email",
                "owner@shop.test",
                "--role",
                "owner",
            ])
            .arg("--or-set-password")
            .env("DATABASE_URL", app.database_url())
            .env("NATS_URL", "nats://127.0.0.1:1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("admin runs");
        use std::io::Write as _;
        writeln!(child.stdin.take().expect("stdin"), "{new_password}").expect("password written");
        assert!(child.wait().expect("admin ends").success());
    };

    create_user();
    assert_eq!(
        old_session.get("/admin/").await.status(),
        StatusCode::SEE_OTHER,
        "the member's sessions ended"
    );
    let browser = app.browser("10.0.9.2");
    assert_eq!(
        browser
            .sign_in("owner@shop.test", new_password, "")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let resets = |audit: Vec<(String, String, String, String, String, String)>| {
        audit
            .iter()
            .filter(|entry| entry.0 == "staff.password_reset")
            .count()
    };
    assert_eq!(resets(app.audit().await), 1);

    create_user();
    assert_eq!(
        resets(app.audit().await),
        1,
        "the same password changes nothing"
    );
    assert_eq!(browser.get("/admin/").await.status(), StatusCode::OK);
}
