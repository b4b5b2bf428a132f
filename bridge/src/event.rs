//! What leaves the host: an incoming JetStream payload read as an event envelope, with its secrets removed.
//!
//! The envelope is forwarded as it came (fields this version does not know included: payloads only grow),
//! except for [`SECRET_FIELDS`], which are removed wherever they appear. A payload that is not a JSON event
//! envelope is [`Poison`]: no retry can fix it, so the forwarder dead-letters it.

use platform::events::Envelope;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

/// Fields that must never be forwarded outside the host. `lookup_token` opens the shopper's order page.
pub const SECRET_FIELDS: &[&str] = &["lookup_token"];

/// One event as the bridge sends it to SQS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEvent {
    pub event_id: Uuid,
    pub event_type: String,
    /// The FIFO message group: events of one order stay in order.
    pub order_number: String,
    /// The envelope as JSON, without secrets.
    pub body: String,
}

/// Why a payload can never be forwarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Poison {
    #[error("payload is not JSON: {0}")]
    NotJson(String),
    #[error("payload is not an event envelope: {0}")]
    NotAnEnvelope(String),
    #[error("event has no order number (data.number, or the subject orders.<NUMBER>.<event>)")]
    NoOrderNumber,
}

/// The only part of `data` the bridge reads.
#[derive(Debug, Deserialize)]
struct OrderRef {
    #[serde(default)]
    number: Option<String>,
}

/// Reads `payload` (received on `subject`) as an envelope and prepares it for SQS.
pub fn prepare(subject: &str, payload: &[u8]) -> Result<OutgoingEvent, Poison> {
    let mut value: Value =
        serde_json::from_slice(payload).map_err(|err| Poison::NotJson(err.to_string()))?;
    let envelope = Envelope::<OrderRef>::deserialize(&value)
        .map_err(|err| Poison::NotAnEnvelope(err.to_string()))?;
    let order_number = envelope
        .data
        .number
        .filter(|number| !number.trim().is_empty())
        .or_else(|| number_from_subject(subject))
        .ok_or(Poison::NoOrderNumber)?;
    strip_secrets(&mut value);
    Ok(OutgoingEvent {
        event_id: envelope.id,
        event_type: envelope.event_type,
        order_number,
        body: value.to_string(),
    })
}

/// `orders.<NUMBER>.<event>` -> `<NUMBER>`.
fn number_from_subject(subject: &str) -> Option<String> {
    let mut tokens = subject.split('.');
    match (tokens.next(), tokens.next(), tokens.next()) {
        (Some("orders"), Some(number), Some(_)) if !number.is_empty() => Some(number.to_owned()),
        _ => None,
    }
}

/// Removes every [`SECRET_FIELDS`] key, at any depth.
fn strip_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for field in SECRET_FIELDS {
                map.remove(*field);
            }
            map.values_mut().for_each(strip_secrets);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn envelope(data: Value) -> Value {
        json!({
            "id": "0190d6c4-2d2b-7f4e-9a55-1c6f3b0a0c11",
            "type": "OrderCreated",
            "version": 1,
            "occurred_at": "2026-11-21T10:00:00Z",
            "source": "checkout",
            "data": data,
            "added_later": {"kept": true},
        })
    }

    #[test]
    fn the_lookup_token_never_leaves_the_host() {
        let payload = envelope(
            json!({"number": "SH-1", "lookup_token": "s3cret", "nested": [{"lookup_token": "x"}]}),
        );
        let event = prepare("orders.SH-1.created", payload.to_string().as_bytes()).unwrap();
        assert!(!event.body.contains("lookup_token"), "{}", event.body);
        assert!(!event.body.contains("s3cret"), "{}", event.body);
        let body: Value = serde_json::from_str(&event.body).unwrap();
        assert_eq!(body["data"]["number"], "SH-1");
        assert_eq!(
            body["added_later"]["kept"], true,
            "unknown fields are forwarded"
        );
        assert_eq!(event.order_number, "SH-1");
        assert_eq!(event.event_type, "OrderCreated");
        assert_eq!(
            event.event_id.to_string(),
            "0190d6c4-2d2b-7f4e-9a55-1c6f3b0a0c11"
        );
    }

    #[test]
    fn the_order_number_falls_back_to_the_subject() {
        let payload = envelope(json!({"to": "shipped"}));
        let event = prepare("orders.SH-2.status_changed", payload.to_string().as_bytes()).unwrap();
        assert_eq!(event.order_number, "SH-2");
    }

    #[test]
    fn payloads_that_are_not_envelopes_are_poison() {
        assert!(matches!(
            prepare("orders.X.created", b"not json"),
            Err(Poison::NotJson(_))
        ));
        assert!(matches!(
            prepare("orders.X.created", br#"{"hello": "world"}"#),
            Err(Poison::NotAnEnvelope(_))
        ));
        let bad_id = json!({"id": "nope", "type": "T", "version": 1, "occurred_at": "2026-11-21T10:00:00Z", "source": "s", "data": {}});
        assert!(matches!(
            prepare("orders.X.created", bad_id.to_string().as_bytes()),
            Err(Poison::NotAnEnvelope(_))
        ));
        let no_number = envelope(json!({}));
        assert_eq!(
            prepare("something.else", no_number.to_string().as_bytes()),
            Err(Poison::NoOrderNumber)
        );
    }
}
