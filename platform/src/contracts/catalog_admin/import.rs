//! `products.import`: products and stock from a CSV file, every row checked before anything is written.
//!
//! The file travels in the request (`csv`), so it must fit in one NATS message: the request as JSON must stay
//! under the server's `max_payload` (1 MB by default), about 10,000 rows of typical products. Larger catalogs
//! are imported in several files (each file is one transaction). A file takes time: 5,000 new products took
//! 10 to 25 s on a busy 2-core test machine (updates of existing products cost more per row), so the caller
//! waits with a long timeout (a minute or two) and shows that the import is running.
//!
//! ## The format
//! UTF-8, comma-separated, a header line naming the columns (any order, names case-insensitive):
//!
//! | column        | required | meaning                                                                       |
//! |---------------|----------|-------------------------------------------------------------------------------|
//! | `sku`         | yes      | the variant's SKU (a plain product: the product's SKU)                        |
//! | `name`        | yes      | the product's name                                                            |
//! | `brand`       | no       | the product's brand                                                           |
//! | `category`    | no       | a category path, names separated by `>` (`Audio > Headphones`); created when missing |
//! | `price`       | yes      | the variant's price, at least 0, at most 2 decimals                           |
//! | `status`      | no       | `draft`, `active` or `archived`; `draft` for a new product when blank, unchanged for an existing one |
//! | `on_hand`     | no       | units on hand: sets the stock of a new variant; for an existing one, sets it (never below reserved) |
//! | `product_sku` | no       | groups rows into one product with variants: the product's own SKU (blank: the row's `sku`, a plain product) |
//! | `option:<name>` | no     | an option value of the variant (`option:size`, `option:color`); the options of a product are the `option:` columns its rows fill |
//!
//! Rows are grouped by product (`product_sku`, else `sku`); the product's fields (name, brand, category,
//! status) come from its first row. An existing product (found by its SKU) is updated: its name, brand,
//! status, the category (added when given), and the prices and stock of the variants named. Variants the file
//! does not name are left as they are.
//!
//! ## The answer
//! A file with any bad row writes nothing and answers `AdminReply::Invalid` with one error per bad field:
//! `field` is `line <n>: <column>` (line numbers count the header as line 1), `reason` says what is wrong.
//! A file whose header is wrong answers one error for the field `csv`. `dry_run: true` checks everything and
//! answers the same report without writing (and without spending the idempotency key).

use serde::{Deserialize, Serialize};

/// The largest `csv` accepted, in bytes (the request must also fit NATS's `max_payload`).
pub const MAX_CSV_BYTES: usize = 900 * 1024;

/// The request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProducts {
    /// The whole file.
    pub csv: String,
    /// Check only: nothing is written.
    #[serde(default)]
    pub dry_run: bool,
}

/// What the import did (or would do, on a dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read (the header not counted).
    pub rows: u32,
    pub products_created: u32,
    pub products_updated: u32,
    pub variants_created: u32,
    pub variants_updated: u32,
}
