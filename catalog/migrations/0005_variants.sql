-- Variants: a product may have options (size, colour, ...) and one or more variants, each with its own SKU, price
-- and stock. A plain product has no options and exactly one variant whose SKU is the product's own.
--
-- - products.sku stays the product's own code: events, the search index and the storefront's URLs stay keyed by
--   it (one product in search, whatever its variants). For a plain product it equals its variant's SKU.
-- - products.price is the lowest price of its variants and products.in_stock whether any variant has units
--   available; both are kept in step in the same transaction as the variants or their stock, so listings keep
--   filtering and sorting on one index.
-- - Stock, reservations and quotes are per variant SKU.

-- Option names in display order (["size","color"]); empty for a plain product.
ALTER TABLE products
    ADD COLUMN option_names JSON NOT NULL DEFAULT '[]',
    -- Units available at or below which the admin lists a variant as running low.
    ADD COLUMN low_stock_threshold INT UNSIGNED NOT NULL DEFAULT 5,
    ADD CONSTRAINT ck_products_option_names CHECK (JSON_TYPE(option_names) = 'ARRAY');

CREATE TABLE variants (
    id            INT UNSIGNED      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id    INT UNSIGNED      NOT NULL,
    -- Compared byte for byte, like every identifier (0003_exact_keys.sql); unique across the catalog.
    sku           VARCHAR(32)       CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    price         DECIMAL(12, 2)    NOT NULL,
    -- One value per option name, in the product's option_names order; empty for a plain product.
    option_values JSON              NOT NULL DEFAULT '[]',
    -- Display order within the product.
    position      SMALLINT UNSIGNED NOT NULL,
    -- A product offers each combination of option values once (["42","Blue"] and ["42", "Blue"] are one).
    options_hash  BINARY(16)        AS (UNHEX(MD5(JSON_COMPACT(option_values)))) STORED,
    created_at    DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_variants_sku (sku),
    UNIQUE KEY uq_variants_position (product_id, position),
    UNIQUE KEY uq_variants_options (product_id, options_hash),
    CONSTRAINT ck_variants_price CHECK (price >= 0),
    CONSTRAINT ck_variants_option_values CHECK (JSON_TYPE(option_values) = 'ARRAY'),
    CONSTRAINT fk_variants_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every existing product becomes a plain product with one variant: its SKU, its price, no option values. The
-- variant takes the product's id, so the inventory rows and reservation lines below, keyed by product id until
-- now, already name their variant and only their column and foreign key change.
INSERT INTO variants (id, product_id, sku, price, option_values, position, created_at, updated_at)
SELECT id, id, sku, price, '[]', 0, created_at, updated_at FROM products;

-- Stock per variant. UNSIGNED and the CHECK still make "negative stock" and "more reserved than on hand"
-- unrepresentable.
ALTER TABLE inventory DROP FOREIGN KEY fk_inventory_product;
ALTER TABLE inventory
    CHANGE product_id variant_id INT UNSIGNED NOT NULL,
    ADD CONSTRAINT fk_inventory_variant FOREIGN KEY (variant_id) REFERENCES variants (id) ON DELETE CASCADE;

-- A reservation holds variants (the line's sku is the variant's). No cascade: a variant that order history
-- refers to cannot be deleted, only its product archived.
ALTER TABLE reservation_lines DROP FOREIGN KEY fk_reservation_lines_product;
ALTER TABLE reservation_lines
    DROP PRIMARY KEY,
    DROP KEY ix_reservation_lines_product,
    CHANGE product_id variant_id INT UNSIGNED NOT NULL,
    ADD PRIMARY KEY (order_number, variant_id),
    ADD KEY ix_reservation_lines_variant (variant_id),
    ADD CONSTRAINT fk_reservation_lines_variant FOREIGN KEY (variant_id) REFERENCES variants (id);
