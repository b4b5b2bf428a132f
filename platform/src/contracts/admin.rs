//! The envelope of every admin command and reply, shared by the services that own the data the web admin
//! changes (`rpc.<service>.admin.*`). The admin never reads another service's schema: it sends a
//! [`Command`] and shows the [`AdminReply`].
//!
//! - Every write carries an idempotency key taken from the form the admin rendered: the owning service stores
//!   the reply under that key in the same transaction as the change, so a double-submitted form changes
//!   nothing twice and the second submit gets the first one's answer.
//! - Edits carry the version the admin saw; the owning service answers [`AdminReply::Conflict`] when the
//!   record changed since, instead of overwriting someone else's edit.
//! - [`Actor`] says who asked, for the owning service's own records (a stock adjustment's author). The admin
//!   writes its own audit log; the owning service never trusts the actor for authorisation (the admin's NATS
//!   user is what may call these subjects at all).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `<service>.admin.outbox` (`rpc.catalog.admin.outbox`, `rpc.checkout.admin.outbox`): how many of the
/// service's committed events its outbox relay has not yet published. No parameters (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxRequest {}

/// A service's outbox rows waiting for the relay to publish them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxBacklog {
    pub pending: u64,
    /// How long the oldest of them has waited, in whole seconds; absent when none waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_age_secs: Option<u64>,
}

/// The staff member an admin command comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub staff_id: u64,
    pub email: String,
}

/// A write from the admin: who, the idempotency key, and the command itself (its fields inline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command<T> {
    pub idempotency_key: Uuid,
    pub actor: Actor,
    #[serde(flatten)]
    pub body: T,
}

/// Why one field of a command was refused, in words for the form to show next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's path in the command, as the form names it: `name`, `variants[2].sku`.
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The body of every admin reply: `{"ok": ...}`, or a refusal the admin shows to the person who asked.
/// A failure of the service itself (its database is down) is a NATS service error, not one of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminReply<T> {
    Ok(T),
    /// The command is not valid: every bad field with its reason. Nothing was written.
    Invalid {
        errors: Vec<FieldError>,
    },
    /// The record changed since the admin read it (or a rule about its present state refuses the change,
    /// such as deleting a category that still holds products). Nothing was written.
    Conflict {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current_version: Option<u64>,
    },
    /// The record the command names does not exist.
    NotFound {
        what: String,
    },
}

impl<T> AdminReply<T> {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            errors: vec![FieldError::new(field, reason)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_carry_their_fields_inline() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Rename {
            id: u32,
            name: String,
        }
        let key = Uuid::nil();
        let command = Command {
            idempotency_key: key,
            actor: Actor {
                staff_id: 7,
                email: "ann@shop.test".to_owned(),
            },
            body: Rename {
                id: 3,
                name: "Phones".to_owned(),
            },
        };
        let wire = serde_json::to_value(&command).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({"idempotency_key": key, "actor": {"staff_id": 7, "email": "ann@shop.test"},
                "id": 3, "name": "Phones"})
        );
        assert_eq!(
            serde_json::from_value::<Command<Rename>>(wire).unwrap(),
            command
        );
    }

    #[test]
    fn replies_keep_their_wire_shape() {
        assert_eq!(
            serde_json::to_value(AdminReply::Ok(1)).unwrap(),
            serde_json::json!({"ok": 1})
        );
        assert_eq!(
            serde_json::to_value(AdminReply::<()>::invalid("price", "must not be negative"))
                .unwrap(),
            serde_json::json!({"invalid": {"errors": [{"field": "price", "reason": "must not be negative"}]}})
        );
        assert_eq!(
            serde_json::to_value(AdminReply::<()>::Conflict {
                reason: "changed by someone else".to_owned(),
                current_version: Some(4)
            })
            .unwrap(),
            serde_json::json!({"conflict": {"reason": "changed by someone else", "current_version": 4}})
        );
    }
}
