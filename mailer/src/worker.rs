//! The consumer: reads order events from the durable JetStream consumer `mailer` on `orders.>` (shared by
//! every replica, so each event goes to one of them at a time), turns each one it writes about into a
//! [`Mail`] (`OrderCreated`: the confirmation; `OrderShipped`, `OrderCancelled`, `OrderRefunded`: the
//! shipping notice, the cancellation and the refund), renders it, sends it, and settles the message only
//! once the outcome is in the email log. Every kind of email has the same guarantees, below. Pulling, progress signals, settling and dead letters are
//! the shared [`ConsumerLoop`](platform::consumer::ConsumerLoop)'s; this module decides what each event
//! means, one message per handler, up to `MAIL_CONCURRENCY` handlers at once.
//!
//! # Never twice
//!
//! For each event, in this order:
//!
//! 1. The email gets a row in `email_log` keyed by the event id (`pending`), with what it is rendered from.
//!    A row already `sent` or `uncertain` means the work is done: the message is acked and nothing is sent.
//!    An order gets one email of each kind (a second event announcing the same confirmation, shipment or
//!    cancellation finds the first one's row and sends nothing), except refunds: one email per refund event.
//! 2. The email is rendered (on the blocking pool) and waits for its turn under the process's send rate.
//! 3. The row is claimed under a row lock: `sending`, one more attempt, committed *before* the provider is
//!    called. A concurrent duplicate (the same event published twice) finds it `sending` and comes back later.
//! 4. The provider is called. When it accepts, `sent` and its message id are written in one statement, and only
//!    after that commit is the message acked.
//!
//! If the process dies between step 3 and step 4's write, the row stays `sending` and the message is
//! redelivered after the ack wait. The redelivery finds the row abandoned (older than any send can take) and
//! asks the transport what became of the email ([`Transport::recover`]):
//!
//! - **The file transport knows.** An email is written under a temporary name, flushed, and renamed into
//!   place as `<order number>-<event id>.eml`; the rename is the delivery. If that file exists, the earlier
//!   attempt delivered it: the row is marked `sent` with the same provider id (the Message-ID) and nothing is
//!   written again. If it does not, nothing was delivered: a leftover partial file is removed and the email is
//!   sent now as a new attempt. So the file transport never leaves an `uncertain` row.
//! - **SES cannot tell**: the email may or may not have gone out. **Such an email is not sent again**: the
//!   redelivery marks the row `uncertain`, logs an error for an operator, and acks. The same happens when a
//!   send times out after the request may have reached SES. That is how "no email is ever sent twice" is
//!   kept: at the price of, rarely, an email an operator must check by hand (in the SES console or logs, by
//!   recipient and time) and, if it never left, send it again from the admin's email page (an explicit,
//!   audited resend: `rpc.mailer.admin.emails.resend`).
//!
//! Either decision is written only if the row is still as the redelivery found it (`sending`, same attempt
//! count), so of two redeliveries of one abandoned email only one acts on it; the other claims again.
//!
//! # Which events
//!
//! - The four above, in the version this mailer knows. The same type in a version it does not know, a payload
//!   that is not an envelope, one whose order number is not well formed (it goes into the subject header and
//!   the file name), or an order that cannot be mailed (no valid address), is dead-lettered at once
//!   (`deadletter.mailer.<subject>`, with the reason in a header).
//! - Each is read from its own subject (`orders.<number>.shipped` must hold an `OrderShipped`); another event
//!   there is dead-lettered. Any other order event (`OrderPaid`, `OrderStatusChanged`, whatever a newer
//!   checkout adds) says nothing the shopper is emailed about: acked and ignored, unread.
//! - An `OrderCancelled` written before checkout added the shopper's address goes to the address of the
//!   order's confirmation in the log; for an order the log has no confirmation of, it is acked with a log
//!   line (there is nobody to write to).
//!
//! # Failures
//!
//! - A send the provider rejects for good is `failed` and dead-lettered; it is not retried.
//! - A send the provider did not take (throttled, unreachable, a 5xx): the row is `retrying` with the error,
//!   and the message is nakked with the `MAIL_BACKOFF_SECS` delay for that delivery. On its last delivery
//!   (`MAIL_MAX_DELIVER`) it is *not* given up on: throttling or an outage says nothing about the email, and
//!   dead-lettering every order of a long SES outage would leave operators hundreds of replays. The handler
//!   keeps the message (reporting progress) and tries again at the backoff's last step until the provider
//!   takes it. Messages are pulled only for free handler slots, so once every slot holds one, the others wait
//!   in the stream with their deliveries untouched, and the lag shows in `consumer_pending`. A shutdown while
//!   holding it marks it `failed` and dead-letters it, since nothing would bring it back.
//! - A local failure (rendering, the database): `retrying` and a nak with the backoff delay; on the last
//!   delivery `failed` and dead-lettered.
//! - A message whose handler died on its last delivery is dead-lettered by
//!   [`platform::consumer::collect_max_deliveries`] from JetStream's `MAX_DELIVERIES` advisory; replaying it
//!   sends it if it was not sent.
//!
//! Retries use a nak delay (`MAIL_BACKOFF_SECS`), not the consumer's server-side `BackOff`, which would
//! redeliver any send slower than its first step while it still runs (see `platform::consumer`). The consumer
//! has a plain ack wait (`MAIL_ACK_WAIT_SECS`), longer than a send may take, and the loop reports progress every
//! third of it while a handler works.
//!
//! Longer than most files on purpose: most of it is the reason each failure is handled the way it is, beside the
//! code that handles it.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use platform::{
    backoff::Backoff,
    consumer::{ConsumerSpec, Delivery, Handler, Settle},
    contracts::{
        accounts::{
            ACCOUNT_EVENTS, CustomerRegistered, PasswordChanged, PasswordResetRequested,
            SignUpAttempted, VerificationRequested,
        },
        catalog::{
            ALERT_CONFIRM, ALERT_EVENTS, AlertConfirmReply, AlertConfirmRequest, BackInStock,
        },
        orders::{ALL_ORDER_EVENTS, OrderCancelled, OrderCreated, OrderRefunded, OrderShipped},
    },
    events::{Envelope, RawEnvelope},
    streams::{
        ACCOUNTS_STREAM, CATALOG_STREAM, MAILER_ACCOUNTS_CONSUMER, MAILER_ALERTS_CONSUMER,
        ORDERS_STREAM,
    },
};
use sqlx::MySqlPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{
    config::Config,
    email_log::{self, Claim, NewEmail, State},
    mail::{Account, Mail},
    mime::{Mailbox, OutgoingEmail},
    rate::TokenBucket,
    render::{self, Templates},
    transport::{Recovery, SendError, Transport},
};

/// The durable consumer's name, shared by every replica.
pub const DURABLE: &str = platform::streams::MAILER_CONSUMER;

/// How long recording `sent` may be retried after the provider accepted, before giving up on it.
const RECORD_SENT_BUDGET: Duration = Duration::from_secs(2);
/// Added to the send timeout and [`RECORD_SENT_BUDGET`]: a `sending` row older than all three together has
/// no live handler.
const IN_FLIGHT_SLACK: Duration = Duration::from_secs(2);

/// The durable consumer the mailer reads from.
pub fn consumer_spec(config: &Config) -> ConsumerSpec {
    ConsumerSpec {
        stream: ORDERS_STREAM.to_owned(),
        durable: DURABLE.to_owned(),
        // Every order event: those the mailer writes no email about are acked at once. A consumer created by an
        // older mailer (on `orders.*.created`) is updated to this filter when the mailer starts.
        filter_subject: ALL_ORDER_EVENTS.to_owned(),
        max_deliver: config.max_deliver,
        // Retries are timed by nak delays (see the module docs).
        backoff: Vec::new(),
        ack_wait: config.ack_wait,
        max_ack_pending: 1000,
    }
}

/// The durable consumer of back-in-stock alerts, shared by every replica like the orders' one.
pub fn alerts_consumer_spec(config: &Config) -> ConsumerSpec {
    ConsumerSpec {
        stream: CATALOG_STREAM.to_owned(),
        durable: MAILER_ALERTS_CONSUMER.to_owned(),
        filter_subject: ALERT_EVENTS.to_owned(),
        ..consumer_spec(config)
    }
}

/// The durable consumer of account events (the accounts service's emails), shared by every replica.
pub fn accounts_consumer_spec(config: &Config) -> ConsumerSpec {
    ConsumerSpec {
        stream: ACCOUNTS_STREAM.to_owned(),
        durable: MAILER_ACCOUNTS_CONSUMER.to_owned(),
        filter_subject: ACCOUNT_EVENTS.to_owned(),
        ..consumer_spec(config)
    }
}

/// How long the catalog may take to confirm an alert before the message is tried again later.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);

/// What became of an abandoned email.
enum Recovered {
    /// Never delivered, and now claimed again by this handler: send it as attempt `attempt`.
    SendAgain { attempt: u32 },
    /// Handled (recorded as sent or uncertain): settle the message so.
    Settled(Settle),
    /// The row changed meanwhile (another handler took it): claim again.
    Changed,
}

/// Handles order events, one message per call ([`Handler`]).
#[derive(Debug, Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: MySqlPool,
    templates: Templates,
    transport: Transport,
    limiter: TokenBucket,
    config: Config,
    shop_name: String,
    /// For the catalog's confirmation of back-in-stock alerts.
    nats: async_nats::Client,
}

impl Worker {
    pub fn new(
        db: MySqlPool,
        templates: Templates,
        transport: Transport,
        config: Config,
        nats: async_nats::Client,
    ) -> Self {
        let shop_name = config
            .from
            .name
            .clone()
            .unwrap_or_else(|| "Shop".to_owned());
        Self {
            inner: Arc::new(Inner {
                db,
                templates,
                transport,
                limiter: TokenBucket::new(config.rate_per_sec),
                config,
                shop_name,
                nats,
            }),
        }
    }

    /// The email `event` asks for, if any: for a later email of an order, with what the order's confirmation
    /// told the mailer.
    async fn mail_for(&self, event: OrderEvent) -> anyhow::Result<Option<(Uuid, Mail)>> {
        let db = &self.inner.db;
        Ok(match event {
            OrderEvent::Created(envelope) => Some((
                envelope.id,
                Mail::OrderConfirmation {
                    order: envelope.data,
                },
            )),
            OrderEvent::Shipped(envelope) => {
                let confirmation = email_log::confirmation_of(db, &envelope.data.number).await?;
                Some((envelope.id, Mail::shipped(envelope.data, confirmation)))
            }
            OrderEvent::Refunded(envelope) => {
                let confirmation = email_log::confirmation_of(db, &envelope.data.number).await?;
                Some((envelope.id, Mail::refunded(envelope.data, confirmation)))
            }
            OrderEvent::Cancelled(envelope) => {
                let confirmation = email_log::confirmation_of(db, &envelope.data.number).await?;
                let number = envelope.data.number.clone();
                match Mail::cancelled(envelope.data, confirmation) {
                    Some(mail) => Some((envelope.id, mail)),
                    None => {
                        tracing::warn!(event = %envelope.id, order = %number, "a cancellation without an address, for an order whose confirmation is not in the email log: nobody to tell, not sending");
                        None
                    }
                }
            }
            OrderEvent::BackInStock(envelope) => self.alert(envelope).await?,
            OrderEvent::Account { id, mail } => {
                // A link past its expiry would only disappoint: the shopper asks for a new one.
                match mail.link_expires_at() {
                    Some(expires_at)
                        if expires_at <= chrono::Utc::now()
                            && email_log::find(db, id).await?.is_none() =>
                    {
                        tracing::info!(event = %id, kind = mail.kind().as_str(), "an account email whose link has expired; not sending it");
                        None
                    }
                    _ => Some((id, *mail)),
                }
            }
            OrderEvent::Other { subject } => {
                tracing::debug!(subject, "an order event the mailer writes no email about");
                None
            }
        })
    }

    /// The alert email of `envelope`, unless the catalog withdraws it. Asked only while nothing was logged for
    /// the event: once its email is in the log, it is this event's to finish (or already done), whatever the
    /// stock does. Sold out again (the catalog puts the request back to wait for the next restock), unsubscribed
    /// or superseded: no email, the message is acked.
    async fn alert(&self, envelope: Envelope<BackInStock>) -> anyhow::Result<Option<(Uuid, Mail)>> {
        let inner = &*self.inner;
        if email_log::find(&inner.db, envelope.id).await?.is_none() {
            let request = AlertConfirmRequest {
                alert_id: envelope.data.alert_id,
                event_id: envelope.id,
            };
            let reply: AlertConfirmReply =
                platform::rpc::call(&inner.nats, ALERT_CONFIRM, &request, CONFIRM_TIMEOUT)
                    .await
                    .context("asking the catalog to confirm a back-in-stock alert")?;
            if let AlertConfirmReply::Withdrawn { reason } = reply {
                tracing::info!(event = %envelope.id, alert = envelope.data.alert_id, ?reason, "a back-in-stock alert was withdrawn; not sending it");
                return Ok(None);
            }
        }
        Ok(Some((envelope.id, Mail::back_in_stock(envelope.data))))
    }

    async fn deliver(
        &self,
        event_id: Uuid,
        mail: &Mail,
        delivered: i64,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Settle> {
        let inner = &*self.inner;
        let number = mail.number();
        let kind = mail.kind().as_str();
        let logged = email_log::find_or_create(
            &inner.db,
            &NewEmail {
                event_id,
                mail,
                transport: inner.transport.name(),
            },
        )
        .await?;
        let Some(email) = logged else {
            tracing::warn!(event = %event_id, order = %number, kind, "this order's email of this kind belongs to another event; not sending a second one");
            return Ok(Settle::Ack);
        };
        if matches!(email.state, State::Sent | State::Uncertain) {
            tracing::info!(event = %event_id, order = %number, kind, state = email.state.as_str(), "already handled");
            return Ok(Settle::Ack);
        }

        let outgoing = match self.outgoing(event_id, mail).await {
            Ok(outgoing) => outgoing,
            Err(Unsendable::Address(reason)) => {
                email_log::note_unsent(&inner.db, email.id, State::Failed, &reason).await?;
                metrics::counter!("mailer_emails_failed_total").increment(1);
                tracing::warn!(event = %event_id, order = %number, kind, reason, "dead-lettering an email that cannot be mailed");
                return Ok(Settle::DeadLetter(reason));
            }
            Err(Unsendable::Rendering(error)) => {
                tracing::error!(error, event = %event_id, kind, "cannot render the email");
                return self.not_sent(email.id, delivered, &error).await;
            }
        };
        let window = inner.config.send_timeout + RECORD_SENT_BUDGET + IN_FLIGHT_SLACK;
        // The row as found, for the first claim: taken by one update while it is still so.
        let mut seen = Some(email);
        loop {
            inner.limiter.acquire().await;
            let claimed = email_log::claim(
                &inner.db,
                event_id,
                seen.take().as_ref(),
                window,
                inner.transport.name(),
            )
            .await?;
            let (id, attempt) = match claimed {
                Claim::Claimed { id, attempt } => (id, attempt),
                Claim::Done(_) | Claim::Missing => return Ok(Settle::Ack),
                Claim::InFlight(remaining) => {
                    tracing::info!(event = %event_id, "another handler is sending this email; looking again later");
                    return Ok(Settle::Nak(remaining));
                }
                Claim::Abandoned { id, attempts } => {
                    match self.recover(id, attempts, &outgoing).await? {
                        Recovered::SendAgain { attempt } => (id, attempt),
                        Recovered::Settled(settle) => return Ok(settle),
                        Recovered::Changed => continue,
                    }
                }
            };
            let error = match inner.transport.send(&outgoing).await {
                Ok(provider_id) => {
                    return Ok(self
                        .record_sent(id, event_id, number, attempt, &provider_id)
                        .await);
                }
                Err(SendError::Retry(error)) => error,
                Err(SendError::Reject(error)) => {
                    email_log::finish_attempt(&inner.db, id, State::Failed, &error).await?;
                    metrics::counter!("mailer_emails_failed_total").increment(1);
                    tracing::warn!(error, event = %event_id, order = %number, "the provider rejected the email; dead-lettering");
                    return Ok(Settle::DeadLetter(format!(
                        "rejected by {}: {error}",
                        inner.transport.name()
                    )));
                }
                Err(SendError::Uncertain(error)) => {
                    let note = format!("may have been sent, not retried: {error}");
                    email_log::finish_attempt(&inner.db, id, State::Uncertain, &note).await?;
                    metrics::counter!("mailer_emails_uncertain_total").increment(1);
                    tracing::error!(
                        error,
                        email_log_id = id,
                        event = %event_id,
                        order = %number,
                        "OPERATOR: no answer from the provider after the email may have reached it; it is not sent \
                         again. Check the provider for it and, if it never left, send it again from the admin's \
                         email page"
                    );
                    return Ok(Settle::Ack);
                }
            };
            email_log::finish_attempt(&inner.db, id, State::Retrying, &error).await?;
            metrics::counter!("mailer_emails_retried_total").increment(1);
            if delivered < inner.config.max_deliver {
                tracing::warn!(error, event = %event_id, attempt, "the provider did not take the email, will retry");
                return Ok(Settle::Nak(inner.config.retry_delay(delivered)));
            }
            // The last delivery. The provider throttling us or being down says nothing about this email, so it
            // is not given up on: it stays in hand and is tried again at the backoff's last step until the
            // provider takes it (or the process stops, when JetStream dead-letters it as out of deliveries).
            let wait = inner.config.retry_delay(delivered);
            tracing::warn!(error, event = %event_id, attempt, ?wait, "the provider did not take the email on its last delivery; holding it and trying again");
            if !pause(shutdown, wait).await {
                // Stopping: with no deliveries left, nothing would bring this message back, so it goes to the
                // dead letters, to be replayed once the provider takes emails again.
                let reason = format!(
                    "the provider had not taken it when the mailer stopped, after {delivered} deliveries: {error}"
                );
                email_log::note_unsent(&inner.db, id, State::Failed, &reason).await?;
                metrics::counter!("mailer_emails_failed_total").increment(1);
                return Ok(Settle::DeadLetter(reason));
            }
        }
    }

    /// Decides what to do with an email left `sending` by a handler that stopped, by what the transport knows:
    /// delivered (`sent`), never delivered (sent now, as a new attempt), or unknowable (`uncertain`).
    async fn recover(
        &self,
        id: u64,
        attempts: u32,
        email: &OutgoingEmail,
    ) -> anyhow::Result<Recovered> {
        let inner = &*self.inner;
        let recovery = inner
            .transport
            .recover(email)
            .await
            .context("finding out whether an abandoned email was delivered")?;
        match recovery {
            Recovery::Delivered(provider_id) => {
                tracing::info!(event = %email.event_id, order = %email.order_number, "an email left `sending` by a handler that stopped was delivered; recording it");
                Ok(Recovered::Settled(
                    self.record_sent(
                        id,
                        email.event_id,
                        &email.order_number,
                        attempts,
                        &provider_id,
                    )
                    .await,
                ))
            }
            Recovery::NotDelivered => {
                match email_log::reclaim(&inner.db, id, attempts, inner.transport.name()).await? {
                    Some(attempt) => {
                        tracing::info!(event = %email.event_id, order = %email.order_number, attempt, "an email left `sending` by a handler that stopped was never delivered; sending it");
                        Ok(Recovered::SendAgain { attempt })
                    }
                    None => Ok(Recovered::Changed),
                }
            }
            Recovery::Unknown => {
                if !email_log::mark_uncertain(&inner.db, id, attempts).await? {
                    return Ok(Recovered::Changed);
                }
                metrics::counter!("mailer_emails_uncertain_total").increment(1);
                tracing::error!(
                    email_log_id = id,
                    event = %email.event_id,
                    order = %email.order_number,
                    attempts,
                    "OPERATOR: an email was left `sending` by a handler that stopped; it may have been sent and \
                     is not sent again. Check the provider for it and, if it never left, send it again from the \
                     admin's email page"
                );
                Ok(Recovered::Settled(Settle::Ack))
            }
        }
    }

    /// The email of `mail` as it is sent: addressed, rendered (on the blocking pool), with the Message-ID every
    /// attempt of this event's email shares.
    pub(crate) async fn outgoing(
        &self,
        event_id: Uuid,
        mail: &Mail,
    ) -> Result<OutgoingEmail, Unsendable> {
        let inner = &*self.inner;
        let (name, address) = mail.recipient();
        let to = Mailbox::new(name, address)
            .map_err(|err| Unsendable::Address(format!("cannot be mailed: {err}")))?;
        let rendered = self
            .render(mail.clone())
            .await
            .map_err(|err| Unsendable::Rendering(format!("rendering: {err:#}")))?;
        Ok(OutgoingEmail {
            from: inner.config.from.clone(),
            to,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: format!("{event_id}@{}", inner.config.from.domain()),
            date: chrono::Utc::now(),
            order_number: mail.number().clone(),
            event_id,
            kind: mail.kind(),
        })
    }

    /// Renders `mail` on the blocking pool.
    async fn render(&self, mail: Mail) -> anyhow::Result<render::Rendered> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            inner
                .templates
                .render(&mail, &inner.shop_name, &inner.config.public_base_url)
        })
        .await?
    }

    /// After the provider accepted: `sent` in the log, then ack. If even that cannot be written, the message is
    /// left to come back after the ack wait, when the row (still `sending`) is marked `uncertain`.
    async fn record_sent(
        &self,
        id: u64,
        event_id: Uuid,
        number: &str,
        attempt: u32,
        provider_id: &str,
    ) -> Settle {
        let deadline = tokio::time::Instant::now() + RECORD_SENT_BUDGET;
        let mut backoff = Backoff::new(Duration::from_millis(100), RECORD_SENT_BUDGET);
        loop {
            let result = email_log::mark_sent(&self.inner.db, id, provider_id).await;
            let pause = backoff.next_delay();
            match result {
                Ok(()) => break,
                Err(err) if tokio::time::Instant::now() + pause < deadline => {
                    tracing::warn!(error = %err, event = %event_id, "recording a sent email failed, retrying");
                    tokio::time::sleep(pause).await;
                }
                Err(err) => {
                    tracing::error!(
                        error = %err,
                        email_log_id = id,
                        event = %event_id,
                        provider_message_id = provider_id,
                        "OPERATOR: an email was sent but could not be recorded; it will be marked uncertain and not \
                         sent again"
                    );
                    return Settle::Leave;
                }
            }
        }
        metrics::counter!("mailer_emails_sent_total").increment(1);
        tracing::info!(event = %event_id, order = number, attempt, provider_message_id = provider_id, transport = self.inner.transport.name(), "email sent");
        Settle::Ack
    }

    pub(crate) fn db(&self) -> &MySqlPool {
        &self.inner.db
    }

    pub(crate) fn transport_name(&self) -> &'static str {
        self.inner.transport.name()
    }

    /// Sends an email already claimed as attempt `attempt` (an operator's resend: there is no message to come
    /// back, so it is tried once), under the process's send rate, and records how it ended: `sent`,
    /// `uncertain`, or `failed` with the error (also when the provider only asked us to wait: nothing will
    /// try it again by itself). Returns the state and the error.
    pub(crate) async fn send_once(
        &self,
        id: u64,
        attempt: u32,
        email: &OutgoingEmail,
    ) -> (State, Option<String>) {
        let inner = &*self.inner;
        inner.limiter.acquire().await;
        let (state, error) = match inner.transport.send(email).await {
            Ok(provider_id) => {
                return match self
                    .record_sent(
                        id,
                        email.event_id,
                        &email.order_number,
                        attempt,
                        &provider_id,
                    )
                    .await
                {
                    Settle::Ack => (State::Sent, None),
                    _ => (
                        State::Sending,
                        Some("sent, but the log could not record it".to_owned()),
                    ),
                };
            }
            Err(SendError::Retry(error)) => (
                State::Failed,
                format!("the provider did not take it (send it again later): {error}"),
            ),
            Err(SendError::Reject(error)) => (State::Failed, format!("rejected: {error}")),
            Err(SendError::Uncertain(error)) => (
                State::Uncertain,
                format!("may have been sent, not retried: {error}"),
            ),
        };
        let counter = match state {
            State::Uncertain => "mailer_emails_uncertain_total",
            _ => "mailer_emails_failed_total",
        };
        metrics::counter!(counter).increment(1);
        tracing::warn!(
            error,
            email_log_id = id,
            attempt,
            state = state.as_str(),
            "an email sent again by an operator did not go through"
        );
        if let Err(err) = email_log::finish_attempt(&inner.db, id, state, &error).await {
            tracing::error!(error = %err, email_log_id = id, "OPERATOR: the outcome of a resend could not be recorded; the email stays `sending`");
        }
        (state, Some(error))
    }

    /// Nothing was sent because of a local failure before the provider was called (rendering): `retrying` and
    /// a nak with the backoff delay, or on the last delivery `failed` and a dead letter.
    async fn not_sent(&self, id: u64, delivered: i64, error: &str) -> anyhow::Result<Settle> {
        let inner = &*self.inner;
        if delivered >= inner.config.max_deliver {
            let reason = format!("gave up after {delivered} deliveries: {error}");
            email_log::note_unsent(&inner.db, id, State::Failed, &reason).await?;
            metrics::counter!("mailer_emails_failed_total").increment(1);
            return Ok(Settle::DeadLetter(reason));
        }
        email_log::note_unsent(&inner.db, id, State::Retrying, error).await?;
        metrics::counter!("mailer_emails_retried_total").increment(1);
        Ok(Settle::Nak(inner.config.retry_delay(delivered)))
    }
}

impl Handler for Worker {
    async fn handle(&self, message: &Delivery, shutdown: &CancellationToken) -> Settle {
        let event = match parse(message.subject(), message.payload()) {
            Ok(event) => event,
            Err(reason) => return Settle::DeadLetter(reason),
        };
        let delivered = message.delivered();
        let id = event.id();
        let outcome = async {
            match self.mail_for(event).await? {
                Some((event_id, mail)) => self.deliver(event_id, &mail, delivered, shutdown).await,
                None => Ok(Settle::Ack),
            }
        };
        match outcome.await {
            Ok(settle) => settle,
            Err(err) => {
                // The database (or something else local) failed: nothing is known to have been sent.
                tracing::warn!(error = format!("{err:#}"), event = ?id, "handling an order event failed, will retry");
                Settle::Nak(self.inner.config.retry_delay(delivered))
            }
        }
    }
}

/// Why an email cannot be sent as it is.
#[derive(Debug)]
pub(crate) enum Unsendable {
    /// Its address cannot carry an email: it never will be.
    Address(String),
    /// Its templates failed (a local fault, which a fix of the templates cures).
    Rendering(String),
}

/// An event of the `ORDERS` stream, as the mailer reads it.
#[derive(Debug)]
enum OrderEvent {
    Created(Envelope<OrderCreated>),
    Shipped(Envelope<OrderShipped>),
    Cancelled(Envelope<OrderCancelled>),
    Refunded(Envelope<OrderRefunded>),
    /// A back-in-stock alert (from the `CATALOG` stream).
    BackInStock(Envelope<BackInStock>),
    /// An account email (from the `ACCOUNTS` stream), already read into its mail.
    Account {
        id: Uuid,
        mail: Box<Mail>,
    },
    /// An order event the mailer writes no email about (not read).
    Other {
        subject: String,
    },
}

impl OrderEvent {
    fn id(&self) -> Option<Uuid> {
        match self {
            Self::Created(envelope) => Some(envelope.id),
            Self::Shipped(envelope) => Some(envelope.id),
            Self::Cancelled(envelope) => Some(envelope.id),
            Self::Refunded(envelope) => Some(envelope.id),
            Self::BackInStock(envelope) => Some(envelope.id),
            Self::Account { id, .. } => Some(*id),
            Self::Other { .. } => None,
        }
    }
}

/// Sleeps `how_long` unless `shutdown` comes first; says whether it slept the whole time.
async fn pause(shutdown: &CancellationToken, how_long: Duration) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => false,
        () = tokio::time::sleep(how_long) => true,
    }
}

/// The event on `subject`, if it is one this mailer can read; otherwise why not (the dead letter's reason).
///
/// The subject says which event it must be (`orders.<number>.shipped` holds an `OrderShipped`): on the four
/// subjects the mailer writes about, anything else (another type, an unknown version, no envelope at all) is
/// refused. The other subjects (`paid`, `status_changed`, whatever a newer checkout adds) are not read.
fn parse(subject: &str, payload: &[u8]) -> Result<OrderEvent, String> {
    let event_name = subject.rsplit('.').next().unwrap_or_default();
    let read = || RawEnvelope::parse(payload).map_err(|err| err.to_string());
    // Reading checks the type and version, then the order number (it goes into the subject header and the
    // file transport's file name) and the address (a recipient), as their contract types refuse malformed ones.
    if subject.starts_with("accounts.") {
        return parse_account(event_name, subject, payload);
    }
    let event = match event_name {
        "back_in_stock" if subject.starts_with("catalog.alerts.") => {
            read()?.read().map(OrderEvent::BackInStock)
        }
        "created" => read()?.read().map(OrderEvent::Created),
        "shipped" => read()?.read().map(OrderEvent::Shipped),
        "cancelled" => read()?.read().map(OrderEvent::Cancelled),
        "refunded" => read()?.read().map(OrderEvent::Refunded),
        _ => {
            return Ok(OrderEvent::Other {
                subject: subject.to_owned(),
            });
        }
    };
    event.map_err(|err| err.to_string())
}

/// An account event on `subject` as the email it asks for; the events that ask for none are not read.
fn parse_account(event_name: &str, subject: &str, payload: &[u8]) -> Result<OrderEvent, String> {
    let read = || RawEnvelope::parse(payload).map_err(|err| err.to_string());
    let account = |id, email, name| Account::new(id, email, name);
    let (id, mail) = match event_name {
        "registered" | "verification_requested" => {
            let welcome = event_name == "registered";
            let (id, at, (customer_id, email, name, token, expires_at)) = if welcome {
                let envelope: Envelope<CustomerRegistered> =
                    read()?.read().map_err(|err| err.to_string())?;
                let data = envelope.data;
                (
                    envelope.id,
                    envelope.occurred_at,
                    (
                        data.customer_id,
                        data.email,
                        data.name,
                        data.verify_token,
                        data.expires_at,
                    ),
                )
            } else {
                let envelope: Envelope<VerificationRequested> =
                    read()?.read().map_err(|err| err.to_string())?;
                let data = envelope.data;
                (
                    envelope.id,
                    envelope.occurred_at,
                    (
                        data.customer_id,
                        data.email,
                        data.name,
                        data.verify_token,
                        data.expires_at,
                    ),
                )
            };
            (
                id,
                Mail::AccountVerify {
                    account: account(customer_id, email, name),
                    token,
                    expires_at,
                    welcome,
                    requested_at: at,
                },
            )
        }
        "sign_up_attempted" => {
            let envelope: Envelope<SignUpAttempted> =
                read()?.read().map_err(|err| err.to_string())?;
            let data = envelope.data;
            (
                envelope.id,
                Mail::AccountExists {
                    account: account(data.customer_id, data.email, data.name),
                    requested_at: envelope.occurred_at,
                },
            )
        }
        "password_reset_requested" => {
            let envelope: Envelope<PasswordResetRequested> =
                read()?.read().map_err(|err| err.to_string())?;
            let data = envelope.data;
            (
                envelope.id,
                Mail::PasswordReset {
                    account: account(data.customer_id, data.email, data.name),
                    token: data.reset_token,
                    expires_at: data.expires_at,
                    requested_at: envelope.occurred_at,
                },
            )
        }
        "password_changed" => {
            let envelope: Envelope<PasswordChanged> =
                read()?.read().map_err(|err| err.to_string())?;
            let data = envelope.data;
            (
                envelope.id,
                Mail::PasswordChanged {
                    account: account(data.customer_id, data.email, data.name),
                    how: data.how,
                    changed_at: envelope.occurred_at,
                },
            )
        }
        _ => {
            return Ok(OrderEvent::Other {
                subject: subject.to_owned(),
            });
        }
    };
    Ok(OrderEvent::Account {
        id,
        mail: Box::new(mail),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(data: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "id": Uuid::now_v7(), "type": "OrderCreated", "version": 1,
            "occurred_at": "2026-11-21T10:00:00Z", "source": "checkout", "data": data
        }))
        .unwrap()
    }

    fn order() -> serde_json::Value {
        json!({
            "number": "SH-ABC123", "email": "ana@example.com", "customer_name": "Ana",
            "lines": [{"sku": "A-1", "name": "Thing", "unit_price": "1.50", "quantity": 2, "line_total": "3.00"}],
            "subtotal": "3.00", "shipping": "4.99", "tax": "0.24", "total": "8.23", "currency": "USD",
            "shipping_method": "standard",
            "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "state": "paid", "created_at": "2026-11-21T10:00:00Z", "lookup_token": "tok"
        })
    }

    #[test]
    fn account_events_become_their_emails_and_the_others_are_not_read() {
        let id = Uuid::now_v7();
        let envelope = |event_type: &str, data: serde_json::Value| {
            serde_json::to_vec(&json!({
                "id": Uuid::now_v7(), "type": event_type, "version": 1,
                "occurred_at": "2026-12-01T10:00:00Z", "source": "accounts", "data": data,
            }))
            .unwrap()
        };
        let registered = envelope(
            "CustomerRegistered",
            json!({"customer_id": id, "email": "ann@example.com", "name": "Ann", "verify_token": "t",
                   "expires_at": "2026-12-02T10:00:00Z"}),
        );
        let subject = format!("accounts.customers.{id}.registered");
        let Ok(OrderEvent::Account { mail, .. }) = parse(&subject, &registered) else {
            panic!("a registration is an email");
        };
        assert!(matches!(*mail, Mail::AccountVerify { welcome: true, .. }));
        assert_eq!(mail.number().as_str(), format!("AC-{id}"));
        // The wrong event on the subject is refused; events without an email are not read.
        assert!(
            parse(
                &format!("accounts.customers.{id}.password_changed"),
                &registered
            )
            .is_err()
        );
        assert!(matches!(
            parse(&format!("accounts.customers.{id}.deleted"), b"anything"),
            Ok(OrderEvent::Other { .. })
        ));
    }

    #[test]
    fn order_events_parse_others_are_ignored_and_anything_else_says_why_not() {
        assert!(parse("orders.SH-ABC123.created", &event(order())).is_ok());
        assert!(
            parse("orders.SH-ABC123.created", b"not json")
                .unwrap_err()
                .starts_with("not an event envelope")
        );
        let mut other = serde_json::from_slice::<serde_json::Value>(&event(order())).unwrap();
        other["type"] = json!("OrderPaid");
        assert!(
            parse(
                "orders.SH-ABC123.created",
                &serde_json::to_vec(&other).unwrap()
            )
            .unwrap_err()
            .starts_with("unknown event \"OrderPaid\" version 1")
        );
        assert!(matches!(
            parse(
                "orders.SH-ABC123.paid",
                &serde_json::to_vec(&other).unwrap()
            ),
            Ok(OrderEvent::Other { .. })
        ));
        assert!(matches!(
            parse("orders.SH-ABC123.status_changed", b"not json"),
            Ok(OrderEvent::Other { .. })
        ));
        let mut newer = serde_json::from_slice::<serde_json::Value>(&event(order())).unwrap();
        newer["version"] = json!(2);
        assert!(
            parse(
                "orders.SH-ABC123.created",
                &serde_json::to_vec(&newer).unwrap()
            )
            .unwrap_err()
            .starts_with("unknown event \"OrderCreated\" version 2")
        );
        let mut broken = order();
        broken["total"] = json!("a lot");
        assert!(
            parse("orders.SH-ABC123.created", &event(broken))
                .unwrap_err()
                .starts_with("not a valid OrderCreated version 1")
        );
        let mut sneaky = order();
        sneaky["number"] = json!("SH-1\r\nBcc: x@evil.example");
        assert!(parse("orders.SH-ABC123.created", &event(sneaky)).is_err());
    }
}
