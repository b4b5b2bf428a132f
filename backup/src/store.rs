//! Where backups are kept: an S3 bucket (production: the stack's encrypted, versioned backup bucket) or a
//! directory (a host without S3, and local rehearsals). A backup is a folder `<name>/` of files whose
//! `manifest.json` is written last: a folder without one is an interrupted backup and is never listed.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use aws_sdk_s3::primitives::ByteStream;
use tokio::io::AsyncWriteExt as _;

use crate::manifest::{MANIFEST_FILE, Manifest};

#[derive(Debug, Clone)]
pub enum Store {
    /// `BACKUP_DIR`: backups in `<dir>/<name>/`.
    Dir(PathBuf),
    /// `BACKUP_BUCKET` (and `BACKUP_PREFIX`): backups under `s3://<bucket>/<prefix><name>/`.
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
        prefix: String,
    },
}

impl Store {
    /// Where this store keeps backup `name`, for messages.
    pub fn location(&self, name: &str) -> String {
        match self {
            Self::Dir(dir) => dir.join(name).display().to_string(),
            Self::S3 { bucket, prefix, .. } => format!("s3://{bucket}/{prefix}{name}/"),
        }
    }

    /// Stores the backup in `local` (its files as the manifest lists them, then the manifest). A directory
    /// store is written in place: `local` is already its folder.
    pub async fn put(&self, local: &Path, manifest: &Manifest) -> anyhow::Result<()> {
        let Self::S3 {
            client,
            bucket,
            prefix,
        } = self
        else {
            return Ok(());
        };
        let files = manifest
            .files
            .iter()
            .map(|file| file.path.as_str())
            .chain([MANIFEST_FILE]);
        for path in files {
            let key = format!("{prefix}{}/{path}", manifest.name);
            let body = ByteStream::from_path(local.join(path))
                .await
                .with_context(|| format!("reading {path}"))?;
            client
                .put_object()
                .bucket(bucket)
                .key(&key)
                .body(body)
                .send()
                .await
                .map_err(|err| {
                    anyhow::anyhow!(
                        "uploading s3://{bucket}/{key}: {}",
                        aws_sdk_s3::error::DisplayErrorContext(err)
                    )
                })?;
        }
        Ok(())
    }

    /// The names of the complete backups, oldest first (names are UTC timestamps).
    pub async fn list(&self) -> anyhow::Result<Vec<String>> {
        let mut names = match self {
            Self::Dir(dir) => {
                let mut names = Vec::new();
                let mut entries = match tokio::fs::read_dir(dir).await {
                    Ok(entries) => entries,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(err) => {
                        return Err(err).with_context(|| format!("reading {}", dir.display()));
                    }
                };
                while let Some(entry) = entries.next_entry().await? {
                    if entry.path().join(MANIFEST_FILE).is_file() {
                        names.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
                names
            }
            Self::S3 {
                client,
                bucket,
                prefix,
            } => {
                let mut names = Vec::new();
                let mut pages = client
                    .list_objects_v2()
                    .bucket(bucket)
                    .prefix(prefix)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|err| {
                        anyhow::anyhow!(
                            "listing s3://{bucket}/{prefix}: {}",
                            aws_sdk_s3::error::DisplayErrorContext(err)
                        )
                    })?;
                    for object in page.contents() {
                        let key = object.key().unwrap_or_default();
                        if let Some(name) = key
                            .strip_prefix(prefix.as_str())
                            .and_then(|rest| rest.strip_suffix(&format!("/{MANIFEST_FILE}")))
                            .filter(|name| !name.contains('/'))
                        {
                            names.push(name.to_owned());
                        }
                    }
                }
                names
            }
        };
        names.sort();
        Ok(names)
    }

    /// Makes backup `name` available in a local folder and returns it with its manifest: the directory
    /// store's own folder, or `work/<name>/` filled from the bucket. Every file is checked against the
    /// manifest's size and SHA-256 before anything is restored from it.
    pub async fn fetch(&self, name: &str, work: &Path) -> anyhow::Result<(PathBuf, Manifest)> {
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            bail!("{name:?} is not a backup name (see `backup list`)");
        }
        let local = match self {
            Self::Dir(dir) => dir.join(name),
            Self::S3 {
                client,
                bucket,
                prefix,
            } => {
                let local = work.join(name);
                tokio::fs::create_dir_all(&local).await?;
                let manifest_key = format!("{prefix}{name}/{MANIFEST_FILE}");
                download(client, bucket, &manifest_key, &local.join(MANIFEST_FILE)).await?;
                let manifest = Manifest::read(&local).await?;
                for file in &manifest.files {
                    let key = format!("{prefix}{name}/{}", file.path);
                    let path = local.join(&file.path);
                    if let Some(parent) = path.parent() {
                        tokio::fs::create_dir_all(parent).await?;
                    }
                    download(client, bucket, &key, &path).await?;
                }
                local
            }
        };
        let manifest = Manifest::read(&local)
            .await
            .with_context(|| format!("backup {name} is not in {}", self.location(name)))?;
        manifest.verify(&local).await?;
        Ok((local, manifest))
    }
}

async fn download(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    path: &Path,
) -> anyhow::Result<()> {
    let object = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "downloading s3://{bucket}/{key}: {}",
                aws_sdk_s3::error::DisplayErrorContext(err)
            )
        })?;
    let mut body = object.body;
    let mut file = tokio::fs::File::create(path).await?;
    while let Some(bytes) = body
        .try_next()
        .await
        .with_context(|| format!("downloading s3://{bucket}/{key}"))?
    {
        file.write_all(&bytes).await?;
    }
    file.sync_all().await?;
    Ok(())
}
