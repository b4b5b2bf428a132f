-- The admin's dashboard and reports (rpc.checkout.admin.reports.*): sales per day and per product per day, kept
-- up to date in the very transactions that pay an order, fail its payment or refund it (db::reports), so a
-- report reads at most a few hundred summary rows instead of a million orders. Days are UTC days (every
-- connection of checkout runs with time_zone '+00:00', so DATE(created_at) is the UTC day).
--
-- An order counts on the day it was placed (orders.created_at): its sale (orders, units, revenue = its total)
-- when it is paid, its failure when its payment fails. A refund counts on the day it was made. Refunds by line
-- also take their units and their price off the product's row of the order's day, so a product's figures are
-- what it sold net of what came back; refunds by amount only show in sales_daily.

CREATE TABLE sales_daily (
    day              DATE           NOT NULL PRIMARY KEY,
    -- Orders placed this day and paid (later cancellations and refunds do not take them back out).
    orders           INT UNSIGNED   NOT NULL DEFAULT 0,
    units            INT UNSIGNED   NOT NULL DEFAULT 0,
    -- What those orders charged: lines, shipping and tax.
    revenue          DECIMAL(14, 2) NOT NULL DEFAULT 0,
    -- Refunds made this day, whichever day their order was placed.
    refunds_amount   DECIMAL(14, 2) NOT NULL DEFAULT 0,
    refunds_count    INT UNSIGNED   NOT NULL DEFAULT 0,
    -- Orders placed this day whose payment was declined or failed at the provider.
    payment_failures INT UNSIGNED   NOT NULL DEFAULT 0
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The top-products report reads a range of days of the primary key and adds up per SKU.
CREATE TABLE product_sales_daily (
    day     DATE           NOT NULL,
    sku     VARCHAR(32)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- The name it was last sold under that day.
    name    VARCHAR(255)   NOT NULL,
    -- Units and line totals of the paid orders placed this day, less what was refunded by line.
    units   INT            NOT NULL DEFAULT 0,
    revenue DECIMAL(14, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (day, sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Backfill from what checkout holds. An order was paid if its money is (or was) with the shop.
INSERT INTO sales_daily (day, orders, revenue)
SELECT DATE(created_at), COUNT(*), SUM(total)
FROM orders
WHERE payment_status IN ('paid', 'partially_refunded', 'refunded')
GROUP BY DATE(created_at);

INSERT INTO sales_daily (day, units)
SELECT DATE(o.created_at), SUM(i.quantity)
FROM orders o
JOIN order_items i ON i.order_id = o.id
WHERE o.payment_status IN ('paid', 'partially_refunded', 'refunded')
GROUP BY DATE(o.created_at)
ON DUPLICATE KEY UPDATE units = VALUES(units);

INSERT INTO sales_daily (day, payment_failures)
SELECT DATE(created_at), COUNT(*)
FROM orders
WHERE state = 'payment_failed'
GROUP BY DATE(created_at)
ON DUPLICATE KEY UPDATE payment_failures = VALUES(payment_failures);

-- Refund rows, and the orders moved to refunded by hand before refunds had rows (0005 set their refunded
-- total to their total): one refund each, on the day they were last changed.
INSERT INTO sales_daily (day, refunds_amount, refunds_count)
SELECT day, SUM(amount), COUNT(*)
FROM (
    SELECT DATE(created_at) AS day, amount FROM payments WHERE kind = 'refund'
    UNION ALL
    SELECT DATE(o.updated_at), o.refunded_total
    FROM orders o
    WHERE o.refunded_total > 0
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.kind = 'refund')
) refunds
GROUP BY day
ON DUPLICATE KEY UPDATE refunds_amount = VALUES(refunds_amount), refunds_count = VALUES(refunds_count);

INSERT INTO product_sales_daily (day, sku, name, units, revenue)
SELECT DATE(o.created_at), i.sku, MAX(i.name), SUM(i.quantity - i.refunded_quantity),
       SUM(i.line_total - i.unit_price * i.refunded_quantity)
FROM orders o
JOIN order_items i ON i.order_id = o.id
WHERE o.payment_status IN ('paid', 'partially_refunded', 'refunded')
GROUP BY DATE(o.created_at), i.sku;
