//! Meilisearch configured but unusable: the catalog answers from MySQL within its timeout, and once the
//! breaker is open it stops asking at all. Runs without any Meilisearch.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use catalog::config::MeiliConfig;
use tokio::{io::AsyncReadExt as _, net::TcpListener};

use crate::helpers::{default_config, product, spawn_app_with};

fn meili_at(url: String, timeout: Duration) -> MeiliConfig {
    MeiliConfig {
        url,
        search_key: Some("search-only-key".into()),
        index: "products".to_owned(),
        timeout,
        breaker_failures: 3,
        // Longer than the test: once open, the breaker stays open.
        breaker_cooldown: Duration::from_secs(600),
    }
}

/// A server that takes connections and reads requests but never answers, counting the requests.
async fn black_hole() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                loop {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if buffer[..n].windows(4).any(|w| w == b"POST" || w == b"GET ") {
                                counter.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                }
            });
        }
    });
    (url, requests)
}

async fn load_phones(app: &crate::helpers::TestApp) {
    app.load(vec![
        product("PH-1", "Acme Phone One", "Acme", "199.99", &["Phones"], 5),
        product("PH-2", "Acme Phone Two", "Acme", "299.99", &["Phones"], 5),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_meilisearch_costs_one_timeout_per_search_until_the_breaker_opens() {
    let (url, requests) = black_hole().await;
    let timeout = Duration::from_millis(200);
    let app = spawn_app_with(catalog::config::Config {
        meili: Some(meili_at(url, timeout)),
        ..default_config()
    })
    .await;
    load_phones(&app).await;

    // Three searches wait for Meilisearch, give up after the timeout and answer from MySQL.
    for _ in 0..3 {
        let started = Instant::now();
        let body = app.get_ok("/api/search?q=acme").await;
        assert!(started.elapsed() >= timeout, "it waited for Meilisearch");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "and gave up: {:?}",
            started.elapsed()
        );
        assert_eq!(body["engine"], "mysql");
        assert_eq!(body["total"], 2, "{body}");
    }
    assert_eq!(requests.load(Ordering::SeqCst), 3);

    // The breaker is open: Meilisearch is not asked any more, and the answers keep coming from MySQL.
    for _ in 0..20 {
        let body = app.get_ok("/api/search?q=phone").await;
        assert_eq!(body["engine"], "mysql");
        assert_eq!(body["total"], 2);
    }
    // Give a request that was wrongly sent time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        requests.load(Ordering::SeqCst),
        3,
        "no request reached Meilisearch while the breaker was open"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn meilisearch_at_a_closed_port_means_mysql_answers() {
    let port = platform::testing::free_port();
    let app = spawn_app_with(catalog::config::Config {
        meili: Some(meili_at(
            format!("http://127.0.0.1:{port}"),
            Duration::from_millis(500),
        )),
        ..default_config()
    })
    .await;
    load_phones(&app).await;
    for q in ["ac", "acme ph", "phone two"] {
        let started = Instant::now();
        let body = app
            .get_ok(&format!("/api/search?q={}", q.replace(' ', "+")))
            .await;
        assert_eq!(body["engine"], "mysql");
        assert!(body["total"].as_u64().unwrap() >= 1, "{q}: {body}");
        assert!(
            !body["hits"][0]["highlight"]["name"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{q} took {:?}",
            started.elapsed()
        );
    }
    // The listing (no query) never asks Meilisearch.
    let body = app.get_ok("/api/search?q=").await;
    assert_eq!(body["engine"], "mysql");
    app.stop().await;
}
