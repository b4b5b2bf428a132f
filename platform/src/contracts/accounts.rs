//! What the accounts service publishes (account events on the `ACCOUNTS` stream, emailed by the mailer) and
//! what it asks checkout (the customer's cart, orders and their claims, on `rpc.checkout.customers.*`).
//!
//! | subject                                             | event                       | email              |
//! |-----------------------------------------------------|-----------------------------|--------------------|
//! | `accounts.customers.<id>.registered`                | [`CustomerRegistered`]      | confirm the address|
//! | `accounts.customers.<id>.verification_requested`    | [`VerificationRequested`]   | confirm the address|
//! | `accounts.customers.<id>.sign_up_attempted`         | [`SignUpAttempted`]         | you have an account|
//! | `accounts.customers.<id>.verified`                  | [`CustomerVerified`]        | none               |
//! | `accounts.customers.<id>.password_reset_requested`  | [`PasswordResetRequested`]  | reset link         |
//! | `accounts.customers.<id>.password_changed`          | [`PasswordChanged`]         | it was changed     |
//! | `accounts.customers.<id>.deleted`                   | [`CustomerDeleted`]         | none               |
//!
//! The verification and reset events carry the link's secret: the stream is read only by the mailer's
//! durable consumer (NATS permissions), keeps events for [`ACCOUNTS_MAX_AGE_SECS`], and the link works once
//! and only until `expires_at` (the mailer does not send one that has expired). The accounts service stores
//! only the token's hash.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{contracts::Email, events::Event};

/// Filter for every account event.
pub const ACCOUNT_EVENTS: &str = "accounts.>";
/// How long the `ACCOUNTS` stream keeps an event: a day, longer than any link in one is valid.
pub const ACCOUNTS_MAX_AGE_SECS: u64 = 24 * 3600;

/// A customer id: a UUID the accounts service gives each account.
pub type CustomerId = uuid::Uuid;

macro_rules! customer_event {
    ($name:ident, $type:literal, $suffix:literal) => {
        impl Event for $name {
            const TYPE: &'static str = $type;
            const VERSION: u16 = 1;

            fn subject(&self) -> String {
                format!(concat!("accounts.customers.{}.", $suffix), self.customer_id)
            }
        }
    };
}

/// Someone signed up with an address no account had: confirm it with the link (`/account/verify#token=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRegistered {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: String,
    pub verify_token: String,
    pub expires_at: DateTime<Utc>,
}
customer_event!(CustomerRegistered, "CustomerRegistered", "registered");

/// A new confirmation link for an account whose address is not confirmed yet (signed up again, or tried to
/// sign in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRequested {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: String,
    pub verify_token: String,
    pub expires_at: DateTime<Utc>,
}
customer_event!(
    VerificationRequested,
    "VerificationRequested",
    "verification_requested"
);

/// Someone signed up with the address of a confirmed account: the owner is told, and offered sign-in and a
/// password reset. (The sign-up's answer is the same as for a new address: nobody learns which addresses
/// have accounts.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpAttempted {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: String,
}
customer_event!(SignUpAttempted, "SignUpAttempted", "sign_up_attempted");

/// The customer confirmed their address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerVerified {
    pub customer_id: CustomerId,
    pub email: Email,
}
customer_event!(CustomerVerified, "CustomerVerified", "verified");

/// A password reset link for the account (`/account/reset#token=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetRequested {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: String,
    pub reset_token: String,
    pub expires_at: DateTime<Utc>,
}
customer_event!(
    PasswordResetRequested,
    "PasswordResetRequested",
    "password_reset_requested"
);

/// How a password was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordChange {
    /// By its owner, signed in, with the old password.
    Changed,
    /// Through a reset link.
    Reset,
    #[serde(other)]
    Unknown,
}

/// The account's password changed and every other session ended: the owner is told, in case it was not them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChanged {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: String,
    pub how: PasswordChange,
}
customer_event!(PasswordChanged, "PasswordChanged", "password_changed");

/// The customer deleted their account: every service anonymises what it holds of them (checkout keeps the
/// orders for the books, without the personal fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDeleted {
    pub customer_id: CustomerId,
    pub email: Email,
}
customer_event!(CustomerDeleted, "CustomerDeleted", "deleted");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_events_are_published_under_the_customer() {
        let id = uuid::Uuid::nil();
        let event = PasswordResetRequested {
            customer_id: id,
            email: Email::parse("ann@shop.test").unwrap(),
            name: "Ann".into(),
            reset_token: "t".into(),
            expires_at: Utc::now(),
        };
        assert_eq!(
            event.subject(),
            format!("accounts.customers.{id}.password_reset_requested")
        );
        assert_eq!(
            CustomerDeleted {
                customer_id: id,
                email: event.email.clone()
            }
            .subject(),
            format!("accounts.customers.{id}.deleted")
        );
    }
}
