use admin::domain::Role;
use reqwest::{StatusCode, header};

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_filters_by_who_and_outcome_and_pages_by_keyset() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    app.staff_member("bob@shop.test", Role::Staff).await;
    for n in 0..3 {
        let ip = format!("203.0.113.{}", 80 + n);
        app.browser(&ip)
            .sign_in("bob@shop.test", "wrong password!!", "")
            .await;
    }
    let owner = app.signed_in("owner@shop.test", "203.0.113.90").await;

    let page = owner
        .page("/admin/audit?who=bob%40shop.test&outcome=refused")
        .await;
    assert_eq!(page.matches("login.failed").count(), 3, "{page}");
    assert!(!page.contains("login.success"));
    let everything = owner.page("/admin/audit?action=login.").await;
    assert!(everything.contains("login.success") && everything.contains("login.failed"));
    let bad = owner.get("/admin/audit?outcome=maybe&from=yesterday").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("Outcome must be ok, refused or failed"),
        "{html}"
    );
    assert!(html.contains("From must be a date (YYYY-MM-DD)"), "{html}");

    // Keyset pages: more than a page of entries, each page older than the last.
    for n in 0..60 {
        sqlx::query(
            "INSERT INTO audit_log (staff_email, ip, user_agent, action, outcome) \
             VALUES ('bulk@shop.test', '192.0.2.1', 'test', ?, 'ok')",
        )
        .bind(format!("bulk.{n:02}"))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let first = owner.page("/admin/audit?who=bulk%40shop.test").await;
    assert!(
        first.contains("bulk.59") && !first.contains("bulk.09"),
        "newest first"
    );
    let start = first
        .find("/admin/audit?who=bulk%40shop.test&before=")
        .expect("an older page");
    let end = first[start..].find('"').unwrap();
    let older = first[start..start + end].to_owned();
    let second = owner.page(&older).await;
    assert!(
        second.contains("bulk.09") && !second.contains("bulk.10"),
        "{older}"
    );
    assert!(!second.contains("rel=\"next\""), "the last page");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_filtered_audit_log_exports_as_csv_that_no_spreadsheet_runs() {
    let app = spawn_app().await;
    app.staff_member("owner@shop.test", Role::Owner).await;
    app.staff_member("bob@shop.test", Role::Staff).await;
    // A login with a hostile user agent: CSV cells must not become formulas.
    app.browser("203.0.113.91")
        .client
        .get(format!("{}/admin/login", app.address))
        .send()
        .await
        .unwrap();
    let evil = app.browser("203.0.113.92");
    let form = evil.page("/admin/login").await;
    let token = crate::helpers::hidden_value(&form, "csrf_token").unwrap();
    evil.client
        .post(evil.url("/admin/login"))
        .header("origin", crate::helpers::ORIGIN)
        .header("x-forwarded-for", "203.0.113.92")
        .header("user-agent", "=HYPERLINK(\"http://evil.test\"), \"quoted\"")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "bob@shop.test"),
            ("password", "nope nope nope"),
        ])
        .send()
        .await
        .unwrap();
    for n in 0..1200 {
        sqlx::query(
            "INSERT INTO audit_log (staff_email, ip, user_agent, action, outcome) \
             VALUES ('bulk@shop.test', '192.0.2.1', 'test', ?, 'ok')",
        )
        .bind(format!("bulk.{n:04}"))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let owner = app.signed_in("owner@shop.test", "203.0.113.93").await;

    let export = owner.get("/admin/audit.csv?who=bob%40shop.test").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(
        export.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        export.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = export.text().await.unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,staff_email,ip,user_agent,action,target_type,target_id,outcome,before,after,detail"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains(r#","'=HYPERLINK(""http://evil.test""), ""quoted""","#),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",login.failed,") && lines[1].contains(",refused,"));

    // More rows than one batch of the stream: all of them, newest first.
    let bulk = owner
        .get("/admin/audit.csv?who=bulk%40shop.test")
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<_> = bulk.lines().skip(1).collect();
    assert_eq!(rows.len(), 1200);
    assert!(rows[0].contains("bulk.1199") && rows[1199].contains("bulk.0000"));
    assert!(app.last_audit("audit.export").await.is_some());

    // Staff may not export it.
    let bob = app.signed_in("bob@shop.test", "203.0.113.94").await;
    assert_eq!(
        bob.get("/admin/audit.csv").await.status(),
        StatusCode::FORBIDDEN
    );
    let _ = PASSWORD;
    app.stop().await;
}
