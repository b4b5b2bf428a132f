//! The product-images bucket: its settings and an S3 client, shared by the catalog (which owns the images) and
//! the web admin (which puts uploads there for the catalog to take, see `contracts::catalog_admin::images`).
//!
//! Region and credentials come from the standard AWS environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, profiles,
//! instance roles). With `AWS_ENDPOINT_URL` set (moto locally) the client addresses buckets by path
//! (`http://host/bucket/key`): an emulator on 127.0.0.1 has no per-bucket host names. The SDK's retries are
//! off and every call is bounded, so an unreachable bucket is a quick, reportable failure, never a hang: the
//! callers answer "try again" themselves.

use std::time::Duration;

use aws_sdk_s3::{
    Client,
    config::{retry::RetryConfig, timeout::TimeoutConfig},
    error::ProvideErrorMetadata as _,
};

use crate::config::{ConfigError, optional_var, var};

/// Where the bucket is and whether to create it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketConfig {
    /// `IMAGES_BUCKET` (default `shop-images`).
    pub bucket: String,
    /// `S3_CREATE_BUCKET` (default false): create the bucket at start when missing, as `./dev` does for moto.
    /// In production the bucket exists (and the service may lack the right to create one).
    pub create_bucket: bool,
    /// `AWS_ENDPOINT_URL`: an S3-compatible endpoint other than AWS's own (moto locally).
    pub endpoint_url: Option<String>,
    /// The longest one call may take, connection included (`S3_TIMEOUT_MS`, default 10000).
    pub call_timeout: Duration,
}

impl BucketConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            bucket: var("IMAGES_BUCKET", "shop-images".to_owned())?,
            create_bucket: var("S3_CREATE_BUCKET", false)?,
            endpoint_url: optional_var("AWS_ENDPOINT_URL")?,
            call_timeout: Duration::from_millis(var("S3_TIMEOUT_MS", 10_000)?),
        })
    }

    /// A bucket named `bucket` at `endpoint_url`, created when missing: what tests use with their own moto.
    pub fn local(bucket: &str, endpoint_url: &str) -> Self {
        Self {
            bucket: bucket.to_owned(),
            create_bucket: true,
            endpoint_url: Some(endpoint_url.to_owned()),
            call_timeout: Duration::from_secs(5),
        }
    }
}

/// An S3 client for `config`, from the standard AWS environment.
pub async fn client(config: &BucketConfig) -> Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sdk = loader.load().await;
    // Connecting gets a shorter bound than the whole call: an unreachable endpoint fails in a second or two.
    let connect_timeout = (config.call_timeout / 2).min(Duration::from_secs(2));
    let mut builder = aws_sdk_s3::config::Builder::from(&sdk)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(connect_timeout)
                .operation_attempt_timeout(config.call_timeout)
                .operation_timeout(config.call_timeout)
                .build(),
        );
    if config.endpoint_url.is_some() {
        builder = builder.force_path_style(true);
    }
    if sdk.region().is_none() {
        // An emulator does not care; AWS itself needs the real one, which the environment gives in production.
        builder = builder.region(aws_sdk_s3::config::Region::new("us-east-1"));
    }
    Client::from_conf(builder.build())
}

/// Creates the bucket when `config` asks for it and it is missing.
pub async fn ensure_bucket(client: &Client, config: &BucketConfig) -> anyhow::Result<()> {
    if !config.create_bucket {
        return Ok(());
    }
    match client.create_bucket().bucket(&config.bucket).send().await {
        Ok(_) => Ok(()),
        Err(err)
            if matches!(
                err.code(),
                Some("BucketAlreadyOwnedByYou" | "BucketAlreadyExists")
            ) =>
        {
            Ok(())
        }
        Err(err) => Err(anyhow::anyhow!(
            "creating bucket {}: {}",
            config.bucket,
            aws_sdk_s3::error::DisplayErrorContext(err)
        )),
    }
}
