-- The web admin's orders (rpc.checkout.admin.*): a version per order, who moved it, where its money is, refunds
-- against the mock provider, shipments, staff notes, and the indexes of the admin's order list.

ALTER TABLE orders
    -- Bumped by every change of the order (state, refund): an admin's action carries the version it saw.
    ADD COLUMN version        BIGINT UNSIGNED NOT NULL DEFAULT 1 AFTER state,
    -- Where the order's money is, kept with every charge outcome and refund (the list filters on it).
    ADD COLUMN payment_status ENUM ('pending', 'paid', 'failed', 'partially_refunded', 'refunded')
                              NOT NULL DEFAULT 'pending' AFTER version,
    -- Every refund so far: checked against what was paid under the order's row lock.
    ADD COLUMN refunded_total DECIMAL(12, 2)  NOT NULL DEFAULT 0 AFTER total,
    -- The admin's list: each filter with each sort (created_at, total) reads one index from the cursor on
    -- (InnoDB appends the id, the tie-breaker, to every key). Searches are index ranges: the number (unique
    -- key), the email (ix_orders_email) and the start of the customer's name.
    ADD KEY ix_orders_payment_created (payment_status, created_at),
    ADD KEY ix_orders_total (total),
    ADD KEY ix_orders_state_total (state, total),
    ADD KEY ix_orders_payment_total (payment_status, total),
    ADD KEY ix_orders_customer_name (customer_name);

UPDATE orders o
SET o.payment_status = CASE
        WHEN o.state = 'pending' THEN 'pending'
        WHEN o.state = 'refunded' THEN 'refunded'
        WHEN EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state = 'succeeded') THEN 'paid'
        ELSE 'failed'
    END,
    -- Orders moved to refunded by hand before refunds had amounts: refunded in full.
    o.refunded_total = IF(o.state = 'refunded', o.total, 0);

-- Who moved the order: 'shopper' (placing and paying), 'system' (the reconciler, an operator's
-- rpc.checkout.transition) or a staff member's email (the admin).
ALTER TABLE order_state_history
    ADD COLUMN actor VARCHAR(254) NOT NULL DEFAULT 'system' AFTER reason;

UPDATE order_state_history
SET actor = 'shopper'
WHERE from_state IS NULL OR (from_state = 'pending' AND to_state IN ('paid', 'payment_failed'));

-- Units refunded by line, so a unit is never refunded twice.
ALTER TABLE order_items
    ADD COLUMN refunded_quantity INT UNSIGNED NOT NULL DEFAULT 0 AFTER quantity;

-- A payment row is the charge of the order or one of its refunds (kind = 'refund', state 'succeeded').
ALTER TABLE payments
    ADD COLUMN kind   ENUM ('charge', 'refund') NOT NULL DEFAULT 'charge' AFTER order_id,
    ADD COLUMN reason VARCHAR(255) NULL AFTER error,
    -- Who asked for it: 'shopper' for the charge, a staff email for a refund.
    ADD COLUMN actor  VARCHAR(254) NOT NULL DEFAULT 'shopper' AFTER reason;

-- The mock provider's refunds, beside its charges: one row per refund reference (a refund asked again with
-- its reference is not paid twice), and never more than the charge across them.
CREATE TABLE mockpay_refunds (
    reference        VARCHAR(64)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    charge_reference VARCHAR(64)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    amount           DECIMAL(12, 2) NOT NULL,
    created_at       DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_mockpay_refunds_charge (charge_reference)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Parcels handed to a carrier (the admin's "ship").
CREATE TABLE shipments (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id        BIGINT UNSIGNED NOT NULL,
    carrier         VARCHAR(64)     NOT NULL,
    tracking_number VARCHAR(64)     NOT NULL,
    tracking_url    VARCHAR(255)    NULL,
    actor           VARCHAR(254)    NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_shipments_order (order_id, id),
    CONSTRAINT fk_shipments_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Staff notes on an order: append-only (nothing updates or deletes them), never shown to the shopper.
CREATE TABLE order_notes (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id    BIGINT UNSIGNED NOT NULL,
    staff_id    BIGINT UNSIGNED NOT NULL,
    staff_email VARCHAR(254)    NOT NULL,
    body        TEXT            NOT NULL,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_order_notes_order (order_id, id),
    CONSTRAINT fk_order_notes_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
