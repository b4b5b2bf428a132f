-- Product photos the catalog stores itself (uploaded in the admin, or attached by the demo import), beside the
-- external image URLs imports bring. A stored photo has `storage_key`: the first 32 hex digits of the SHA-256
-- of its original file; its sizes are the bucket's objects `images/<storage_key>/{thumb,card,large}.jpg`,
-- served at the same paths under `/images/`. Its `url` is the card size's (`/images/<key>/card.jpg`), so
-- everything that shows a product's main image keeps reading `url`. Rows without a key are external URLs.
ALTER TABLE product_images
    ADD COLUMN storage_key CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER url,
    -- The largest stored size's pixels (the others keep its aspect ratio): width/height attributes for pages.
    ADD COLUMN width SMALLINT UNSIGNED NULL AFTER storage_key,
    ADD COLUMN height SMALLINT UNSIGNED NULL AFTER width,
    -- The same photo twice in one product is refused; re-attaching it (a repeated import) finds this row.
    ADD UNIQUE KEY uq_product_images_storage_key (product_id, storage_key),
    -- Deleting a photo removes its objects only when no other product still shows them.
    ADD KEY ix_product_images_storage_key (storage_key);
