//! What tests of the mailer, and of services that run it beside them (the admin's), set it up with: quick
//! settings, and moto standing in for SES (never a fake: moto's server speaks the SES protocol).

use std::{path::PathBuf, time::Duration};

use crate::{
    config::{Config, TransportKind},
    mime::Mailbox,
};

/// The address the tests' emails come from (verified in moto with [`verify_sender`]).
pub const MAIL_FROM: &str = "orders@shop.example";

/// Settings for tests: `.eml` files in `mail_dir`, quick retries, a short send timeout, a generous rate.
pub fn test_config(mail_dir: PathBuf) -> Config {
    Config {
        transport: TransportKind::File,
        mail_dir,
        from: Mailbox::parse(&format!("Shop <{MAIL_FROM}>")).expect("a mailbox"),
        templates_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
        public_base_url: "http://shop.test".to_owned(),
        rate_per_sec: 50.0,
        max_deliver: 5,
        backoff: vec![Duration::from_millis(300)],
        ack_wait: Duration::from_secs(10),
        send_timeout: Duration::from_secs(2),
        concurrency: 4,
        email_log_retention: Duration::from_secs(180 * 24 * 3600),
        purge_every: platform::retention::PURGE_EVERY,
    }
}

/// An AWS configuration for moto at `endpoint`: us-east-1 and static test credentials.
pub async fn aws_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sesv2::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await
}

/// Asks moto's SES something harmless, so that its (slow) first answer is not an email's: a test whose email
/// must fail for good would otherwise see the first send time out and the email left `uncertain`.
pub async fn warm_up(moto_url: &str) {
    // Whatever it answers (moto does not implement every call): only that it has answered matters.
    let _ = aws_sdk_sesv2::Client::new(&aws_config(moto_url).await)
        .get_email_identity()
        .email_identity(MAIL_FROM)
        .send()
        .await;
}

/// Verifies [`MAIL_FROM`] in moto (which forgets it whenever it restarts): SES takes the emails from then on.
pub async fn verify_sender(moto_url: &str) {
    aws_sdk_sesv2::Client::new(&aws_config(moto_url).await)
        .create_email_identity()
        .email_identity(MAIL_FROM)
        .send()
        .await
        .expect("moto verifies the sender");
}
