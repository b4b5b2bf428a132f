-- SKUs, slugs and order numbers compare byte for byte. Under utf8mb4_unicode_ci `abc-1` found `ABC-1` and a
-- full-width `ＡＢＣ` found `ABC`: identifiers must name exactly one thing. Product search (names, brands,
-- descriptions) stays case-insensitive: it reads the FULLTEXT index and the already binary prefix index.
ALTER TABLE products
    MODIFY sku  VARCHAR(32)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    MODIFY slug VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

ALTER TABLE categories MODIFY slug VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- The reservation lines refer to their header by order number: both change together.
ALTER TABLE reservation_lines DROP FOREIGN KEY fk_reservation_lines_order;
ALTER TABLE reservations MODIFY order_number VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE reservation_lines
    MODIFY order_number VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    MODIFY sku          VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    ADD CONSTRAINT fk_reservation_lines_order FOREIGN KEY (order_number) REFERENCES reservations (order_number);
