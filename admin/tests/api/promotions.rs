//! The promotions pages against a real checkout: a promotion is created and edited through the form (bad
//! fields named and nothing written, a code unique across promotions, a stale edit refused), paused, resumed and
//! ended; the list shows the uses, revenue and discount of the orders holding a use; 10,000 single-use codes are
//! generated once however often the form is sent, and exported page by page; the order page shows the
//! promotions an order got; a viewer reads and changes nothing. Every change is audited.

use std::time::Instant;

use platform::testing::TestProduct;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::MySqlPool;
use uuid::Uuid;

use crate::{
    helpers::{Browser, body, hidden_value, location},
    order_shop::{Mail, OrderShop, order_shop},
};

async fn shop() -> OrderShop {
    order_shop(vec![TestProduct::new("TEE-S", "10.00", 50)], Mail::Down).await
}

async fn promotions(pool: &MySqlPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM promotions")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The promotion form's fields: a fresh idempotency key, `fields`, and the blanks a browser sends.
fn form<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut form = vec![("idempotency_key".to_owned(), Uuid::new_v4().to_string())];
    for name in [
        "name",
        "kind",
        "value",
        "scope",
        "targets",
        "min_subtotal",
        "starts_at",
        "ends_at",
        "max_uses",
        "max_uses_per_customer",
        "code",
    ] {
        let value = fields
            .iter()
            .find(|(field, _)| *field == name)
            .map_or("", |(_, value)| value);
        form.push((name.to_owned(), value.to_owned()));
    }
    form.extend(
        fields
            .iter()
            .filter(|(name, _)| {
                matches!(*name, "automatic" | "first_order_only" | "expected_version")
            })
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    form
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Creates a promotion through the form; its id.
async fn create(staff: &Browser, fields: &[(&str, &str)]) -> u64 {
    let answer = staff
        .post("/admin/promotions", &borrowed(&form(fields)))
        .await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body(answer).await
    );
    location(&answer)
        .strip_prefix("/admin/promotions/")
        .and_then(|id| id.parse().ok())
        .expect("the new promotion's page")
}

/// The version the promotion's page shows.
async fn version(staff: &Browser, id: u64) -> String {
    hidden_value(
        &staff.page(&format!("/admin/promotions/{id}")).await,
        "expected_version",
    )
    .expect("the form's version")
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_fields_are_named_and_write_nothing_a_code_is_unique_and_a_stale_edit_is_refused() {
    let shop = shop().await;
    let db = &shop.checkout.pool;
    let staff = shop.staff().await;
    assert!(
        staff
            .page("/admin/promotions/new")
            .await
            .contains("New promotion")
    );

    // Checkout's refusals, each next to its field; nothing is written.
    let answer = staff
        .post(
            "/admin/promotions",
            &borrowed(&form(&[
                ("name", " "),
                ("kind", "percent_off"),
                ("value", "150"),
                ("scope", "skus"),
                ("targets", "TEE-S\nnot a sku!"),
                ("starts_at", "2030-01-02T00:00"),
                ("ends_at", "2030-01-01T00:00"),
            ])),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(answer).await;
    for shown in [
        "id=\"e-name\"",
        "Value must be at most 100",
        "Targets: “not a sku!” must be",
        "Ends (UTC) must be after the start",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    assert!(html.contains("not a sku!"), "what was typed is kept");
    // The form's own: a number that is none.
    let answer = staff
        .post(
            "/admin/promotions",
            &borrowed(&form(&[
                ("name", "Ten"),
                ("kind", "amount_off"),
                ("value", "ten"),
                ("scope", "order"),
            ])),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(answer).await.contains("Value must be a number"));
    assert_eq!(promotions(db).await, 0, "nothing written");
    let refused = shop.admin.last_audit("promotion.save").await.unwrap();
    assert_eq!(refused.2, "refused");

    let id = create(
        &staff,
        &[
            ("name", "Welcome"),
            ("kind", "percent_off"),
            ("value", "10"),
            ("scope", "order"),
            ("code", " welcome10 "),
            ("max_uses", "100"),
        ],
    )
    .await;
    let code: (String, Option<u32>) =
        sqlx::query_as("SELECT code, max_uses FROM promotion_codes WHERE promotion_id = ?")
            .bind(id)
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(
        code,
        ("WELCOME10".to_owned(), None),
        "normalised, shareable"
    );

    // The same code for another promotion, in any case.
    let answer = staff
        .post(
            "/admin/promotions",
            &borrowed(&form(&[
                ("name", "Copy"),
                ("kind", "free_shipping"),
                ("scope", "brands"),
                ("targets", "Acme"),
                ("code", "Welcome10"),
            ])),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(answer)
            .await
            .contains("Code already used by another promotion")
    );
    assert_eq!(promotions(db).await, 1);

    // An edit at the version shown; the same page sent again is stale.
    let path = format!("/admin/promotions/{id}");
    let shown = version(&staff, id).await;
    let edit = |name: &'static str| {
        form(&[
            ("expected_version", shown.as_str()),
            ("name", name),
            ("kind", "amount_off"),
            ("value", "5"),
            ("scope", "skus"),
            ("targets", "tee-s\nMUG-1"),
            ("code", "WELCOME10"),
            ("automatic", "1"),
        ])
    };
    let answer = staff.post(&path, &borrowed(&edit("Welcome five"))).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), path);
    let page = staff.page(&path).await;
    assert!(page.contains("Saved “Welcome five”."), "{page}");
    assert!(page.contains("5.00 USD off"));
    let (kind, version, automatic): (String, u32, bool) =
        sqlx::query_as("SELECT kind, version, automatic FROM promotions WHERE id = ?")
            .bind(id)
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), version, automatic), ("amount_off", 2, true));
    let targets: Vec<String> = sqlx::query_scalar(
        "SELECT target FROM promotion_targets WHERE promotion_id = ? ORDER BY target",
    )
    .bind(id)
    .fetch_all(db)
    .await
    .unwrap();
    assert_eq!(targets, ["MUG-1", "TEE-S"]);

    let stale = staff.post(&path, &borrowed(&edit("Overwritten"))).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let html = body(stale).await;
    assert!(html.contains("changed by someone else"), "{html}");
    assert!(html.contains("Reload the promotion"));
    let name: String = sqlx::query_scalar("SELECT name FROM promotions WHERE id = ?")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(name, "Welcome five", "the stale edit wrote nothing");

    let saved: Vec<_> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "promotion.save" && entry.2 == "ok")
        .collect();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert_eq!(
        (
            saved[0].1.as_str(),
            saved[0].3.as_str(),
            saved[0].4.as_str()
        ),
        ("staff@shop.test", "promotion", id.to_string().as_str())
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_promotion_is_paused_once_however_often_sent_resumed_and_ended_for_good() {
    let shop = shop().await;
    let db = &shop.checkout.pool;
    let staff = shop.staff().await;
    let id = create(
        &staff,
        &[
            ("name", "Ship free"),
            ("kind", "free_shipping"),
            ("scope", "order"),
        ],
    )
    .await;
    let path = format!("/admin/promotions/{id}");
    let state = async || -> (String, u32) {
        sqlx::query_as("SELECT CAST(state AS CHAR), version FROM promotions WHERE id = ?")
            .bind(id)
            .fetch_one(db)
            .await
            .unwrap()
    };
    let send = async |action: &str, version: &str, key: &str| {
        staff
            .post(
                &format!("{path}/state"),
                &[
                    ("idempotency_key", key),
                    ("expected_version", version),
                    ("action", action),
                ],
            )
            .await
    };

    let key = Uuid::new_v4().to_string();
    for _ in 0..2 {
        let answer = send("pause", "1", &key).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&answer), path);
    }
    assert_eq!(state().await, ("paused".to_owned(), 2), "paused once");
    assert!(
        staff
            .page(&path)
            .await
            .contains("“Ship free” is paused now.")
    );

    let answer = send(
        "resume",
        &version(&staff, id).await,
        &Uuid::new_v4().to_string(),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(state().await.0, "active");
    // A page shown before the resume is stale.
    let answer = send("end", "2", &Uuid::new_v4().to_string()).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let page = staff.page(&path).await;
    assert!(page.contains("Not done: changed by someone else"), "{page}");
    assert_eq!(state().await.0, "active");

    let answer = send(
        "end",
        &version(&staff, id).await,
        &Uuid::new_v4().to_string(),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let page = staff.page(&path).await;
    assert!(page.contains("is ended now."));
    assert!(!page.contains("value=\"resume\""), "no way back from ended");
    assert!(
        !page.contains("Generate codes"),
        "an ended promotion gets no codes"
    );
    let (_, version) = state().await;
    let answer = send("resume", &version.to_string(), &Uuid::new_v4().to_string()).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert!(staff.page(&path).await.contains("has ended, for good"));
    assert_eq!(state().await.0, "ended");

    let actions: Vec<(String, String)> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0.starts_with("promotion.") && entry.0 != "promotion.save")
        .map(|entry| (entry.0, entry.2))
        .collect();
    assert_eq!(
        actions,
        [
            ("promotion.resume", "refused"),
            ("promotion.end", "ok"),
            ("promotion.end", "refused"),
            ("promotion.resume", "ok"),
            ("promotion.pause", "ok"),
        ]
        .map(|(a, o)| (a.to_owned(), o.to_owned())),
        "newest first, the double submit once"
    );
    shop.stop().await;
}

/// Records that the order `number` holds (or gave back) a use of promotion `id`, as place-order would.
async fn redeem(db: &MySqlPool, id: u64, number: &str, amount: &str, shipping: &str, state: &str) {
    sqlx::query(
        "INSERT INTO redemptions (promotion_id, code, name, order_number, customer_key, amount, shipping, state) \
         VALUES (?, 'WELCOME10', 'Welcome', ?, UNHEX(SHA2(?, 256)), ?, ?, ?)",
    )
    .bind(id)
    .bind(number)
    .bind(number)
    .bind(amount)
    .bind(shipping)
    .bind(state)
    .execute(db)
    .await
    .unwrap();
    if state == "held" {
        sqlx::query("UPDATE promotions SET uses = uses + 1 WHERE id = ?")
            .bind(id)
            .execute(db)
            .await
            .unwrap();
        sqlx::query("UPDATE orders SET discount = ? WHERE number = ?")
            .bind(amount)
            .bind(number)
            .execute(db)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_counts_the_orders_holding_a_use_and_the_order_page_shows_its_promotions() {
    let shop = shop().await;
    let db = &shop.checkout.pool;
    let held = shop.place(&[("TEE-S", 2)], "ana@example.com", "Ana").await;
    let released = shop.place(&[("TEE-S", 1)], "bob@example.com", "Bob").await;
    let staff = shop.staff().await;
    let id = create(
        &staff,
        &[
            ("name", "Welcome"),
            ("kind", "percent_off"),
            ("value", "10"),
            ("scope", "order"),
            ("code", "WELCOME10"),
            ("max_uses", "50"),
        ],
    )
    .await;
    let other = create(
        &staff,
        &[
            ("name", "Unused"),
            ("kind", "free_shipping"),
            ("scope", "order"),
            ("automatic", "1"),
        ],
    )
    .await;
    redeem(db, id, &held, "2.00", "4.99", "held").await;
    redeem(db, id, &released, "1.00", "0.00", "released").await;
    let total: Decimal = sqlx::query_scalar("SELECT total FROM orders WHERE number = ?")
        .bind(&held)
        .fetch_one(db)
        .await
        .unwrap();

    let list = staff.page("/admin/promotions").await;
    let row = &list[list
        .find(&format!("data-testid=\"promotion-{id}\""))
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    for shown in [
        "Welcome",
        "10% off",
        "Whole order",
        "Code WELCOME10",
        "active",
        "1 / 50",
        &format!("{total} USD"),
        "6.99 USD",
    ] {
        assert!(row.contains(shown), "{shown}: {row}");
    }
    let row = &list[list
        .find(&format!("data-testid=\"promotion-{other}\""))
        .unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("0 / ∞"));
    assert!(
        list.find(&format!("promotion-{other}")) < list.find(&format!("promotion-{id}")),
        "newest first"
    );

    let csv = staff.get("/admin/promotions.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("id,name,kind,value,scope"), "{csv}");
    assert!(lines[0].ends_with("uses,max_uses,revenue,discount,currency"));
    assert!(
        lines[2].starts_with(&format!("{id},Welcome,percent_off,10.00,order,0,false,WELCOME10,0,active,,,1,50,{total},6.99,USD")),
        "{csv}"
    );

    // The order page: what each promotion took off, and whether the order still holds its use.
    let page = staff.page(&format!("/admin/orders/{held}")).await;
    let discounts = &page[page
        .find("data-testid=\"discounts\"")
        .expect("the promotions")..];
    let discounts = &discounts[..discounts.find("</section>").unwrap()];
    for shown in ["Welcome", "WELCOME10", "2.00 USD", "4.99 USD", "held"] {
        assert!(discounts.contains(shown), "{shown}: {discounts}");
    }
    assert!(
        page.contains("−2.00 USD"),
        "the order's discount in its totals"
    );
    let page = staff.page(&format!("/admin/orders/{released}")).await;
    assert!(page.contains("given back"), "{page}");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_codes_are_generated_once_however_often_sent_and_exported_page_by_page() {
    let shop = shop().await;
    let db = &shop.checkout.pool;
    let staff = shop.staff().await;
    let id = create(
        &staff,
        &[
            ("name", "Spring"),
            ("kind", "amount_off"),
            ("value", "5"),
            ("scope", "order"),
        ],
    )
    .await;
    let path = format!("/admin/promotions/{id}/codes");

    let refused = staff
        .post(
            &path,
            &[
                ("idempotency_key", &Uuid::new_v4().to_string()),
                ("count", "10001"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(refused).await.contains("How many must be 1 to 10000"));

    let key = Uuid::new_v4().to_string();
    let generate = [
        ("idempotency_key", key.as_str()),
        ("count", "10000"),
        ("prefix", " spring- "),
    ];
    let started = Instant::now();
    let answer = staff.post(&path, &generate).await;
    let took = started.elapsed();
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body(answer).await
    );
    let again = staff.post(&path, &generate).await;
    assert_eq!(
        again.status(),
        StatusCode::SEE_OTHER,
        "the first reply, replayed"
    );
    let page = staff.page(&format!("/admin/promotions/{id}")).await;
    assert!(
        page.contains("Generated 10000 single-use codes; the promotion has 10000 now."),
        "{page}"
    );
    let (rows, distinct, single_use, prefixed): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT code), CAST(SUM(max_uses = 1) AS SIGNED), \
         CAST(SUM(code LIKE 'SPRING-%') AS SIGNED) \
         FROM promotion_codes WHERE promotion_id = ?",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(
        (rows, distinct, single_use, prefixed),
        (10_000, 10_000, 10_000, 10_000),
        "in {took:?}"
    );
    let generated: Vec<_> = shop
        .admin
        .audit()
        .await
        .into_iter()
        .filter(|entry| entry.0 == "promotion.codes_generate" && entry.2 == "ok")
        .collect();
    assert_eq!(generated.len(), 1, "{generated:?}");

    let csv = staff
        .get(&format!("/admin/promotions/{id}/codes.csv"))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 10_001);
    assert_eq!(lines[0], "code,max_uses,uses");
    assert!(
        lines[1..].windows(2).all(|pair| pair[0] < pair[1]),
        "in code order, each once"
    );
    assert!(
        lines[1..]
            .iter()
            .all(|line| line.starts_with("SPRING-") && line.ends_with(",1,0"))
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_reads_promotions_and_changes_nothing() {
    let shop = shop().await;
    let db = &shop.checkout.pool;
    let staff = shop.staff().await;
    let id = create(
        &staff,
        &[
            ("name", "Welcome"),
            ("kind", "percent_off"),
            ("value", "10"),
            ("scope", "order"),
        ],
    )
    .await;
    let viewer = shop.viewer().await;
    assert!(viewer.page("/admin/promotions").await.contains("Welcome"));
    let page = viewer.page(&format!("/admin/promotions/{id}")).await;
    assert!(page.contains("<fieldset disabled>") && !page.contains(">Save</button>"));
    assert!(!page.contains("Generate codes") && !page.contains("value=\"pause\""));
    assert_eq!(
        viewer.get("/admin/promotions/new").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.get("/admin/promotions.csv").await.status(),
        StatusCode::OK
    );

    let key = Uuid::new_v4().to_string();
    for (path, fields) in [
        (
            "/admin/promotions".to_owned(),
            form(&[
                ("name", "Mine"),
                ("kind", "free_shipping"),
                ("scope", "order"),
            ]),
        ),
        (
            format!("/admin/promotions/{id}"),
            form(&[
                ("expected_version", "1"),
                ("name", "Mine"),
                ("kind", "free_shipping"),
                ("scope", "order"),
            ]),
        ),
        (
            format!("/admin/promotions/{id}/state"),
            vec![
                ("idempotency_key".to_owned(), key.clone()),
                ("expected_version".to_owned(), "1".to_owned()),
                ("action".to_owned(), "end".to_owned()),
            ],
        ),
        (
            format!("/admin/promotions/{id}/codes"),
            vec![
                ("idempotency_key".to_owned(), key.clone()),
                ("count".to_owned(), "5".to_owned()),
            ],
        ),
    ] {
        let answer = viewer.post(&path, &borrowed(&fields)).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    let unchanged: (String, String, u32, i64) = sqlx::query_as(
        "SELECT name, CAST(state AS CHAR), version, (SELECT COUNT(*) FROM promotion_codes) FROM promotions",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(unchanged, ("Welcome".to_owned(), "active".to_owned(), 1, 0));
    let refused = shop.admin.last_audit("access.refused").await.unwrap();
    assert_eq!(
        (refused.1.as_str(), refused.4.as_str()),
        (
            "viewer@shop.test",
            format!("POST /admin/promotions/{id}/codes").as_str()
        )
    );
    shop.stop().await;
}
