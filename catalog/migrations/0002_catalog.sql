-- The catalog: products, the category tree, images, inventory and stock reservations, and the prefix index that
-- bounds the work of search-as-you-type. Every listing filter and sort has an index; EXPLAINs are checked by the
-- catalog's tests (tests/api/explain.rs).

CREATE TABLE categories (
    id         INT UNSIGNED     NOT NULL AUTO_INCREMENT PRIMARY KEY,
    parent_id  INT UNSIGNED     NULL,
    name       VARCHAR(191)     NOT NULL,
    -- Unique across the tree: the path of names, slugified ("tv-home-theater/tvs").
    slug       VARCHAR(512)     NOT NULL,
    -- Materialized path of ids, root first, with separators on both ends ("/3/17/"): a category and all its
    -- descendants are one index range, `path LIKE '/3/%'`.
    path       VARCHAR(255)     NOT NULL,
    depth      TINYINT UNSIGNED NOT NULL,
    created_at DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_categories_slug (slug),
    UNIQUE KEY uq_categories_parent_name (parent_id, name),
    KEY ix_categories_path (path),
    CONSTRAINT fk_categories_parent FOREIGN KEY (parent_id) REFERENCES categories (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE products (
    id          INT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku         VARCHAR(32)   NOT NULL,
    slug        VARCHAR(191)  NOT NULL,
    name        VARCHAR(255)  NOT NULL,
    description TEXT          NOT NULL,
    brand       VARCHAR(128)  NOT NULL,
    -- Exact money: DECIMAL, in the shop's currency.
    price       DECIMAL(12, 2) NOT NULL,
    status      ENUM ('draft', 'active', 'archived') NOT NULL DEFAULT 'draft',
    popularity  INT UNSIGNED  NOT NULL DEFAULT 0,
    -- Denormalized from inventory (on_hand - reserved > 0) so "in stock" filters and sorts use one index.
    in_stock    BOOLEAN       NOT NULL DEFAULT FALSE,
    -- Bumped on every change; carried in ProductUpserted so consumers never apply an older document.
    version     BIGINT UNSIGNED NOT NULL DEFAULT 1,
    -- Hash of everything an import sets: re-importing an unchanged product writes nothing and emits no event.
    content_hash BIGINT UNSIGNED NOT NULL DEFAULT 0,
    created_at  DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_products_sku (sku),
    UNIQUE KEY uq_products_slug (slug),
    CONSTRAINT ck_products_price CHECK (price >= 0),
    -- Listing without a category: status first (only active products are listed), then the sort.
    KEY ix_products_status_popularity (status, popularity, id),
    KEY ix_products_status_price (status, price, id),
    KEY ix_products_status_created (status, created_at, id),
    KEY ix_products_status_brand_popularity (status, brand, popularity, id),
    -- Name weighs over description in relevance; brand helps shoppers who type it.
    FULLTEXT KEY ft_products_text (name, brand, description),
    FULLTEXT KEY ft_products_name (name, brand)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A product is linked to its categories and to every ancestor of them, so "this category including its
-- descendants" is one equality on category_id. The listing's filter and sort keys are copied here (kept in step
-- in the same transaction as the product or its stock) so a category page, its count and its facets read one
-- index range of this table, never a sort or scan of the whole catalog.
CREATE TABLE product_categories (
    category_id INT UNSIGNED   NOT NULL,
    product_id  INT UNSIGNED   NOT NULL,
    -- TRUE for the categories the product was put in, FALSE for the ancestors added for descendant queries.
    direct      BOOLEAN        NOT NULL,
    active      BOOLEAN        NOT NULL,
    price       DECIMAL(12, 2) NOT NULL,
    popularity  INT UNSIGNED   NOT NULL,
    created_at  DATETIME(6)    NOT NULL,
    brand       VARCHAR(128)   NOT NULL,
    in_stock    BOOLEAN        NOT NULL,
    PRIMARY KEY (category_id, product_id),
    KEY ix_product_categories_product (product_id),
    KEY ix_product_categories_popularity (category_id, active, popularity, product_id),
    KEY ix_product_categories_price (category_id, active, price, product_id),
    KEY ix_product_categories_created (category_id, active, created_at, product_id),
    KEY ix_product_categories_brand (category_id, active, brand, popularity, product_id),
    CONSTRAINT fk_product_categories_category FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT fk_product_categories_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE product_images (
    id         INT UNSIGNED      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id INT UNSIGNED      NOT NULL,
    url        VARCHAR(1024)     NOT NULL,
    alt_text   VARCHAR(255)      NOT NULL,
    position   SMALLINT UNSIGNED NOT NULL,
    UNIQUE KEY uq_product_images_position (product_id, position),
    CONSTRAINT fk_product_images_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Stock per product. UNSIGNED and the CHECK make "negative stock" and "more reserved than on hand"
-- unrepresentable: a reservation that would break them fails instead of overselling.
CREATE TABLE inventory (
    product_id INT UNSIGNED NOT NULL PRIMARY KEY,
    on_hand    INT UNSIGNED NOT NULL DEFAULT 0,
    reserved   INT UNSIGNED NOT NULL DEFAULT 0,
    updated_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT ck_inventory_reserved CHECK (reserved <= on_hand),
    CONSTRAINT fk_inventory_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Stock held for an order, all lines or none. The header row is inserted first: a second reserve for the same
-- order waits on its primary key and then finds it, which makes reserve idempotent even under concurrency.
-- reserved -> committed (sold) or released (cancelled, failed, expired; after a commit, restocked).
CREATE TABLE reservations (
    order_number   VARCHAR(64)  NOT NULL PRIMARY KEY,
    state          ENUM ('reserved', 'committed', 'released') NOT NULL DEFAULT 'reserved',
    release_reason VARCHAR(32)  NULL,
    expires_at     DATETIME(6)  NOT NULL,
    created_at     DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at     DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    -- The sweeper's scan: live reservations past their expiry.
    KEY ix_reservations_expiry (state, expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reservation_lines (
    order_number VARCHAR(64)  NOT NULL,
    product_id   INT UNSIGNED NOT NULL,
    sku          VARCHAR(32)  NOT NULL,
    quantity     INT UNSIGNED NOT NULL,
    PRIMARY KEY (order_number, product_id),
    KEY ix_reservation_lines_product (product_id),
    CONSTRAINT ck_reservation_lines_quantity CHECK (quantity > 0),
    CONSTRAINT fk_reservation_lines_order FOREIGN KEY (order_number) REFERENCES reservations (order_number),
    CONSTRAINT fk_reservation_lines_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Search-as-you-type: every leading prefix (1 to 20 characters) of every word of an active product's name and
-- brand, with a precomputed rank. One keystroke reads a bounded slice of the primary key, whatever the prefix,
-- including the 1- and 2-letter ones InnoDB's FULLTEXT cannot see. FULLTEXT still answers description words.
CREATE TABLE search_prefixes (
    prefix     VARCHAR(20)     NOT NULL,
    -- Field weight (name beats brand) and popularity in one number, best first in the index.
    score      BIGINT UNSIGNED NOT NULL,
    product_id INT UNSIGNED    NOT NULL,
    PRIMARY KEY (prefix, score, product_id),
    KEY ix_search_prefixes_product (product_id, prefix),
    CONSTRAINT fk_search_prefixes_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
