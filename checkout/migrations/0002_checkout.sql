-- Guest carts, orders and their life cycle, payments, and idempotency keys for place-order.

CREATE TABLE carts (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- 256 random bits, hex: the only way to reach a cart.
    token      CHAR(64)        NOT NULL,
    state      ENUM ('open', 'converted') NOT NULL DEFAULT 'open',
    currency   CHAR(3)         NOT NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at DATETIME(6)     NOT NULL,
    UNIQUE KEY uq_carts_token (token),
    KEY ix_carts_expiry (state, expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE cart_items (
    cart_id    BIGINT UNSIGNED  NOT NULL,
    sku        VARCHAR(32)      NOT NULL,
    quantity   INT UNSIGNED     NOT NULL,
    -- What the shopper saw when adding: a changed price is flagged, never silently charged.
    unit_price DECIMAL(12, 2)   NOT NULL,
    name       VARCHAR(255)     NOT NULL,
    slug       VARCHAR(191)     NOT NULL,
    image      VARCHAR(1024)    NULL,
    added_at   DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (cart_id, sku),
    CONSTRAINT ck_cart_items_quantity CHECK (quantity > 0),
    CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE orders (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    number            VARCHAR(20)     NOT NULL,
    -- SHA-256 of the lookup token; the token itself is only ever shown to the shopper.
    lookup_token_hash BINARY(32)      NOT NULL,
    cart_id           BIGINT UNSIGNED NOT NULL,
    email             VARCHAR(254)    NOT NULL,
    customer_name     VARCHAR(200)    NOT NULL,
    address_line1     VARCHAR(200)    NOT NULL,
    address_line2     VARCHAR(200)    NULL,
    city              VARCHAR(100)    NOT NULL,
    region            VARCHAR(100)    NULL,
    postal_code       VARCHAR(20)     NOT NULL,
    country           CHAR(2)         NOT NULL,
    shipping_method   VARCHAR(20)     NOT NULL,
    subtotal          DECIMAL(12, 2)  NOT NULL,
    shipping          DECIMAL(12, 2)  NOT NULL,
    tax               DECIMAL(12, 2)  NOT NULL,
    total             DECIMAL(12, 2)  NOT NULL,
    currency          CHAR(3)         NOT NULL,
    state             ENUM ('pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled',
                            'payment_failed', 'refunded') NOT NULL DEFAULT 'pending',
    -- The catalog has turned the reservation into a sale (paid orders) or given it back (failed, cancelled).
    stock_settled     BOOLEAN         NOT NULL DEFAULT FALSE,
    created_at        DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at        DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_orders_number (number),
    -- Order history and reporting.
    KEY ix_orders_created (created_at),
    KEY ix_orders_state_created (state, created_at),
    -- The reconciler's scan: orders whose stock outcome the catalog has not confirmed yet.
    KEY ix_orders_unsettled (stock_settled, state),
    KEY ix_orders_email (email, created_at),
    CONSTRAINT fk_orders_cart FOREIGN KEY (cart_id) REFERENCES carts (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE order_items (
    order_id   BIGINT UNSIGNED   NOT NULL,
    line_no    SMALLINT UNSIGNED NOT NULL,
    sku        VARCHAR(32)       NOT NULL,
    name       VARCHAR(255)      NOT NULL,
    unit_price DECIMAL(12, 2)    NOT NULL,
    quantity   INT UNSIGNED      NOT NULL,
    line_total DECIMAL(12, 2)    NOT NULL,
    created_at DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (order_id, line_no),
    -- Sales per product over time.
    KEY ix_order_items_sku_created (sku, created_at),
    CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE payments (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id   BIGINT UNSIGNED NOT NULL,
    provider   VARCHAR(32)     NOT NULL,
    reference  VARCHAR(64)     NOT NULL,
    state      ENUM ('pending', 'succeeded', 'declined', 'failed', 'refunded') NOT NULL DEFAULT 'pending',
    amount     DECIMAL(12, 2)  NOT NULL,
    currency   CHAR(3)         NOT NULL,
    error      VARCHAR(255)    NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_payments_reference (provider, reference),
    KEY ix_payments_order (order_id),
    CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE order_state_history (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id   BIGINT UNSIGNED NOT NULL,
    from_state VARCHAR(20)     NULL,
    to_state   VARCHAR(20)     NOT NULL,
    reason     VARCHAR(255)    NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_order_state_history_order (order_id, id),
    CONSTRAINT fk_order_state_history_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Place-order requests by Idempotency-Key: the first request records its fingerprint and, once finished, its
-- response, which every retry with the same key and body gets back byte for byte.
CREATE TABLE idempotency_keys (
    idempotency_key VARCHAR(255)      NOT NULL PRIMARY KEY,
    -- SHA-256 of the request body.
    fingerprint     BINARY(32)        NOT NULL,
    state           ENUM ('in_progress', 'completed') NOT NULL,
    response_status SMALLINT UNSIGNED NULL,
    response_body   LONGBLOB          NULL,
    -- A request that died in progress frees its key after this.
    locked_until    DATETIME(6)       NOT NULL,
    created_at      DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at      DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_idempotency_keys_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
