//! The versioned event envelope every service publishes and consumes.
//!
//! An event is a past-tense fact: `{id, type, version, occurred_at, source, data}`. Payloads only ever grow;
//! a breaking change is a new `version` of the same `type`, so consumers can keep reading old ones.
//!
//! # Reading one
//!
//! Every consumer reads envelopes the same way: [`decode`] for a consumer of one event, [`RawEnvelope`] for
//! one that reads several. Both check the type *and* the version before they read `data` as a contract: a
//! version this code does not know may mean something it cannot tell (that is what a new version is for), so
//! it is never read as the known one, even when its fields happen to fit. What a consumer then does with a
//! [`DecodeError`] is its own call (the shop's consumers dead-letter it, with the error as the reason; the
//! indexer ignores event types it has no use for), but the reasons read the same everywhere.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// A payload that can travel in an [`Envelope`]: it knows its type name, version and subject.
pub trait Event: Serialize {
    /// The event type, e.g. `ProductUpserted`.
    const TYPE: &'static str;
    /// The payload version; bumped only on a breaking change.
    const VERSION: u16;

    /// The NATS subject this event is published on.
    fn subject(&self) -> String;
}

/// The wire format of every event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Unique per event; also the `Nats-Msg-Id` header, so JetStream drops duplicate publishes, and the key
    /// consumers record to stay idempotent.
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub version: u16,
    pub occurred_at: DateTime<Utc>,
    /// The service that emitted the event.
    pub source: String,
    pub data: T,
}

impl<T: Event> Envelope<T> {
    /// Wraps `data` in a new envelope with a fresh, time-ordered id.
    pub fn new(source: &str, data: T) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: T::TYPE.to_owned(),
            version: T::VERSION,
            occurred_at: Utc::now(),
            source: source.to_owned(),
            data,
        }
    }
}

/// One event type in one version: what a consumer knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventKind {
    pub event_type: &'static str,
    pub version: u16,
}

impl EventKind {
    /// The kind of the contract `T`.
    pub const fn of<T: Event>() -> Self {
        Self {
            event_type: T::TYPE,
            version: T::VERSION,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} version {}", self.event_type, self.version)
    }
}

/// Why a payload is not an event this consumer can read. The text is meant for a dead letter's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not an event envelope: the payload is not JSON: {0}")]
    NotJson(String),
    #[error("not an event envelope: {0}")]
    NotAnEnvelope(String),
    /// Another type, or a version of a known type this code does not know.
    #[error("unknown event {event_type:?} version {version}: this consumer reads {}", list(.known))]
    Unknown {
        event_type: String,
        version: u16,
        known: Vec<EventKind>,
    },
    /// The right type and version, but `data` is not a valid payload of that contract.
    #[error("not a valid {kind}: {reason}")]
    InvalidData { kind: EventKind, reason: String },
}

fn list(kinds: &[EventKind]) -> String {
    kinds
        .iter()
        .map(EventKind::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An envelope whose `data` has not been read as a contract yet: what a consumer of several events looks at
/// to tell which one it holds.
pub type RawEnvelope = Envelope<serde_json::Value>;

impl RawEnvelope {
    /// The envelope in `payload`, its `data` still unread.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let json: serde_json::Value =
            serde_json::from_slice(payload).map_err(|err| DecodeError::NotJson(err.to_string()))?;
        Self::from_json(&json)
    }

    /// The envelope in a JSON document already parsed (a consumer that forwards the document as it came).
    pub fn from_json(json: &serde_json::Value) -> Result<Self, DecodeError> {
        Self::deserialize(json).map_err(|err| DecodeError::NotAnEnvelope(err.to_string()))
    }

    /// Whether this is a `T` of the version this code knows.
    pub fn is<T: Event>(&self) -> bool {
        self.kind_is(EventKind::of::<T>())
    }

    fn kind_is(&self, kind: EventKind) -> bool {
        self.event_type == kind.event_type && self.version == kind.version
    }

    /// Whether its type is one of `known`, in whatever version.
    pub fn has_type_of(&self, known: &[EventKind]) -> bool {
        known.iter().any(|kind| kind.event_type == self.event_type)
    }

    /// The envelope with its `data` read as a `T`; refused when it is another type or version.
    pub fn read<T: Event + DeserializeOwned>(self) -> Result<Envelope<T>, DecodeError> {
        let kind = EventKind::of::<T>();
        if !self.kind_is(kind) {
            return Err(self.unknown(&[kind]));
        }
        let data = serde_json::from_value(self.data).map_err(|err| DecodeError::InvalidData {
            kind,
            reason: err.to_string(),
        })?;
        Ok(Envelope {
            id: self.id,
            event_type: self.event_type,
            version: self.version,
            occurred_at: self.occurred_at,
            source: self.source,
            data,
        })
    }

    /// The error for an envelope that is none of `known`.
    pub fn unknown(&self, known: &[EventKind]) -> DecodeError {
        DecodeError::Unknown {
            event_type: self.event_type.clone(),
            version: self.version,
            known: known.to_vec(),
        }
    }
}

/// The `T` in `payload`: an envelope of `T`'s type and version whose `data` is a valid `T`.
pub fn decode<T: Event + DeserializeOwned>(payload: &[u8]) -> Result<Envelope<T>, DecodeError> {
    RawEnvelope::parse(payload)?.read()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct ThingHappened {
        name: String,
    }

    impl Event for ThingHappened {
        const TYPE: &'static str = "ThingHappened";
        const VERSION: u16 = 1;

        fn subject(&self) -> String {
            "things.happened".to_owned()
        }
    }

    #[test]
    fn envelope_serializes_with_the_documented_field_names() {
        let envelope = Envelope::new(
            "test",
            ThingHappened {
                name: "ü & <b>".to_owned(),
            },
        );
        let json = serde_json::to_value(&envelope).unwrap();
        for field in ["id", "type", "version", "occurred_at", "source", "data"] {
            assert!(json.get(field).is_some(), "missing {field} in {json}");
        }
        assert_eq!(json["type"], "ThingHappened");
        let back: Envelope<ThingHappened> = serde_json::from_value(json).unwrap();
        assert_eq!(back, envelope);
    }

    #[test]
    fn envelopes_ignore_fields_added_by_newer_producers() {
        let json = serde_json::json!({
            "id": Uuid::now_v7(), "type": "ThingHappened", "version": 1,
            "occurred_at": "2026-01-01T00:00:00Z", "source": "test",
            "data": {"name": "x", "added_later": true}, "trace": "abc"
        });
        let envelope: Envelope<ThingHappened> = serde_json::from_value(json).unwrap();
        assert_eq!(envelope.data.name, "x");
    }

    fn payload(event_type: &str, version: u16, data: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "id": Uuid::now_v7(), "type": event_type, "version": version,
            "occurred_at": "2026-01-01T00:00:00Z", "source": "test", "data": data
        }))
        .unwrap()
    }

    #[test]
    fn decoding_reads_the_known_type_and_version_and_says_why_anything_else_is_refused() {
        let thing = decode::<ThingHappened>(&payload(
            "ThingHappened",
            1,
            serde_json::json!({"name": "x"}),
        ))
        .unwrap();
        assert_eq!(thing.data.name, "x");

        let not_json = decode::<ThingHappened>(b"{not json").unwrap_err();
        assert!(matches!(not_json, DecodeError::NotJson(_)));
        assert!(
            not_json.to_string().starts_with("not an event envelope"),
            "{not_json}"
        );
        let not_envelope = decode::<ThingHappened>(br#"{"hello": "world"}"#).unwrap_err();
        assert!(matches!(not_envelope, DecodeError::NotAnEnvelope(_)));

        let other = decode::<ThingHappened>(&payload("OtherHappened", 1, serde_json::json!({})))
            .unwrap_err();
        assert_eq!(
            other.to_string(),
            "unknown event \"OtherHappened\" version 1: this consumer reads ThingHappened version 1"
        );
        // A newer version is refused even though its data would fit the known one.
        let newer = decode::<ThingHappened>(&payload(
            "ThingHappened",
            2,
            serde_json::json!({"name": "x"}),
        ))
        .unwrap_err();
        assert!(
            matches!(&newer, DecodeError::Unknown { event_type, version: 2, .. } if event_type == "ThingHappened"),
            "{newer}"
        );

        let invalid =
            decode::<ThingHappened>(&payload("ThingHappened", 1, serde_json::json!({"name": 3})))
                .unwrap_err();
        assert!(
            invalid
                .to_string()
                .starts_with("not a valid ThingHappened version 1: invalid type"),
            "{invalid}"
        );
    }

    #[test]
    fn a_consumer_of_several_events_tells_them_apart_by_type_and_version() {
        let raw = RawEnvelope::parse(&payload(
            "ThingHappened",
            2,
            serde_json::json!({"name": "x"}),
        ))
        .unwrap();
        let known = [EventKind::of::<ThingHappened>()];
        assert!(!raw.is::<ThingHappened>());
        assert!(raw.has_type_of(&known), "a known type in another version");
        assert!(matches!(
            raw.unknown(&known),
            DecodeError::Unknown { version: 2, .. }
        ));
    }
}
