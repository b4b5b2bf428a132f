//! The orders and emails pages against real checkout, mailer and catalog services: an order placed through
//! checkout's HTTP API is found by search and filters, exported, shipped, partly refunded and noted, each step
//! once however often its form is sent and audited; a viewer sees it and changes nothing; a mailer that does
//! not answer leaves the order page up; a failed email is sent again once.

use platform::testing::{MotoServer, TestProduct, eventually};
use reqwest::StatusCode;

use crate::{
    catalog_shop::form_value,
    helpers::{body, location},
    order_shop::{Mail, order_shop, verify_sender},
};

fn products() -> Vec<TestProduct> {
    vec![
        TestProduct::new("TEE-S", "10.00", 50),
        TestProduct::new("MUG-1", "25.00", 50),
    ]
}

/// The fields of the action form `action` on the order page (key, version), plus `extra`.
fn action_form<'a>(
    html: &str,
    number: &str,
    action: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(String, String)> {
    let path = format!("/admin/orders/{number}/actions");
    let start = html
        .find(&format!("name=\"action\" value=\"{action}\""))
        .unwrap_or_else(|| panic!("no {action} form on the page"));
    let form_start = html[..start]
        .rfind(&format!("action=\"{path}\""))
        .expect("its form");
    let form = &html[form_start..];
    let form = &form[..form.find("</form>").expect("the form ends")];
    let value = |name: &str| crate::helpers::hidden_value(form, name).expect(name);
    let mut fields = vec![
        ("action".to_owned(), action.to_owned()),
        ("idempotency_key".to_owned(), value("idempotency_key")),
        ("expected_version".to_owned(), value("expected_version")),
    ];
    fields.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    fields
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_find_an_order_then_ship_refund_part_of_it_and_note_it_each_once_and_audited() {
    let shop = order_shop(products(), Mail::Files).await;
    let ana = shop
        .place(
            &[("TEE-S", 2), ("MUG-1", 1)],
            "ana@example.com",
            "Ana Núñez",
        )
        .await;
    let bob = shop
        .place(&[("MUG-1", 1)], "bob@example.com", "Bob Stone")
        .await;
    let staff = shop.staff().await;

    // Search and filters, in the URL.
    let found = staff.page("/admin/orders?q=ana%40example.com").await;
    assert!(found.contains(&ana) && !found.contains(&bob), "{found}");
    let by_name = staff.page("/admin/orders?q=Bob").await;
    assert!(by_name.contains(&bob) && !by_name.contains(&ana));
    let paid = staff.page("/admin/orders?state=paid&total_min=40").await;
    assert!(
        paid.contains(&ana) && !paid.contains(&bob),
        "only Ana's is 40 or more"
    );
    assert!(
        paid.contains("53.59 USD"),
        "the total as checkout sends it: {paid}"
    );
    let none = staff.page("/admin/orders?state=shipped").await;
    assert!(!none.contains(&ana) && none.contains("No orders match."));
    let bad = staff.get("/admin/orders?from=someday").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(bad).await.contains("must be a date"));

    // A saved view keeps the filters.
    let saved = staff
        .post(
            "/admin/orders/views",
            &[
                ("name", "Ana paid"),
                ("query", "q=ana%40example.com&state=paid"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let list = staff.page("/admin/orders").await;
    assert!(list.contains("href=\"/admin/orders?q=ana%40example.com&state=paid\">Ana paid</a>"));

    // The export streams the filtered list.
    let csv = staff
        .get("/admin/orders/export.csv?state=paid&sort=total&direction=asc")
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "number,placed_at,customer_name,email,state,payment,total,refunded,currency"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with(&format!("{bob},")),
        "smallest total first: {csv}"
    );
    assert!(lines[2].starts_with(&format!("{ana},")), "{csv}");
    assert!(lines[2].ends_with(",53.59,0.00,USD"), "{csv}");

    // The order page: lines as sold, totals, the confirmation email in the timeline.
    let path = format!("/admin/orders/{ana}");
    let page = staff.page(&path).await;
    assert!(page.contains("Product TEE-S") && page.contains("53.59 USD"));
    eventually("the confirmation email shows in the timeline", async || {
        staff
            .page(&path)
            .await
            .contains("Order confirmation emailed")
    })
    .await;

    let processing = action_form(&page, &ana, "mark_processing", &[]);
    let answer = staff
        .post(&format!("{path}/actions"), &borrowed(&processing))
        .await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body(answer).await
    );

    // Shipped, with the form sent twice: once.
    let page = staff.page(&path).await;
    let ship = action_form(
        &page,
        &ana,
        "ship",
        &[("carrier", "DHL"), ("tracking_number", "jd0146 0000 1")],
    );
    for _ in 0..2 {
        let answer = staff
            .post(&format!("{path}/actions"), &borrowed(&ship))
            .await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&answer), path);
    }
    let page = staff.page(&path).await;
    assert_eq!(page.matches("Shipped with DHL").count(), 1, "shipped once");
    assert!(page.contains("JD014600001"));
    let shipped: Vec<_> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "order.ship")
        .collect();
    assert_eq!(shipped.len(), 1, "one audit entry per command: {shipped:?}");
    assert_eq!(shipped[0].1, "staff@shop.test");
    assert_eq!(
        (shipped[0].3.as_str(), shipped[0].4.as_str()),
        ("order", ana.as_str())
    );
    assert!(shipped[0].5.contains("processing → shipped"), "{shipped:?}");

    // The page seen before shipping is stale now: refused with a link to reload.
    let stale = action_form(
        &page.replace(
            &format!(
                "name=\"expected_version\" value=\"{}\"",
                form_value(&page, &format!("{path}/actions"), "expected_version").unwrap()
            ),
            "name=\"expected_version\" value=\"1\"",
        ),
        &ana,
        "mark_delivered",
        &[],
    );
    let conflict = staff
        .post(&format!("{path}/actions"), &borrowed(&stale))
        .await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let conflict = body(conflict).await;
    assert!(conflict.contains("Reload the order"), "{conflict}");

    // A field checkout refuses is shown next to it.
    let refund = action_form(
        &page,
        &ana,
        "refund",
        &[
            ("refund_of", "amount"),
            ("amount", "500.00"),
            ("reason", "too much"),
        ],
    );
    let refused = staff
        .post(&format!("{path}/actions"), &borrowed(&refund))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = body(refused).await;
    assert!(refused.contains("id=\"e-amount\""), "{refused}");
    assert!(refused.contains("can still be refunded"));

    // Part of it back: an amount, then a unit of a line.
    let page = staff.page(&path).await;
    let refund = action_form(
        &page,
        &ana,
        "refund",
        &[
            ("refund_of", "amount"),
            ("amount", "5.00"),
            ("reason", "late parcel"),
        ],
    );
    let answer = staff
        .post(&format!("{path}/actions"), &borrowed(&refund))
        .await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body(answer).await
    );
    let page = staff.page(&path).await;
    let refund = action_form(
        &page,
        &ana,
        "refund",
        &[
            ("refund_of", "lines"),
            ("reason", "one shirt torn"),
            ("lines[0].sku", "TEE-S"),
            ("lines[0].quantity", "1"),
            ("lines[1].sku", "MUG-1"),
            ("lines[1].quantity", "0"),
        ],
    );
    let answer = staff
        .post(&format!("{path}/actions"), &borrowed(&refund))
        .await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body(answer).await
    );
    let page = staff.page(&path).await;
    assert!(page.contains("Refunded 5.00 USD") && page.contains("Refunded 10.00 USD"));
    assert!(page.contains("payment partially refunded"), "{page}");

    // A note.
    let note = staff
        .post(
            &format!("{path}/notes"),
            &[
                ("idempotency_key", &uuid::Uuid::new_v4().to_string()),
                ("body", "Called Ana about the shirt."),
            ],
        )
        .await;
    assert_eq!(note.status(), StatusCode::SEE_OTHER);
    assert!(
        staff
            .page(&path)
            .await
            .contains("Called Ana about the shirt.")
    );

    // The mailer's emails join the timeline, each linked to its page.
    eventually(
        "the shipping and refund emails show in the timeline",
        async || {
            let page = staff.page(&path).await;
            page.contains("Shipping notice emailed")
                && page.matches("Refund notice emailed").count() == 2
        },
    )
    .await;
    let page = staff.page(&path).await;
    let timeline = &page[page.find("data-testid=\"timeline\"").unwrap()..];
    let order_of = |text: &str| {
        timeline
            .find(text)
            .unwrap_or_else(|| panic!("{text} in the timeline"))
    };
    assert!(order_of("Placed") < order_of("Order confirmation emailed"));
    assert!(order_of("Shipped with DHL") < order_of("Shipping notice emailed"));
    assert!(order_of("Shipping notice emailed") < order_of("Refunded 5.00 USD"));
    assert!(timeline.contains("href=\"/admin/emails/"));

    // The emails page lists them and filters by kind.
    let shipped = staff.page("/admin/emails?kind=order_shipped").await;
    assert!(
        shipped.contains(&ana)
            && shipped.contains("<td>Shipping notice</td>")
            && !shipped.contains("<td>Refund notice</td>")
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_sees_an_order_without_a_form_and_their_post_is_refused_and_audited() {
    let shop = order_shop(products(), Mail::Files).await;
    let number = shop.place(&[("TEE-S", 1)], "ana@example.com", "Ana").await;
    let path = format!("/admin/orders/{number}");
    let staff_page = shop.staff().await.page(&path).await;
    let viewer = shop.viewer().await;
    let page = viewer.page(&path).await;
    assert!(page.contains("Product TEE-S"));
    assert!(!page.contains("/actions\""), "no action form for a viewer");
    assert!(!page.contains("/notes\""));

    let fields = action_form(&staff_page, &number, "mark_processing", &[]);
    let refused = viewer
        .post(&format!("{path}/actions"), &borrowed(&fields))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let entry = shop
        .admin
        .last_audit("access.refused")
        .await
        .expect("audited");
    assert_eq!(entry.1, "viewer@shop.test");
    assert!(
        entry.4.contains(&format!("POST {path}/actions")),
        "{entry:?}"
    );
    assert!(viewer.page(&path).await.contains("paid"), "nothing changed");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_mailer_the_order_page_shows_a_notice_and_the_email_log_says_try_again() {
    let shop = order_shop(products(), Mail::Down).await;
    let number = shop.place(&[("TEE-S", 1)], "ana@example.com", "Ana").await;
    let staff = shop.staff().await;
    let page = staff.page(&format!("/admin/orders/{number}")).await;
    assert!(page.contains("data-testid=\"emails-unavailable\""));
    assert!(page.contains("Placed"), "checkout's timeline is there");
    let log = staff.get("/admin/emails").await;
    assert_eq!(log.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(log.headers().contains_key("retry-after"));
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_email_is_sent_again_once_from_its_page_and_a_sent_one_is_not() {
    let moto = tokio::task::block_in_place(MotoServer::start);
    // The sender is not verified yet: SES rejects the confirmation for good.
    mailer::testing::warm_up(&moto.url()).await;
    let shop = order_shop(products(), Mail::Ses(moto.url())).await;
    let number = shop.place(&[("TEE-S", 1)], "ana@example.com", "Ana").await;
    let staff = shop.staff().await;
    eventually("the confirmation failed", async || {
        staff
            .page("/admin/emails?state=failed")
            .await
            .contains(&number)
    })
    .await;
    let list = staff.page("/admin/emails?state=failed").await;
    let start = list.find("href=\"/admin/emails/").unwrap() + "href=\"/admin/emails/".len();
    let id: u64 = list[start..start + list[start..].find('"').unwrap()]
        .parse()
        .unwrap();
    let path = format!("/admin/emails/{id}");
    let page = staff.page(&path).await;
    assert!(page.contains("MessageRejected"), "the last error: {page}");
    let viewer_page = shop.viewer().await.page(&path).await;
    assert!(!viewer_page.contains("Send again"));

    verify_sender(&moto.url()).await;
    let key = form_value(&page, &format!("{path}/resend"), "idempotency_key").expect("a key");
    for _ in 0..2 {
        let answer = staff
            .post(&format!("{path}/resend"), &[("idempotency_key", &key)])
            .await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    }
    let page = staff.page(&path).await;
    assert!(page.contains("Sent again (attempt 2)."), "{page}");
    assert!(page.contains("data-testid=\"email-state\">sent<"));
    assert!(
        page.contains("staff@shop.test"),
        "who asked for the attempt"
    );
    assert!(!page.contains("Send again</button>"));
    let resends: Vec<_> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "email.resend")
        .collect();
    assert_eq!(resends.len(), 1, "{resends:?}");
    assert_eq!(resends[0].2, "ok");

    let again = staff
        .post(
            &format!("{path}/resend"),
            &[("idempotency_key", &uuid::Uuid::new_v4().to_string())],
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert!(staff.page(&path).await.contains("Not sent again"));
    assert_eq!(
        shop.admin.last_audit("email.resend").await.unwrap().2,
        "refused"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_shows_todays_sales_a_chart_and_what_waits() {
    let shop = order_shop(products(), Mail::Files).await;
    shop.place(&[("TEE-S", 2)], "ana@example.com", "Ana").await;
    shop.place(&[("MUG-1", 1)], "bo@example.com", "Bo").await;

    let page = shop.viewer().await.page("/admin/").await;
    let today = &page[page
        .find(r#"data-testid="today""#)
        .expect("today's figures")..];
    let today = &today[..today.find("</dl>").expect("the list ends")];
    assert!(
        today.contains(r#"<dt>Orders</dt><dd class="num">2</dd>"#),
        "{today}"
    );
    assert!(page.contains("<svg"), "the revenue chart");
    assert!(page.contains(r#"aria-label="Revenue per day, last 30 days""#));
    assert!(
        page.contains(r#"<a href="/admin/orders?state=paid">2</a>"#),
        "two paid orders to prepare"
    );
    let waiting = &page[page.find("waiting-heading").unwrap()..];
    let waiting = &waiting[..waiting.find("</section>").unwrap()];
    assert!(!waiting.contains("not available right now"), "{waiting}");
    assert!(
        page.contains(r#"data-testid="emails-waiting"><a href="/admin/emails?state=failed">0</a> / <a href="/admin/emails?state=uncertain">0</a>"#),
        "no email failed or uncertain"
    );
    shop.stop().await;
}
