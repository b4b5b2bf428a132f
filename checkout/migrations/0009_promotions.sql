-- Promotions (coupon codes and automatic discounts) and their redemptions. Uses are counted in the same
-- transaction as the order, by conditional updates of these rows: a limit holds under any concurrency.

CREATE TABLE promotions (
    id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name                  VARCHAR(120)    NOT NULL,
    kind                  ENUM ('percent_off', 'amount_off', 'free_shipping') NOT NULL,
    -- The percentage (0 to 100) or the amount; NULL for free shipping.
    value                 DECIMAL(12, 2)  NULL,
    scope                 ENUM ('order', 'categories', 'brands', 'skus') NOT NULL DEFAULT 'order',
    min_subtotal          DECIMAL(12, 2)  NULL,
    starts_at             DATETIME(6)     NULL,
    ends_at               DATETIME(6)     NULL,
    -- Applied without a code to every basket it fits.
    automatic             BOOLEAN         NOT NULL DEFAULT FALSE,
    first_order_only      BOOLEAN         NOT NULL DEFAULT FALSE,
    max_uses              INT UNSIGNED    NULL,
    -- Orders holding a use: counted up with the order, down when it fails or is cancelled before shipping.
    uses                  INT UNSIGNED    NOT NULL DEFAULT 0,
    max_uses_per_customer INT UNSIGNED    NULL,
    state                 ENUM ('active', 'paused', 'ended') NOT NULL DEFAULT 'active',
    version               INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_promotions_automatic (automatic, state),
    CONSTRAINT ck_promotions_uses CHECK (max_uses IS NULL OR uses <= max_uses)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- What a scope names: category slugs, brands, or product and variant SKUs.
CREATE TABLE promotion_targets (
    promotion_id BIGINT UNSIGNED NOT NULL,
    target       VARCHAR(191)    NOT NULL,
    PRIMARY KEY (promotion_id, target),
    CONSTRAINT fk_promotion_targets FOREIGN KEY (promotion_id) REFERENCES promotions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Codes, stored normalised (trimmed, upper case): shoppers type them in any case. A bulk-generated code is
-- single-use (max_uses 1).
CREATE TABLE promotion_codes (
    code         VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    promotion_id BIGINT UNSIGNED NOT NULL,
    max_uses     INT UNSIGNED    NULL,
    uses         INT UNSIGNED    NOT NULL DEFAULT 0,
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_promotion_codes_promotion (promotion_id),
    CONSTRAINT ck_promotion_codes_uses CHECK (max_uses IS NULL OR uses <= max_uses),
    CONSTRAINT fk_promotion_codes FOREIGN KEY (promotion_id) REFERENCES promotions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One use of a promotion by an order: held with the order, released when the order fails or is cancelled
-- before shipping (the use counts go down with it).
CREATE TABLE redemptions (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    promotion_id BIGINT UNSIGNED NOT NULL,
    code         VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
    order_number VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- SHA-256 of the customer id, or of the lower-case email for a guest: the per-customer limit's key.
    customer_key BINARY(32)      NOT NULL,
    amount       DECIMAL(12, 2)  NOT NULL,
    state        ENUM ('held', 'released') NOT NULL DEFAULT 'held',
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    released_at  DATETIME(6)     NULL,
    UNIQUE KEY uq_redemptions_order (order_number, promotion_id),
    KEY ix_redemptions_customer (promotion_id, customer_key, state),
    CONSTRAINT fk_redemptions_promotion FOREIGN KEY (promotion_id) REFERENCES promotions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
