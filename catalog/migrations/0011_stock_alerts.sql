-- Back-in-stock alerts: a shopper's request to be emailed when an out-of-stock variant is available again.
--
-- states: waiting      -> asked while the variant was sold out; the next change that makes it available
--                         writes a BackInStock event (catalog.alerts.<sku>.back_in_stock) in its transaction
--                         and marks the request notified there: one event per request
--         notified     -> announced by event `notify_event_id`; the mailer confirms with the catalog before
--                         emailing (rpc.catalog.alerts.confirm), and a variant sold out again by then puts the
--                         request back to waiting instead (no email)
--         unsubscribed -> the shopper followed the email's link (or asked before it came): nothing more
--
-- An address waits for a variant once: `waiting_sku` is the SKU only while waiting, so asking again is the
-- same request, and asking again after an alert (or an unsubscribe) is a new one.
CREATE TABLE stock_alerts (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    variant_id      INT UNSIGNED    NOT NULL,
    email           VARCHAR(254)    NOT NULL,
    -- The secret of the unsubscribe link: 128 random bits, hex.
    token           CHAR(32)        CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state           VARCHAR(16)     NOT NULL DEFAULT 'waiting',
    notify_event_id CHAR(36)        NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    notified_at     DATETIME(6)     NULL,
    unsubscribed_at DATETIME(6)     NULL,
    waiting_variant INT UNSIGNED    AS (IF(state = 'waiting', variant_id, NULL)) PERSISTENT,
    UNIQUE KEY uq_stock_alerts_token (token),
    UNIQUE KEY uq_stock_alerts_waiting (email, waiting_variant),
    -- What a change that makes a variant available reads: its waiting requests.
    KEY ix_stock_alerts_variant_state (variant_id, state),
    CONSTRAINT ck_stock_alerts_state CHECK (state IN ('waiting', 'notified', 'unsubscribed')),
    CONSTRAINT fk_stock_alerts_variant FOREIGN KEY (variant_id) REFERENCES variants (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
