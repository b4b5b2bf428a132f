//! The public API as an attacker meets it: slow headers and bodies, idle connections, huge declared bodies,
//! malformed requests, and too many requests from one address. Every refusal is a problem document.

use std::time::{Duration, Instant};

use futures::future::join_all;
use platform::server::ServerLimits;
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
};

use crate::helpers::{Shop, checkout_config, spawn_shop_configured};

async fn shop_with_limits() -> Shop {
    spawn_shop_configured(checkout_config(), |common| {
        common.http_limits = ServerLimits {
            header_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(2),
            max_body_bytes: 64 * 1024,
            max_connections: 64,
        };
    })
    .await
}

async fn connect(shop: &Shop) -> TcpStream {
    TcpStream::connect(shop.checkout.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(
            tokio::time::Instant::from_std(started + within),
            stream.read(&mut buffer),
        )
        .await
        {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("the connection was still open after {within:?}"),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_headers_and_idle_connections_are_closed_after_the_header_timeout() {
    let shop = shop_with_limits().await;
    // Headers one byte at a time, never finished.
    let mut slow = connect(&shop).await;
    let trickle = async {
        for byte in b"GET /api/carts/abc HTTP/1.1\r\nHost: x\r\nX-Slow: " {
            if slow.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(3), trickle)
        .await
        .ok();
    let (_, _) = read_until_closed(&mut slow, Duration::from_secs(3)).await;

    // A thousand connections that say nothing hold nothing for long.
    let idle = join_all((0..200).map(|_| connect(&shop))).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for mut stream in idle {
        read_until_closed(&mut stream, Duration::from_secs(3)).await;
    }
    // A kept-alive connection that goes quiet after a request is closed too.
    let mut kept = connect(&shop).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut kept, Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Still serving everyone else.
    assert_eq!(
        shop.send(shop.http.get(format!("{}/healthz", shop.checkout.address)))
            .await
            .status,
        200
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_body_ends_in_408_and_a_huge_declared_one_in_an_immediate_413() {
    let shop = shop_with_limits().await;
    let mut slow = connect(&shop).await;
    slow.write_all(
        b"POST /api/orders HTTP/1.1\r\nHost: x\r\nIdempotency-Key: slow-body\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let trickle = async {
        for _ in 0..20 {
            if slow.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(2500), trickle).await;
    let (answer, _) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");

    let mut huge = connect(&shop).await;
    huge.write_all(
        b"POST /api/orders HTTP/1.1\r\nHost: x\r\nIdempotency-Key: huge\r\nContent-Length: 1000000000000\r\n\r\n",
    )
    .await
    .unwrap();
    let (answer, took) = read_until_closed(&mut huge, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        took < Duration::from_secs(1),
        "refused at once, took {took:?}"
    );
    // A chunked body past the limit is cut off with the same answer.
    let big = vec![b'x'; 70 * 1024];
    let reply = shop
        .send(
            shop.http
                .post(format!("{}/api/orders", shop.checkout.address))
                .header("Idempotency-Key", "chunked")
                .body(reqwest::Body::wrap_stream(futures::stream::iter([Ok::<
                    _,
                    std::io::Error,
                >(
                    big
                )]))),
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(reply.body["status"], 413);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_is_a_problem_document_and_private_answers_are_never_cached() {
    let shop = shop_with_limits().await;
    let base = &shop.checkout.address;
    for (method, path, status) in [
        (reqwest::Method::GET, "/api/orders".to_owned(), 405),
        (reqwest::Method::PATCH, "/api/carts".to_owned(), 405),
        (
            reqwest::Method::GET,
            "/api/orders/SH-1?token=a&token=b".to_owned(),
            400,
        ),
        (reqwest::Method::GET, "/api/carts/%FF%FE".to_owned(), 400),
        (reqwest::Method::GET, "/api/nothing-here".to_owned(), 404),
        (
            reqwest::Method::GET,
            format!("/api/orders/{}?token=x", "A".repeat(5000)),
            404,
        ),
    ] {
        let response = shop
            .http
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-type"], "application/problem+json",
            "{method} {path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], status, "{body}");
        if status == 405 {
            assert!(headers.contains_key("allow"));
        }
    }
    let cart = shop
        .http
        .post(format!("{base}/api/carts"))
        .send()
        .await
        .unwrap();
    assert_eq!(cart.headers()["cache-control"], "no-store");
    assert_eq!(cart.headers()["x-content-type-options"], "nosniff");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_making_carts_too_fast_gets_429s_and_cannot_dodge_them_with_a_header() {
    let shop = spawn_shop_configured(
        checkout::config::Config {
            rate_limits: checkout::config::RateLimits {
                carts: 5,
                cart_changes: 0,
                orders: 0,
                coupons: 0,
            },
            ..checkout_config()
        },
        |_| {},
    )
    .await;
    let url = format!("{}/api/carts", shop.checkout.address);
    let mut statuses = Vec::new();
    for i in 0..8 {
        // An untrusted client naming itself someone else changes nothing.
        let reply = shop
            .send(
                shop.http
                    .post(&url)
                    .header("X-Forwarded-For", format!("198.51.100.{i}")),
            )
            .await;
        statuses.push(reply.status);
        if reply.status == 429 {
            assert_eq!(reply.body["code"], "rate_limited");
            let wait: u64 = reply.retry_after.as_deref().unwrap().parse().unwrap();
            assert!((1..=12).contains(&wait), "Retry-After {wait}");
        }
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429, 429, 429]);
    assert_eq!(shop.count("SELECT COUNT(*) FROM carts").await, 5);
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let shop = spawn_shop_configured(
        checkout::config::Config {
            rate_limits: checkout::config::RateLimits {
                carts: 2,
                cart_changes: 0,
                orders: 0,
                coupons: 0,
            },
            ..checkout_config()
        },
        |common| common.trusted_proxies = "127.0.0.1".parse().unwrap(),
    )
    .await;
    let url = format!("{}/api/carts", shop.checkout.address);
    let from = |client: &str| {
        shop.send(
            shop.http
                .post(&url)
                .header("X-Forwarded-For", client.to_owned()),
        )
    };
    assert_eq!(from("203.0.113.1").await.status, 201);
    assert_eq!(from("203.0.113.1").await.status, 201);
    assert_eq!(from("203.0.113.1").await.status, 429);
    assert_eq!(
        from("203.0.113.2").await.status,
        201,
        "another shopper behind the proxy"
    );
    shop.stop().await;
}
