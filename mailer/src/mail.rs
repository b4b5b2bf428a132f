//! What the mailer tells a shopper, one [`Mail`] per event it writes about: the confirmation
//! (`OrderCreated`), the shipping notice (`OrderShipped`), the cancellation (`OrderCancelled`), each refund
//! (`OrderRefunded`), a back-in-stock alert (the catalog's `BackInStock`, referenced as `SA-<alert id>`
//! where an order email has its order number), and the account emails of the accounts service (referenced as
//! `AC-<customer id>`, one email per event): confirm your address, you already have an account, reset your
//! password, your password was changed. Pure values, no I/O: the worker builds one from an event (and, for the later emails,
//! from what the order's confirmation told the mailer), the email log stores it as the email's `content`,
//! and [`crate::render`] turns it into a subject, a text part and an HTML part.
//!
//! # The order link in later emails
//!
//! Only `OrderCreated` carries the order's lookup token, the secret of the order page link
//! (`/orders/<number>?token=...`). The shipping, cancellation and refund emails carry the same link when the
//! mailer logged the order's confirmation: the token is read from that email's stored content. The
//! trade-off, chosen on purpose: the mailer's schema keeps each order's token (inside `email_log.content`)
//! for as long as it keeps the email (`EMAIL_LOG_RETENTION_DAYS`), so anyone who can read that schema or its
//! backups can open those order pages — which show what the stored content already holds (name, address,
//! lines), and the stored confirmation is needed anyway for a resend. And every email of an order, not just
//! the first, is a bearer link to its page: forwarding any of them shares the page. Without a confirmation
//! logged (an order older than the log) the later email has no link; it never asks checkout for one.

use chrono::{DateTime, Utc};
use platform::contracts::{
    Email, OrderNumber,
    accounts::{CustomerId, PasswordChange},
    catalog::BackInStock,
    orders::{OrderCancelled, OrderCreated, OrderRefunded, OrderShipped},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds of email, as the email log names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    OrderConfirmation,
    OrderShipped,
    OrderCancelled,
    OrderRefunded,
    BackInStock,
    AccountVerify,
    AccountExists,
    PasswordReset,
    PasswordChanged,
}

impl Kind {
    pub const ALL: [Self; 9] = [
        Self::OrderConfirmation,
        Self::OrderShipped,
        Self::OrderCancelled,
        Self::OrderRefunded,
        Self::BackInStock,
        Self::AccountVerify,
        Self::AccountExists,
        Self::PasswordReset,
        Self::PasswordChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderConfirmation => "order_confirmation",
            Self::OrderShipped => "order_shipped",
            Self::OrderCancelled => "order_cancelled",
            Self::OrderRefunded => "order_refunded",
            Self::BackInStock => "back_in_stock",
            Self::AccountVerify => "account_verify",
            Self::AccountExists => "account_exists",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// Whether an order (or an account) gets several emails of this kind (one per event) rather than one.
    pub fn repeats(self) -> bool {
        matches!(
            self,
            Self::OrderRefunded
                | Self::AccountVerify
                | Self::AccountExists
                | Self::PasswordReset
                | Self::PasswordChanged
        )
    }

    /// Whether its content holds a link's secret, dropped from the log once the email is sent.
    pub fn holds_a_secret(self) -> bool {
        matches!(self, Self::AccountVerify | Self::PasswordReset)
    }
}

/// The owner of an account, as an account email addresses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: String,
    /// `AC-<customer id>`: what the email log keys an account's emails by.
    pub reference: OrderNumber,
}

impl Account {
    pub fn new(customer_id: CustomerId, email: Email, name: String) -> Self {
        let reference = OrderNumber::parse(&format!("AC-{customer_id}"))
            .expect("AC- and a UUID is a well-formed reference");
        Self {
            customer_id,
            email,
            name,
            reference,
        }
    }
}

/// What an order's confirmation told the mailer that a later email of the order reuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub email: Email,
    pub customer_name: String,
    pub lookup_token: Option<String>,
}

/// One email, as it is rendered and stored (`email_log.content`, tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mail {
    OrderConfirmation {
        order: OrderCreated,
    },
    OrderShipped {
        shipment: OrderShipped,
        /// From the order's confirmation, for the order link.
        lookup_token: Option<String>,
    },
    OrderCancelled {
        cancellation: OrderCancelled,
        /// The event's, or (for an event written before checkout added it) the confirmation's.
        email: Email,
        customer_name: String,
        lookup_token: Option<String>,
    },
    OrderRefunded {
        refund: OrderRefunded,
        lookup_token: Option<String>,
    },
    BackInStock {
        alert: BackInStock,
        /// `SA-<alert id>`: what the email log keys it by (one email per request) in place of an order number.
        reference: OrderNumber,
    },
    /// Confirm your address (`/account/verify#token=`), after a sign-up (`welcome`) or on request.
    AccountVerify {
        account: Account,
        token: String,
        expires_at: DateTime<Utc>,
        welcome: bool,
        requested_at: DateTime<Utc>,
    },
    /// Someone signed up with the address of your account.
    AccountExists {
        account: Account,
        requested_at: DateTime<Utc>,
    },
    /// Reset your password (`/account/reset#token=`).
    PasswordReset {
        account: Account,
        token: String,
        expires_at: DateTime<Utc>,
        requested_at: DateTime<Utc>,
    },
    /// Your password was changed.
    PasswordChanged {
        account: Account,
        how: PasswordChange,
        changed_at: DateTime<Utc>,
    },
}

impl Mail {
    pub fn kind(&self) -> Kind {
        match self {
            Self::OrderConfirmation { .. } => Kind::OrderConfirmation,
            Self::OrderShipped { .. } => Kind::OrderShipped,
            Self::OrderCancelled { .. } => Kind::OrderCancelled,
            Self::OrderRefunded { .. } => Kind::OrderRefunded,
            Self::BackInStock { .. } => Kind::BackInStock,
            Self::AccountVerify { .. } => Kind::AccountVerify,
            Self::AccountExists { .. } => Kind::AccountExists,
            Self::PasswordReset { .. } => Kind::PasswordReset,
            Self::PasswordChanged { .. } => Kind::PasswordChanged,
        }
    }

    pub fn number(&self) -> &OrderNumber {
        match self {
            Self::OrderConfirmation { order } => &order.number,
            Self::OrderShipped { shipment, .. } => &shipment.number,
            Self::OrderCancelled { cancellation, .. } => &cancellation.number,
            Self::OrderRefunded { refund, .. } => &refund.number,
            Self::BackInStock { reference, .. } => reference,
            Self::AccountVerify { account, .. }
            | Self::AccountExists { account, .. }
            | Self::PasswordReset { account, .. }
            | Self::PasswordChanged { account, .. } => &account.reference,
        }
    }

    /// Who it goes to: the display name and the address.
    pub fn recipient(&self) -> (&str, &Email) {
        match self {
            Self::OrderConfirmation { order } => (&order.customer_name, &order.email),
            Self::OrderShipped { shipment, .. } => (&shipment.customer_name, &shipment.email),
            Self::OrderCancelled {
                email,
                customer_name,
                ..
            } => (customer_name, email),
            Self::OrderRefunded { refund, .. } => (&refund.customer_name, &refund.email),
            // The shopper left only an address.
            Self::BackInStock { alert, .. } => ("", &alert.email),
            Self::AccountVerify { account, .. }
            | Self::AccountExists { account, .. }
            | Self::PasswordReset { account, .. }
            | Self::PasswordChanged { account, .. } => (&account.name, &account.email),
        }
    }

    /// The secret of the order page link, when the mailer knows it.
    pub fn lookup_token(&self) -> Option<&str> {
        match self {
            Self::OrderConfirmation { order } => order.lookup_token.as_deref(),
            Self::OrderShipped { lookup_token, .. }
            | Self::OrderCancelled { lookup_token, .. }
            | Self::OrderRefunded { lookup_token, .. } => lookup_token.as_deref(),
            Self::BackInStock { .. }
            | Self::AccountVerify { .. }
            | Self::AccountExists { .. }
            | Self::PasswordReset { .. }
            | Self::PasswordChanged { .. } => None,
        }
    }

    /// What tells this email apart from the order's other emails of its kind (see `email_log.repeat_key`):
    /// nothing for the kinds an order gets once, the event for refunds.
    pub fn repeat_key(&self, event_id: Uuid) -> String {
        if self.kind().repeats() {
            event_id.to_string()
        } else {
            String::new()
        }
    }

    /// The subject line.
    pub fn subject(&self) -> String {
        let number = self.number();
        match self {
            Self::OrderConfirmation { .. } => format!("Your order {number} is confirmed"),
            Self::OrderShipped { .. } => format!("Your order {number} has shipped"),
            Self::OrderCancelled { .. } => format!("Your order {number} has been cancelled"),
            Self::OrderRefunded { refund, .. } if refund.full => {
                format!("Your order {number} has been refunded")
            }
            Self::OrderRefunded { .. } => format!("A refund for your order {number}"),
            Self::BackInStock { alert, .. } => format!("Back in stock: {}", alert.product_name),
            Self::AccountVerify { welcome: true, .. } => "Confirm your email address".to_owned(),
            Self::AccountVerify { .. } => "Your new link to confirm your email address".to_owned(),
            Self::AccountExists { .. } => "You already have an account".to_owned(),
            Self::PasswordReset { .. } => "Reset your password".to_owned(),
            Self::PasswordChanged { .. } => "Your password was changed".to_owned(),
        }
    }

    /// When what the email tells happened.
    pub fn happened_at(&self) -> DateTime<Utc> {
        match self {
            Self::OrderConfirmation { order } => order.created_at,
            Self::OrderShipped { shipment, .. } => shipment.shipped_at,
            Self::OrderCancelled { cancellation, .. } => cancellation.cancelled_at,
            Self::OrderRefunded { refund, .. } => refund.refunded_at,
            Self::BackInStock { alert, .. } => alert.requested_at,
            Self::AccountVerify { requested_at, .. }
            | Self::AccountExists { requested_at, .. }
            | Self::PasswordReset { requested_at, .. } => *requested_at,
            Self::PasswordChanged { changed_at, .. } => *changed_at,
        }
    }

    /// When the link in it stops working, for the emails that carry one.
    pub fn link_expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::AccountVerify { expires_at, .. } | Self::PasswordReset { expires_at, .. } => {
                Some(*expires_at)
            }
            _ => None,
        }
    }

    /// The alert email of `alert`.
    pub fn back_in_stock(alert: BackInStock) -> Self {
        let reference = OrderNumber::parse(&format!("SA-{}", alert.alert_id))
            .expect("SA- and digits is a well-formed reference");
        Self::BackInStock { alert, reference }
    }

    /// The shipping notice of `shipment`, with the order link when the order's confirmation is known.
    pub fn shipped(shipment: OrderShipped, confirmation: Option<Confirmation>) -> Self {
        Self::OrderShipped {
            shipment,
            lookup_token: confirmation.and_then(|c| c.lookup_token),
        }
    }

    /// The refund email of `refund`, with the order link when the order's confirmation is known.
    pub fn refunded(refund: OrderRefunded, confirmation: Option<Confirmation>) -> Self {
        Self::OrderRefunded {
            refund,
            lookup_token: confirmation.and_then(|c| c.lookup_token),
        }
    }

    /// The cancellation email, to the address in the event or else the confirmation's; `None` when neither
    /// says who to tell (an event written before checkout added the address, for an order the mailer never
    /// confirmed).
    pub fn cancelled(
        cancellation: OrderCancelled,
        confirmation: Option<Confirmation>,
    ) -> Option<Self> {
        let lookup_token = confirmation.as_ref().and_then(|c| c.lookup_token.clone());
        let (email, customer_name) = match (&cancellation.email, confirmation) {
            (Some(email), confirmation) => {
                let name = cancellation
                    .customer_name
                    .clone()
                    .or_else(|| confirmation.map(|c| c.customer_name))
                    .unwrap_or_default();
                (email.clone(), name)
            }
            (None, Some(confirmation)) => (confirmation.email, confirmation.customer_name),
            (None, None) => return None,
        };
        Some(Self::OrderCancelled {
            cancellation,
            email,
            customer_name,
            lookup_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cancellation(email: Option<&str>) -> OrderCancelled {
        OrderCancelled {
            number: OrderNumber::parse("SH-1").unwrap(),
            reason: None,
            cancelled_at: Utc::now(),
            email: email.map(|e| Email::parse(e).unwrap()),
            customer_name: email.map(|_| "Bea".to_owned()),
        }
    }

    fn confirmation() -> Confirmation {
        Confirmation {
            email: Email::parse("ana@example.com").unwrap(),
            customer_name: "Ana".to_owned(),
            lookup_token: Some("tok".to_owned()),
        }
    }

    #[test]
    fn a_cancellation_goes_to_the_events_address_else_the_confirmations_else_nowhere() {
        let mail =
            Mail::cancelled(cancellation(Some("bea@example.com")), Some(confirmation())).unwrap();
        assert_eq!(mail.recipient().0, "Bea");
        assert_eq!(mail.recipient().1.as_str(), "bea@example.com");
        assert_eq!(mail.lookup_token(), Some("tok"));
        let old = Mail::cancelled(cancellation(None), Some(confirmation())).unwrap();
        assert_eq!(
            (old.recipient().0, old.recipient().1.as_str()),
            ("Ana", "ana@example.com")
        );
        assert_eq!(Mail::cancelled(cancellation(None), None), None);
    }

    #[test]
    fn kinds_round_trip_and_only_refunds_and_account_emails_repeat() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            let of_account =
                kind.as_str().starts_with("account_") || kind.as_str().starts_with("password_");
            assert_eq!(
                kind.repeats(),
                kind == Kind::OrderRefunded || of_account,
                "{kind:?}"
            );
            assert_eq!(
                kind.holds_a_secret(),
                matches!(kind, Kind::AccountVerify | Kind::PasswordReset)
            );
        }
        assert_eq!(Kind::parse("newsletter"), None);
    }

    #[test]
    fn stored_content_reads_back_as_the_same_mail() {
        let mail = Mail::cancelled(cancellation(None), Some(confirmation())).unwrap();
        let json = serde_json::to_value(&mail).unwrap();
        assert_eq!(json["kind"], "order_cancelled");
        assert_eq!(serde_json::from_value::<Mail>(json).unwrap(), mail);
    }
}
