-- The web admin edits categories with the version it saw: a rename or move of a category someone else has just
-- changed is refused ("changed by someone else") instead of applied over their change.
ALTER TABLE categories ADD COLUMN version BIGINT UNSIGNED NOT NULL DEFAULT 1;

-- The admin's tree counts every category's products, direct and active apart, in one pass over this narrow
-- index instead of the wide rows of the table.
ALTER TABLE product_categories ADD KEY ix_product_categories_counts (category_id, direct, active);
