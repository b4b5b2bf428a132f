//! Seeing, replaying and discarding dead letters, for the service that produced their events, and the NATS
//! endpoints that offer it to the web admin (contract: [`crate::contracts::dead_letters`]).
//!
//! Replaying is the README's runbook made a button: publish the dead letter's payload again, with its
//! original headers, on its original subject, then delete the dead letter. Only the producer of an event may
//! publish on its subjects, so the producer replays (the catalog its `catalog.>` events, checkout its
//! `orders.>` ones), and only the dead letters of its own events (`deadletter.*.<events>.>`): another
//! service's dead letter is "not found" here. Every consumer of the subject sees a replayed event again and
//! is idempotent on the event id, so replaying an event that did succeed changes nothing.
//!
//! Dead letters are read with `STREAM.MSG.GET` (`next_by_subj` from a sequence for a page, `seq` for one),
//! which every nats-server since 2.10 answers without the stream allowing direct gets, and deleted with
//! `STREAM.MSG.DELETE`. A replay is published with `Nats-Msg-Id` = `<event id>.replay.<dead letter
//! sequence>`: the same replay attempted twice (a retry after the dead letter could not be deleted) is
//! dropped by the stream's duplicate window, while a second dead letter of the same event is a new replay.
//! The endpoints also claim the command's idempotency key in the service's `admin_commands` table
//! ([`crate::admin_commands`]) around the replay, so a double-submitted form publishes once whatever the
//! window.

use std::collections::HashMap;

use async_nats::{
    HeaderMap,
    jetstream::{
        self, ErrorCode,
        message::StreamMessage,
        stream::{RawMessageErrorKind, Stream},
    },
};
use serde::Deserialize;
use sqlx::MySqlPool;

use super::dead_letters::{
    DEAD_LETTER_STREAM, HEADER_ORIGINAL_SEQUENCE, HEADER_ORIGINAL_STREAM, HEADER_ORIGINAL_SUBJECT,
    HEADER_REASON,
};
use crate::{
    Runtime, admin_commands,
    contracts::{
        admin::{AdminReply, Command},
        dead_letters::{
            DETAIL_PREVIEW_BYTES, DeadLetter, DeadLetterDiscarded, DeadLetterEndpoints,
            DeadLetterPage, DeadLetterReplayed, DiscardDeadLetter, EventRef, GetDeadLetter,
            LIST_PREVIEW_BYTES, ListDeadLetters, MAX_PAGE, PayloadPreview, ReplayDeadLetter,
        },
    },
    rpc::{HandlerFailure, serve},
};

/// Why a dead letter could not be read, replayed or discarded: NATS or the database failed (try again).
#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    #[error("JetStream: {0}")]
    JetStream(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

fn jetstream_error(err: impl std::fmt::Display) -> DeadLetterError {
    DeadLetterError::JetStream(err.to_string())
}

/// The dead letters of one producer's events, as that producer's NATS user reads and handles them.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    jetstream: jetstream::Context,
    /// `deadletter.*.<events>.>`
    filter: String,
    /// `<events>.`: what an original subject of these events starts with.
    events_prefix: String,
}

/// What a dead letter's subject says: the consumer that gave up, and the original subject.
fn split_subject<'a>(subject: &'a str, events_prefix: &str) -> Option<(&'a str, &'a str)> {
    let (consumer, original) = subject.strip_prefix("deadletter.")?.split_once('.')?;
    original
        .starts_with(events_prefix)
        .then_some((consumer, original))
}

impl DeadLetters {
    /// The dead letters of events whose subjects start with `events` (`orders`, `catalog`).
    pub fn new(jetstream: jetstream::Context, events: &str) -> Self {
        Self {
            jetstream,
            filter: format!("deadletter.*.{events}.>"),
            events_prefix: format!("{events}."),
        }
    }

    async fn stream(&self) -> Result<Stream<()>, DeadLetterError> {
        self.jetstream
            .get_stream_no_info(DEAD_LETTER_STREAM)
            .await
            .map_err(jetstream_error)
    }

    /// The message at `sequence`, or with `next`, the first of these dead letters at or after it. `None`:
    /// there is none (or no dead-letter stream yet: no consumer ever started).
    async fn load(
        &self,
        stream: &Stream<()>,
        sequence: u64,
        next: bool,
    ) -> Result<Option<StreamMessage>, DeadLetterError> {
        let mut request = stream.raw_message_builder().sequence(sequence);
        if next {
            request = request.next_by_subject(self.filter.clone());
        }
        match request.send().await {
            Ok(message) => Ok(Some(message)),
            Err(err) => match err.kind() {
                RawMessageErrorKind::NoMessageFound => Ok(None),
                RawMessageErrorKind::JetStream(js)
                    if js.error_code() == ErrorCode::STREAM_NOT_FOUND
                        || js.error_code() == ErrorCode::NO_MESSAGE_FOUND =>
                {
                    Ok(None)
                }
                _ => Err(jetstream_error(err)),
            },
        }
    }

    /// The dead letter at `sequence` if it is one of these (another producer's is `None`).
    async fn one(
        &self,
        stream: &Stream<()>,
        sequence: u64,
    ) -> Result<Option<StreamMessage>, DeadLetterError> {
        Ok(self
            .load(stream, sequence, false)
            .await?
            .filter(|message| split_subject(&message.subject, &self.events_prefix).is_some()))
    }

    /// A page of these dead letters, oldest first.
    pub async fn list(
        &self,
        request: &ListDeadLetters,
    ) -> Result<AdminReply<DeadLetterPage>, DeadLetterError> {
        let limit = match request.limit {
            Some(0) => return Ok(AdminReply::invalid("limit", "must be at least 1")),
            Some(limit) => limit.min(MAX_PAGE),
            None => MAX_PAGE,
        };
        let mut from = match request.after {
            Some(0) => {
                return Ok(AdminReply::invalid(
                    "after",
                    "is not a cursor this list gave",
                ));
            }
            Some(after) => after.saturating_add(1),
            None => 1,
        };
        let stream = self.stream().await?;
        let mut dead_letters = Vec::new();
        let mut next = None;
        while let Some(message) = self.load(&stream, from, true).await? {
            if dead_letters.len() == limit as usize {
                next = dead_letters
                    .last()
                    .map(|letter: &DeadLetter| letter.sequence);
                break;
            }
            from = message.sequence.saturating_add(1);
            if let Some(letter) = self.describe(&message, LIST_PREVIEW_BYTES) {
                dead_letters.push(letter);
            }
        }
        Ok(AdminReply::Ok(DeadLetterPage { dead_letters, next }))
    }

    /// One of these dead letters, with up to [`DETAIL_PREVIEW_BYTES`] of its payload.
    pub async fn get(&self, sequence: u64) -> Result<Option<DeadLetter>, DeadLetterError> {
        let stream = self.stream().await?;
        Ok(self
            .one(&stream, sequence)
            .await?
            .and_then(|message| self.describe(&message, DETAIL_PREVIEW_BYTES)))
    }

    fn describe(&self, message: &StreamMessage, preview_bytes: usize) -> Option<DeadLetter> {
        let (consumer, subject) = split_subject(&message.subject, &self.events_prefix)?;
        let header = |name: &str| {
            message
                .headers
                .get(name)
                .map(|value| value.as_str().to_owned())
        };
        let nanos = i64::try_from(message.time.unix_timestamp_nanos()).unwrap_or_default();
        Some(DeadLetter {
            sequence: message.sequence,
            consumer: consumer.to_owned(),
            original_subject: header(HEADER_ORIGINAL_SUBJECT).unwrap_or_else(|| subject.to_owned()),
            original_stream: header(HEADER_ORIGINAL_STREAM),
            original_sequence: header(HEADER_ORIGINAL_SEQUENCE).and_then(|seq| seq.parse().ok()),
            reason: header(HEADER_REASON).unwrap_or_default(),
            dead_lettered_at: chrono::DateTime::from_timestamp_nanos(nanos),
            event: event_of(&message.payload),
            payload: preview(&message.payload, preview_bytes),
        })
    }

    /// Publishes the dead letter's event again on its original subject and deletes the dead letter; `None`
    /// when there is no such dead letter (any more).
    pub async fn replay(
        &self,
        sequence: u64,
    ) -> Result<Option<DeadLetterReplayed>, DeadLetterError> {
        let stream = self.stream().await?;
        let Some(message) = self.one(&stream, sequence).await? else {
            return Ok(None);
        };
        let Some((_, subject_in_name)) = split_subject(&message.subject, &self.events_prefix)
        else {
            return Ok(None);
        };
        let subject = message
            .headers
            .get(HEADER_ORIGINAL_SUBJECT)
            .map_or(subject_in_name, |value| value.as_str())
            .to_owned();
        // Never publish outside this producer's events, whatever a header says.
        if !subject.starts_with(&self.events_prefix) {
            return Ok(None);
        }
        let base = event_of(&message.payload).map_or_else(|| "deadletter".to_owned(), |e| e.id);
        let message_id = format!("{base}.replay.{sequence}");
        let headers = replay_headers(&message.headers, &message_id);
        let ack = self
            .jetstream
            .publish_with_headers(subject.clone(), headers, message.payload.clone())
            .await
            .map_err(jetstream_error)?
            .await
            .map_err(jetstream_error)?;
        self.delete(&stream, sequence).await?;
        tracing::info!(sequence, %subject, stream_sequence = ack.sequence, duplicate = ack.duplicate, "replayed a dead letter");
        Ok(Some(DeadLetterReplayed {
            sequence,
            subject,
            stream: ack.stream,
            stream_sequence: ack.sequence,
            message_id,
            duplicate: ack.duplicate,
        }))
    }

    /// Deletes the dead letter; `None` when there is no such dead letter (any more).
    pub async fn discard(
        &self,
        sequence: u64,
    ) -> Result<Option<DeadLetterDiscarded>, DeadLetterError> {
        let stream = self.stream().await?;
        if self.one(&stream, sequence).await?.is_none() {
            return Ok(None);
        }
        self.delete(&stream, sequence).await?;
        tracing::info!(sequence, "discarded a dead letter");
        Ok(Some(DeadLetterDiscarded { sequence }))
    }

    /// Deletes the message at `sequence`; gone already (a concurrent replay or discard) is as good.
    async fn delete(&self, stream: &Stream<()>, sequence: u64) -> Result<(), DeadLetterError> {
        match stream.delete_message(sequence).await {
            Ok(_) => Ok(()),
            Err(err) => match self.load(stream, sequence, false).await? {
                None => Ok(()),
                Some(_) => Err(jetstream_error(err)),
            },
        }
    }
}

/// The original headers of a dead letter's message for its replay: without what the dead letter added
/// (`Shop-Original-*`, the reason) and without JetStream's own (`Nats-*`, the dead letter's message id among
/// them), with `Nats-Msg-Id` = `message_id`.
fn replay_headers(dead_letter: &HeaderMap, message_id: &str) -> HeaderMap {
    let added = [
        HEADER_ORIGINAL_SUBJECT,
        HEADER_ORIGINAL_STREAM,
        HEADER_ORIGINAL_SEQUENCE,
        HEADER_REASON,
    ];
    let mut headers = HeaderMap::new();
    for (name, values) in dead_letter.iter() {
        let name: &str = name.as_ref();
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("nats-") || added.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            continue;
        }
        for value in values {
            headers.append(name, value.as_str());
        }
    }
    headers.insert(async_nats::header::NATS_MESSAGE_ID, message_id);
    headers
}

/// The start of an envelope, enough to name the event.
#[derive(Debug, Deserialize)]
struct EnvelopeHead {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    version: Option<u16>,
}

fn event_of(payload: &[u8]) -> Option<EventRef> {
    let head: EnvelopeHead = serde_json::from_slice(payload).ok()?;
    // An id fit for a message id: one token, no spaces (a hostile payload could say anything).
    let fit = !head.id.is_empty()
        && head.id.len() <= 64
        && head
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    fit.then_some(EventRef {
        id: head.id,
        event_type: head.event_type.chars().take(100).collect(),
        version: head.version,
    })
}

/// At most `max` bytes of `payload` as text, cut at a character boundary.
fn preview(payload: &[u8], max: usize) -> PayloadPreview {
    let text = String::from_utf8_lossy(payload);
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    PayloadPreview {
        bytes: payload.len() as u64,
        text: text[..end].to_owned(),
        truncated: end < text.len(),
    }
}

/// Dead-letter requests handled at once per endpoint: a few people click, rarely together.
const CONCURRENCY: usize = 4;

/// Adds the dead-letter endpoints of `endpoints` to the service of `runtime` (whose NATS user publishes
/// the events `endpoints.events` names) and answers them until shutdown. Replay and discard claim their
/// command's key in the service's `admin_commands` table, which the service must have.
pub async fn serve_endpoints(
    runtime: &Runtime,
    endpoints: DeadLetterEndpoints,
) -> anyhow::Result<()> {
    let group = runtime.service.group(endpoints.group);
    let dead_letters = DeadLetters::new(runtime.jetstream.clone(), endpoints.events);
    let add = async |subject: &str, description: &str| {
        let local = subject
            .strip_prefix(endpoints.group)
            .and_then(|rest| rest.strip_prefix('.'))
            .ok_or_else(|| anyhow::anyhow!("{subject} is not under {}", endpoints.group))?;
        group
            .endpoint_builder()
            .name(format!("admin-deadletters-{local}"))
            .metadata(HashMap::from([(
                "description".to_owned(),
                description.to_owned(),
            )]))
            .add(local)
            .await
            .map_err(|err| anyhow::anyhow!("adding endpoint {subject}: {err}"))
    };
    let shutdown = runtime.shutdown.clone();
    let failed = |err: DeadLetterError| HandlerFailure::unavailable(err);

    let list = add(
        endpoints.list,
        "Admin: dead letters of this service's events, oldest first",
    )
    .await?;
    let reading = dead_letters.clone();
    runtime.spawn(serve(
        list,
        CONCURRENCY,
        shutdown.clone(),
        move |request: ListDeadLetters| {
            let dead_letters = reading.clone();
            async move { dead_letters.list(&request).await.map_err(failed) }
        },
    ));

    let get = add(endpoints.get, "Admin: one dead letter with its payload").await?;
    let reading = dead_letters.clone();
    runtime.spawn(serve(
        get,
        CONCURRENCY,
        shutdown.clone(),
        move |request: GetDeadLetter| {
            let dead_letters = reading.clone();
            async move {
                let found = dead_letters.get(request.sequence).await.map_err(failed)?;
                Ok(found.map_or_else(not_found, AdminReply::Ok))
            }
        },
    ));

    let replay = add(
        endpoints.replay,
        "Admin: publish a dead letter's event again on its subject, then delete it (idempotent command)",
    )
    .await?;
    let (pool, replaying) = (runtime.db.clone(), dead_letters.clone());
    let subject = endpoints.replay;
    runtime.spawn(serve(
        replay,
        CONCURRENCY,
        shutdown.clone(),
        move |command: Command<ReplayDeadLetter>| {
            let (pool, dead_letters) = (pool.clone(), replaying.clone());
            async move {
                carry_out(
                    &pool,
                    subject,
                    &command,
                    dead_letters.replay(command.body.sequence),
                )
                .await
                .map_err(failed)
            }
        },
    ));

    let discard = add(
        endpoints.discard,
        "Admin: delete a dead letter (idempotent command)",
    )
    .await?;
    let (pool, discarding) = (runtime.db.clone(), dead_letters);
    let subject = endpoints.discard;
    runtime.spawn(serve(
        discard,
        CONCURRENCY,
        shutdown,
        move |command: Command<DiscardDeadLetter>| {
            let (pool, dead_letters) = (pool.clone(), discarding.clone());
            async move {
                carry_out(
                    &pool,
                    subject,
                    &command,
                    dead_letters.discard(command.body.sequence),
                )
                .await
                .map_err(failed)
            }
        },
    ));
    Ok(())
}

fn not_found<T>() -> AdminReply<T> {
    AdminReply::NotFound {
        what: "dead letter (replayed, discarded or expired already)".to_owned(),
    }
}

/// Runs `action` once per idempotency key: claims the key, acts, records the reply and commits; a key
/// claimed already answers the first reply without acting. A dead letter that is not there is `not_found`
/// and leaves the key unclaimed (as every refused admin command does).
async fn carry_out<B, T>(
    pool: &MySqlPool,
    endpoint: &str,
    command: &Command<B>,
    action: impl Future<Output = Result<Option<T>, DeadLetterError>>,
) -> Result<AdminReply<T>, DeadLetterError>
where
    B: serde::Serialize,
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut tx = pool.begin().await?;
    if let Some(reply) = admin_commands::claim(&mut tx, endpoint, command).await? {
        return Ok(reply);
    }
    let Some(done) = action.await? else {
        tx.rollback().await?;
        return Ok(not_found());
    };
    let reply = AdminReply::Ok(done);
    admin_commands::record(&mut tx, &command.idempotency_key, &reply).await?;
    tx.commit().await?;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_letters_subject_names_its_consumer_and_original_subject_of_these_events_only() {
        assert_eq!(
            split_subject("deadletter.mailer.orders.SH-1.created", "orders."),
            Some(("mailer", "orders.SH-1.created"))
        );
        assert_eq!(
            split_subject(
                "deadletter.search-indexer.catalog.product.upserted",
                "orders."
            ),
            None
        );
        assert_eq!(split_subject("deadletter.mailer", "orders."), None);
    }

    #[test]
    fn a_replay_keeps_the_original_headers_and_replaces_what_the_dead_letter_added() {
        let mut dead_letter = HeaderMap::new();
        dead_letter.insert("Nats-Msg-Id", "dl-mailer-ORDERS-7");
        dead_letter.insert("Traceparent", "00-abc-def-01");
        dead_letter.insert(HEADER_ORIGINAL_SUBJECT, "orders.SH-1.created");
        dead_letter.insert(HEADER_ORIGINAL_STREAM, "ORDERS");
        dead_letter.insert(HEADER_ORIGINAL_SEQUENCE, "7");
        dead_letter.insert(HEADER_REASON, "rejected");

        let headers = replay_headers(&dead_letter, "e1.replay.3");

        assert_eq!(headers.len(), 2);
        assert_eq!(
            headers.get("Nats-Msg-Id").map(|v| v.as_str()),
            Some("e1.replay.3")
        );
        assert_eq!(
            headers.get("Traceparent").map(|v| v.as_str()),
            Some("00-abc-def-01")
        );
    }

    #[test]
    fn a_preview_is_cut_at_a_character_boundary_and_says_so() {
        let payload = "ab€cd".as_bytes();
        let cut = preview(payload, 3);
        assert_eq!(
            (cut.text.as_str(), cut.truncated, cut.bytes),
            ("ab", true, 7)
        );
        let whole = preview(payload, 100);
        assert_eq!((whole.text.as_str(), whole.truncated), ("ab€cd", false));
    }

    #[test]
    fn only_an_envelope_with_a_plain_id_names_its_event() {
        let event = event_of(br#"{"id":"0190-ab","type":"OrderCreated","version":1,"data":{}}"#);
        assert_eq!(
            event,
            Some(EventRef {
                id: "0190-ab".to_owned(),
                event_type: "OrderCreated".to_owned(),
                version: Some(1)
            })
        );
        assert_eq!(event_of(br#"{"id":"a b.>","type":"X"}"#), None);
        assert_eq!(event_of(b"not json"), None);
    }
}
