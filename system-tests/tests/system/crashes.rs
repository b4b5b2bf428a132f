//! Crashes in the middle of taking orders. Checkout killed with SIGKILL again and again: every shopper who
//! keeps retrying with their own Idempotency-Key ends with their order paid exactly once, charged once, and no
//! stock stays held. NATS killed and restarted while shoppers check out: no reservation is left behind waiting
//! for its expiry (the reservation TTL here is far longer than the test).
//!
//! What became of the orders, the charges and the stock is asked of checkout and the catalog over NATS
//! (`rpc.checkout.counts`, quotes, and the order and stock events they published), as an operator would. An
//! automatic promotion applies to every order of the crash test: its uses end equal to the paid orders, none
//! held by an attempt a crash abandoned and none counted twice.

use std::{collections::BTreeSet, time::Duration};

use futures::future::join_all;
use platform::{
    contracts::orders::{CheckoutCounts, OrderPaid},
    streams::ORDERS_STREAM,
    testing::{NatsServer, events_on, eventually_within, owners},
};
use serde_json::{Value, json};

use crate::helpers::{NO_RATE_LIMITS, ServiceProcess, json_of};

/// Shoppers, each arriving [`ARRIVAL_GAP`] after the previous one: orders keep coming for a few seconds.
const SHOPPERS: usize = 100;
const ARRIVAL_GAP: Duration = Duration::from_millis(30);

struct Shop {
    nats: NatsServer,
    /// A client as `ops`, for asking the services what they hold.
    ops: async_nats::Client,
    catalog: ServiceProcess,
    checkout: ServiceProcess,
    shoppers: Shoppers,
    /// The SKUs in the shoppers' carts.
    skus: Vec<String>,
}

/// The shoppers' side: a cart each, and the checkout's address.
struct Shoppers {
    http: reqwest::Client,
    checkout: String,
    carts: Vec<String>,
}

async fn start_shop() -> Shop {
    let nats = NatsServer::start();
    let catalog = ServiceProcess::start(
        "catalog",
        &nats,
        &[
            ("RESERVATION_TTL_SECS", "3600"),
            ("RESERVATION_SWEEP_SECS", "3600"),
        ],
    )
    .await;
    let checkout = ServiceProcess::start(
        "checkout",
        &nats,
        &[
            // Retries take over quickly; the reconciler waits well beyond what a live request takes on a
            // loaded machine, so it only ever finishes attempts whose request died.
            ("ATTEMPT_LEASE_SECS", "2"),
            ("ABANDONED_ORDER_SECS", "15"),
            ("RECONCILE_EVERY_SECS", "1"),
            NO_RATE_LIMITS[0],
            NO_RATE_LIMITS[1],
            NO_RATE_LIMITS[2],
        ],
    )
    .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for service in [&catalog, &checkout] {
        service
            .wait_for_readyz(&http, 200, Duration::from_secs(60))
            .await;
    }
    let skus = catalog.seed_demo_catalog(&http, 20, 30).await;
    assert!(skus.len() >= 5, "the demo catalog has stocked products");
    let mut carts = Vec::new();
    for i in 0..SHOPPERS {
        let cart: Value = json_of(http.post(format!("{}/api/carts", checkout.http))).await;
        let token = cart["token"].as_str().unwrap().to_owned();
        let added = http
            .post(format!("{}/api/carts/{token}/items", checkout.http))
            .json(&json!({"sku": skus[i % skus.len()], "quantity": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 200);
        carts.push(token);
    }
    let shoppers = Shoppers {
        http,
        checkout: checkout.http.clone(),
        carts,
    };
    let ops = nats.ops().await;
    Shop {
        nats,
        ops,
        catalog,
        checkout,
        shoppers,
        skus,
    }
}

impl Shoppers {
    /// Places shopper `i`'s order with their own key until the answer is final, as the storefront does:
    /// a lost connection, a 503 or a 409 `in_progress` is retried with the same key after a pause.
    async fn checkout_until_final(&self, i: usize) -> (u16, Value) {
        tokio::time::sleep(ARRIVAL_GAP * i as u32).await;
        let body = json!({
            "cart_token": self.carts[i], "email": format!("buyer{i}@example.com"), "customer_name": "Buyer",
            "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "shipping_method": "standard", "card_token": "tok_visa"
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "shopper {i} never got a final answer"
            );
            let sent = self
                .http
                .post(format!("{}/api/orders", self.checkout))
                .header("Idempotency-Key", format!("shopper-{i}"))
                .json(&body)
                .send()
                .await;
            let Ok(response) = sent else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            let status = response.status().as_u16();
            let Ok(answer) = response.json::<Value>().await else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            if status == 503 || (status == 409 && answer["code"] == "in_progress") {
                tokio::time::sleep(Duration::from_millis(300)).await;
                continue;
            }
            return (status, answer);
        }
    }
}

impl Shop {
    async fn counts(&self) -> CheckoutCounts {
        owners::checkout_counts(&self.ops).await
    }

    /// True when the catalog holds no unit of the shoppers' SKUs reserved: each one's last published stock
    /// change says nothing is reserved, and its relay has caught up (the units for sale now, which a quote
    /// reads from the database, are all those on hand).
    async fn no_stock_held(&self) -> bool {
        for sku in &self.skus {
            let Some((on_hand, reserved)) = owners::stock(&self.ops, sku).await else {
                return false;
            };
            if reserved != 0 || owners::available(&self.ops, sku).await != on_hand {
                return false;
            }
        }
        true
    }

    /// The orders checkout announced as paid on `ORDERS`.
    async fn announced_paid(&self) -> BTreeSet<String> {
        events_on::<OrderPaid>(&self.ops, ORDERS_STREAM, "orders.*.paid")
            .await
            .into_iter()
            .map(|paid| paid.data.number.into_string())
            .collect()
    }

    async fn eventually(&self, what: &str, within: Duration, check: impl AsyncFnMut() -> bool) {
        let what = format!(
            "{what} (logs: {}, {})",
            self.checkout.log.display(),
            self.catalog.log.display()
        );
        eventually_within(&what, within, check).await;
    }

    /// Every shopper's order is paid, and only theirs: no cart is paid twice.
    async fn check_each_shopper_paid_once(&self, answers: &[(u16, Value)]) {
        let answered: BTreeSet<String> = answers
            .iter()
            .map(|(_, answer)| {
                answer["number"]
                    .as_str()
                    .expect("an order number")
                    .to_owned()
            })
            .collect();
        assert_eq!(answered.len(), SHOPPERS, "one order per shopper");
        self.eventually(
            "every paid order is announced",
            Duration::from_secs(60),
            async || self.announced_paid().await.is_superset(&answered),
        )
        .await;
        assert_eq!(
            self.announced_paid().await,
            answered,
            "no cart is paid twice: the paid orders are the shoppers' own"
        );
        let counts = self.counts().await;
        assert_eq!(counts.orders.paid, SHOPPERS as u64, "{counts:?}");
        assert_eq!(
            counts.charges.succeeded, SHOPPERS as u64,
            "one charge per paid order, none for an order that was not paid: {counts:?}"
        );
    }
}

/// Creates an automatic 10 % promotion through checkout's admin endpoint, as the web admin does; its id.
async fn automatic_promotion(ops: &async_nats::Client) -> u64 {
    let command = json!({
        "idempotency_key": uuid::Uuid::new_v4(), "actor": {"staff_id": 1, "email": "ops@shop.test"},
        "name": "Ten off everything", "kind": "percent_off", "value": "10", "scope": "order",
        "automatic": true, "max_uses": 1000
    });
    let reply: Value = platform::rpc::call(
        ops,
        "rpc.checkout.admin.promotions.save",
        &command,
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    reply["ok"]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("{reply}"))
}

/// The promotion's uses, as the admin shows them.
async fn promotion_uses(ops: &async_nats::Client, id: u64) -> u64 {
    let reply: Value = platform::rpc::call(
        ops,
        "rpc.checkout.admin.promotions.get",
        &json!({ "id": id }),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    reply["ok"]["uses"]
        .as_u64()
        .unwrap_or_else(|| panic!("{reply}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn checkout_killed_mid_flow_pays_each_shopper_exactly_once_when_they_retry_their_key() {
    let mut shop = start_shop().await;
    let promotion = automatic_promotion(&shop.ops).await;
    let answers = {
        let (customers, checkout) = (&shop.shoppers, &mut shop.checkout);
        let shoppers = join_all((0..SHOPPERS).map(|i| customers.checkout_until_final(i)));
        let crashes = async {
            let probe = reqwest::Client::new();
            // Each crash lands a moment after checkout is serving again, in the middle of orders.
            for pause in [150, 300, 90, 220, 400, 120] {
                checkout
                    .wait_for_readyz(&probe, 200, Duration::from_secs(60))
                    .await;
                tokio::time::sleep(Duration::from_millis(pause)).await;
                checkout.crash().await;
                checkout.restart();
            }
        };
        // The shoppers keep retrying through every crash; the crashes do not need the shoppers.
        let (answers, ()) = tokio::join!(shoppers, crashes);
        answers
    };
    let not_paid: Vec<_> = answers
        .iter()
        .enumerate()
        .filter(|(_, (status, _))| *status != 201)
        .map(|(i, (status, answer))| format!("shopper {i}: {status} {answer}"))
        .collect();
    assert!(not_paid.is_empty(), "{not_paid:#?}");
    shop.eventually(
        "every attempt is finished",
        Duration::from_secs(60),
        async || shop.counts().await.orders.pending == 0,
    )
    .await;
    shop.check_each_shopper_paid_once(&answers).await;
    for (i, (_, order)) in answers.iter().enumerate() {
        assert_eq!(
            order["discounts"][0]["name"], "Ten off everything",
            "shopper {i}: {order}"
        );
    }
    assert_eq!(
        promotion_uses(&shop.ops, promotion).await,
        SHOPPERS as u64,
        "one use per paid order: none held by an abandoned attempt, none twice"
    );
    shop.eventually(
        "no stock stays reserved",
        Duration::from_secs(60),
        async || shop.no_stock_held().await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nats_killed_mid_flow_leaves_no_reservation_behind() {
    let mut shop = start_shop().await;
    let answers = {
        let (customers, nats) = (&shop.shoppers, &mut shop.nats);
        let shoppers = join_all((0..SHOPPERS).map(|i| customers.checkout_until_final(i)));
        let outage = async {
            tokio::time::sleep(Duration::from_millis(700)).await;
            nats.stop();
            tokio::time::sleep(Duration::from_secs(2)).await;
            nats.start_again();
        };
        let (answers, ()) = tokio::join!(shoppers, outage);
        answers
    };
    assert!(
        answers.iter().all(|(status, _)| *status == 201),
        "{:?}",
        answers.iter().map(|(status, _)| status).collect::<Vec<_>>()
    );
    shop.eventually(
        "every attempt is finished",
        Duration::from_secs(60),
        async || {
            let counts = shop.counts().await;
            counts.orders.pending == 0 && counts.unconfirmed_stock_releases == 0
        },
    )
    .await;
    // Held stock is back long before any reservation could expire.
    shop.eventually(
        "no stock stays reserved",
        Duration::from_secs(60),
        async || shop.no_stock_held().await,
    )
    .await;
    assert_eq!(shop.counts().await.orders.paid, SHOPPERS as u64);
}
