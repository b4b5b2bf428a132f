-- The admin's product list (rpc.catalog.admin.products.list) shows every product, whatever its status, sorted by
-- name, price, last change or creation, optionally of one status: one index per sort, with and without the
-- status in front, so a page is a short walk of one index from the cursor on (keyset pagination), never a sort
-- of the whole table. The storefront's indexes (status first, active only) already cover price and creation
-- with a status; EXPLAINs are checked by tests/api/admin_explain.rs.
ALTER TABLE products
    ADD KEY ix_products_name (name, id),
    ADD KEY ix_products_status_name (status, name, id),
    ADD KEY ix_products_price (price, id),
    ADD KEY ix_products_updated (updated_at, id),
    ADD KEY ix_products_status_updated (status, updated_at, id),
    ADD KEY ix_products_created (created_at, id),
    -- The brand filter of every status.
    ADD KEY ix_products_brand_updated (brand, updated_at, id);
