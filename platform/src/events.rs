//! The versioned event envelope every service publishes and consumes.
//!
//! An event is a past-tense fact: `{id, type, version, occurred_at, source, data}`. Payloads only ever grow;
//! a breaking change is a new `version` of the same `type`, so consumers can keep reading old ones.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
}
