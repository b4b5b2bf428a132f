-- Carts and orders of signed-in customers. The accounts service passes the customer id over NATS
-- (rpc.checkout.customers.*); checkout never reads the accounts schema.

-- A customer has at most one current cart (open or being checked out): the one every device of theirs uses.
-- `customer_cart` is the customer's id while the cart is their current one: set with `customer_id` when the cart
-- becomes theirs, cleared when it is ordered (db::carts::convert), so the next cart can be. (MariaDB refuses a
-- generated column comparing the ENUM `state`.)
ALTER TABLE carts
    ADD COLUMN customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN customer_cart CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD UNIQUE KEY uq_carts_customer_cart (customer_cart);

-- The order history: a customer's orders, newest first. (The guest orders a customer may claim are found by
-- their address through ix_orders_email; the collation ignores letter case.)
ALTER TABLE orders
    ADD COLUMN customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD KEY ix_orders_customer (customer_id, created_at);
