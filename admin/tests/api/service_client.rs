use std::time::Duration;

use admin::{http::error::AdminError, services::ServiceClient};
use axum::response::IntoResponse as _;
use futures::StreamExt as _;
use platform::{contracts::admin::AdminReply, testing::NatsServer};
use serde_json::{Value, json};

const SUBJECT: &str = "rpc.catalog.admin.products.list";

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_that_does_not_answer_is_a_try_again_page_with_retry_after() {
    let nats = NatsServer::start();
    let client = ServiceClient::new(
        nats.connect_as("admin").await,
        "catalog",
        Duration::from_secs(2),
    );

    let answer = client.call::<_, Value>(SUBJECT, &json!({})).await;

    let Err(err @ AdminError::Unavailable) = answer else {
        panic!("expected Unavailable, got {answer:?}");
    };
    let response = err.into_response();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalogs_replies_arrive_typed_and_its_failures_are_unavailable() {
    let nats = NatsServer::start();
    let ops = nats.ops().await;
    let mut requests = ops.subscribe(SUBJECT).await.unwrap();
    ops.flush().await.unwrap();
    let replier = ops.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Some(request) = requests.next().await {
            n += 1;
            let reply = request.reply.unwrap();
            if n == 1 {
                let body = json!({"invalid": {"errors": [{"field": "price", "reason": "must not be negative"}]}});
                replier
                    .publish(reply, body.to_string().into())
                    .await
                    .unwrap();
            } else {
                // What platform::rpc::serve sends when the catalog's database is down.
                let mut headers = async_nats::HeaderMap::new();
                headers.insert(async_nats::service::NATS_SERVICE_ERROR, "unavailable");
                headers.insert(async_nats::service::NATS_SERVICE_ERROR_CODE, "503");
                replier
                    .publish_with_headers(reply, headers, "".into())
                    .await
                    .unwrap();
            }
        }
    });
    let client = ServiceClient::new(
        nats.connect_as("admin").await,
        "catalog",
        Duration::from_secs(2),
    );

    let invalid = client.call::<_, Value>(SUBJECT, &json!({})).await.unwrap();
    assert_eq!(
        invalid,
        AdminReply::invalid("price", "must not be negative")
    );
    let failed = client.call::<_, Value>(SUBJECT, &json!({})).await;
    assert!(matches!(failed, Err(AdminError::Unavailable)), "{failed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_nats_down_a_call_is_unavailable_at_once_not_after_its_timeout() {
    let mut nats = NatsServer::start();
    let client = ServiceClient::new(
        nats.connect_as("admin").await,
        "catalog",
        Duration::from_secs(600),
    );
    nats.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A ten-minute timeout: the answer comes from knowing the connection is gone, not from waiting.
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        client.call::<_, Value>(SUBJECT, &json!({})),
    )
    .await
    .expect("answered without waiting for the timeout");
    assert!(matches!(answer, Err(AdminError::Unavailable)), "{answer:?}");
}
