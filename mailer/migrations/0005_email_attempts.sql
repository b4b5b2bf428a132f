-- Every call to the provider, so the admin can show an email's history: the mailer's own attempts and an
-- operator's resends (with who asked). Written beside the email_log row's own change: a claim inserts the
-- attempt in the transaction that marks the row `sending`, and the statement that records the outcome on
-- the row records it on its attempt too. Deleted with their email (retention).
--
-- outcome: sending, sent, retrying, failed, uncertain, or interrupted (its handler stopped before the email
-- was delivered; a later attempt sent it).
CREATE TABLE email_attempts (
    email_id              BIGINT UNSIGNED NOT NULL,
    attempt               INT UNSIGNED    NOT NULL,
    transport             VARCHAR(16)     NOT NULL,
    outcome               VARCHAR(16)     NOT NULL DEFAULT 'sending',
    error                 VARCHAR(1000)   NULL,
    provider_message_id   VARCHAR(255)    NULL,
    requested_by_staff_id BIGINT UNSIGNED NULL,
    requested_by_email    VARCHAR(320)    NULL,
    started_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at           DATETIME(6)     NULL,
    PRIMARY KEY (email_id, attempt),
    CONSTRAINT fk_email_attempts_email FOREIGN KEY (email_id) REFERENCES email_log (id) ON DELETE CASCADE,
    CONSTRAINT ck_email_attempts_outcome
        CHECK (outcome IN ('sending', 'sent', 'retrying', 'failed', 'uncertain', 'interrupted'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
