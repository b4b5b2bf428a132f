//! All five services start, register with the NATS services API, create the streams, report readiness, follow
//! a NATS outage and recover from it without a restart, and stop cleanly on SIGTERM.

use std::{collections::BTreeSet, time::Duration};

use async_nats::jetstream::stream::{DiscardPolicy, StorageType};
use futures::future::join_all;
use platform::testing::NatsServer;

use crate::helpers::{SERVICES, ServiceProcess, discover};

/// Stream limits set through the environment, different from the defaults, to see that they are applied.
const STREAM_ENV: [(&str, &str); 3] = [
    ("STREAM_DUPLICATE_WINDOW_SECS", "120"),
    ("STREAM_MAX_AGE_SECS", "86400"),
    ("STREAM_MAX_BYTES", "104857600"),
];

async fn answering_services(client: &async_nats::Client, verb: &str) -> BTreeSet<String> {
    discover(client, &format!("$SRV.{verb}"), Duration::from_secs(1))
        .await
        .into_iter()
        .map(|answer| {
            answer["name"]
                .as_str()
                .expect("answer has a name")
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_service_starts_registers_survives_a_nats_outage_and_stops_cleanly() {
    let mut nats = NatsServer::start();
    let services =
        join_all(SERVICES.map(|name| ServiceProcess::start(name, &nats, &STREAM_ENV))).await;
    let http = reqwest::Client::new();
    join_all(
        services
            .iter()
            .map(|s| s.wait_for_readyz(&http, 200, Duration::from_secs(60))),
    )
    .await;

    // Every service answers the services API's discovery requests with its name and version.
    let client = nats.ops().await;
    let expected: BTreeSet<String> = SERVICES.iter().map(|s| s.to_string()).collect();
    assert_eq!(answering_services(&client, "PING").await, expected);
    let infos = discover(&client, "$SRV.INFO", Duration::from_secs(1)).await;
    for info in &infos {
        assert_eq!(info["version"], "0.1.0", "{info}");
        assert!(
            !info["description"].as_str().unwrap_or("").is_empty(),
            "{info}"
        );
    }

    // Both event streams exist, on file storage, with the limits the environment asked for.
    let jetstream = async_nats::jetstream::new(client.clone());
    for (name, subject) in [("CATALOG", "catalog.>"), ("ORDERS", "orders.>")] {
        let mut stream = jetstream.get_stream(name).await.expect("stream exists");
        let config = stream.info().await.expect("stream info").config.clone();
        assert_eq!(config.subjects, vec![subject.to_owned()]);
        assert_eq!(config.storage, StorageType::File);
        assert_eq!(config.discard, DiscardPolicy::New);
        assert_eq!(config.duplicate_window, Duration::from_secs(120));
        assert_eq!(config.max_age, Duration::from_secs(86400));
        assert_eq!(config.max_bytes, 104_857_600);
    }
    drop(client);

    // NATS goes away: every service says it is not ready, quickly.
    nats.stop();
    join_all(
        services
            .iter()
            .map(|s| s.wait_for_readyz(&http, 503, Duration::from_secs(5))),
    )
    .await;

    // NATS comes back: every service reconnects by itself and is discoverable again.
    nats.start_again();
    join_all(
        services
            .iter()
            .map(|s| s.wait_for_readyz(&http, 200, Duration::from_secs(30))),
    )
    .await;
    let client = nats.ops().await;
    let mut answering = BTreeSet::new();
    for _ in 0..10 {
        answering = answering_services(&client, "PING").await;
        if answering == expected {
            break;
        }
    }
    assert_eq!(
        answering, expected,
        "services re-registered after the outage"
    );

    // SIGTERM stops each one cleanly.
    for service in services {
        let name = service.name;
        let status = service.terminate(Duration::from_secs(15)).await;
        assert!(status.success(), "{name} exited with {status}");
    }
}
