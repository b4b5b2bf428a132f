//! JetStream stream snapshots over the server's own API (`$JS.API.STREAM.SNAPSHOT` and `.RESTORE`, what
//! `nats stream backup` and `nats stream restore` use): the stream's files and its consumers' state, so a
//! restored stream has the same sequence numbers and every durable consumer resumes where it was.
//!
//! A snapshot is two files per stream: `backup.json` (the stream's configuration and state as the server
//! reported them) and `stream.tar.s2` (the server's archive, kept as the bytes it sent).
//!
//! Snapshot: the server sends chunks to an inbox of ours, each with a reply subject to acknowledge it (its
//! flow control: at most a window of unacknowledged chunks), then an empty message that ends the transfer
//! (with a status header other than 204 when the server failed). Restore: the server names a subject, we
//! send every chunk there as a request and wait for its empty acknowledgement, then an empty request whose
//! answer is the restored stream's info or the error.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context as _, bail};
use async_nats::{Client, Request};
use bytes::Bytes;
use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The stream's configuration and state at the snapshot, as the restore request wants them back.
pub const DESCRIPTION_FILE: &str = "backup.json";
/// The server's archive of the stream.
pub const ARCHIVE_FILE: &str = "stream.tar.s2";

/// The server's default chunk size; also what a restore sends per request.
const CHUNK_BYTES: usize = 128 * 1024;
/// How long the server may go quiet in the middle of a snapshot (it reads the stream's files meanwhile).
const CHUNK_WAIT: Duration = Duration::from_secs(30);
/// How long the server may take to rebuild a stream from the last chunk of a restore.
const RESTORE_FINISH_WAIT: Duration = Duration::from_secs(300);

/// A stream's description in `backup.json`: the server's snapshot answer, kept whole so that a restore
/// sends back exactly the configuration the server had (fields this tool does not know included).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Description {
    pub config: Value,
    pub state: Value,
}

impl Description {
    /// The stream's message count at the snapshot.
    pub fn messages(&self) -> u64 {
        self.state["messages"].as_u64().unwrap_or(0)
    }

    /// The stream's last sequence number at the snapshot.
    pub fn last_seq(&self) -> u64 {
        self.state["last_seq"].as_u64().unwrap_or(0)
    }

    /// How many consumers the stream had (their state is in the archive).
    pub fn consumers(&self) -> u64 {
        self.state["consumer_count"].as_u64().unwrap_or(0)
    }
}

/// The error a JetStream API answer carries, if any.
fn api_error(answer: &Value) -> Option<String> {
    let error = answer.get("error")?;
    Some(format!(
        "{} (code {}, err_code {})",
        error["description"].as_str().unwrap_or("unknown error"),
        error["code"],
        error["err_code"]
    ))
}

async fn api_request(
    client: &Client,
    subject: String,
    body: Bytes,
    wait: Duration,
) -> anyhow::Result<Value> {
    let answer = client
        .send_request(
            subject.clone(),
            Request::new().payload(body).timeout(Some(wait)),
        )
        .await
        .with_context(|| format!("asking {subject}"))?;
    let answer: Value = serde_json::from_slice(&answer.payload)
        .with_context(|| format!("{subject} answered something other than JSON"))?;
    match api_error(&answer) {
        Some(error) => bail!("{subject}: {error}"),
        None => Ok(answer),
    }
}

/// The names of every stream the connected user's account has, sorted.
pub async fn names(client: &Client) -> anyhow::Result<Vec<String>> {
    let js = async_nats::jetstream::new(client.clone());
    let mut names: Vec<String> = js
        .stream_names()
        .map(|name| name.context("listing the streams"))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    names.sort();
    Ok(names)
}

/// Whether stream `name` exists.
pub async fn exists(client: &Client, name: &str) -> anyhow::Result<bool> {
    let subject = format!("$JS.API.STREAM.INFO.{name}");
    let answer = client
        .request(subject.clone(), Bytes::new())
        .await
        .with_context(|| format!("asking {subject}"))?;
    let answer: Value = serde_json::from_slice(&answer.payload)
        .with_context(|| format!("{subject} answered something other than JSON"))?;
    // 10059: stream not found.
    match answer["error"]["err_code"].as_u64() {
        None => Ok(true),
        Some(10059) => Ok(false),
        Some(_) => bail!("{subject}: {}", api_error(&answer).unwrap_or_default()),
    }
}

/// Deletes stream `name` with its messages and consumers.
pub async fn delete(client: &Client, name: &str) -> anyhow::Result<()> {
    let js = async_nats::jetstream::new(client.clone());
    js.delete_stream(name)
        .await
        .with_context(|| format!("deleting stream {name}"))?;
    Ok(())
}

/// Snapshots stream `name` with its consumers into `dir/<name>/`; returns its description.
pub async fn snapshot(client: &Client, name: &str, dir: &Path) -> anyhow::Result<Description> {
    let stream_dir = dir.join(name);
    tokio::fs::create_dir_all(&stream_dir).await?;
    let inbox = client.new_inbox();
    let mut chunks = client.subscribe(inbox.clone()).await?;
    // The subscription must be on the server before it starts sending (it waits up to 2 s for interest).
    client.flush().await?;
    let request = serde_json::json!({ "deliver_subject": inbox, "no_consumers": false });
    let answer = api_request(
        client,
        format!("$JS.API.STREAM.SNAPSHOT.{name}"),
        serde_json::to_vec(&request)?.into(),
        Duration::from_secs(30),
    )
    .await?;
    let description = Description {
        config: answer["config"].clone(),
        state: answer["state"].clone(),
    };

    let archive_path = stream_dir.join(ARCHIVE_FILE);
    let mut archive = tokio::fs::File::create(&archive_path).await?;
    loop {
        let chunk = tokio::time::timeout(CHUNK_WAIT, chunks.next())
            .await
            .with_context(|| format!("stream {name}: the server sent nothing for {CHUNK_WAIT:?}"))?
            .with_context(|| format!("stream {name}: the snapshot subscription ended"))?;
        if chunk.payload.is_empty() {
            // The end: a status other than 204 (or none, for a snapshot smaller than a chunk) is the server's
            // failure, e.g. "408 No Flow Response".
            if let Some(status) = chunk.status
                && u16::from(status) != 204
            {
                bail!(
                    "stream {name}: the server ended the snapshot with {status} {}",
                    chunk.description.unwrap_or_default()
                );
            }
            break;
        }
        archive.write_all(&chunk.payload).await?;
        if let Some(ack) = chunk.reply {
            client.publish(ack, Bytes::new()).await?;
        }
    }
    archive.sync_all().await?;
    tokio::fs::write(
        stream_dir.join(DESCRIPTION_FILE),
        serde_json::to_vec_pretty(&description)?,
    )
    .await?;
    Ok(description)
}

/// Reads the description of stream `name` from `dir/<name>/`.
pub async fn read_description(dir: &Path, name: &str) -> anyhow::Result<Description> {
    let path = dir.join(name).join(DESCRIPTION_FILE);
    let bytes = tokio::fs::read(&path)
        .await
        .with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))
}

/// Restores stream `name` from `dir/<name>/`. The stream must not exist (the server refuses otherwise).
pub async fn restore(client: &Client, name: &str, dir: &Path) -> anyhow::Result<()> {
    let description = read_description(dir, name).await?;
    let answer = api_request(
        client,
        format!("$JS.API.STREAM.RESTORE.{name}"),
        serde_json::to_vec(&description)?.into(),
        Duration::from_secs(30),
    )
    .await?;
    let deliver = answer["deliver_subject"]
        .as_str()
        .with_context(|| format!("stream {name}: the restore answer names no subject"))?
        .to_owned();

    let archive_path: PathBuf = dir.join(name).join(ARCHIVE_FILE);
    let mut archive = tokio::fs::File::open(&archive_path)
        .await
        .with_context(|| format!("opening {}", archive_path.display()))?;
    let mut buffer = vec![0; CHUNK_BYTES];
    loop {
        let read = read_full(&mut archive, &mut buffer).await?;
        if read == 0 {
            break;
        }
        let ack = client
            .send_request(
                deliver.clone(),
                Request::new()
                    .payload(Bytes::copy_from_slice(&buffer[..read]))
                    .timeout(Some(CHUNK_WAIT)),
            )
            .await
            .with_context(|| format!("stream {name}: sending a chunk of the archive"))?;
        // An empty answer acknowledges the chunk; anything else is the server's error.
        if !ack.payload.is_empty() {
            let answer: Value = serde_json::from_slice(&ack.payload).unwrap_or_default();
            bail!(
                "stream {name}: the server refused the archive: {}",
                api_error(&answer)
                    .unwrap_or_else(|| String::from_utf8_lossy(&ack.payload).into_owned())
            );
        }
        if read < buffer.len() {
            break;
        }
    }
    let done = api_request(client, deliver, Bytes::new(), RESTORE_FINISH_WAIT).await?;
    // The stream's info, inline in the answer as in a stream create answer.
    let restored = done["state"]["messages"].as_u64().unwrap_or(0);
    if restored != description.messages() {
        bail!(
            "stream {name}: restored {restored} messages, the snapshot had {}",
            description.messages()
        );
    }
    Ok(())
}

/// Fills `buffer` from `file` as far as the file goes; returns how much was read (less only at its end).
async fn read_full(file: &mut tokio::fs::File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        let read = file.read(&mut buffer[filled..]).await?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    Ok(filled)
}
