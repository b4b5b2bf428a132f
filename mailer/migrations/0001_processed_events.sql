-- Idempotent consumer: the id of every event whose effect is done, recorded in the same transaction as the
-- effect's own rows, so a redelivered event is recognised and only acked.
CREATE TABLE processed_events (
    consumer     VARCHAR(64)  NOT NULL,
    event_id     CHAR(36)     NOT NULL,
    processed_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (consumer, event_id),
    KEY ix_processed_events_at (processed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
