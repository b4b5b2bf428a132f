use admin::domain::Role;
use reqwest::StatusCode;

use crate::helpers::{ORIGIN, spawn_app};

/// Adding a staff member: an owner's state-changing form.
fn new_member(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf_token", token),
        ("email", "bob@shop.test"),
        ("role", "viewer"),
        ("password", "a long enough password"),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_without_its_token_with_a_wrong_one_or_from_another_origin_is_refused_and_audited() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    let browser = app.signed_in("owner@shop.test", "203.0.113.30").await;
    let token = browser.csrf_token("/admin/staff/new").await;

    let missing = browser
        .post_raw("/admin/staff", &new_member(&token)[1..], Some(ORIGIN))
        .await;
    let wrong = browser
        .post_raw(
            "/admin/staff",
            &new_member("x".repeat(43).as_str()),
            Some(ORIGIN),
        )
        .await;
    let foreign = browser
        .post_raw(
            "/admin/staff",
            &new_member(&token),
            Some("https://evil.test"),
        )
        .await;
    let no_origin = browser
        .post_raw("/admin/staff", &new_member(&token), None)
        .await;

    for (response, case) in [
        (missing, "missing token"),
        (wrong, "wrong token"),
        (foreign, "foreign origin"),
        (no_origin, "no origin"),
    ] {
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("did not come from a page of the admin"),
            "{case}: {html}"
        );
    }
    let refusals: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "csrf.refused")
        .map(|entry| (entry.1, entry.2, entry.4, entry.5))
        .collect();
    assert_eq!(refusals.len(), 4, "{refusals:?}");
    assert!(
        refusals
            .iter()
            .all(|(who, outcome, route, _)| who == "owner@shop.test"
                && outcome == "refused"
                && route == "POST /admin/staff")
    );
    let reasons: Vec<_> = refusals.iter().map(|entry| entry.3.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "the request said neither Origin nor Referer",
            "the request came from another origin",
            "the CSRF token is wrong",
            "the form carried no CSRF token",
        ]
    );
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, 1, "nobody was added");

    // The same form from our own page goes through (the Referer stands in for a missing Origin).
    let response = browser
        .client
        .post(browser.url("/admin/staff"))
        .header("referer", format!("{ORIGIN}/admin/staff/new"))
        .form(&new_member(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_htmx_request_carries_the_token_in_its_header_and_is_refused_without_it() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    let bob = app.staff_member("bob@shop.test", Role::Staff).await;
    let browser = app.signed_in("owner@shop.test", "203.0.113.31").await;
    let page = browser.page("/admin/staff").await;
    // The layout hands the token to htmx for every request.
    let token = browser.csrf_token("/admin").await;
    assert!(
        page.contains(&format!(r#"hx-headers='{{"X-CSRF-Token": "{token}"}}'"#)),
        "{page}"
    );

    let htmx = |csrf: Option<String>| {
        let mut request = browser
            .client
            .post(browser.url(&format!("/admin/staff/{bob}/disable")))
            .header("hx-request", "true")
            .header("origin", ORIGIN)
            .form(&[("version", "1")]);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    let refused = htmx(None).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = htmx(Some("y".repeat(43))).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let disabled: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT disabled_at FROM staff_users WHERE id = ?")
            .bind(bob)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(disabled.is_none(), "nothing changed");

    let accepted = htmx(Some(token)).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let entry = app.last_audit("staff.disable").await.unwrap();
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str(), entry.4.as_str()),
        ("owner@shop.test", "ok", bob.to_string().as_str())
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_form_cannot_be_forged_either() {
    let app = spawn_app().await;
    app.staff_member("ann@shop.test", Role::Staff).await;
    let browser = app.browser("203.0.113.32");
    // A page elsewhere posting our login form: no token cookie of ours, or another origin.
    let forged = browser
        .post_raw(
            "/admin/login",
            &[
                ("csrf_token", "z"),
                ("email", "ann@shop.test"),
                ("password", crate::helpers::PASSWORD),
            ],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let form = browser.page("/admin/login").await;
    let token = crate::helpers::hidden_value(&form, "csrf_token").unwrap();
    let foreign = browser
        .post_raw(
            "/admin/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", "ann@shop.test"),
                ("password", crate::helpers::PASSWORD),
            ],
            Some("https://evil.test"),
        )
        .await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(crate::helpers::session_cookie(&foreign).is_none());
    app.stop().await;
}
