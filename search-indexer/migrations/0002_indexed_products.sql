-- What the indexer last wrote to the index for each SKU: the catalog version it applied, whether the product
-- has a document there, and when it was deleted (a tombstone, so a late older event cannot revive it).
CREATE TABLE indexed_products (
    sku        VARCHAR(32)     NOT NULL,
    version    BIGINT UNSIGNED NOT NULL,
    indexed    BOOLEAN         NOT NULL,
    deleted_at DATETIME(6)     NULL,
    updated_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Which settings and document schema the live index was built with: a different fingerprint at start-up
-- means a rebuild into a new index and a swap.
CREATE TABLE index_builds (
    index_name  VARCHAR(64)  NOT NULL,
    fingerprint CHAR(64)     NOT NULL,
    documents   BIGINT UNSIGNED NOT NULL,
    built_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (index_name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
