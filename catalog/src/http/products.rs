//! Listing and product detail.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
};
use platform::contracts::catalog::{CategoryRef, ProductUpserted};
use platform::http_error::ApiError;
use serde::Serialize;
use sqlx::Row as _;

use super::{AppState, params, params::Params};
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

#[derive(Debug, Serialize)]
pub(super) struct Listing {
    products: Vec<ProductSummary>,
    total: u64,
    page: u32,
    limit: u32,
    pages: u64,
    sort: Sort,
    /// The filtered category and its path from the root, when there is one.
    category: Option<CategoryInfo>,
    facets: Facets,
}

#[derive(Debug, Serialize)]
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
    let category = match params.text("category", 512)? {
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
        brand: params.text("brand", 128)?,
        min_price,
        max_price,
        in_stock: params.flag("in_stock")?,
    };
    Ok((filter, category))
}

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

#[derive(Debug, Serialize)]
pub(super) struct Image {
    url: String,
    alt_text: String,
}

#[derive(Debug, Serialize)]
pub(super) struct ProductDetail {
    #[serde(flatten)]
    document: ProductUpserted,
    images: Vec<Image>,
}

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
    Ok(Json(ProductDetail { document, images }))
}
