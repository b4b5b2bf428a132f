-- Transactional outbox: an event row is written in the same transaction as the change it describes, and the
-- relay publishes it to JetStream (Nats-Msg-Id = event_id) and marks it published only after the ack.
CREATE TABLE outbox (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id     CHAR(36)        NOT NULL,
    subject      VARCHAR(255)    NOT NULL,
    payload      LONGBLOB        NOT NULL,
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    published_at DATETIME(6)     NULL,
    attempts     INT UNSIGNED    NOT NULL DEFAULT 0,
    last_error   VARCHAR(1000)   NULL,
    UNIQUE KEY uq_outbox_event_id (event_id),
    -- The relay's scan: unpublished rows in insertion order.
    KEY ix_outbox_pending (published_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
