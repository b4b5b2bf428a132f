//! Dead letters: messages a consumer gave up on, copied with why to the `DEADLETTER` stream.
//!
//! A message that cannot ever succeed (a poison payload, a permanent rejection) is copied there by
//! [`dead_letter`] and then terminated; one that used up its deliveries is copied there by
//! [`collect_max_deliveries`], which listens to JetStream's `MAX_DELIVERIES` advisory. A dead letter keeps
//! the original payload and headers and says where it came from and why in headers of its own. Operators see
//! and replay dead letters with the `nats` CLI (README, "Dead letters").

use std::time::Duration;

use anyhow::Context as _;
use async_nats::{
    HeaderMap,
    jetstream::{self, AckKind, stream},
};
use futures::StreamExt as _;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

/// The stream holding dead letters of every consumer.
pub const DEAD_LETTER_STREAM: &str = "DEADLETTER";
/// Its subjects: `deadletter.<consumer>.<original subject>`.
pub const DEAD_LETTER_SUBJECTS: &str = "deadletter.>";

/// Headers on a dead letter.
pub const HEADER_ORIGINAL_SUBJECT: &str = "Shop-Original-Subject";
pub const HEADER_ORIGINAL_STREAM: &str = "Shop-Original-Stream";
pub const HEADER_ORIGINAL_SEQUENCE: &str = "Shop-Original-Sequence";
pub const HEADER_REASON: &str = "Shop-Dead-Letter-Reason";

/// The dead-letter stream's configuration: kept longer than events, for operators to look at.
pub fn dead_letter_stream(replicas: usize) -> stream::Config {
    stream::Config {
        name: DEAD_LETTER_STREAM.to_owned(),
        description: Some(
            "Messages a consumer gave up on, with the reason; replay them with the nats CLI"
                .to_owned(),
        ),
        subjects: vec![DEAD_LETTER_SUBJECTS.to_owned()],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        max_age: Duration::from_secs(90 * 24 * 3600),
        max_bytes: 1024 * 1024 * 1024,
        // Spelled as the server stores "unlimited", so the start-up comparison sees no change.
        max_message_size: -1,
        duplicate_window: Duration::from_secs(600),
        ..Default::default()
    }
}

/// Copies `message` to the dead-letter stream with `reason`, then terminates it (no more deliveries).
pub async fn dead_letter(
    jetstream: &jetstream::Context,
    message: &jetstream::Message,
    reason: &str,
) -> anyhow::Result<()> {
    let info = message
        .info()
        .map_err(|err| anyhow::anyhow!("message info: {err}"))?;
    let original = Original {
        consumer: info.consumer,
        stream: info.stream,
        sequence: info.stream_sequence,
        subject: message.subject.as_str(),
        headers: message.headers.clone().unwrap_or_default(),
    };
    publish_dead_letter(jetstream, original, reason, message.payload.clone()).await?;
    message
        .ack_with(AckKind::Term)
        .await
        .map_err(|err| anyhow::anyhow!("terminating: {err}"))?;
    Ok(())
}

/// Where a dead letter came from.
struct Original<'a> {
    consumer: &'a str,
    stream: &'a str,
    sequence: u64,
    subject: &'a str,
    headers: HeaderMap,
}

async fn publish_dead_letter(
    jetstream: &jetstream::Context,
    original: Original<'_>,
    reason: &str,
    payload: bytes::Bytes,
) -> anyhow::Result<()> {
    let Original {
        consumer,
        stream,
        sequence,
        subject,
        mut headers,
    } = original;
    // A dead letter is a new message: it must not be dropped as a duplicate of the original, and the same
    // one reported twice (two replicas, a retry) must be kept once.
    headers.insert(
        "Nats-Msg-Id",
        format!("dl-{consumer}-{stream}-{sequence}").as_str(),
    );
    headers.insert(HEADER_ORIGINAL_SUBJECT, subject);
    headers.insert(HEADER_ORIGINAL_STREAM, stream);
    headers.insert(HEADER_ORIGINAL_SEQUENCE, sequence.to_string().as_str());
    headers.insert(HEADER_REASON, header_text(reason, 500).as_str());
    jetstream
        .publish_with_headers(format!("deadletter.{consumer}.{subject}"), headers, payload)
        .await?
        .await
        .context("publishing a dead letter")?;
    metrics::counter!("dead_letters_total", "consumer" => consumer.to_owned()).increment(1);
    Ok(())
}

/// `text` fit for a header value: one line (control characters, CR and LF included, become spaces: a reason
/// quoting a provider's or a payload's words must not add a header), at most `max` characters.
fn header_text(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[derive(Debug, Deserialize)]
struct MaxDeliveriesAdvisory {
    stream: String,
    consumer: String,
    stream_seq: u64,
    deliveries: u64,
}

/// Copies every message `consumer` gave up on after its last delivery into the dead-letter stream, until
/// `shutdown`. Run by every replica: the copy's `Nats-Msg-Id` makes duplicates harmless.
pub async fn collect_max_deliveries(
    client: async_nats::Client,
    jetstream: jetstream::Context,
    stream: String,
    consumer: String,
    shutdown: CancellationToken,
) {
    let subject = format!("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.{consumer}");
    let mut advisories = match client.subscribe(subject.clone()).await {
        Ok(subscription) => subscription,
        Err(err) => {
            tracing::error!(error = %err, subject, "cannot listen for max-deliveries advisories");
            return;
        }
    };
    loop {
        let advisory = tokio::select! {
            () = shutdown.cancelled() => return,
            advisory = advisories.next() => match advisory { Some(a) => a, None => return },
        };
        let Ok(advisory) = serde_json::from_slice::<MaxDeliveriesAdvisory>(&advisory.payload)
        else {
            continue;
        };
        if let Err(err) = copy_from_stream(&jetstream, &advisory).await {
            tracing::error!(error = %err, seq = advisory.stream_seq, "cannot dead-letter a message that used up its deliveries");
        }
    }
}

async fn copy_from_stream(
    jetstream: &jetstream::Context,
    advisory: &MaxDeliveriesAdvisory,
) -> anyhow::Result<()> {
    let stream = jetstream.get_stream(&advisory.stream).await?;
    let message = stream.get_raw_message(advisory.stream_seq).await?;
    let original = Original {
        consumer: &advisory.consumer,
        stream: &advisory.stream,
        sequence: advisory.stream_seq,
        subject: message.subject.as_str(),
        headers: message.headers.clone(),
    };
    let reason = format!("not acknowledged after {} deliveries", advisory.deliveries);
    publish_dead_letter(jetstream, original, &reason, message.payload.clone()).await?;
    tracing::warn!(consumer = %advisory.consumer, seq = advisory.stream_seq, "dead-lettered a message after its last delivery");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reason_becomes_one_bounded_header_line() {
        assert_eq!(
            super::header_text("rejected:\r\nX-Forged: yes\tok", 500),
            "rejected:  X-Forged: yes ok"
        );
        assert_eq!(
            super::header_text(&"é".repeat(600), 500).chars().count(),
            500
        );
    }
}
