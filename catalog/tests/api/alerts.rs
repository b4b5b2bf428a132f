//! Back-in-stock alerts: requests on sold-out variants, one BackInStock event per request from the change
//! that makes the variant available, the mailer's confirmation (sold out again: back to waiting), unsubscribing,
//! and requests racing a restock.

use std::time::Duration;

use futures::future::join_all;
use platform::contracts::catalog::{
    ALERT_CONFIRM, AlertConfirmReply, AlertConfirmRequest, AlertWithdrawn, RELEASE,
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, product, spawn_app};

const SLUG: &str = "acme-phone";

/// A product with one unit, all of it reserved by order `HOLD-1`: sold out until that order is released.
async fn sold_out(app: &TestApp) {
    app.load(vec![product(
        "PH-1",
        "Acme Phone",
        "Acme",
        "99.00",
        &["Phones"],
        1,
    )])
    .await;
    app.reserve("HOLD-1", &[("PH-1", 1)]).await;
}

async fn ask(app: &TestApp, slug: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/api/products/{slug}/stock-alerts", app.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The BackInStock events in the outbox, oldest first: (event id, payload data).
async fn announced(app: &TestApp) -> Vec<(uuid::Uuid, Value)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_id, CAST(payload AS CHAR) FROM outbox WHERE subject LIKE 'catalog.alerts.%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(id, payload)| {
            let envelope: Value = serde_json::from_str(&payload).unwrap();
            (id.parse().unwrap(), envelope["data"].clone())
        })
        .collect()
}

async fn confirm(app: &TestApp, alert_id: u64, event_id: uuid::Uuid) -> AlertConfirmReply {
    let request = AlertConfirmRequest { alert_id, event_id };
    platform::rpc::call(
        &app.client,
        ALERT_CONFIRM,
        &request,
        Duration::from_secs(10),
    )
    .await
    .unwrap()
}

async fn state_of(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT state FROM stock_alerts WHERE email = ? ORDER BY id")
        .bind(email)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_is_announced_once_by_the_restock_and_confirmed_while_available() {
    let app = spawn_app().await;
    sold_out(&app).await;

    let (status, body) = ask(&app, SLUG, json!({"email": "ann@example.com"})).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body, json!({"sku": "PH-1", "state": "waiting"}));
    // Asking again (any case of the address) is the same request, with the same answer.
    let (status, again) = ask(
        &app,
        SLUG,
        json!({"email": "Ann@Example.com ", "sku": "PH-1"}),
    )
    .await;
    assert_eq!((status, again), (202, body));
    ask(&app, SLUG, json!({"email": "bob@example.com"})).await;
    assert!(announced(&app).await.is_empty());

    // The release makes the phone available: one event per request, in that transaction.
    app.order_call(RELEASE, "HOLD-1").await;
    let events = announced(&app).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let (event_id, ann) = events
        .iter()
        .find(|(_, data)| data["email"] == "ann@example.com")
        .cloned()
        .unwrap();
    assert_eq!(ann["sku"], "PH-1");
    assert_eq!(ann["product_name"], "Acme Phone");
    assert_eq!(ann["slug"], SLUG);
    assert_eq!(ann["price"], "99.00");
    assert_eq!(ann["unsubscribe_token"].as_str().unwrap().len(), 32);
    assert_eq!(state_of(&app, "ann@example.com").await, ["notified"]);

    // Further changes announce nothing more.
    app.reserve("HOLD-2", &[("PH-1", 1)]).await;
    app.order_call(RELEASE, "HOLD-2").await;
    assert_eq!(announced(&app).await.len(), 2);

    let alert_id = ann["alert_id"].as_u64().unwrap();
    assert_eq!(
        confirm(&app, alert_id, event_id).await,
        AlertConfirmReply::Send
    );
    // Another event's id (or no such alert) is not this request's to send.
    assert_eq!(
        confirm(&app, alert_id, uuid::Uuid::new_v4()).await,
        AlertConfirmReply::Withdrawn {
            reason: AlertWithdrawn::Superseded
        }
    );
    assert_eq!(
        confirm(&app, 999_999, event_id).await,
        AlertConfirmReply::Withdrawn {
            reason: AlertWithdrawn::Superseded
        }
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sold_out_again_before_the_email_means_no_email_and_the_next_restock_announces_it_again() {
    let app = spawn_app().await;
    sold_out(&app).await;
    ask(&app, SLUG, json!({"email": "ann@example.com"})).await;
    app.order_call(RELEASE, "HOLD-1").await;
    let (first_event, data) = announced(&app).await.remove(0);
    let alert_id = data["alert_id"].as_u64().unwrap();

    // Someone buys the last unit before the mailer gets to it.
    app.reserve("HOLD-2", &[("PH-1", 1)]).await;
    assert_eq!(
        confirm(&app, alert_id, first_event).await,
        AlertConfirmReply::Withdrawn {
            reason: AlertWithdrawn::SoldOutAgain
        }
    );
    assert_eq!(state_of(&app, "ann@example.com").await, ["waiting"]);
    // The old event stays withdrawn; the next restock announces the same request with a new event.
    app.order_call(RELEASE, "HOLD-2").await;
    let events = announced(&app).await;
    assert_eq!(events.len(), 2);
    let (second_event, data) = events[1].clone();
    assert_eq!(data["alert_id"].as_u64(), Some(alert_id));
    assert_eq!(
        confirm(&app, alert_id, first_event).await,
        AlertConfirmReply::Withdrawn {
            reason: AlertWithdrawn::Superseded
        }
    );
    assert_eq!(
        confirm(&app, alert_id, second_event).await,
        AlertConfirmReply::Send
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unsubscribe_link_shows_the_alert_and_ends_it() {
    let app = spawn_app().await;
    sold_out(&app).await;
    ask(&app, SLUG, json!({"email": "ann@example.com"})).await;
    let token: String = sqlx::query_scalar("SELECT token FROM stock_alerts")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let view = app.get_ok(&format!("/api/stock-alerts/{token}")).await;
    assert_eq!(view["product_name"], "Acme Phone");
    assert_eq!(view["slug"], SLUG);
    assert_eq!(view["state"], "waiting");
    assert!(
        view.get("email").is_none(),
        "the address is not shown: {view}"
    );

    let delete = |token: String| {
        let app = &app;
        async move {
            app.http
                .delete(format!("{}/api/stock-alerts/{token}", app.address))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(delete(token.clone()).await, 204);
    assert_eq!(delete(token.clone()).await, 204, "again is the same");
    assert_eq!(
        app.get_ok(&format!("/api/stock-alerts/{token}")).await["state"],
        "unsubscribed"
    );
    for unknown in ["0123456789abcdef0123456789abcdef", "not-a-token", "%00"] {
        assert_eq!(delete(unknown.to_owned()).await, 404, "{unknown}");
        assert_eq!(
            app.get(&format!("/api/stock-alerts/{unknown}")).await.0,
            404
        );
    }

    // Unsubscribed before the restock: nothing is announced.
    app.order_call(RELEASE, "HOLD-1").await;
    assert!(announced(&app).await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_name_the_field_and_an_available_variant_needs_no_alert() {
    let app = spawn_app().await;
    sold_out(&app).await;
    app.load(vec![product(
        "IN-1",
        "Stocked Case",
        "Acme",
        "9.00",
        &["Cases"],
        5,
    )])
    .await;

    for (body, field) in [
        (json!({"email": "not an address"}), "email"),
        (json!({}), "email"),
        (json!({"email": "ann@example.com", "sku": "NOPE-1"}), "sku"),
        (
            json!({"email": "ann@example.com", "colour": "red"}),
            "colour",
        ),
        (json!(["ann@example.com"]), "body"),
    ] {
        let (status, problem) = ask(&app, SLUG, body.clone()).await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let (status, problem) = ask(&app, "stocked-case", json!({"email": "ann@example.com"})).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "in_stock");
    let (status, _) = ask(&app, "no-such-product", json!({"email": "ann@example.com"})).await;
    assert_eq!(status, 404);
    assert!(
        state_of(&app, "ann@example.com").await.is_empty(),
        "nothing half-written"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_racing_a_restock_are_either_refused_as_in_stock_or_announced_never_left_waiting()
{
    let app = spawn_app().await;
    sold_out(&app).await;
    let asks = (0..20).map(|i| {
        let app = &app;
        async move {
            ask(app, SLUG, json!({"email": format!("racer{i}@example.com")}))
                .await
                .0
        }
    });
    let (statuses, _) = tokio::join!(join_all(asks), app.order_call(RELEASE, "HOLD-1"));
    let recorded = statuses.iter().filter(|status| **status == 202).count();
    assert!(
        statuses.iter().all(|status| matches!(status, 202 | 409)),
        "{statuses:?}"
    );
    // Every recorded request was announced (exactly once); none waits while the phone is in stock.
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stock_alerts WHERE state = 'waiting'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(waiting, 0);
    assert_eq!(announced(&app).await.len(), recorded);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restock_announces_hundreds_of_requests_each_with_its_own_event() {
    let app = spawn_app().await;
    sold_out(&app).await;
    // More than one statement's worth (200), recorded as the endpoint records them.
    let variant: u32 = sqlx::query_scalar("SELECT id FROM variants WHERE sku = 'PH-1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for i in 0..450 {
        sqlx::query("INSERT INTO stock_alerts (variant_id, email, token) VALUES (?, ?, ?)")
            .bind(variant)
            .bind(format!("fan{i}@example.com"))
            .bind(format!("{i:032x}"))
            .execute(&app.pool)
            .await
            .unwrap();
    }
    app.order_call(RELEASE, "HOLD-1").await;

    let events = announced(&app).await;
    assert_eq!(events.len(), 450);
    let marked: Vec<(u64, String)> = sqlx::query_as(
        "SELECT id, notify_event_id FROM stock_alerts WHERE state = 'notified' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(marked.len(), 450);
    for (event_id, data) in &events {
        let alert_id = data["alert_id"].as_u64().unwrap();
        assert!(
            marked.contains(&(alert_id, event_id.to_string())),
            "alert {alert_id} is marked with its own event {event_id}"
        );
    }
    app.stop().await;
}
