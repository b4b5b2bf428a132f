//! Catalog events folded into one change per product SKU, and the decision of what a change does to the index
//! given what the indexer last applied for that SKU. A stock event is about one variant: it counts for its
//! product (the event names it, with the product's totals after the change; an event from before variants is
//! about a product of its own SKU). No I/O: the writer ([`crate::index`]) carries the decisions out.
//!
//! **Order.** Within a batch events are folded in stream order. Product documents carry a version that grows
//! with every change: an older document or deletion never replaces a newer one, whichever order they arrive
//! in (a redelivery, a rebuild racing live events). Stock events carry no version of their own; they apply in
//! stream order on top of the latest document (the catalog's outbox publishes in commit order).
//!
//! **Deletions** leave a tombstone (version and time) so that a late, older upsert cannot bring the product
//! back. A product created again after its deletion (created later than the tombstone) is a new product.
//!
//! Over the usual length only because its unit tests sit beside the rules they check.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::contracts::{
    catalog::{ProductDeleted, ProductUpserted, StockChanged},
    search::SearchDocument,
};

use crate::document::to_document;

/// One catalog event the indexer cares about.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// Boxed: a document is several times the size of the other events.
    Upserted(Box<ProductUpserted>),
    Deleted(ProductDeleted),
    Stock(StockChanged),
}

impl Incoming {
    /// The SKU of the product the event is about (the key of its document).
    pub fn sku(&self) -> &str {
        match self {
            Self::Upserted(product) => &product.sku,
            Self::Deleted(deleted) => &deleted.sku,
            Self::Stock(stock) => stock
                .product
                .as_ref()
                .map_or(&stock.sku, |product| &product.sku),
        }
    }
}

/// The latest thing a batch says about a product's document.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Upserted(Box<ProductUpserted>),
    Deleted { version: u64, at: DateTime<Utc> },
}

impl Document {
    fn version(&self) -> u64 {
        match self {
            Self::Upserted(product) => product.version,
            Self::Deleted { version, .. } => *version,
        }
    }

    /// True when `self` must not be replaced by `older`.
    fn supersedes(&self, newer: &Self) -> bool {
        match (self, newer) {
            (Self::Deleted { at, .. }, Self::Upserted(product)) if product.created_at > *at => {
                false
            }
            (current, newer) => current.version() > newer.version(),
        }
    }
}

/// Units available, from a stock event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stock {
    pub available: u32,
    pub in_stock: bool,
}

/// Everything a batch says about one SKU.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub sku: String,
    pub document: Option<Document>,
    /// Stock that changed after the document (or without one in the batch).
    pub stock: Option<Stock>,
}

/// Folds `events` (in stream order) into one change per SKU, in order of first appearance.
pub fn coalesce(events: impl IntoIterator<Item = Incoming>) -> Vec<Change> {
    let mut order: Vec<String> = Vec::new();
    let mut changes: HashMap<String, Change> = HashMap::new();
    for event in events {
        let sku = event.sku().to_owned();
        let change = changes.entry(sku.clone()).or_insert_with(|| {
            order.push(sku.clone());
            Change {
                sku,
                document: None,
                stock: None,
            }
        });
        match event {
            Incoming::Upserted(product) => set_document(change, Document::Upserted(product)),
            Incoming::Deleted(deleted) => set_document(
                change,
                Document::Deleted {
                    version: deleted.version,
                    at: deleted.deleted_at,
                },
            ),
            Incoming::Stock(stock) => {
                let totals = stock.product_stock();
                match &mut change.document {
                    Some(Document::Upserted(product)) => {
                        product.available = totals.available;
                        product.in_stock = totals.in_stock;
                        if let Some(variant) =
                            product.variants.iter_mut().find(|v| v.sku == stock.sku)
                        {
                            variant.available = stock.available;
                            variant.in_stock = stock.in_stock;
                        }
                    }
                    Some(Document::Deleted { .. }) => {}
                    None => {
                        change.stock = Some(Stock {
                            available: totals.available,
                            in_stock: totals.in_stock,
                        })
                    }
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|sku| changes.remove(&sku))
        .collect()
}

fn set_document(change: &mut Change, document: Document) {
    if change
        .document
        .as_ref()
        .is_some_and(|current| current.supersedes(&document))
    {
        return;
    }
    change.document = Some(document);
    // The document carries the stock of its time, later than any stock event folded before it.
    change.stock = None;
}

/// What the indexer last applied for a SKU (its row in `indexed_products`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: u64,
    /// The product has a document in the index.
    pub indexed: bool,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Applied {
    fn as_document(&self) -> Option<Document> {
        self.deleted_at.map(|at| Document::Deleted {
            version: self.version,
            at,
        })
    }
}

/// What to do to the index for a batch of changes, and what to remember afterwards.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// Whole documents to write (replacing any older one).
    pub put: Vec<SearchDocument>,
    /// SKUs to remove from the index.
    pub remove: Vec<String>,
    /// Partial documents: SKU and stock, for products already in the index.
    pub stock: Vec<(String, Stock)>,
    /// Rows of `indexed_products` to write once the index took the changes.
    pub remember: Vec<(String, Applied)>,
    /// Changes dropped as older than what was applied (for the logs and metrics).
    pub stale: usize,
}

/// Decides each change against `applied` (what the indexer knows per SKU). Equal versions are applied again:
/// writing the same document twice is harmless, and it is how a rebuild copies documents the live index
/// already has.
pub fn plan(changes: Vec<Change>, applied: &HashMap<String, Applied>) -> Plan {
    let mut plan = Plan::default();
    for change in changes {
        let known = applied.get(&change.sku);
        match change.document {
            Some(document) => {
                let newer_known = known.is_some_and(|known| match known.as_document() {
                    Some(tombstone) => tombstone.supersedes(&document),
                    None => known.version > document.version(),
                });
                if newer_known {
                    plan.stale += 1;
                    continue;
                }
                match document {
                    Document::Upserted(product) => {
                        let version = product.version;
                        let indexed = match to_document(&product) {
                            Some(document) => {
                                plan.put.push(document);
                                true
                            }
                            None => {
                                plan.remove.push(change.sku.clone());
                                false
                            }
                        };
                        plan.remember.push((
                            change.sku,
                            Applied {
                                version,
                                indexed,
                                deleted_at: None,
                            },
                        ));
                    }
                    Document::Deleted { version, at } => {
                        plan.remove.push(change.sku.clone());
                        plan.remember.push((
                            change.sku,
                            Applied {
                                version,
                                indexed: false,
                                deleted_at: Some(at),
                            },
                        ));
                    }
                }
            }
            None => {
                // A stock change only touches a document the index has; one for a product it does not know
                // (yet) would otherwise create a document with nothing but the stock in it.
                if let (Some(stock), Some(known)) = (change.stock, known)
                    && known.indexed
                {
                    plan.stock.push((change.sku, stock));
                }
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use platform::contracts::{
        Sku,
        catalog::{CategoryRef, ProductStatus, StockChangeReason},
    };
    use rust_decimal::Decimal;

    use super::*;

    fn upserted(sku: &str, version: u64, available: u32) -> Incoming {
        Incoming::Upserted(Box::new(ProductUpserted {
            sku: Sku::parse(sku).unwrap(),
            slug: sku.to_lowercase(),
            name: format!("Product {sku} v{version}"),
            description: String::new(),
            brand: "Acme".into(),
            status: ProductStatus::Active,
            category_path: vec![CategoryRef {
                slug: "c".into(),
                name: "C".into(),
                depth: Some(0),
            }],
            categories: vec![],
            price: Decimal::new(1000, 2),
            currency: "USD".into(),
            available,
            in_stock: available > 0,
            popularity: 1,
            image: None,
            created_at: Utc::now() - Duration::days(10),
            updated_at: Utc::now(),
            version,
            option_names: vec![],
            variants: vec![],
        }))
    }

    fn deleted(sku: &str, version: u64) -> Incoming {
        Incoming::Deleted(ProductDeleted {
            sku: Sku::parse(sku).unwrap(),
            version,
            deleted_at: Utc::now() - Duration::days(1),
        })
    }

    fn stock(sku: &str, available: u32) -> Incoming {
        Incoming::Stock(StockChanged {
            sku: Sku::parse(sku).unwrap(),
            on_hand: available,
            reserved: 0,
            available,
            in_stock: available > 0,
            reason: StockChangeReason::Adjusted,
            order_number: None,
            product_version: 1,
            changed_at: Utc::now(),
            product: None,
        })
    }

    fn version_of(change: &Change) -> Option<u64> {
        change.document.as_ref().map(Document::version)
    }

    #[test]
    fn events_for_one_sku_fold_into_its_newest_document() {
        let changes = coalesce([
            upserted("A", 2, 5),
            upserted("B", 1, 5),
            upserted("A", 3, 5),
            upserted("A", 1, 5),
        ]);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].sku, "A");
        assert_eq!(version_of(&changes[0]), Some(3));
    }

    #[test]
    fn stock_after_a_document_updates_it_and_stock_before_it_is_dropped() {
        let changes = coalesce([stock("A", 9), upserted("A", 2, 5), stock("A", 4)]);
        let Some(Document::Upserted(product)) = &changes[0].document else {
            panic!("expected a document: {changes:?}");
        };
        assert_eq!(product.available, 4);
        assert_eq!(changes[0].stock, None);

        let changes = coalesce([stock("B", 9), stock("B", 0)]);
        assert_eq!(
            changes[0].stock,
            Some(Stock {
                available: 0,
                in_stock: false
            })
        );
    }

    #[test]
    fn a_deletion_wins_over_older_documents_in_any_order() {
        let changes = coalesce([deleted("A", 4), upserted("A", 3, 1)]);
        assert!(matches!(
            changes[0].document,
            Some(Document::Deleted { version: 4, .. })
        ));
        let changes = coalesce([upserted("A", 3, 1), deleted("A", 4), stock("A", 2)]);
        assert!(matches!(
            changes[0].document,
            Some(Document::Deleted { .. })
        ));
    }

    #[test]
    fn plans_skip_what_is_older_than_what_was_applied() {
        let applied = HashMap::from([
            (
                "A".to_owned(),
                Applied {
                    version: 5,
                    indexed: true,
                    deleted_at: None,
                },
            ),
            (
                "D".to_owned(),
                Applied {
                    version: 7,
                    indexed: false,
                    deleted_at: Some(Utc::now() - Duration::hours(1)),
                },
            ),
        ]);
        let plan = plan(
            coalesce([
                upserted("A", 4, 1),
                upserted("D", 6, 1),
                upserted("N", 1, 1),
            ]),
            &applied,
        );
        assert_eq!(plan.stale, 2);
        assert_eq!(plan.put.len(), 1);
        assert_eq!(plan.put[0].sku, "N");

        // The same version again is written again (idempotent, and what a rebuild needs).
        let plan = super::plan(coalesce([upserted("A", 5, 1)]), &applied);
        assert_eq!(plan.put.len(), 1);
    }

    #[test]
    fn a_product_created_after_its_deletion_is_indexed_again() {
        let applied = HashMap::from([(
            "A".to_owned(),
            Applied {
                version: 9,
                indexed: false,
                deleted_at: Some(Utc::now() - Duration::days(20)),
            },
        )]);
        let plan = plan(coalesce([upserted("A", 1, 1)]), &applied);
        assert_eq!(plan.put.len(), 1);
    }

    #[test]
    fn stock_alone_only_touches_indexed_products() {
        let applied = HashMap::from([
            (
                "A".to_owned(),
                Applied {
                    version: 1,
                    indexed: true,
                    deleted_at: None,
                },
            ),
            (
                "R".to_owned(),
                Applied {
                    version: 2,
                    indexed: false,
                    deleted_at: None,
                },
            ),
        ]);
        let plan = plan(
            coalesce([stock("A", 0), stock("R", 3), stock("U", 3)]),
            &applied,
        );
        assert_eq!(
            plan.stock,
            vec![(
                "A".to_owned(),
                Stock {
                    available: 0,
                    in_stock: false
                }
            )]
        );
        assert!(plan.remember.is_empty());
    }

    #[test]
    fn archived_products_are_removed_and_remembered() {
        let Incoming::Upserted(mut product) = upserted("A", 3, 1) else {
            unreachable!()
        };
        product.status = ProductStatus::Archived;
        let plan = plan(coalesce([Incoming::Upserted(product)]), &HashMap::new());
        assert_eq!(plan.remove, ["A"]);
        assert!(!plan.remember[0].1.indexed);
    }

    #[test]
    fn a_variants_stock_counts_for_its_products_document() {
        let mut variant_stock = stock("SHOE-42", 3);
        let Incoming::Stock(event) = &mut variant_stock else {
            unreachable!()
        };
        event.product = Some(platform::contracts::catalog::ProductStock {
            sku: Sku::parse("SHOE").unwrap(),
            available: 10,
            in_stock: true,
        });
        let changes = coalesce([upserted("SHOE", 1, 13), variant_stock.clone()]);
        assert_eq!(changes.len(), 1, "one product: {changes:?}");
        let Some(Document::Upserted(product)) = &changes[0].document else {
            panic!("expected a document: {changes:?}");
        };
        assert_eq!(product.available, 10);

        let changes = coalesce([variant_stock]);
        assert_eq!(changes[0].sku, "SHOE");
        assert_eq!(
            changes[0].stock,
            Some(Stock {
                available: 10,
                in_stock: true
            })
        );
    }
}
