-- The web admin edits categories with the version it saw: a rename or move of a category someone else has just
-- changed is refused ("changed by someone else") instead of applied over their change.
ALTER TABLE categories ADD COLUMN version BIGINT UNSIGNED NOT NULL DEFAULT 1;

-- The admin's tree counts every category's products, direct and active apart, in one pass over this narrow
-- index instead of the wide rows of the table.
ALTER TABLE product_categories ADD KEY ix_product_categories_counts (category_id, direct, active);

-- Products whose documents a category rename or move changed (their category paths), queued in the command's
-- transaction and issued again by the catalog's background worker in short batches (admin::reissue): the
-- command never holds thousands of product rows, which every reserve of those products locks first.
CREATE TABLE product_reissues (
    product_id INT UNSIGNED NOT NULL PRIMARY KEY,
    queued_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
