use admin::domain::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_is_refused_a_write_with_403_and_the_refusal_is_audited() {
    let app = spawn_app().await;
    app.staff_member("vera@shop.test", Role::Viewer).await;
    let viewer = app.signed_in("vera@shop.test", "203.0.113.40").await;

    let response = viewer
        .post(
            "/admin/staff",
            &[
                ("email", "x@shop.test"),
                ("role", "owner"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Your role (viewer) may not do this"),
        "{html}"
    );
    let entry = app.last_audit("access.refused").await.expect("audited");
    assert_eq!(
        (
            entry.1.as_str(),
            entry.2.as_str(),
            entry.3.as_str(),
            entry.4.as_str()
        ),
        ("vera@shop.test", "refused", "route", "POST /admin/staff")
    );
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, 1);
    // Reading is fine; staff management is for owners even to look at.
    assert_eq!(viewer.get("/admin").await.status(), StatusCode::OK);
    assert_eq!(
        viewer.get("/admin/staff").await.status(),
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_a_staff_member_ends_their_sessions_and_enabling_lets_them_sign_in_again() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    let bob_id = app.staff_member("bob@shop.test", Role::Staff).await;
    let owner = app.signed_in("owner@shop.test", "203.0.113.41").await;
    let bob = app.signed_in("bob@shop.test", "203.0.113.42").await;
    let bob_elsewhere = app.signed_in("bob@shop.test", "203.0.113.43").await;
    assert_eq!(app.sessions_of(bob_id).await, 2);

    let response = owner
        .post(
            &format!("/admin/staff/{bob_id}/disable"),
            &[("version", "1")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/admin/staff/{bob_id}"));
    assert_eq!(app.sessions_of(bob_id).await, 0);
    for browser in [&bob, &bob_elsewhere] {
        assert_eq!(browser.get("/admin").await.status(), StatusCode::SEE_OTHER);
    }
    let refused = app
        .browser("203.0.113.44")
        .sign_in("bob@shop.test", PASSWORD, "")
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let page = owner.page(&format!("/admin/staff/{bob_id}")).await;
    assert!(
        page.contains("is disabled; their sessions were ended"),
        "the flash: {page}"
    );
    let entry = app.last_audit("staff.disable").await.unwrap();
    assert_eq!(entry.4, bob_id.to_string());

    // A form opened before a change is refused, not applied over it.
    let stale = owner
        .post(
            &format!("/admin/staff/{bob_id}/enable"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::SEE_OTHER);
    let page = owner.page(&format!("/admin/staff/{bob_id}")).await;
    assert!(
        page.contains("Changed by someone else since you opened it"),
        "{page}"
    );

    let response = owner
        .post(
            &format!("/admin/staff/{bob_id}/enable"),
            &[("version", "2")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let again = app
        .browser("203.0.113.45")
        .sign_in("bob@shop.test", PASSWORD, "")
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_a_role_or_resetting_a_password_ends_the_sessions_and_takes_effect() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    let bob_id = app.staff_member("bob@shop.test", Role::Staff).await;
    let owner = app.signed_in("owner@shop.test", "203.0.113.46").await;
    let bob = app.signed_in("bob@shop.test", "203.0.113.47").await;

    let response = owner
        .post(
            &format!("/admin/staff/{bob_id}/role"),
            &[("version", "1"), ("role", "viewer")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(bob.get("/admin").await.status(), StatusCode::SEE_OTHER);
    let role: String = sqlx::query_scalar("SELECT role FROM staff_users WHERE id = ?")
        .bind(bob_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(role, "viewer");

    // A weak new password is refused next to its field; a good one replaces the old.
    let weak = owner
        .post(
            &format!("/admin/staff/{bob_id}/password"),
            &[("version", "2"), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains("New password must be at least 12 characters")
    );
    let bob = app.signed_in("bob@shop.test", "203.0.113.48").await;
    let reset = owner
        .post(
            &format!("/admin/staff/{bob_id}/password"),
            &[("version", "2"), ("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    assert_eq!(bob.get("/admin").await.status(), StatusCode::SEE_OTHER);
    let old = app
        .browser("203.0.113.49")
        .sign_in("bob@shop.test", PASSWORD, "")
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .browser("203.0.113.50")
        .sign_in("bob@shop.test", "a brand new passphrase", "")
        .await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_adds_a_staff_member_and_bad_fields_are_named() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    let owner = app.signed_in("owner@shop.test", "203.0.113.51").await;

    let bad = owner
        .post(
            "/admin/staff",
            &[
                ("email", "not-an-email"),
                ("role", "king"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Email must be an email address"), "{html}");
    assert!(
        html.contains("Role must be owner, staff or viewer"),
        "{html}"
    );

    let taken = owner
        .post(
            "/admin/staff",
            &[
                ("email", "owner@shop.test"),
                ("role", "staff"),
                ("password", "long enough password"),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("a staff member with this email exists already")
    );

    let added = owner
        .post(
            "/admin/staff",
            &[
                ("email", "Carla@Shop.test"),
                ("role", "viewer"),
                ("password", "long enough password"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let list = owner.page("/admin/staff").await;
    assert!(list.contains("carla@shop.test"));
    let entry = app.last_audit("staff.create").await.unwrap();
    assert_eq!(
        (entry.1.as_str(), entry.2.as_str()),
        ("owner@shop.test", "ok")
    );
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'staff.create' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(after["email"], "carla@shop.test");
    assert_eq!(after["role"], "viewer");
    assert!(after.get("password_hash").is_none());
    // An owner cannot lock themselves out.
    let me: u64 = sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'owner@shop.test'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let own = owner
        .post(&format!("/admin/staff/{me}/disable"), &[("version", "1")])
        .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert!(
        owner.page("/admin").await.contains("owner@shop.test"),
        "still signed in"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_member_changes_their_own_password_with_the_current_one() {
    let app = spawn_app().await;
    let id = app.staff_member("ann@shop.test", Role::Staff).await;
    let ann = app.signed_in("ann@shop.test", "203.0.113.52").await;
    let other_device = app.signed_in("ann@shop.test", "203.0.113.53").await;

    let wrong = ann
        .post(
            "/admin/account/password",
            &[
                ("current_password", "not my password!"),
                ("new_password", "my new passphrase"),
                ("confirm_password", "my new passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Current password is not your current password")
    );

    let changed = ann
        .post(
            "/admin/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "my new passphrase"),
                ("confirm_password", "my new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        ann.get("/admin").await.status(),
        StatusCode::OK,
        "this browser stays signed in"
    );
    assert_eq!(
        other_device.get("/admin").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.sessions_of(id).await, 1);
    app.stop().await;
}
