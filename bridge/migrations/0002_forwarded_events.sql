-- Every event the bridge handed to SQS, written right after SQS accepted it and before the JetStream ack: a
-- redelivered message whose event id is here is acked without a second SQS message.
CREATE TABLE forwarded_events (
    event_id       CHAR(36)     NOT NULL,
    order_number   VARCHAR(128) NOT NULL,
    sqs_message_id VARCHAR(128) NOT NULL,
    forwarded_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (event_id),
    KEY ix_forwarded_events_order (order_number),
    KEY ix_forwarded_events_at (forwarded_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
