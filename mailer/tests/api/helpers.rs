//! `spawn_mailer`: the mailer in-process on port 0 with its own scratch database and private nats-server,
//! sending through the file transport (a scratch mail directory) or through SES on a private moto server.

use std::path::{Path, PathBuf};

use async_nats::jetstream::{self, consumer::PullConsumer};
use mailer::{
    config::{Config, TransportKind},
    transport::{Transport, ses_client},
};
use platform::{
    contracts::orders::OrderCreated,
    events::{Envelope, Event},
    testing::{NatsServer, TestService, eventually, spawn_service},
};
use serde_json::Value;
use sqlx::Row as _;
use tokio::net::TcpListener;

/// The sender the tests verify in moto.
pub(crate) use mailer::testing::{MAIL_FROM, aws_config, verify_sender};

/// Where the mailer sends.
pub(crate) enum Via {
    /// `.eml` files in a scratch directory.
    Files,
    /// SES at this endpoint (moto, or a [`Plug`] in front of it).
    Ses(String),
}

pub(crate) struct TestMailer {
    pub(crate) service: TestService,
    /// Kept running for the service's whole life; stopped last.
    nats: NatsServer,
    pub(crate) jetstream: jetstream::Context,
    pub(crate) client: async_nats::Client,
    pub(crate) mail_dir: PathBuf,
    pub(crate) http: reqwest::Client,
}

/// Settings for tests: quick retries, a short send timeout, a generous rate, a scratch mail directory.
pub(crate) fn test_config() -> Config {
    mailer::testing::test_config(
        std::env::temp_dir().join(format!("shop-mail-{}", uuid::Uuid::new_v4())),
    )
}

/// Every email moto's SES accepted, from moto's own model dump: `{id, source, destinations, subject, body}`.
pub(crate) async fn moto_emails(http: &reqwest::Client, moto_url: &str) -> Vec<Value> {
    let data: Value = http
        .get(format!("{moto_url}/moto-api/data.json"))
        .send()
        .await
        .expect("moto answers")
        .json()
        .await
        .expect("moto's data is JSON");
    data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn transport_for(via: &Via, mut config: Config) -> (Transport, Config) {
    let transport = match via {
        Via::Files => {
            config.transport = TransportKind::File;
            Transport::file(config.mail_dir.clone())
        }
        Via::Ses(endpoint) => {
            config.transport = TransportKind::Ses;
            Transport::ses(ses_client(&aws_config(endpoint).await, config.send_timeout))
        }
    };
    (transport, config)
}

pub(crate) async fn spawn_mailer(via: Via, config: Config) -> TestMailer {
    let nats = NatsServer::start();
    // The test publishes the order events, as `ops`: checkout, which would create ORDERS, is not running.
    let client = nats.ops().await;
    platform::testing::ensure_event_streams(&client).await;
    let (transport, config) = transport_for(&via, config).await;
    let mail_dir = config.mail_dir.clone();
    let service = spawn_service(mailer::SERVICE, &mailer::MIGRATOR, &nats, async |runtime| {
        mailer::start_with_transport(runtime, config, transport)
            .await
            .expect("the mailer starts")
    })
    .await;
    platform::testing::wait_for_durable(&client, "ORDERS", mailer::worker::DURABLE).await;
    TestMailer {
        service,
        nats,
        jetstream: jetstream::new(client.clone()),
        client,
        mail_dir,
        http: reqwest::Client::new(),
    }
}

/// One row of the email log.
#[derive(Debug, Clone)]
pub(crate) struct LoggedEmail {
    pub(crate) event_id: String,
    pub(crate) order_number: String,
    pub(crate) recipient: String,
    pub(crate) subject: String,
    pub(crate) state: String,
    pub(crate) attempts: u32,
    pub(crate) last_error: Option<String>,
    pub(crate) provider_message_id: Option<String>,
}

/// A dead letter: its subject and reason.
#[derive(Debug, Clone)]
pub(crate) struct DeadLetter {
    pub(crate) subject: String,
    pub(crate) reason: String,
}

impl TestMailer {
    /// Publishes `envelope` on its subject, without `Nats-Msg-Id`: publishing it again stores it again.
    pub(crate) async fn publish<T: Event>(&self, envelope: &Envelope<T>) {
        platform::testing::publish_event(&self.jetstream, envelope).await;
    }

    pub(crate) async fn publish_raw(&self, subject: &str, payload: Vec<u8>) {
        platform::testing::publish_raw(&self.jetstream, subject, payload).await;
    }

    pub(crate) async fn emails(&self) -> Vec<LoggedEmail> {
        sqlx::query(
            "SELECT event_id, order_number, recipient, subject, state, attempts, last_error, provider_message_id
             FROM email_log ORDER BY id",
        )
        .fetch_all(&self.service.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|row| LoggedEmail {
            event_id: row.get("event_id"),
            order_number: row.get("order_number"),
            recipient: row.get("recipient"),
            subject: row.get("subject"),
            state: row.get("state"),
            attempts: row.get("attempts"),
            last_error: row.get("last_error"),
            provider_message_id: row.get("provider_message_id"),
        })
        .collect()
    }

    pub(crate) async fn email(&self, order_number: &str) -> Option<LoggedEmail> {
        self.emails()
            .await
            .into_iter()
            .find(|email| email.order_number == order_number)
    }

    /// Waits until the log holds `count` emails in `state`.
    pub(crate) async fn wait_for_state(&self, state: &str, count: usize) {
        eventually(&format!("{count} emails {state}"), async || {
            self.emails()
                .await
                .iter()
                .filter(|e| e.state == state)
                .count()
                >= count
        })
        .await;
    }

    async fn consumer(&self) -> PullConsumer {
        self.jetstream
            .get_stream("ORDERS")
            .await
            .unwrap()
            .get_consumer("mailer")
            .await
            .unwrap()
    }

    /// Waits until the mailer's consumer has nothing left to deliver and nothing unacknowledged.
    pub(crate) async fn wait_until_settled(&self) {
        let mut consumer = self.consumer().await;
        eventually("the mailer's consumer settles", async || {
            let info = consumer.info().await.unwrap();
            info.num_pending == 0 && info.num_ack_pending == 0
        })
        .await;
    }

    pub(crate) async fn dead_letters(&self) -> Vec<DeadLetter> {
        let Ok(mut stream) = self.jetstream.get_stream("DEADLETTER").await else {
            return Vec::new();
        };
        if stream.info().await.unwrap().state.messages == 0 {
            return Vec::new();
        }
        platform::testing::stream_messages(&self.client, "DEADLETTER")
            .await
            .into_iter()
            .map(|message| DeadLetter {
                subject: message.subject.to_string(),
                reason: message
                    .headers
                    .as_ref()
                    .and_then(|headers| headers.get(platform::consumer::HEADER_REASON))
                    .map(|value| value.to_string())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The `.eml` files written so far.
    pub(crate) fn eml_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        files.sort();
        files
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.service.address))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Starts a second mailer process-alike on the same database and NATS (a replica sharing the durable
    /// consumer), sending through `via`; cancel the token to stop it.
    pub(crate) async fn spawn_replica(
        &self,
        via: Via,
        config: Config,
    ) -> tokio_util::sync::CancellationToken {
        let (transport, config) = transport_for(&via, config).await;
        let shutdown = tokio_util::sync::CancellationToken::new();
        let mut runtime = platform::Runtime::start_with_shutdown(
            mailer::SERVICE,
            platform::testing::test_config(&self.service.database, &self.nats, "mailer"),
            &mailer::MIGRATOR,
            shutdown.clone(),
        )
        .await
        .expect("the replica starts");
        let router = mailer::start_with_transport(&mut runtime, config, transport)
            .await
            .expect("the replica's workers start");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        tokio::spawn(runtime.serve_on(listener, router));
        shutdown
    }

    /// A connection as the NATS user `user` (`admin` for the web admin's requests).
    pub(crate) async fn connect_as(&self, user: &str) -> async_nats::Client {
        self.nats.connect_as(user).await
    }

    pub(crate) async fn stop(self) {
        let _ = std::fs::remove_dir_all(&self.mail_dir);
        self.service.stop().await;
        drop(self.nats);
    }
}

/// Leaves the email of `envelope` as a mailer that died mid-send does: `sending` after one attempt, an hour ago.
pub(crate) async fn leave_sending(mailer: &TestMailer, envelope: &Envelope<OrderCreated>) {
    sqlx::query(
        "INSERT INTO email_log (event_id, kind, order_number, recipient, subject, transport, state, attempts,
                                last_attempt_at)
         VALUES (?, 'order_confirmation', ?, 'ana@example.com', 's', 'file', 'sending', 1,
                 NOW(6) - INTERVAL 1 HOUR)",
    )
    .bind(envelope.id.to_string())
    .bind(&envelope.data.number)
    .execute(&mailer.service.pool)
    .await
    .unwrap();
}

/// An email file as Python's standard `email` package reads it: an independent RFC 5322 / MIME parser.
pub(crate) fn parse_eml(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
with open(sys.argv[1], "rb") as f:
    raw = f.read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
parts = []
for part in msg.walk():
    if part.is_multipart():
        continue
    parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                  "encoding": part.get("Content-Transfer-Encoding"), "content": part.get_content()})
defects = [type(d).__name__ for p in msg.walk() for d in p.defects]
print(json.dumps({
    "subject": str(msg["subject"]), "from": str(msg["from"]), "to": str(msg["to"]),
    "to_name": msg["to"].addresses[0].display_name, "to_address": msg["to"].addresses[0].addr_spec,
    "message_id": str(msg["message-id"]), "date": str(msg["date"]), "type": msg.get_content_type(),
    "parts": parts, "defects": defects,
    "max_line": max(len(line) for line in raw.split(b"\r\n")),
    "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
}))
"#;
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .output()
        .expect("python3 runs (it comes with moto)");
    assert!(
        output.status.success(),
        "python could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

pub(crate) use platform::testing::TcpPlug as Plug;
