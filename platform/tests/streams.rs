//! The stream bootstrap against a real nats-server.

use std::time::Duration;

use platform::{streams::StreamSettings, testing::NatsServer};

fn settings() -> StreamSettings {
    StreamSettings {
        replicas: 1,
        max_age: Duration::from_secs(3600),
        max_bytes: 10 * 1024 * 1024,
        max_message_size: 64 * 1024,
        duplicate_window: Duration::from_secs(60),
    }
}

#[tokio::test]
async fn ensuring_streams_twice_creates_them_once_and_then_changes_nothing() {
    let nats = NatsServer::start();
    let jetstream = async_nats::jetstream::new(nats.ops().await);
    let configs = settings().event_streams();

    platform::streams::ensure_streams(&jetstream, &configs)
        .await
        .unwrap();
    let created = jetstream
        .get_stream("ORDERS")
        .await
        .unwrap()
        .cached_info()
        .created;
    platform::streams::ensure_streams(&jetstream, &configs)
        .await
        .unwrap();

    let mut stream = jetstream.get_stream("ORDERS").await.unwrap();
    let info = stream.info().await.unwrap();
    assert_eq!(info.created, created, "the stream was not recreated");
    assert_eq!(info.config.duplicate_window, Duration::from_secs(60));
}

#[tokio::test]
async fn changed_limits_update_the_existing_stream_and_keep_its_messages() {
    let nats = NatsServer::start();
    let client = nats.ops().await;
    let jetstream = async_nats::jetstream::new(client);
    platform::streams::ensure_streams(&jetstream, &settings().event_streams())
        .await
        .unwrap();
    jetstream
        .publish("catalog.test", "kept".into())
        .await
        .unwrap()
        .await
        .unwrap();

    let wider = StreamSettings {
        max_age: Duration::from_secs(7200),
        ..settings()
    };
    platform::streams::ensure_streams(&jetstream, &wider.event_streams())
        .await
        .unwrap();

    let mut stream = jetstream.get_stream("CATALOG").await.unwrap();
    let info = stream.info().await.unwrap();
    assert_eq!(info.config.max_age, Duration::from_secs(7200));
    assert_eq!(info.state.messages, 1);
}

#[tokio::test]
async fn services_starting_together_race_to_create_the_same_streams_without_failing() {
    let nats = NatsServer::start();
    let client = nats.ops().await;
    let configs = settings().event_streams();
    let attempts = (0..8).map(|_| {
        let jetstream = async_nats::jetstream::new(client.clone());
        let configs = configs.clone();
        async move { platform::streams::ensure_streams(&jetstream, &configs).await }
    });
    for outcome in futures::future::join_all(attempts).await {
        outcome.unwrap();
    }
}
