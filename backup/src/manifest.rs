//! `manifest.json`: what a backup holds, each file with its size and SHA-256, written when everything else
//! is in place.

use std::path::Path;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::database::file_digest;

pub const MANIFEST_FILE: &str = "manifest.json";
/// The version of this layout; a restore refuses a backup of a version it does not know.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The backup's name: when it started, UTC (`20261201T031500Z`).
    pub name: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
    /// The MariaDB schemas in the dump.
    pub schemas: Vec<String>,
    pub streams: Vec<StreamEntry>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StreamEntry {
    pub name: String,
    pub messages: u64,
    pub last_seq: u64,
    pub consumers: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup's folder, `/`-separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl FileEntry {
    /// Describes the file at `dir/path` as it is now.
    pub async fn of(dir: &Path, path: &str) -> anyhow::Result<Self> {
        let full = dir.join(path);
        let (bytes, sha256) = tokio::task::spawn_blocking(move || file_digest(&full)).await??;
        Ok(Self {
            path: path.to_owned(),
            bytes,
            sha256,
        })
    }
}

impl Manifest {
    pub async fn read(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join(MANIFEST_FILE);
        let bytes = tokio::fs::read(&path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        let manifest: Self = serde_json::from_slice(&bytes)
            .with_context(|| format!("reading {}", path.display()))?;
        if manifest.format != FORMAT {
            bail!(
                "{} is format {}; this tool reads format {FORMAT}",
                path.display(),
                manifest.format
            );
        }
        Ok(manifest)
    }

    pub async fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(MANIFEST_FILE);
        let temporary = dir.join(format!("{MANIFEST_FILE}.partial"));
        tokio::fs::write(&temporary, serde_json::to_vec_pretty(self)?).await?;
        tokio::fs::rename(&temporary, &path).await?;
        Ok(())
    }

    /// Checks every file in `dir` against its size and SHA-256: nothing is restored from a damaged backup.
    pub async fn verify(&self, dir: &Path) -> anyhow::Result<()> {
        for expected in &self.files {
            let found = FileEntry::of(dir, &expected.path)
                .await
                .with_context(|| format!("backup {}: {} is missing", self.name, expected.path))?;
            if found.bytes != expected.bytes || found.sha256 != expected.sha256 {
                bail!(
                    "backup {}: {} is damaged ({} bytes, sha256 {}; the manifest says {} bytes, {})",
                    self.name,
                    expected.path,
                    found.bytes,
                    found.sha256,
                    expected.bytes,
                    expected.sha256
                );
            }
        }
        Ok(())
    }
}
