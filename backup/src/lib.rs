//! Backups of the shop's data, and restoring them: the operator's tool (README, "Backups and restore").
//!
//! A backup is a consistent dump of every service's MariaDB schema ([`database`]) and a snapshot of every
//! JetStream stream with its consumers ([`streams`]), described by a manifest ([`manifest`]) and kept in an S3
//! bucket or a directory ([`store`]). On the EC2 host a systemd timer runs `backup create` nightly in the
//! `backup` compose service.
//!
//! Order and consistency. The database is dumped first, then the streams are snapshotted. Every event is
//! written to an outbox table in the same transaction as the change it describes and published afterwards,
//! so a restored pair can differ only in the window between the two steps, and only in the safe direction:
//! - an outbox row still unpublished in the dump is published again after the restore, and the consumers,
//!   idempotent by event id, apply it once;
//! - an event a consumer handled between the two steps is acknowledged in the snapshot while its effect (say
//!   the mailer's log row) is missing from the dump: it is not delivered again, so no second email goes out.
//!
//! Restoring replaces the schemas and the streams whole, with the services stopped (the tool refuses while
//! any answers `$SRV.PING`).

pub mod database;
pub mod manifest;
pub mod store;
pub mod streams;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use platform::{
    config::{ConfigError, optional_var, var},
    nats::NatsAuth,
};
use secrecy::SecretString;

use crate::{
    database::Server,
    manifest::{FORMAT, FileEntry, Manifest, StreamEntry},
    store::Store,
};

/// The dump's file in a backup.
pub const DUMP_FILE: &str = "mariadb.sql.gz";
/// Where the stream snapshots are in a backup.
pub const STREAMS_DIR: &str = "jetstream";
/// The service schemas (`infra/mariadb-init.sh`).
pub const DEFAULT_SCHEMAS: &str = "catalog checkout mailer search_indexer bridge admin";

/// The tool's settings, from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `NATS_URL`.
    pub nats_url: String,
    /// `NATS_USER` (default `ops`, the one user allowed to snapshot and restore every stream) and
    /// `NATS_PASSWORD` or `NATS_CREDS`.
    pub nats_auth: NatsAuth,
    /// `BACKUP_DATABASE_URL`: `mysql://root:<password>@mariadb:3306`, a user that may dump and create the
    /// schemas; `MARIADB_DUMP` and `MARIADB_CLIENT` name the client programs.
    pub database: Server,
    /// `BACKUP_SCHEMAS` (spaces or commas; default every service's schema).
    pub schemas: Vec<String>,
    /// `BACKUP_BUCKET` (with `BACKUP_PREFIX`, default `backups/`), else `BACKUP_DIR` (default
    /// `/var/backups/shop`).
    pub store: StoreConfig,
    /// `BACKUP_WORK_DIR` (default the system's temporary directory): where a bucket's backup is staged.
    pub work_dir: PathBuf,
    /// `BACKUP_KEEP` (default 14): how many backups a directory store keeps (a bucket's lifecycle rule
    /// expires its own).
    pub keep: usize,
}

#[derive(Debug, Clone)]
pub enum StoreConfig {
    Dir(PathBuf),
    S3 {
        bucket: platform::s3::BucketConfig,
        prefix: String,
    },
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let database_url = match std::env::var("BACKUP_DATABASE_URL") {
            Ok(url) if !url.is_empty() => SecretString::from(url),
            _ => bail!("BACKUP_DATABASE_URL is not set (mysql://root:<password>@<host>:3306)"),
        };
        let mut database = Server::from_url(&database_url)?;
        database.dump_program = var("MARIADB_DUMP", database.dump_program)?;
        database.client_program = var("MARIADB_CLIENT", database.client_program)?;
        let schemas: String = var("BACKUP_SCHEMAS", DEFAULT_SCHEMAS.to_owned())?;
        let schemas: Vec<String> = schemas
            .split([' ', ','])
            .filter(|schema| !schema.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(bad) = schemas.iter().find(|schema| {
            !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        }) {
            return Err(ConfigError {
                name: "BACKUP_SCHEMAS".to_owned(),
                value: bad.clone(),
                reason: "schema names are letters, digits and underscores".to_owned(),
            }
            .into());
        }
        let store = match optional_var::<String>("BACKUP_BUCKET")? {
            Some(bucket) => StoreConfig::S3 {
                bucket: platform::s3::BucketConfig {
                    bucket,
                    create_bucket: var("S3_CREATE_BUCKET", false)?,
                    endpoint_url: optional_var("AWS_ENDPOINT_URL")?,
                    // One call uploads a whole dump.
                    call_timeout: Duration::from_secs(var("BACKUP_S3_TIMEOUT_SECS", 3600)?),
                },
                prefix: var("BACKUP_PREFIX", "backups/".to_owned())?,
            },
            None => StoreConfig::Dir(var("BACKUP_DIR", PathBuf::from("/var/backups/shop"))?),
        };
        Ok(Self {
            nats_url: var("NATS_URL", "nats://127.0.0.1:4222".to_owned())?,
            nats_auth: platform::config::nats_auth_from_env("ops")?,
            database,
            schemas,
            store,
            work_dir: var("BACKUP_WORK_DIR", std::env::temp_dir())?,
            keep: var("BACKUP_KEEP", 14)?,
        })
    }

    pub async fn store(&self) -> anyhow::Result<Store> {
        Ok(match &self.store {
            StoreConfig::Dir(dir) => Store::Dir(dir.clone()),
            StoreConfig::S3 { bucket, prefix } => {
                let client = platform::s3::client(bucket).await;
                platform::s3::ensure_bucket(&client, bucket).await?;
                Store::S3 {
                    client,
                    bucket: bucket.bucket.clone(),
                    prefix: prefix.clone(),
                }
            }
        })
    }

    pub async fn connect_nats(&self) -> anyhow::Result<async_nats::Client> {
        platform::nats::connect(
            "backup",
            &self.nats_url,
            &self.nats_auth,
            Duration::from_secs(30),
        )
        .await
    }
}

/// Takes a backup and stores it; returns its manifest.
pub async fn create(
    config: &Config,
    store: &Store,
    nats: &async_nats::Client,
) -> anyhow::Result<Manifest> {
    let started_at = chrono::Utc::now();
    let name = started_at.format("%Y%m%dT%H%M%SZ").to_string();
    let local = match store {
        Store::Dir(dir) => dir.join(&name),
        Store::S3 { .. } => config.work_dir.join(format!("shop-backup-{name}")),
    };
    if local.exists() {
        bail!("{} exists already", local.display());
    }
    tokio::fs::create_dir_all(&local)
        .await
        .with_context(|| format!("creating {}", local.display()))?;
    let result = fill(config, nats, &name, started_at, &local).await;
    let result = match result {
        Ok(manifest) => store.put(&local, &manifest).await.map(|()| manifest),
        Err(err) => Err(err),
    };
    // A failed backup leaves no folder without a manifest behind, and a bucket's staging copy goes.
    if result.is_err() || matches!(store, Store::S3 { .. }) {
        let _ = tokio::fs::remove_dir_all(&local).await;
    }
    let manifest = result?;
    if let Store::Dir(dir) = store {
        prune(dir, &store.list().await?, config.keep).await?;
    }
    Ok(manifest)
}

/// Dumps the database, then snapshots the streams, into `local`, and writes the manifest.
async fn fill(
    config: &Config,
    nats: &async_nats::Client,
    name: &str,
    started_at: chrono::DateTime<chrono::Utc>,
    local: &Path,
) -> anyhow::Result<Manifest> {
    let dump_path = local.join(DUMP_FILE);
    let (server, schemas) = (config.database.clone(), config.schemas.clone());
    let (bytes, sha256) =
        tokio::task::spawn_blocking(move || server.dump(&schemas, &dump_path)).await??;
    tracing::info!(schemas = ?config.schemas, bytes, "database dumped");
    let mut files = vec![FileEntry {
        path: DUMP_FILE.to_owned(),
        bytes,
        sha256,
    }];

    let streams_dir = local.join(STREAMS_DIR);
    let mut streams = Vec::new();
    for stream in streams::names(nats).await? {
        let description = streams::snapshot(nats, &stream, &streams_dir).await?;
        for file in [streams::DESCRIPTION_FILE, streams::ARCHIVE_FILE] {
            files.push(FileEntry::of(local, &format!("{STREAMS_DIR}/{stream}/{file}")).await?);
        }
        tracing::info!(
            stream,
            messages = description.messages(),
            consumers = description.consumers(),
            "stream snapshotted"
        );
        streams.push(StreamEntry {
            name: stream,
            messages: description.messages(),
            last_seq: description.last_seq(),
            consumers: description.consumers(),
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        name: name.to_owned(),
        started_at,
        finished_at: chrono::Utc::now(),
        schemas: config.schemas.clone(),
        streams,
        files,
    };
    manifest.write(local).await?;
    Ok(manifest)
}

/// Removes the oldest complete backups of a directory store beyond `keep`.
async fn prune(dir: &Path, names: &[String], keep: usize) -> anyhow::Result<()> {
    for old in names.iter().take(names.len().saturating_sub(keep)) {
        tokio::fs::remove_dir_all(dir.join(old)).await?;
        tracing::info!(backup = %old, "old backup removed");
    }
    Ok(())
}

/// Downloads backup `name` and checks every file against its manifest.
pub async fn verify(config: &Config, store: &Store, name: &str) -> anyhow::Result<Manifest> {
    let (local, manifest) = store.fetch(name, &config.work_dir).await?;
    if matches!(store, Store::S3 { .. }) {
        let _ = tokio::fs::remove_dir_all(&local).await;
    }
    Ok(manifest)
}

/// Restores backup `name`: its schemas and streams replace the current ones. Refuses while a service
/// answers on NATS, and, unless `replace`, when any of its schemas holds tables or any of its streams exists.
pub async fn restore(
    config: &Config,
    store: &Store,
    nats: &async_nats::Client,
    name: &str,
    replace: bool,
) -> anyhow::Result<Manifest> {
    let running = running_services(nats).await?;
    if !running.is_empty() {
        bail!(
            "services are running ({}): stop them first, so nothing writes while the data is replaced",
            running.join(", ")
        );
    }
    let (local, manifest) = store.fetch(name, &config.work_dir).await?;
    let result = restore_from(config, nats, &local, &manifest, replace).await;
    if matches!(store, Store::S3 { .. }) {
        let _ = tokio::fs::remove_dir_all(&local).await;
    }
    result.map(|()| manifest)
}

async fn restore_from(
    config: &Config,
    nats: &async_nats::Client,
    local: &Path,
    manifest: &Manifest,
    replace: bool,
) -> anyhow::Result<()> {
    let schemas_in_use = config.database.schemas_in_use(&manifest.schemas).await?;
    let mut streams_in_use = Vec::new();
    for stream in &manifest.streams {
        if streams::exists(nats, &stream.name).await? {
            streams_in_use.push(stream.name.clone());
        }
    }
    if !replace && (!schemas_in_use.is_empty() || !streams_in_use.is_empty()) {
        let schemas: Vec<String> = schemas_in_use
            .iter()
            .map(|(schema, tables)| format!("schema {schema} ({tables} tables)"))
            .collect();
        let streams: Vec<String> = streams_in_use
            .iter()
            .map(|s| format!("stream {s}"))
            .collect();
        bail!(
            "these hold data now: {}; run the restore again with --replace to replace them with the backup's",
            [schemas, streams].concat().join(", ")
        );
    }

    let (server, dump) = (config.database.clone(), local.join(DUMP_FILE));
    tokio::task::spawn_blocking(move || server.load(&dump)).await??;
    tracing::info!(schemas = ?manifest.schemas, "database restored");

    let streams_dir = local.join(STREAMS_DIR);
    for stream in &manifest.streams {
        if streams_in_use.contains(&stream.name) {
            streams::delete(nats, &stream.name).await?;
        }
        streams::restore(nats, &stream.name, &streams_dir).await?;
        tracing::info!(stream = %stream.name, messages = stream.messages, "stream restored");
    }
    Ok(())
}

/// The names of the services answering `$SRV.PING` within half a second.
async fn running_services(nats: &async_nats::Client) -> anyhow::Result<Vec<String>> {
    let inbox = nats.new_inbox();
    let mut answers = nats.subscribe(inbox.clone()).await?;
    nats.publish_with_reply("$SRV.PING", inbox, "".into())
        .await?;
    let mut names = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    while let Ok(Some(answer)) = tokio::time::timeout_at(deadline, answers.next()).await {
        let answer: serde_json::Value = serde_json::from_slice(&answer.payload).unwrap_or_default();
        if let Some(name) = answer["name"].as_str() {
            names.push(name.to_owned());
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}
