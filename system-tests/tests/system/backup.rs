//! The restore rehearsal (README, "Backups and restore"): a shop takes an order and emails it, `backup create`
//! stores a backup in S3 (moto), then the host is lost (services stopped, every schema dropped, NATS's store
//! wiped). `backup restore` brings the schemas and the streams back, the services start on them, and the shop
//! is as it was: the order is there with its page, its events are in the stream, the mailer does not email
//! it again (its consumer resumed where it was), and the next order is taken and emailed. Restoring over that
//! shop is refused without `--replace`, and with it gives back the backup's state whole.

use std::{path::Path, process::Stdio, time::Duration};

use platform::{
    streams::{MAILER_CONSUMER, ORDERS_STREAM},
    testing::{MotoServer, NatsServer, eventually_within, owners},
};
use secrecy::ExposeSecret as _;
use tokio::process::Command;

use crate::helpers::{NO_RATE_LIMITS, ServiceProcess, bin, place_order};

struct Shop {
    nats: NatsServer,
    catalog: ServiceProcess,
    checkout: ServiceProcess,
    mailer: ServiceProcess,
    http: reqwest::Client,
    skus: Vec<String>,
}

impl Shop {
    fn services(&mut self) -> [&mut ServiceProcess; 3] {
        [&mut self.catalog, &mut self.checkout, &mut self.mailer]
    }

    /// Places an order for one unit of the `i`th SKU; returns its number and lookup token.
    async fn place(&self, i: usize) -> (String, String) {
        let key = format!("restore-{i}");
        let order = place_order(
            &self.http,
            &self.checkout.http,
            &self.skus[i],
            i,
            "Buyer",
            &key,
        )
        .await;
        (
            order["number"].as_str().unwrap().to_owned(),
            order["lookup_token"].as_str().unwrap().to_owned(),
        )
    }

    /// The status of the order page of `number`.
    async fn order_page(&self, number: &str, lookup: &str) -> u16 {
        let url = format!("{}/api/orders/{number}?token={lookup}", self.checkout.http);
        self.http.get(url).send().await.unwrap().status().as_u16()
    }

    /// Stops every service with SIGTERM.
    async fn stop(&mut self) {
        for service in self.services() {
            service.kill().await;
        }
    }

    /// Starts every service again on its database and waits until each is ready.
    async fn start(&mut self) {
        for service in self.services() {
            service.restart();
        }
        self.wait_until_ready().await;
    }

    async fn wait_until_emailed(&self, sent: u64) {
        let ops = self.nats.ops().await;
        eventually_within(
            "the confirmation emails are sent",
            Duration::from_secs(30),
            async || owners::email_counts(&ops).await.sent == sent,
        )
        .await;
    }

    async fn wait_until_ready(&self) {
        for service in [&self.catalog, &self.checkout, &self.mailer] {
            service
                .wait_for_readyz(&self.http, 200, Duration::from_secs(60))
                .await;
        }
    }
}

/// Runs the backup binary with `args` as the operator would on the host, against this shop's MariaDB (the
/// tests' administrative user), NATS (as `ops`) and moto's S3; returns its stdout, or its stderr as the error.
async fn backup(shop: &Shop, moto: &MotoServer, args: &[&str]) -> Result<String, String> {
    let schemas = [&shop.catalog, &shop.checkout, &shop.mailer]
        .map(|service| service.database.name.clone())
        .join(" ");
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| platform::testing::DEFAULT_TEST_DATABASE_URL.to_owned());
    let output = Command::new(bin("backup"))
        .args(args)
        .env("NATS_URL", shop.nats.url())
        .env("NATS_USER", "ops")
        .env(
            "NATS_PASSWORD",
            shop.nats
                .credentials("ops")
                .password
                .unwrap()
                .expose_secret(),
        )
        .env("BACKUP_DATABASE_URL", admin_url)
        .env("BACKUP_SCHEMAS", schemas)
        .env("BACKUP_BUCKET", "shop-backups")
        .env("S3_CREATE_BUCKET", "true")
        .env("AWS_ENDPOINT_URL", moto.url())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .expect("run backup");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The ORDERS stream's message count and the mailer consumer's ack floor.
async fn stream_messages(ops: &async_nats::Client) -> (u64, u64) {
    let js = async_nats::jetstream::new(ops.clone());
    let mut stream = js.get_stream(ORDERS_STREAM).await.expect("ORDERS exists");
    let messages = stream.info().await.expect("stream info").state.messages;
    let mut consumer = stream
        .get_consumer::<async_nats::jetstream::consumer::pull::Config>(MAILER_CONSUMER)
        .await
        .expect("the mailer's consumer exists");
    let acked = consumer
        .info()
        .await
        .expect("consumer info")
        .ack_floor
        .stream_sequence;
    (messages, acked)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restored_onto_an_empty_host_brings_the_shop_back() {
    let moto = MotoServer::start();
    let nats = NatsServer::start();
    let mail_dir = std::env::temp_dir().join(format!("shop-restore-mail-{}", uuid::Uuid::new_v4()));
    let mail_dir_env = mail_dir.display().to_string();
    let catalog = ServiceProcess::start("catalog", &nats, &[]).await;
    let checkout = ServiceProcess::start("checkout", &nats, &NO_RATE_LIMITS).await;
    let mailer = ServiceProcess::start(
        "mailer",
        &nats,
        &[("MAIL_TRANSPORT", "file"), ("MAIL_DIR", &mail_dir_env)],
    )
    .await;
    let http = reqwest::Client::new();
    let mut shop = Shop {
        nats,
        catalog,
        checkout,
        mailer,
        http,
        skus: Vec::new(),
    };
    shop.wait_until_ready().await;
    shop.skus = shop.catalog.seed_demo_catalog(&shop.http, 5, 5).await;
    let (number, lookup) = shop.place(0).await;
    shop.wait_until_emailed(1).await;
    let (events, acked) = stream_messages(&shop.nats.ops().await).await;
    assert!(
        events >= 2 && acked == events,
        "created and paid, both emailed: {events} / {acked}"
    );

    // Nightly: the backup lands in the bucket.
    backup(&shop, &moto, &["create"])
        .await
        .expect("backup create");
    let listed = backup(&shop, &moto, &["list"]).await.expect("backup list");
    let name = listed.lines().last().expect("one backup listed").to_owned();
    backup(&shop, &moto, &["verify", &name])
        .await
        .expect("backup verify");

    // A restore over a running shop is refused: nothing may write while the data is replaced.
    let refused = backup(&shop, &moto, &["restore", &name]).await.unwrap_err();
    assert!(refused.contains("services are running"), "{refused}");

    // The host is lost: services gone, schemas dropped, NATS's store wiped.
    shop.stop().await;
    for service in [&shop.catalog, &shop.checkout, &shop.mailer] {
        service.database.clone().drop_database().await;
    }
    shop.nats.lose_store();
    let _ = std::fs::remove_dir_all(&mail_dir);

    backup(&shop, &moto, &["restore", &name])
        .await
        .expect("backup restore");
    // The events are back, and the mailer's consumer with its place in them, before any service starts (a
    // consumer made anew would deliver everything again, which only the mailer's idempotency would hide).
    assert_eq!(
        stream_messages(&shop.nats.ops().await).await,
        (events, acked)
    );
    shop.start().await;

    // The order and its page are back, and no second email goes out.
    assert_eq!(shop.order_page(&number, &lookup).await, 200);
    let ops = shop.nats.ops().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(owners::email_counts(&ops).await.sent, 1);
    assert_eq!(
        emails_in(&mail_dir),
        0,
        "the restored order was emailed again"
    );

    // And the shop goes on: the next order gets the next number and its email.
    let (next, next_lookup) = shop.place(1).await;
    assert_ne!(next, number);
    shop.wait_until_emailed(2).await;
    assert_eq!(emails_in(&mail_dir), 1);

    // Restoring over a shop that holds data needs --replace, and then gives back the backup's state whole.
    shop.stop().await;
    let refused = backup(&shop, &moto, &["restore", &name]).await.unwrap_err();
    assert!(
        refused.contains("--replace") && refused.contains("stream ORDERS"),
        "{refused}"
    );
    backup(&shop, &moto, &["restore", &name, "--replace"])
        .await
        .expect("backup restore --replace");
    assert_eq!(
        stream_messages(&shop.nats.ops().await).await,
        (events, acked)
    );
    shop.start().await;
    assert_eq!(shop.order_page(&number, &lookup).await, 200);
    assert_eq!(
        shop.order_page(&next, &next_lookup).await,
        404,
        "the order placed after the backup"
    );
}

fn emails_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}
