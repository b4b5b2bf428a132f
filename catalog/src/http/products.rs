//! Listing and product detail.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
};
use chrono::{DateTime, Utc};
use platform::contracts::{
    Sku,
    catalog::{CategoryRef, ProductUpserted},
};
use platform::http_error::ApiError;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row as _;
use utoipa::ToSchema;

use super::{
    AppState,
    openapi::{InvalidRequest, NotFound, Unavailable},
    params,
    params::{ListingParameters, MAX_BRAND_CHARS, MAX_CATEGORY_CHARS, Params},
};
use crate::{
    db::{
        self,
        categories::Category,
        listing::{Facets, Filter, ProductSummary, Sort},
    },
    search::mysql::child_categories,
};

/// The listing's default page size.
pub(super) const DEFAULT_LIMIT: u32 = 24;

/// A page of active products, with the total and facets of everything the filters match.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Listing {
    products: Vec<ProductSummary>,
    total: u64,
    page: u32,
    limit: u32,
    pages: u64,
    sort: Sort,
    /// The filtered category and its path from the root, when there is one.
    #[schema(required = true)]
    category: Option<CategoryInfo>,
    facets: Facets,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CategoryInfo {
    slug: String,
    name: String,
    path: Vec<CategoryRef>,
}

pub(super) fn category_info(
    category: &Category,
    all: &std::collections::HashMap<u32, Category>,
) -> CategoryInfo {
    CategoryInfo {
        slug: category.slug.clone(),
        name: category.name.clone(),
        path: category
            .path_ids
            .iter()
            .filter_map(|id| all.get(id))
            .map(|c| CategoryRef {
                slug: c.slug.clone(),
                name: c.name.clone(),
                depth: None,
            })
            .collect(),
    }
}

/// The filter parameters shared by the listing and search: `category`, `brand`, `min_price`, `max_price`,
/// `in_stock`.
pub(super) async fn filter_from(
    state: &AppState,
    params: &Params,
) -> Result<(Filter, Option<Category>), ApiError> {
    let category = match params.text("category", MAX_CATEGORY_CHARS)? {
        Some(slug) => Some(state.category_by_slug(&slug).await?.ok_or_else(|| {
            ApiError::field("category", format!("no category with slug {slug:?}"))
        })?),
        None => None,
    };
    let min_price = params.price("min_price")?;
    let max_price = params.price("max_price")?;
    if let (Some(min), Some(max)) = (min_price, max_price)
        && min > max
    {
        return Err(ApiError::field("min_price", "must not be above max_price"));
    }
    let filter = Filter {
        category: category.as_ref().map(|c| c.id),
        brand: params.text("brand", MAX_BRAND_CHARS)?,
        min_price,
        max_price,
        in_stock: params.flag("in_stock")?,
    };
    Ok((filter, category))
}

#[utoipa::path(
    get,
    path = "/api/products",
    operation_id = "list_products",
    tag = "products",
    summary = "List active products with filters, sort and pagination",
    params(ListingParameters),
    responses(
        (status = 200, description = "A page of products with total and facets", body = Listing),
        (status = 400, response = InvalidRequest),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Listing>, ApiError> {
    let params = params(query)?;
    let (filter, category) = filter_from(&state, &params).await?;
    let sort = params.sort(Sort::Popularity)?;
    let (page, limit) = params.pagination(DEFAULT_LIMIT)?;
    let categories = state.categories().await?;
    let children = child_categories(&categories, filter.category);
    let (products, (total, facets)) = tokio::try_join!(
        db::listing::page(&state.pool, &filter, sort, (page - 1) * limit, limit),
        state.aggregates(&filter, &children),
    )?;
    Ok(Json(Listing {
        products,
        total,
        page,
        limit,
        pages: total.div_ceil(u64::from(limit)),
        sort,
        category: category.as_ref().map(|c| category_info(c, &categories)),
        facets,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Image {
    url: String,
    alt_text: String,
}

/// One active product: its document as the search index gets it, and its images.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ProductDetail {
    sku: Sku,
    slug: String,
    name: String,
    description: String,
    brand: String,
    /// Always `active`: other products are not shown.
    status: String,
    /// The product's main category path, root first.
    category_path: Vec<CategoryRef>,
    /// Every category the product is in, with ancestors.
    categories: Vec<CategoryRef>,
    #[schema(example = "49.99")]
    price: Decimal,
    currency: String,
    /// Units that can be sold now.
    available: u32,
    in_stock: bool,
    popularity: u32,
    /// The main image's URL.
    #[schema(required = true)]
    image: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Grows with every change of the product.
    version: u64,
    images: Vec<Image>,
}

impl ProductDetail {
    fn new(document: ProductUpserted, images: Vec<Image>) -> Self {
        Self {
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
            images,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/products/{slug}",
    operation_id = "get_product",
    tag = "products",
    summary = "One product with images, category path and availability",
    params(("slug" = String, Path, description = "The product's slug")),
    responses(
        (status = 200, description = "The product", body = ProductDetail),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn detail(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProductDetail>, ApiError> {
    let id: Option<u32> =
        sqlx::query_scalar("SELECT id FROM products WHERE slug = ? AND status = 'active'")
            .bind(&slug)
            .fetch_optional(&state.pool)
            .await?;
    let id = id.ok_or(ApiError::NotFound("product"))?;
    let mut conn = state.pool.acquire().await?;
    let document = db::documents::load(&mut conn, &[id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound("product"))?;
    let images = sqlx::query(
        "SELECT url, alt_text FROM product_images WHERE product_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok(Image {
            url: row.try_get("url")?,
            alt_text: row.try_get("alt_text")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(Json(ProductDetail::new(document, images)))
}
