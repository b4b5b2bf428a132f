-- One cart, one paid order; releases that are never forgotten; replays that survive a crash; exact tokens.

-- Tokens, keys, order numbers and SKUs compare byte for byte: under utf8mb4_unicode_ci an upper-cased cart
-- token opened the cart and two Idempotency-Keys differing only in case (or width) were the same key.
ALTER TABLE carts
    MODIFY token CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- checking_out: one place-order attempt holds the cart (checkout_order); nothing else may change it.
    MODIFY state ENUM ('open', 'checking_out', 'converted') NOT NULL DEFAULT 'open',
    ADD COLUMN checkout_order VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER state,
    -- The holder's lease: past it, the reconciler finishes or gives back what the attempt left behind.
    ADD COLUMN checkout_until DATETIME(6) NULL AFTER checkout_order,
    -- Payment attempts in the current window (PAYMENT_ATTEMPTS_PER_CART per PAYMENT_ATTEMPTS_WINDOW_SECS).
    ADD COLUMN payment_attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    ADD COLUMN attempts_since DATETIME(6) NULL,
    -- The reconciler's scans: attempts whose lease ran out, and carts past their expiry.
    ADD KEY ix_carts_checkout (state, checkout_until),
    ADD KEY ix_carts_expires (expires_at);

ALTER TABLE carts DROP KEY ix_carts_expiry;

ALTER TABLE cart_items MODIFY sku VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;

-- Expired carts are deleted; an order keeps its own copy of everything it needs, so it lets go of the cart.
ALTER TABLE orders DROP FOREIGN KEY fk_orders_cart;
ALTER TABLE orders
    MODIFY number VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    MODIFY cart_id BIGINT UNSIGNED NULL,
    ADD CONSTRAINT fk_orders_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE SET NULL;

ALTER TABLE order_items MODIFY sku VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;

-- A place-order request owns its order number (and the lookup token it will show) from its first try: a retry
-- with the same key after a crash resumes that very order, with the same payment reference, instead of
-- starting a second one.
ALTER TABLE idempotency_keys
    MODIFY idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    ADD COLUMN order_number VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER fingerprint,
    ADD COLUMN lookup_token CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER order_number,
    ADD KEY ix_idempotency_keys_order (order_number);

-- Stock an attempt may hold in the catalog without an order to show for it (the reserve timed out, or the
-- order could not be written): released until the catalog confirms, by the request and then the reconciler.
CREATE TABLE stock_releases (
    order_number VARCHAR(20)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    attempts     INT UNSIGNED    NOT NULL DEFAULT 0,
    last_error   VARCHAR(255)    NULL,
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The mock payment provider's own ledger, standing in for the provider's side of a real integration: one
-- row per payment reference, so charging a reference twice returns the first outcome instead of charging
-- again, and a reference voided by the reconciler can never be charged afterwards.
CREATE TABLE mockpay_charges (
    reference  VARCHAR(64)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    state      ENUM ('succeeded', 'declined', 'voided') NOT NULL,
    amount     DECIMAL(12, 2) NOT NULL,
    reason     VARCHAR(255)   NULL,
    created_at DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE payments MODIFY reference VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
