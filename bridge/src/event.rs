//! What leaves the host: an incoming JetStream payload, accepted only as an order event the bridge knows, with
//! its secrets removed.
//!
//! The bridge forwards to systems it does not control, and puts the order number in places with grammars of
//! their own (the SQS `MessageGroupId` and message attributes), so it forwards only what it can vouch for:
//!
//! - a JSON event envelope whose type and version are one of [`KNOWN_EVENTS`] (the order events of
//!   `platform::contracts::orders`: `OrderCreated`, which it forwards by default, and `OrderPaid`,
//!   `OrderStatusChanged`, `OrderCancelled`, `OrderShipped` and `OrderRefunded` for `BRIDGE_SUBJECTS=orders.>`);
//! - whose `data` is a valid payload of that contract (every required field, of the right type), read the
//!   way every consumer reads envelopes ([`platform::events::RawEnvelope`]);
//! - whose order number is well formed ([`OrderNumber`]: letters, digits and `-`, bounded length);
//! - published on that event's own subject, `orders.<NUMBER>.<event>`, with the same number.
//!
//! Anything else is [`Poison`]: no retry can fix it, so the forwarder dead-letters it with the reason. A
//! newer version of a known type is refused too: it may mean something this bridge cannot tell (a breaking
//! change is a new version), and it waits in the dead letters until a bridge that knows it replays it.
//!
//! What is forwarded is the envelope as it came, fields this version does not know included (payloads only
//! grow), except for [`SECRET_FIELDS`], which are removed wherever they appear.

use platform::{
    contracts::{
        InvalidValue, OrderNumber,
        orders::{
            OrderCancelled, OrderCreated, OrderPaid, OrderRefunded, OrderShipped,
            OrderStatusChanged,
        },
    },
    events::{DecodeError, Event, EventKind, RawEnvelope},
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// Fields that must never be forwarded outside the host. `lookup_token` opens the shopper's order page.
pub const SECRET_FIELDS: &[&str] = &["lookup_token"];

/// The event types and versions the bridge forwards.
pub const KNOWN_EVENTS: &[EventKind] = &[
    EventKind::of::<OrderCreated>(),
    EventKind::of::<OrderPaid>(),
    EventKind::of::<OrderStatusChanged>(),
    EventKind::of::<OrderCancelled>(),
    EventKind::of::<OrderShipped>(),
    EventKind::of::<OrderRefunded>(),
];

/// How much of an unusable order number a dead-letter reason quotes.
const QUOTED_NUMBER_CHARS: usize = 80;

/// One event as the bridge sends it to SQS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEvent {
    pub event_id: Uuid,
    pub event_type: String,
    /// The FIFO message group: events of one order stay in order. Always a well-formed order number.
    pub order_number: String,
    /// The envelope as JSON, without secrets.
    pub body: String,
}

/// Why a payload can never be forwarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Poison {
    /// Not an envelope, not one of [`KNOWN_EVENTS`], or not a valid payload of its contract.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("order number {number} is not well formed: {reason}")]
    BadOrderNumber {
        /// Quoted, escaped and shortened: safe to log and to put in a header.
        number: String,
        reason: InvalidValue,
    },
    #[error("{event_type} of order {number} belongs on {expected}, not on {subject:?}")]
    WrongSubject {
        event_type: &'static str,
        number: String,
        expected: String,
        subject: String,
    },
}

/// The part of an order event's `data` the bridge needs beyond its contract type.
trait OrderEvent: Event + DeserializeOwned {
    fn number(&self) -> &str;
}

impl OrderEvent for OrderCreated {
    fn number(&self) -> &str {
        &self.number
    }
}

impl OrderEvent for OrderPaid {
    fn number(&self) -> &str {
        &self.number
    }
}

impl OrderEvent for OrderStatusChanged {
    fn number(&self) -> &str {
        &self.number
    }
}

impl OrderEvent for OrderCancelled {
    fn number(&self) -> &str {
        &self.number
    }
}

impl OrderEvent for OrderShipped {
    fn number(&self) -> &str {
        &self.number
    }
}

impl OrderEvent for OrderRefunded {
    fn number(&self) -> &str {
        &self.number
    }
}

/// Checks `payload` (received on `subject`) against the contracts and prepares it for SQS.
pub fn prepare(subject: &str, payload: &[u8]) -> Result<OutgoingEvent, Poison> {
    // Parsed here rather than by `RawEnvelope::parse`: the document itself is what is forwarded, fields this
    // version does not know included.
    let mut value: Value =
        serde_json::from_slice(payload).map_err(|err| DecodeError::NotJson(err.to_string()))?;
    let envelope = RawEnvelope::from_json(&value)?;
    let event_id = envelope.id;
    let (event_type, number) = if envelope.is::<OrderCreated>() {
        check::<OrderCreated>(subject, envelope)?
    } else if envelope.is::<OrderPaid>() {
        check::<OrderPaid>(subject, envelope)?
    } else if envelope.is::<OrderStatusChanged>() {
        check::<OrderStatusChanged>(subject, envelope)?
    } else if envelope.is::<OrderCancelled>() {
        check::<OrderCancelled>(subject, envelope)?
    } else if envelope.is::<OrderShipped>() {
        check::<OrderShipped>(subject, envelope)?
    } else if envelope.is::<OrderRefunded>() {
        check::<OrderRefunded>(subject, envelope)?
    } else {
        return Err(envelope.unknown(KNOWN_EVENTS).into());
    };
    strip_secrets(&mut value);
    Ok(OutgoingEvent {
        event_id,
        event_type: event_type.to_owned(),
        order_number: number,
        body: value.to_string(),
    })
}

/// Reads the envelope as an `E` and checks its order number and subject; returns the type and the number.
fn check<E: OrderEvent>(
    subject: &str,
    envelope: RawEnvelope,
) -> Result<(&'static str, String), Poison> {
    // The number first, on its own: a malformed one gets a reason that says so (decoding the whole event would
    // refuse it too, in a longer message).
    if let Some(number) = envelope.data.get("number").and_then(Value::as_str) {
        OrderNumber::parse(number).map_err(|reason| Poison::BadOrderNumber {
            number: quote(number),
            reason,
        })?;
    }
    let event = envelope.read::<E>()?.data;
    let number = event.number();
    // The event computes its own subject from its number, as the producer does when it publishes it.
    let expected = event.subject();
    if subject != expected {
        return Err(Poison::WrongSubject {
            event_type: E::TYPE,
            number: number.to_owned(),
            expected,
            subject: subject.to_owned(),
        });
    }
    Ok((E::TYPE, number.to_owned()))
}

/// `text` as an escaped Rust string literal, shortened: whatever it holds, the result is one printable line.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTED_NUMBER_CHARS) {
        Some((at, _)) => format!("{:?}...", &text[..at]),
        None => format!("{text:?}"),
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

    const ID: &str = "0190d6c4-2d2b-7f4e-9a55-1c6f3b0a0c11";

    fn envelope(event_type: &str, version: u16, data: Value) -> Value {
        json!({
            "id": ID,
            "type": event_type,
            "version": version,
            "occurred_at": "2026-11-21T10:00:00Z",
            "source": "checkout",
            "data": data,
            "added_later": {"kept": true},
        })
    }

    fn order_created(number: &str) -> Value {
        json!({
            "number": number, "email": "ana@example.com", "customer_name": "Ana",
            "lines": [{"sku": "BB-1", "name": "Kettle", "unit_price": "19.99", "quantity": 1, "line_total": "19.99"}],
            "subtotal": "19.99", "shipping": "4.99", "tax": "1.60", "total": "26.58", "currency": "USD",
            "shipping_method": "standard",
            "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "state": "paid", "created_at": "2026-11-21T10:00:00Z", "lookup_token": "s3cret",
        })
    }

    fn prepare_json(subject: &str, payload: &Value) -> Result<OutgoingEvent, Poison> {
        prepare(subject, payload.to_string().as_bytes())
    }

    #[test]
    fn the_lookup_token_never_leaves_the_host_and_unknown_fields_do() {
        let mut data = order_created("SH-7K3M9Q2X");
        data["lines"][0]["lookup_token"] = json!("x");
        data["gift_wrap"] = json!({"message": "added by a newer checkout"});
        let payload = envelope("OrderCreated", 1, data);
        let event = prepare_json("orders.SH-7K3M9Q2X.created", &payload).unwrap();
        assert!(!event.body.contains("lookup_token"), "{}", event.body);
        assert!(!event.body.contains("s3cret"), "{}", event.body);
        let body: Value = serde_json::from_str(&event.body).unwrap();
        assert_eq!(body["data"]["number"], "SH-7K3M9Q2X");
        assert_eq!(
            body["added_later"]["kept"], true,
            "unknown fields are forwarded"
        );
        assert_eq!(
            body["data"]["gift_wrap"]["message"],
            "added by a newer checkout"
        );
        assert_eq!(event.order_number, "SH-7K3M9Q2X");
        assert_eq!(event.event_type, "OrderCreated");
        assert_eq!(event.event_id.to_string(), ID);
    }

    #[test]
    fn every_order_event_of_a_known_version_is_forwarded_from_its_own_subject() {
        let events = [
            (
                "OrderPaid",
                "paid",
                json!({"number": "SH-1", "amount": "26.58", "currency": "USD", "provider": "mock",
                       "payment_reference": "pay_1", "paid_at": "2026-11-21T10:00:00Z"}),
            ),
            (
                "OrderStatusChanged",
                "status_changed",
                json!({"number": "SH-1", "from": "paid", "to": "shipped", "reason": null,
                       "changed_at": "2026-11-21T10:00:00Z"}),
            ),
            (
                "OrderCancelled",
                "cancelled",
                json!({"number": "SH-1", "reason": "asked", "cancelled_at": "2026-11-21T10:00:00Z"}),
            ),
        ];
        for (event_type, suffix, data) in events {
            let event = prepare_json(
                &format!("orders.SH-1.{suffix}"),
                &envelope(event_type, 1, data),
            )
            .unwrap_or_else(|poison| panic!("{event_type}: {poison}"));
            assert_eq!(event.event_type, event_type);
            assert_eq!(event.order_number, "SH-1");
        }
    }

    #[test]
    fn payloads_that_are_not_envelopes_are_poison() {
        assert!(matches!(
            prepare("orders.X.created", b"not json"),
            Err(Poison::Decode(DecodeError::NotJson(_)))
        ));
        assert!(matches!(
            prepare("orders.X.created", br#"{"hello": "world"}"#),
            Err(Poison::Decode(DecodeError::NotAnEnvelope(_)))
        ));
        let mut bad_id = envelope("OrderCreated", 1, order_created("X"));
        bad_id["id"] = json!("nope");
        assert!(matches!(
            prepare_json("orders.X.created", &bad_id),
            Err(Poison::Decode(DecodeError::NotAnEnvelope(_)))
        ));
    }

    #[test]
    fn unknown_types_and_versions_are_poison() {
        let unknown = prepare_json(
            "orders.SH-1.created",
            &envelope("OrderLost", 1, json!({"number": "SH-1"})),
        )
        .unwrap_err();
        assert!(
            matches!(unknown, Poison::Decode(DecodeError::Unknown { .. })),
            "{unknown}"
        );
        assert!(
            unknown.to_string().contains("OrderCreated version 1"),
            "{unknown}"
        );
        let newer = prepare_json(
            "orders.SH-1.created",
            &envelope("OrderCreated", 2, order_created("SH-1")),
        )
        .unwrap_err();
        assert_eq!(
            newer,
            Poison::Decode(DecodeError::Unknown {
                event_type: "OrderCreated".to_owned(),
                version: 2,
                known: KNOWN_EVENTS.to_vec(),
            })
        );
    }

    #[test]
    fn an_event_that_is_not_a_full_valid_payload_of_its_contract_is_poison() {
        // What the bridge forwarded before it checked: an envelope with little more than a number.
        let thin = prepare_json(
            "orders.SH-1.created",
            &envelope("OrderCreated", 1, json!({"number": "SH-1"})),
        )
        .unwrap_err();
        assert!(
            matches!(
                &thin,
                Poison::Decode(DecodeError::InvalidData { kind, .. })
                    if *kind == EventKind::of::<OrderCreated>()
            ),
            "{thin}"
        );
        assert!(thin.to_string().contains("missing field"), "{thin}");

        let mut wrong_type = order_created("SH-1");
        wrong_type["lines"][0]["quantity"] = json!("two");
        let err = prepare_json(
            "orders.SH-1.created",
            &envelope("OrderCreated", 1, wrong_type),
        )
        .unwrap_err();
        assert!(
            matches!(err, Poison::Decode(DecodeError::InvalidData { .. })),
            "{err}"
        );
    }

    #[test]
    fn order_numbers_with_control_characters_or_other_junk_are_poison() {
        for number in [
            "SH-1\r\nX-Injected: yes",
            "SH-1\n",
            "SH 1",
            "SH-1.created",
            "",
            "-SH1",
        ] {
            let payload = envelope("OrderCreated", 1, order_created(number));
            let err = prepare_json("orders.SH-1.created", &payload).unwrap_err();
            assert!(
                matches!(err, Poison::BadOrderNumber { .. }),
                "{number:?}: {err}"
            );
            let reason = err.to_string();
            assert!(
                !reason.chars().any(char::is_control),
                "the reason goes into a header: {reason:?}"
            );
        }
        let long = "A".repeat(100_000);
        let err = prepare_json(
            "orders.SH-1.created",
            &envelope("OrderCreated", 1, order_created(&long)),
        )
        .unwrap_err();
        assert!(
            err.to_string().len() < 300,
            "a huge number is not quoted whole"
        );
    }

    #[test]
    fn a_number_or_event_that_disagrees_with_the_subject_is_poison() {
        let payload = envelope("OrderCreated", 1, order_created("SH-1"));
        for subject in [
            "orders.SH-2.created",
            "orders.SH-1.paid",
            "orders.SH-1.created.again",
            "orders.sh-1.created",
            "elsewhere",
        ] {
            let err = prepare_json(subject, &payload).unwrap_err();
            assert!(
                matches!(err, Poison::WrongSubject { .. }),
                "{subject}: {err}"
            );
        }
        assert!(prepare_json("orders.SH-1.created", &payload).is_ok());
    }
}
