-- What a signed-in customer keeps for later: shipping addresses (one of them the default offered at checkout)
-- and a wishlist. Both go with the account (the foreign keys).

CREATE TABLE addresses (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id CHAR(36)        NOT NULL,
    -- The person at the address, as on a parcel.
    name        VARCHAR(200)    NOT NULL,
    line1       VARCHAR(200)    NOT NULL,
    line2       VARCHAR(200)    NULL,
    city        VARCHAR(100)    NOT NULL,
    region      VARCHAR(100)    NULL,
    postal_code VARCHAR(20)     NOT NULL,
    country     CHAR(2)         NOT NULL,
    is_default  BOOLEAN         NOT NULL DEFAULT FALSE,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_addresses_customer (customer_id, created_at),
    CONSTRAINT fk_addresses_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A wished-for variant, with its name, page and picture as they were when it was saved: the list still reads
-- when the catalog cannot be asked for today's price and stock.
CREATE TABLE wishlist_items (
    customer_id CHAR(36)                                NOT NULL,
    sku         VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARCHAR(255)                            NOT NULL,
    slug        VARCHAR(191)                            NOT NULL,
    image       VARCHAR(1024)                           NULL,
    added_at    DATETIME(6)                             NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (customer_id, sku),
    KEY ix_wishlist_customer (customer_id, added_at),
    CONSTRAINT fk_wishlist_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
