-- The email log: one row per email the mailer was asked to send, keyed by the event that asked for it.
--
-- The row is the mailer's idempotency record: `sending` is written (and `attempts` counted) before the
-- provider is called, `sent` with the provider's message id in one statement right after it accepted, and the
-- JetStream message is acked only once that is committed. A row left in `sending` by a process that died
-- mid-send is never sent again: the next delivery marks it `uncertain` for an operator (see src/worker.rs).
--
-- states: pending   -> recorded, nothing tried yet
--         sending   -> the provider is being called (or the process died while it was)
--         sent      -> the provider accepted it; provider_message_id says under which id
--         retrying  -> the last attempt failed in a way worth retrying (throttled, provider down)
--         failed    -> rejected for good, or out of deliveries; the event is in the DEADLETTER stream
--         uncertain -> the provider may have accepted it; not retried, so never sent twice
CREATE TABLE email_log (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    event_id            CHAR(36)        NOT NULL,
    kind                VARCHAR(40)     NOT NULL,
    order_number        VARCHAR(64)     NOT NULL,
    recipient           VARCHAR(320)    NOT NULL,
    subject             VARCHAR(500)    NOT NULL,
    transport           VARCHAR(16)     NOT NULL,
    state               VARCHAR(16)     NOT NULL DEFAULT 'pending',
    attempts            INT UNSIGNED    NOT NULL DEFAULT 0,
    last_error          VARCHAR(1000)   NULL,
    provider_message_id VARCHAR(255)    NULL,
    created_at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    last_attempt_at     DATETIME(6)     NULL,
    sent_at             DATETIME(6)     NULL,
    PRIMARY KEY (id),
    -- A redelivered or re-published event finds its row.
    UNIQUE KEY uq_email_log_event (event_id),
    -- One confirmation per order, even if an order were ever announced by two different events.
    UNIQUE KEY uq_email_log_order_kind (order_number, kind),
    -- What an admin or operator asks: what failed or is stuck, most recent first; what was sent when.
    KEY ix_email_log_state (state, updated_at),
    KEY ix_email_log_created (created_at),
    CONSTRAINT ck_email_log_state CHECK (state IN ('pending', 'sending', 'sent', 'retrying', 'failed', 'uncertain'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
