-- Every change an admin makes to a variant's units on hand, with its reason and author (rpc.catalog.admin.stock.*).
-- Append-only; no foreign keys, so the record outlives a variant or product removed later (the SKU is kept as it
-- was).
CREATE TABLE stock_adjustments (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id     INT UNSIGNED    NOT NULL,
    variant_id     INT UNSIGNED    NOT NULL,
    sku            VARCHAR(32)     CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- Units added (negative: removed), and on hand before and after; reserved units at the time.
    delta          BIGINT          NOT NULL,
    on_hand_before INT UNSIGNED    NOT NULL,
    on_hand_after  INT UNSIGNED    NOT NULL,
    reserved       INT UNSIGNED    NOT NULL,
    reason         ENUM ('received', 'counted', 'damaged', 'returned', 'other') NOT NULL,
    note           VARCHAR(500)    NULL,
    staff_id       BIGINT UNSIGNED NOT NULL,
    staff_email    VARCHAR(255)    NOT NULL,
    created_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    -- A variant's or a product's history, newest first.
    KEY ix_stock_adjustments_variant (variant_id, id),
    KEY ix_stock_adjustments_product (product_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The low-stock list reads variants lowest available first and stops at the highest threshold any product has:
-- available is kept as a stored column (on hand minus reserved, never negative by the CHECK on inventory) so
-- that order is one index range, and the highest threshold is the last entry of another index.
ALTER TABLE inventory
    ADD COLUMN available INT AS (CAST(on_hand AS SIGNED) - CAST(reserved AS SIGNED)) STORED,
    ADD KEY ix_inventory_available (available, variant_id);
ALTER TABLE products ADD KEY ix_products_low_stock_threshold (low_stock_threshold);
