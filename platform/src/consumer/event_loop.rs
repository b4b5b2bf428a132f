//! The consumer loop: one way for every service to pull, keep alive, settle and dead-letter.
//!
//! A service says *what* a message means with a [`Handler`] (one message at a time, several at once) or a
//! [`BatchHandler`] (a batch at a time); the [`ConsumerLoop`] does the rest, the same way for all of them:
//!
//! 1. **Start.** It creates (or takes) the durable consumer, waiting while the stream's publisher has not
//!    created the stream yet ([`super::wait_for_consumer`]); from then on it publishes the backlog as
//!    `consumer_pending{consumer}` and, when the consumer has a delivery limit, dead-letters what used it up
//!    ([`super::collect_max_deliveries`]). Then the handler's `prepare` waits for whatever the handler needs
//!    (a queue, an index), so the lag shows while a dependency is down at start-up.
//! 2. **Pull.** Messages are pulled only for a free handler slot, never ahead: a message waiting unhandled in
//!    a client buffer would use up its ack wait there and be redelivered. An idle pull waits for a first
//!    message; a second pull then gathers more for at most the linger (none waited for when it is zero). Both
//!    pulls expire on the server, so nothing delivered to this process is ever without an owner: every message
//!    it holds is in a batch being worked on. A failed pull (the server refusing it, NATS away) is retried
//!    after a [`Backoff`], reset by the next pull that works.
//! 3. **Keep alive.** While a handler works, every message of its batch not settled yet gets
//!    `AckKind::Progress` every third of the ack wait, so JetStream does not hand it to another replica
//!    however long the work takes (an outage the handler waits out). A message reaches a second replica only
//!    when its holder stopped signalling for a whole ack wait: it died, or lost NATS.
//! 4. **Settle.** Each message is settled once, as the handler decided ([`Settle`]): acked; nakked with a
//!    delay (redelivered after it); dead-lettered (copied to `DEADLETTER` with the reason, then terminated:
//!    never delivered again); or left alone (redelivered after the ack wait). A dead letter that cannot be
//!    written is nakked instead, so the message comes back and is dead-lettered then. A batch handler may
//!    settle messages as soon as it knows (the bridge acks what SQS accepted while it retries the rest);
//!    whatever it left unsettled when it returns is handed back for redelivery.
//! 5. **Stop.** On shutdown no more messages are pulled; the handlers in hand finish (they see the same
//!    shutdown signal and decide what it means for their messages), then the loop returns.
//!
//! Redelivery timing is the handlers' (nak delays), never the consumer's server-side `BackOff`: with a
//! `BackOff`, nats-server replaces the ack wait with its first step, so work slower than that would be
//! redelivered while still running, and it lengthens delayed naks by the step of the delivery.
//!
//! One file on purpose, over the usual length: pulling, keeping unsettled messages alive and settling share the
//! loop's state, and splitting them would scatter the reasons each step is safe.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_nats::jetstream::{self, AckKind, consumer::PullConsumer};
use futures::StreamExt as _;
use tokio::sync::Semaphore;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use super::{ConsumerSpec, collect_max_deliveries, dead_letter, report_lag, wait_for_consumer};
use crate::backoff::Backoff;

/// How long an idle pull waits for a first message before the loop asks again.
const IDLE_PULL: Duration = Duration::from_secs(5);
/// How often the backlog is published as `consumer_pending`.
const LAG_EVERY: Duration = Duration::from_secs(5);
/// The first and the longest wait after a failed pull.
const PULL_RETRY_FIRST: Duration = Duration::from_millis(200);
const PULL_RETRY_MAX: Duration = Duration::from_secs(10);
/// When a dead letter cannot be written, the message comes back after this long to try again.
const DEAD_LETTER_RETRY: Duration = Duration::from_secs(5);
/// The shortest interval between progress signals, whatever the ack wait.
const MIN_PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What to tell JetStream about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// Done: never delivered again.
    Ack,
    /// Not now: delivered again after this delay (at once when it is zero). Counts as a delivery.
    Nak(Duration),
    /// Never: copied to the dead letters with this reason (one line, in the `Shop-Dead-Letter-Reason`
    /// header), then terminated.
    DeadLetter(String),
    /// Say nothing: JetStream delivers it again once the ack wait has passed without a progress signal.
    Leave,
}

/// A message being worked on, and whether it was settled yet.
#[derive(Debug)]
pub struct Delivery {
    message: jetstream::Message,
    jetstream: jetstream::Context,
    settled: AtomicBool,
}

impl Delivery {
    fn new(message: jetstream::Message, jetstream: jetstream::Context) -> Self {
        Self {
            message,
            jetstream,
            settled: AtomicBool::new(false),
        }
    }

    pub fn subject(&self) -> &str {
        self.message.subject.as_str()
    }

    pub fn payload(&self) -> &[u8] {
        &self.message.payload
    }

    /// Which delivery of the message this is: 1 the first time.
    pub fn delivered(&self) -> i64 {
        self.message.info().map_or(1, |info| info.delivered)
    }

    pub fn is_settled(&self) -> bool {
        self.settled.load(Ordering::Acquire)
    }

    /// Tells JetStream what became of the message. The first decision counts; later ones are ignored. A
    /// settlement that does not reach the server is logged: the message then comes back after the ack wait,
    /// which every handler must be ready for anyway.
    pub async fn settle(&self, settle: Settle) {
        if self.settled.swap(true, Ordering::AcqRel) {
            return;
        }
        let outcome = match settle {
            Settle::Ack => self.message.ack().await,
            Settle::Nak(delay) => self.nak(delay).await,
            Settle::DeadLetter(reason) => {
                // (The header is made one line by `dead_letter`; the log field escapes it.)
                tracing::warn!(subject = self.subject(), reason, "dead-lettering a message");
                match dead_letter(&self.jetstream, &self.message, &reason).await {
                    Ok(()) => Ok(()),
                    Err(err) => {
                        tracing::error!(
                            error = format!("{err:#}"),
                            subject = self.subject(),
                            "cannot dead-letter a message; it comes back to be dead-lettered again"
                        );
                        self.nak(DEAD_LETTER_RETRY).await
                    }
                }
            }
            Settle::Leave => Ok(()),
        };
        if let Err(err) = outcome {
            tracing::warn!(error = %err, subject = self.subject(), "cannot settle a message; it comes back after the ack wait");
        }
    }

    async fn nak(&self, delay: Duration) -> Result<(), async_nats::Error> {
        let delay = (!delay.is_zero()).then_some(delay);
        self.message.ack_with(AckKind::Nak(delay)).await
    }
}

/// Handles messages one at a time each (several handlers may run at once).
pub trait Handler: Send + Sync + 'static {
    /// Waits for what the handler needs before the first message is pulled; false stops the loop (shutdown).
    fn prepare(&mut self, _shutdown: &CancellationToken) -> impl Future<Output = bool> + Send {
        async { true }
    }

    /// Works on one message and decides how it is settled. `shutdown` says the process is stopping: the
    /// handler decides what that means for the message in hand.
    fn handle(
        &self,
        message: &Delivery,
        shutdown: &CancellationToken,
    ) -> impl Future<Output = Settle> + Send;
}

/// Handles a batch of messages at a time.
pub trait BatchHandler: Send + Sync + 'static {
    /// Waits for what the handler needs before the first message is pulled; false stops the loop (shutdown).
    fn prepare(&mut self, _shutdown: &CancellationToken) -> impl Future<Output = bool> + Send {
        async { true }
    }

    /// Works on one batch, settling each message ([`Delivery::settle`]) as soon as its fate is known. Those
    /// left unsettled on return are handed back for redelivery.
    fn handle(
        &self,
        batch: &[Delivery],
        shutdown: &CancellationToken,
    ) -> impl Future<Output = ()> + Send;
}

/// A [`Handler`] run on batches of one.
struct Each<H>(H);

impl<H: Handler> BatchHandler for Each<H> {
    async fn prepare(&mut self, shutdown: &CancellationToken) -> bool {
        self.0.prepare(shutdown).await
    }

    async fn handle(&self, batch: &[Delivery], shutdown: &CancellationToken) {
        for delivery in batch {
            let settle = self.0.handle(delivery, shutdown).await;
            delivery.settle(settle).await;
        }
    }
}

/// How messages are pulled: at most `batch` per handler call, `slots` handler calls at once.
#[derive(Debug, Clone, Copy)]
struct Pulls {
    batch: usize,
    linger: Duration,
    slots: usize,
}

/// One durable consumer and the loop that feeds its handler; see the [module docs](self).
#[derive(Debug)]
pub struct ConsumerLoop {
    nats: async_nats::Client,
    jetstream: jetstream::Context,
    spec: ConsumerSpec,
    shutdown: CancellationToken,
}

impl ConsumerLoop {
    /// The loop for the consumer `spec`, over `nats` (the service's own connection: its NATS user is allowed
    /// this consumer and its dead letters), until `shutdown`.
    pub fn new(nats: async_nats::Client, spec: ConsumerSpec, shutdown: CancellationToken) -> Self {
        Self {
            jetstream: jetstream::new(nats.clone()),
            nats,
            spec,
            shutdown,
        }
    }

    /// Hands messages one by one to `handler`, up to `concurrency` at a time; returns after shutdown, once the
    /// handlers in hand finished.
    pub async fn each<H: Handler>(self, concurrency: usize, handler: H) {
        let pulls = Pulls {
            batch: 1,
            linger: Duration::ZERO,
            slots: concurrency.max(1),
        };
        self.run(pulls, Each(handler)).await;
    }

    /// Hands batches of up to `max` messages to `handler`, one batch at a time: the first message awaited,
    /// the others gathered for at most `linger`. Returns after shutdown, once the batch in hand is finished.
    pub async fn batches<H: BatchHandler>(self, max: usize, linger: Duration, handler: H) {
        let pulls = Pulls {
            batch: max.max(1),
            linger,
            slots: 1,
        };
        self.run(pulls, handler).await;
    }

    async fn run<H: BatchHandler>(self, pulls: Pulls, mut handler: H) {
        let Some(consumer) = wait_for_consumer(&self.jetstream, &self.spec, &self.shutdown).await
        else {
            return;
        };
        let lag = report_lag(
            consumer.clone(),
            self.spec.durable.clone(),
            LAG_EVERY,
            self.shutdown.clone(),
        );
        let given_up = async {
            // An unbounded consumer never gives up on a message, so no advisory ever comes.
            if self.spec.max_deliver > 0 {
                collect_max_deliveries(
                    self.nats.clone(),
                    self.jetstream.clone(),
                    self.spec.stream.clone(),
                    self.spec.durable.clone(),
                    self.shutdown.clone(),
                )
                .await;
            }
        };
        let work = async {
            if handler.prepare(&self.shutdown).await {
                self.pull_and_handle(&consumer, pulls, Arc::new(handler))
                    .await;
            }
        };
        tokio::join!(lag, given_up, work);
    }

    async fn pull_and_handle<H: BatchHandler>(
        &self,
        consumer: &PullConsumer,
        pulls: Pulls,
        handler: Arc<H>,
    ) {
        let progress_every = (self.spec.ack_wait / 3).max(MIN_PROGRESS_EVERY);
        let slots = Arc::new(Semaphore::new(pulls.slots));
        let handlers = TaskTracker::new();
        let mut backoff = Backoff::new(PULL_RETRY_FIRST, PULL_RETRY_MAX);
        loop {
            let first = tokio::select! {
                () = self.shutdown.cancelled() => break,
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let mut permits = vec![first];
            while let Ok(permit) = slots.clone().try_acquire_owned() {
                permits.push(permit);
            }
            let max = permits.len() * pulls.batch;
            let messages = match next_batch(consumer, max, pulls.linger, &self.shutdown).await {
                Ok(None) => break,
                Ok(Some(messages)) => {
                    backoff.reset();
                    messages
                }
                Err(err) => {
                    tracing::warn!(error = format!("{err:#}"), consumer = %self.spec.durable, "cannot pull messages, retrying");
                    drop(permits);
                    if !backoff.wait(&self.shutdown).await {
                        break;
                    }
                    continue;
                }
            };
            let mut messages = messages.into_iter();
            // One batch per free slot; the slots left over are free again at once.
            for permit in permits {
                let batch: Vec<Delivery> = messages
                    .by_ref()
                    .take(pulls.batch)
                    .map(|message| Delivery::new(message, self.jetstream.clone()))
                    .collect();
                if batch.is_empty() {
                    break;
                }
                let (handler, shutdown) = (handler.clone(), self.shutdown.clone());
                handlers.spawn(async move {
                    handle_batch(&*handler, &batch, progress_every, &shutdown).await;
                    drop(permit);
                });
            }
        }
        handlers.close();
        handlers.wait().await;
    }
}

/// Runs `handler` on `batch`, keeping its unsettled messages alive meanwhile; hands back what it left.
async fn handle_batch<H: BatchHandler>(
    handler: &H,
    batch: &[Delivery],
    progress_every: Duration,
    shutdown: &CancellationToken,
) {
    keep_alive(batch, progress_every, handler.handle(batch, shutdown)).await;
    for delivery in batch {
        // A no-op for every message the handler settled.
        delivery.settle(Settle::Nak(Duration::ZERO)).await;
    }
}

/// Runs `work`, sending `AckKind::Progress` every `every` for each message of `batch` not settled at that
/// moment.
async fn keep_alive<F: Future>(batch: &[Delivery], every: Duration, work: F) -> F::Output {
    let mut work = std::pin::pin!(work);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            output = &mut work => return output,
            _ = ticks.tick() => {
                for delivery in batch.iter().filter(|delivery| !delivery.is_settled()) {
                    if let Err(err) = delivery.message.ack_with(AckKind::Progress).await {
                        tracing::warn!(error = %err, subject = delivery.subject(), "cannot signal progress on a message");
                    }
                }
            }
        }
    }
}

/// The next batch of at most `max` messages from `consumer`: the first one awaited, the others gathered for at
/// most `linger` (none waited for when it is zero). `None` on shutdown; an empty batch when the idle pull
/// expired.
async fn next_batch(
    consumer: &PullConsumer,
    max: usize,
    linger: Duration,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<Vec<jetstream::Message>>> {
    if shutdown.is_cancelled() {
        return Ok(None);
    }
    let mut idle = consumer
        .batch()
        .max_messages(1)
        .expires(IDLE_PULL)
        .messages()
        .await?;
    let first = tokio::select! {
        () = shutdown.cancelled() => return Ok(None),
        first = idle.next() => match first {
            Some(first) => first.map_err(|err| anyhow::anyhow!("{err}"))?,
            None => return Ok(Some(Vec::new())),
        },
    };
    let mut messages = vec![first];
    let more = max.saturating_sub(1);
    if more == 0 {
        return Ok(Some(messages));
    }
    let pulled = if linger.is_zero() {
        consumer.fetch().max_messages(more).messages().await
    } else {
        consumer
            .batch()
            .max_messages(more)
            .expires(linger)
            .messages()
            .await
    };
    match pulled {
        Ok(mut pulled) => {
            while let Some(message) = pulled.next().await {
                match message {
                    Ok(message) => messages.push(message),
                    Err(err) => {
                        tracing::warn!(error = %err, "pulling more messages for the batch");
                        break;
                    }
                }
            }
        }
        // The message in hand is worked on alone.
        Err(err) => tracing::warn!(error = %err, "pulling more messages for the batch"),
    }
    Ok(Some(messages))
}
