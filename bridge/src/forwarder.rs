//! The forwarder: order events from the durable consumer go to SQS in batches, and each JetStream message is
//! acked only after SQS accepted its event and the bridge recorded it.
//!
//! **Batching.** The shared [`ConsumerLoop`](platform::consumer::ConsumerLoop) hands over batches of up to
//! ten messages ([`batch::MAX_ENTRIES`], what one SendMessageBatch takes): the first awaited, the others gathered for
//! at most `BRIDGE_LINGER_MS`. Before the first, the forwarder finds its queue, retrying while SQS cannot
//! answer (the bridge stays up and ready meanwhile).
//!
//! **One batch**, in order:
//! 1. Each payload is checked against the order event contracts and its secrets are removed
//!    ([`crate::event`]). One that is not a known, valid order event with a well-formed order number on its
//!    own subject is dead-lettered (`DEADLETTER`, subject `deadletter.bridge.<subject>`, the reason in a
//!    header) and does not hold up the others. Two messages with the same event id in one batch become one
//!    SQS message.
//! 2. Event ids already in `forwarded_events` are acked without being sent again.
//! 3. The rest go out in SendMessageBatch requests ([`crate::batch`]). Every entry of every response is
//!    checked: accepted ones are recorded in `forwarded_events` and then acked; ones SQS failed are sent
//!    again, alone, after a capped exponential backoff; ones SQS rejects as the sender's fault (it will
//!    never take them) are dead-lettered. A request that fails as a whole (SQS down, throttled, the queue
//!    missing) is retried the same way, for as long as it takes: an outage means waiting, never loss. A
//!    request refused as a whole for its content (a message over the queue's size limit) is split into
//!    single entries, and only an entry refused on its own is dead-lettered.
//!
//! On a FIFO queue the events of one order stay in order within a request; an entry retried after a later
//! entry of the same order was accepted lands after it. The default filter (`OrderCreated` only, one per
//! order) never has two events of one order.
//!
//! While a batch is being worked on, the loop sends `AckKind::Progress` for every message not yet settled
//! every third of the ack wait, so JetStream does not redeliver it meanwhile, however long the outage. On
//! shutdown the forwarder stops retrying and the loop hands the messages not yet forwarded back, for another
//! replica to take at once.
//!
//! **The crash window.** SQS accepts a batch, then the bridge records the ids, then acks. A crash (or a lost
//! database) after SQS accepted and before the ids are recorded means JetStream redelivers the messages and
//! the bridge, finding no record, sends them again. A response lost on the way back from SQS has the same
//! effect. On a FIFO queue SQS drops the second copy itself (same deduplication id within 5 minutes); on a
//! standard queue, which is at-least-once anyway, consumers drop it by the `event_id` attribute. After the
//! record is written, a crash before the ack only causes a redelivery that is acked without sending. If the
//! record cannot be written before shutdown, the messages are acked anyway: the ack is what prevents the
//! redelivery the record would have caught.
//!
//! **Replicas** share the durable consumer `bridge`; JetStream hands each message to one replica at a time,
//! and the progress signals keep it there while that replica retries. A message reaches a second replica
//! only when the first stopped signalling for a whole ack wait (it died, or lost NATS). If the first one was
//! in fact still sending, both may send: on a FIFO queue SQS deduplicates; on a standard queue the copies
//! carry the same `event_id`. Both replicas then record the id: the primary key and `ON DUPLICATE KEY
//! UPDATE` make the second record a no-op rather than an error, so both ack and nothing loops. The same holds
//! for one event published twice as two JetStream messages (no `Nats-Msg-Id`) that land on two replicas.

use std::{collections::VecDeque, future::Future, time::Duration};

use platform::{
    backoff::Backoff,
    consumer::{BatchHandler, Delivery, Settle},
};
use sqlx::MySqlPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{
    batch,
    config::Config,
    db::{self, Forwarded},
    event::{self, OutgoingEvent},
    sqs::{Queue, SendError},
};

/// The first wait between two attempts; it doubles up to `BRIDGE_RETRY_MAX_MS`.
const FIRST_RETRY: Duration = Duration::from_millis(100);

/// Forwards batches of order events to SQS ([`BatchHandler`]).
pub struct Forwarder {
    db: MySqlPool,
    sqs: aws_sdk_sqs::Client,
    config: Config,
    /// Found by [`BatchHandler::prepare`], before the first batch.
    queue: Option<Queue>,
}

/// One distinct event of the batch and the messages (indexes into the batch) that carried it.
struct Pending {
    event: OutgoingEvent,
    deliveries: Vec<usize>,
}

impl Forwarder {
    pub fn new(db: MySqlPool, sqs: aws_sdk_sqs::Client, config: Config) -> Self {
        Self {
            db,
            sqs,
            config,
            queue: None,
        }
    }

    fn backoff(&self) -> Backoff {
        Backoff::new(
            FIRST_RETRY.min(self.config.retry_max),
            self.config.retry_max,
        )
    }
}

impl BatchHandler for Forwarder {
    /// Resolves the queue, retrying while SQS cannot answer (the bridge stays up and ready meanwhile).
    async fn prepare(&mut self, shutdown: &CancellationToken) -> bool {
        let mut backoff = self.backoff();
        let queue = loop {
            match Queue::resolve(
                self.sqs.clone(),
                &self.config.queue,
                self.config.create_queue,
            )
            .await
            {
                Ok(queue) => break queue,
                Err(err) => {
                    tracing::error!(
                        error = format!("{err:#}"),
                        "cannot find the SQS queue, retrying"
                    );
                    if !backoff.wait(shutdown).await {
                        return false;
                    }
                }
            }
        };
        tracing::info!(
            queue = %queue.url,
            fifo = queue.fifo,
            subjects = %self.config.subjects,
            "forwarding order events to SQS"
        );
        self.queue = Some(queue);
        true
    }

    async fn handle(&self, deliveries: &[Delivery], shutdown: &CancellationToken) {
        let Some(queue) = &self.queue else {
            // Not prepared: the loop never calls this then. The messages are handed back.
            return;
        };
        let redelivered = deliveries
            .iter()
            .filter(|delivery| delivery.delivered() > 1)
            .count();
        if redelivered > 0 {
            metrics::counter!("bridge_redeliveries_total", "queue" => queue.name.clone())
                .increment(redelivered as u64);
        }
        Batch {
            forwarder: self,
            queue,
            deliveries,
            shutdown,
        }
        .forward()
        .await;
    }
}

/// One batch being forwarded.
struct Batch<'a> {
    forwarder: &'a Forwarder,
    queue: &'a Queue,
    deliveries: &'a [Delivery],
    shutdown: &'a CancellationToken,
}

impl Batch<'_> {
    /// Forwards the batch; returns early on shutdown, leaving what was not forwarded unsettled.
    async fn forward(&self) {
        let mut events: Vec<Pending> = Vec::new();
        for (index, delivery) in self.deliveries.iter().enumerate() {
            match event::prepare(delivery.subject(), delivery.payload()) {
                Ok(event) => match events
                    .iter_mut()
                    .find(|pending| pending.event.event_id == event.event_id)
                {
                    Some(pending) => pending.deliveries.push(index),
                    None => events.push(Pending {
                        event,
                        deliveries: vec![index],
                    }),
                },
                // Never forwardable: the reason goes with the dead letter.
                Err(poison) => {
                    delivery
                        .settle(Settle::DeadLetter(poison.to_string()))
                        .await
                }
            }
        }
        if events.is_empty() {
            return;
        }

        let ids: Vec<Uuid> = events
            .iter()
            .map(|pending| pending.event.event_id)
            .collect();
        let (db, ids) = (&self.forwarder.db, &ids);
        let Some(recorded) = self
            .until_done("checking forwarded events", move || {
                db::already_forwarded(db, ids)
            })
            .await
        else {
            return;
        };
        let (done, todo): (Vec<Pending>, Vec<Pending>) = events
            .into_iter()
            .partition(|pending| recorded.contains(&pending.event.event_id));
        if !done.is_empty() {
            tracing::info!(events = done.len(), "acking events forwarded before");
            metrics::counter!("bridge_already_forwarded_total", "queue" => self.queue.name.clone())
                .increment(done.len() as u64);
        }
        for pending in &done {
            self.settle(pending, Settle::Ack).await;
        }
        if !todo.is_empty() {
            self.send(&todo).await;
        }
    }

    /// Sends `todo` until every event is accepted (or rejected for good), retrying only what failed.
    async fn send(&self, todo: &[Pending]) {
        let sizes: Vec<usize> = todo
            .iter()
            .map(|pending| pending.event.body.len())
            .collect();
        let mut requests: VecDeque<Vec<usize>> = batch::requests(&sizes).into();
        while let Some(mut sent) = requests.pop_front() {
            let mut backoff = self.forwarder.backoff();
            let mut failures = 0_u32;
            loop {
                let entries: Result<Vec<_>, _> = sent
                    .iter()
                    .map(|&index| batch::entry(index, &todo[index].event, self.queue.fifo))
                    .collect();
                let entries = match entries {
                    Ok(entries) => entries,
                    Err(err) => {
                        // Every required field is set above; this would be a bug, not a reason to loop.
                        let reason = format!("cannot build the SQS entry: {err}");
                        for &index in &sent {
                            self.settle(&todo[index], Settle::DeadLetter(reason.clone()))
                                .await;
                        }
                        break;
                    }
                };
                metrics::histogram!("bridge_batch_size", "queue" => self.queue.name.clone())
                    .record(entries.len() as f64);
                match self.queue.send(entries).await {
                    Ok(outcome) => {
                        report_sqs(self.queue, Sqs::Up);
                        let selection = batch::select(&sent, &outcome);
                        self.record_and_ack(todo, &selection.accepted).await;
                        count_failed(self.queue, "rejected", selection.rejected.len());
                        for (index, reason) in &selection.rejected {
                            let reason = format!("SQS rejected the message: {reason}");
                            self.settle(&todo[*index], Settle::DeadLetter(reason)).await;
                        }
                        if selection.retry.is_empty() {
                            if failures > 0 {
                                tracing::info!(attempts = failures + 1, "SQS accepted the batch");
                            }
                            break;
                        }
                        count_failed(self.queue, "retried", selection.retry.len());
                        failures += 1;
                        tracing::warn!(
                            failed = selection.retry.len(),
                            reason = %selection.retry[0].1,
                            attempt = failures,
                            "SQS failed some entries, retrying those"
                        );
                        sent = selection
                            .retry
                            .into_iter()
                            .map(|(index, _)| index)
                            .collect();
                    }
                    Err(SendError::Refused(err)) if sent.len() > 1 => {
                        // One entry spoils the request: send each alone, to forward the others.
                        tracing::warn!(error = %err, entries = sent.len(), "SQS refused the request, sending its entries one by one");
                        for index in sent.into_iter().rev() {
                            requests.push_front(vec![index]);
                        }
                        break;
                    }
                    Err(SendError::Refused(err)) => {
                        count_failed(self.queue, "rejected", 1);
                        let reason = format!("SQS refused the message: {err}");
                        self.settle(&todo[sent[0]], Settle::DeadLetter(reason))
                            .await;
                        break;
                    }
                    Err(SendError::Failed(err)) => {
                        report_sqs(self.queue, Sqs::Down);
                        count_failed(self.queue, "retried", sent.len());
                        failures += 1;
                        tracing::warn!(error = %err, entries = sent.len(), attempt = failures, "SendMessageBatch failed, retrying");
                    }
                }
                if !backoff.wait(self.shutdown).await {
                    tracing::info!(
                        "stopping: handing the events not yet forwarded back to JetStream"
                    );
                    return;
                }
            }
        }
    }

    /// Records the events SQS accepted, then acks their messages.
    async fn record_and_ack(&self, todo: &[Pending], accepted: &[(usize, String)]) {
        if accepted.is_empty() {
            return;
        }
        metrics::counter!("bridge_forwarded_total", "queue" => self.queue.name.clone())
            .increment(accepted.len() as u64);
        let rows: Vec<Forwarded<'_>> = accepted
            .iter()
            .map(|(index, message_id)| Forwarded {
                event_id: todo[*index].event.event_id,
                order_number: &todo[*index].event.order_number,
                sqs_message_id: message_id,
            })
            .collect();
        let (db, rows) = (&self.forwarder.db, &rows);
        if self
            .until_done("recording forwarded events", move || {
                db::record_forwarded(db, rows)
            })
            .await
            .is_none()
        {
            tracing::warn!(
                events = rows.len(),
                "stopping before the forwarded events were recorded: acking them anyway, which is what \
                 prevents the redelivery the record would have caught"
            );
        }
        for (index, _) in accepted {
            self.settle(&todo[*index], Settle::Ack).await;
        }
    }

    /// Runs `attempt` until it succeeds, with backoff; `None` when shutdown comes first.
    async fn until_done<T, E, F, Fut>(&self, what: &str, mut attempt: F) -> Option<T>
    where
        E: std::fmt::Display,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut backoff = self.forwarder.backoff();
        loop {
            match attempt().await {
                Ok(value) => return Some(value),
                Err(err) => {
                    tracing::warn!(error = %err, "{what} failed, retrying");
                    if !backoff.wait(self.shutdown).await {
                        return None;
                    }
                }
            }
        }
    }

    /// Settles every message that carried `pending`'s event.
    async fn settle(&self, pending: &Pending, settle: Settle) {
        for &index in &pending.deliveries {
            self.deliveries[index].settle(settle.clone()).await;
        }
    }
}

/// What the last SendMessageBatch said of SQS, for the `bridge_sqs_up` gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sqs {
    Up,
    Down,
}

fn report_sqs(queue: &Queue, sqs: Sqs) {
    let up = match sqs {
        Sqs::Up => 1.0,
        Sqs::Down => 0.0,
    };
    metrics::gauge!("bridge_sqs_up", "queue" => queue.name.clone()).set(up);
}

fn count_failed(queue: &Queue, outcome: &'static str, entries: usize) {
    if entries > 0 {
        metrics::counter!("bridge_failed_total", "queue" => queue.name.clone(), "outcome" => outcome)
            .increment(entries as u64);
    }
}
