//! The storefront's product operations: the listing (filters, sort, a page, totals and facets), the product
//! page and the category tree, read through short-lived caches (a few seconds of staleness is invisible to
//! shoppers, and aggregates over whole categories are the one expensive part of a listing); and removing a
//! product with its event, and the snapshot pages of search index rebuilds. Each storefront answer has its own
//! response type: never a database row or an event payload.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use platform::contracts::{
    Sku,
    catalog::{CategoryRef, ProductStatus, SnapshotPage},
};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{Connection as _, MySqlPool};
use utoipa::ToSchema;

use crate::{
    categories::{self, Categories, CategoryNode},
    db::{
        self,
        categories::Category,
        documents::CURRENCY,
        listing::{Facets, Filter, Sort, SummaryRow},
        products::Removal,
    },
    events,
};

const AGGREGATES_TTL: Duration = Duration::from_secs(30);
const AGGREGATES_MAX_ENTRIES: usize = 5_000;

/// Total and facets per listing filter, and when they were counted.
type Aggregates = HashMap<Filter, (Instant, u64, Facets)>;

/// Why a product operation has no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProductsError {
    #[error("no such product")]
    NotFound,
    #[error("no category with slug {0:?}")]
    UnknownCategory(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Which active products to show, as the shopper asked: a category by its slug.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterQuery {
    pub category: Option<String>,
    pub brand: Option<String>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    pub in_stock: bool,
}

/// Products to show beside a product ("you may also like"), best first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Related {
    pub products: Vec<ProductSummary>,
}

/// A page of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingQuery {
    pub filter: FilterQuery,
    pub sort: Sort,
    /// From 1.
    pub page: u32,
    pub limit: u32,
}

/// One product in a listing or search result.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProductSummary {
    // Described as the plain string the listing has always documented; the wire form is the same.
    #[schema(value_type = String)]
    pub sku: Sku,
    pub slug: String,
    pub name: String,
    pub brand: String,
    /// The lowest price of its variants.
    #[schema(example = "49.99")]
    pub price: Decimal,
    /// The highest price of its variants: above `price`, the product is sold "from" `price`.
    #[schema(example = "59.99")]
    pub max_price: Decimal,
    #[schema(value_type = String)]
    pub currency: &'static str,
    /// The main image's URL.
    #[schema(required = true)]
    pub image: Option<String>,
    pub in_stock: bool,
    pub available: u32,
    pub popularity: u32,
    pub created_at: DateTime<Utc>,
}

impl From<SummaryRow> for ProductSummary {
    fn from(row: SummaryRow) -> Self {
        Self {
            sku: row.sku,
            slug: row.slug,
            name: row.name,
            brand: row.brand,
            price: row.price,
            max_price: row.max_price.unwrap_or(row.price),
            currency: CURRENCY,
            image: row.image,
            in_stock: row.in_stock,
            available: row.available,
            popularity: row.popularity,
            created_at: row.created_at,
        }
    }
}

/// A page of active products, with the total and facets of everything the filters match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Listing {
    pub products: Vec<ProductSummary>,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
    pub pages: u64,
    pub sort: Sort,
    /// The filtered category and its path from the root, when there is one.
    #[schema(required = true)]
    pub category: Option<CategoryInfo>,
    pub facets: Facets,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryInfo {
    pub slug: String,
    pub name: String,
    pub path: Vec<CategoryRef>,
}

/// A photo of the product, in display order. A photo the catalog stores has three sizes (`thumb` 160 px,
/// `card` 480 px and `large` 1200 px on the longest side, never scaled up); an external image has one URL,
/// given for every size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Image {
    /// The card size (an external image's one URL).
    pub url: String,
    /// What the photo shows; the product's name when the shop gave none.
    pub alt_text: String,
    pub thumb: String,
    pub card: String,
    pub large: String,
    /// Pixels of the `large` size (the other sizes keep its aspect ratio); null for an external image.
    #[schema(required = true)]
    pub width: Option<u32>,
    #[schema(required = true)]
    pub height: Option<u32>,
}

/// One way to buy a product: its own SKU (what a cart line names), option values, price and stock.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Variant {
    #[schema(value_type = String)]
    pub sku: Sku,
    /// One value per option name of the product, in its order; empty for a plain product.
    pub option_values: Vec<String>,
    #[schema(example = "49.99")]
    pub price: Decimal,
    /// Units that can be sold now.
    pub available: u32,
    pub in_stock: bool,
}

/// One active product: its document as the search index gets it, and its images.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ProductDetail)]
pub struct ProductPage {
    pub sku: Sku,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    /// Always `active`: other products are not shown.
    #[schema(value_type = String)]
    pub status: ProductStatus,
    /// The product's main category path, root first.
    pub category_path: Vec<CategoryRef>,
    /// Every category the product is in, with ancestors.
    pub categories: Vec<CategoryRef>,
    #[schema(example = "49.99")]
    pub price: Decimal,
    pub currency: String,
    /// Units that can be sold now.
    pub available: u32,
    pub in_stock: bool,
    pub popularity: u32,
    /// The main image's URL.
    #[schema(required = true)]
    pub image: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change of the product.
    pub version: u64,
    pub images: Vec<Image>,
    /// Option names in display order (`["size", "color"]`); empty for a plain product.
    pub option_names: Vec<String>,
    /// The variants in display order: one for a plain product, with the product's own SKU. `price` is the
    /// lowest of theirs, `available` their sum.
    pub variants: Vec<Variant>,
}

/// The read operations of the storefront; clones share the caches.
#[derive(Clone)]
pub struct Products {
    pool: MySqlPool,
    categories: Categories,
    aggregates: Arc<Mutex<Aggregates>>,
}

impl std::fmt::Debug for Products {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Products").finish_non_exhaustive()
    }
}

impl Products {
    pub fn new(pool: MySqlPool) -> Self {
        Self {
            pool,
            categories: Categories::default(),
            aggregates: Arc::default(),
        }
    }

    pub fn pool(&self) -> &MySqlPool {
        &self.pool
    }

    /// Every category by id, from the snapshot.
    pub async fn categories(&self) -> Result<Arc<HashMap<u32, Category>>, sqlx::Error> {
        self.categories.all(&self.pool).await
    }

    /// The filter with its category found by slug, and that category.
    pub async fn resolve(
        &self,
        query: &FilterQuery,
    ) -> Result<(Filter, Option<Category>), ProductsError> {
        let category = match &query.category {
            Some(slug) => Some(
                categories::by_slug(&*self.categories().await?, slug)
                    .cloned()
                    .ok_or_else(|| ProductsError::UnknownCategory(slug.clone()))?,
            ),
            None => None,
        };
        let filter = Filter {
            category: category.as_ref().map(|c| c.id),
            brand: query.brand.clone(),
            min_price: query.min_price,
            max_price: query.max_price,
            in_stock: query.in_stock,
        };
        Ok((filter, category))
    }

    /// A page of active products matching the filter, with the total and facets of all of them.
    pub async fn list(&self, query: &ListingQuery) -> Result<Listing, ProductsError> {
        let (filter, category) = self.resolve(&query.filter).await?;
        let categories = self.categories().await?;
        let children = categories::child_categories(&categories, filter.category);
        let offset = (query.page - 1) * query.limit;
        let (rows, (total, facets)) = tokio::try_join!(
            db::listing::page(&self.pool, &filter, query.sort, offset, query.limit),
            self.aggregates(&filter, &children),
        )?;
        Ok(Listing {
            products: rows.into_iter().map(ProductSummary::from).collect(),
            total,
            page: query.page,
            limit: query.limit,
            pages: total.div_ceil(u64::from(query.limit)),
            sort: query.sort,
            category: category.as_ref().map(|category| CategoryInfo {
                slug: category.slug.clone(),
                name: category.name.clone(),
                path: categories::path_of(category, &categories),
            }),
            facets,
        })
    }

    /// The page of the active product with `slug`.
    pub async fn page(&self, slug: &str) -> Result<ProductPage, ProductsError> {
        let mut conn = self.pool.acquire().await?;
        let id = db::documents::active_id_by_slug(&mut conn, slug)
            .await?
            .ok_or(ProductsError::NotFound)?;
        let document = db::documents::load(&mut conn, &[id])
            .await?
            .pop()
            .ok_or(ProductsError::NotFound)?;
        let images = db::images::of_product(&mut conn, id)
            .await?
            .into_iter()
            .map(|image| Image {
                thumb: image.size_url("thumb"),
                card: image.size_url("card"),
                large: image.size_url("large"),
                width: image.width.map(u32::from),
                height: image.height.map(u32::from),
                alt_text: if image.alt_text.is_empty() {
                    document.name.clone()
                } else {
                    image.alt_text
                },
                url: image.url,
            })
            .collect();
        Ok(ProductPage {
            sku: document.sku,
            slug: document.slug,
            name: document.name,
            description: document.description,
            brand: document.brand,
            status: document.status,
            category_path: document.category_path,
            categories: document.categories,
            price: document.price,
            currency: document.currency,
            available: document.available,
            in_stock: document.in_stock,
            popularity: document.popularity,
            image: document.image,
            created_at: document.created_at,
            updated_at: document.updated_at,
            version: document.version,
            option_names: document.option_names,
            variants: document
                .variants
                .into_iter()
                .map(|variant| Variant {
                    sku: variant.sku,
                    option_values: variant.option_values,
                    price: variant.price,
                    available: variant.available,
                    in_stock: variant.in_stock,
                })
                .collect(),
            images,
        })
    }

    /// Up to `limit` products to show beside the active product with `slug`: in stock, from its own category
    /// (its brand's first), then from the category above.
    pub async fn related(&self, slug: &str, limit: u32) -> Result<Related, ProductsError> {
        let id = {
            let mut conn = self.pool.acquire().await?;
            db::documents::active_id_by_slug(&mut conn, slug)
                .await?
                .ok_or(ProductsError::NotFound)?
        };
        let ids = db::listing::related(&self.pool, id, limit).await?;
        let mut rows = db::search::summaries(&self.pool, &ids).await?;
        Ok(Related {
            products: ids
                .iter()
                .filter_map(|id| rows.remove(id))
                .map(ProductSummary::from)
                .collect(),
        })
    }

    /// The category tree with the number of active products under each category.
    pub async fn tree(&self) -> Result<Vec<CategoryNode>, ProductsError> {
        let (categories, counts) = tokio::try_join!(
            self.categories(),
            db::categories::active_product_counts(&self.pool)
        )?;
        Ok(categories::build_tree(&categories, &counts))
    }

    /// Total and facets of a listing filter, from the cache when fresh.
    async fn aggregates(
        &self,
        filter: &Filter,
        children: &[(u32, String, String)],
    ) -> Result<(u64, Facets), sqlx::Error> {
        if let Some((at, total, facets)) = self.lock_aggregates().get(filter)
            && at.elapsed() < AGGREGATES_TTL
        {
            return Ok((*total, facets.clone()));
        }
        let (total, facets) = tokio::try_join!(
            db::listing::count(&self.pool, filter),
            db::listing::facets(&self.pool, filter, children)
        )?;
        let mut cache = self.lock_aggregates();
        if cache.len() >= AGGREGATES_MAX_ENTRIES {
            cache.retain(|_, (at, _, _)| at.elapsed() < AGGREGATES_TTL);
            if cache.len() >= AGGREGATES_MAX_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(filter.clone(), (Instant::now(), total, facets.clone()));
        Ok((total, facets))
    }

    fn lock_aggregates(&self) -> std::sync::MutexGuard<'_, Aggregates> {
        // A panic while holding this lock cannot leave the map inconsistent; keep serving.
        self.aggregates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Deletes the product with `sku`, or archives it when orders reference it, and writes the matching event
/// (ProductDeleted, or ProductUpserted with the archived document) in the same transaction.
pub async fn remove(pool: &MySqlPool, sku: &Sku) -> Result<Removal, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let removal = db::products::remove(&mut tx, sku).await?;
    match removal {
        Removal::Deleted { version, .. } => events::product_deleted(&mut tx, sku, version).await?,
        Removal::Archived { id } => {
            events::product_upserted(&mut tx, &[id]).await?;
        }
        Removal::NotFound => {}
    }
    tx.commit().await?;
    Ok(removal)
}

/// A page of every active product's document in SKU order, after SKU `after` (from the start without it):
/// `limit` of them, the most a page may hold when absent or larger. For search index rebuilds.
pub async fn snapshot(
    pool: &MySqlPool,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<SnapshotPage, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let limit = limit.unwrap_or(db::documents::SNAPSHOT_MAX_PAGE);
    let (products, next) = db::documents::snapshot(&mut conn, after, limit).await?;
    Ok(SnapshotPage { products, next })
}
