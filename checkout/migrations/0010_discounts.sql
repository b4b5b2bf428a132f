-- What promotions took off an order, and the code a cart carries until it is ordered.

-- The code the shopper applied to the cart (normalised); checked again by the totals and by place-order.
ALTER TABLE carts
    ADD COLUMN coupon_code VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL;

-- Taken off the lines by every promotion (`total = subtotal - discount + shipping + tax`; `shipping` is what
-- was charged for shipping, after any free-shipping promotion).
ALTER TABLE orders
    ADD COLUMN discount DECIMAL(12, 2) NOT NULL DEFAULT 0 AFTER subtotal;

-- The line's share of the discounts (see the spreading rule in checkout's promotions::rules): what a refund of
-- the line's units gives back is its price less this share, unit by unit.
ALTER TABLE order_items
    ADD COLUMN discount DECIMAL(12, 2) NOT NULL DEFAULT 0 AFTER line_total;

-- A redemption is also the order's record of the discount: the promotion's name when it was applied, what it
-- took off the lines (`amount`) and off shipping. `email_key` (SHA-256 of the order's lower-case email) lets a
-- per-customer limit count a shopper's uses whether they ordered signed in (`customer_key` is then the
-- account's) or as a guest with the same address.
ALTER TABLE redemptions
    ADD COLUMN name      VARCHAR(120)   NOT NULL DEFAULT '' AFTER code,
    ADD COLUMN shipping  DECIMAL(12, 2) NOT NULL DEFAULT 0 AFTER amount,
    ADD COLUMN email_key BINARY(32)     NULL AFTER customer_key,
    ADD KEY ix_redemptions_email (promotion_id, email_key, state);
