//! The Meilisearch engine: typo-tolerant search over the index the search-indexer keeps, answering in the
//! same shape as [`super::mysql`] (hits with highlights, category/brand/price facets, totals).
//!
//! It is asked only while it is healthy: every call has a short timeout, and after a few failures in a row
//! the [`Breaker`] opens, so a dead Meilisearch costs a search nothing until a trial call finds it back. The
//! catalog holds a search-only key (`MEILI_SEARCH_KEY`), never one that can write.

use std::{collections::HashMap, time::Duration};

use chrono::{DateTime, Utc};
use meilisearch_sdk::{
    client::Client,
    search::{MatchingStrategies, SearchResults, Selectors},
};
use platform::contracts::search::{
    CATEGORY_LEVELS, HIT_FIELDS, PRICE_RANGES, category_level_field,
};
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{
    Engine, Highlight, Hit, SearchRequest, SearchResponse, breaker::Breaker, fitting_categories,
};
use crate::{
    categories::child_categories,
    config::MeiliConfig,
    db::{
        categories::Category,
        documents::CURRENCY,
        listing::{BrandCount, CategoryCount, Facets, MAX_BRANDS, PriceRangeCount, Sort},
    },
    domain::Sku,
    products::ProductSummary,
    text::{self, highlight_marked},
};

/// Markers Meilisearch puts around matches; private-use characters never found in product text, turned into
/// `<mark>` after the text is escaped.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';
const MARK_OPEN_STR: &str = "\u{E000}";
const MARK_CLOSE_STR: &str = "\u{E001}";
/// The deepest result Meilisearch counts (its `pagination.maxTotalHits`, set by the indexer).
const MAX_TOTAL_HITS: u64 = 10_000;

/// A search hit as the index stores it.
#[derive(Debug, Deserialize)]
struct Document {
    sku: Sku,
    slug: String,
    name: String,
    brand: String,
    price: Decimal,
    /// Absent in documents from before variants: one price.
    #[serde(default)]
    max_price: Option<Decimal>,
    image: Option<String>,
    available: u32,
    in_stock: bool,
    popularity: u32,
    created_at: DateTime<Utc>,
}

/// Why Meilisearch gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum MeiliError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Meilisearch(#[from] meilisearch_sdk::errors::Error),
}

/// The engine, with its breaker.
#[derive(Debug)]
pub struct Meili {
    client: Client,
    config: MeiliConfig,
    breaker: Breaker,
}

impl Meili {
    pub fn new(config: MeiliConfig) -> Result<Self, meilisearch_sdk::errors::Error> {
        let client = Client::new(
            &config.url,
            config.search_key.as_ref().map(ExposeSecret::expose_secret),
        )?;
        Ok(Self {
            client,
            breaker: Breaker::new(config.breaker_failures, config.breaker_cooldown),
            config,
        })
    }

    /// Whether a search should be tried (false while the breaker is open).
    pub fn available(&self) -> bool {
        let allows = self.breaker.allows();
        metrics::gauge!("catalog_search_breaker_open").set(if allows { 0.0 } else { 1.0 });
        allows
    }

    /// Searches, within the timeout; every outcome feeds the breaker.
    pub async fn search(
        &self,
        categories: &HashMap<u32, Category>,
        request: &SearchRequest,
    ) -> Result<SearchResponse, MeiliError> {
        let started = std::time::Instant::now();
        let result = tokio::time::timeout(self.config.timeout, self.query(categories, request))
            .await
            .map_err(|_| MeiliError::Timeout(self.config.timeout))
            .and_then(|result| result.map_err(MeiliError::from));
        match &result {
            Ok(_) => self.breaker.succeeded(),
            Err(err) => {
                if self.breaker.failed() {
                    tracing::warn!(error = %err, cooldown = ?self.config.breaker_cooldown, "Meilisearch keeps failing: searching with MySQL for a while");
                } else {
                    tracing::debug!(error = %err, "Meilisearch failed a search");
                }
            }
        }
        let results = result?;
        Ok(response(categories, request, results, started))
    }

    async fn query(
        &self,
        categories: &HashMap<u32, Category>,
        request: &SearchRequest,
    ) -> Result<SearchResults<Document>, meilisearch_sdk::errors::Error> {
        let index = self.client.index(&self.config.index);
        let filter = filter_expression(categories, request);
        let sort = sort_expression(request.sort);
        let category_facet = category_facet(categories, request);
        // `categories` (every category of a match, ancestors included): which ones fit the query.
        let facets = [
            category_facet.as_str(),
            "brand",
            "price_range",
            "categories",
        ];
        let mut query = index.search();
        query
            .with_query(&request.q)
            .with_page(request.page as usize)
            .with_hits_per_page(request.limit as usize)
            .with_attributes_to_retrieve(Selectors::Some(&HIT_FIELDS))
            .with_attributes_to_highlight(Selectors::Some(&["name", "brand"]))
            .with_highlight_pre_tag(MARK_OPEN_STR)
            .with_highlight_post_tag(MARK_CLOSE_STR)
            .with_facets(Selectors::Some(&facets))
            // Every word must match (typos tolerated): a word that matches nothing is never dropped silently,
            // "samsung tv" is Samsung TVs or nothing, as with MySQL.
            .with_matching_strategy(MatchingStrategies::ALL);
        if let Some(filter) = &filter {
            query.with_filter(filter);
        }
        if let Some(sort) = &sort {
            query.with_sort(sort);
        }
        query.execute::<Document>().await
    }
}

/// The field whose values are the categories a shopper can narrow to: the level below the filtered category
/// (the top level without one). Counting one level is much cheaper than counting every category.
fn category_facet(categories: &HashMap<u32, Category>, request: &SearchRequest) -> String {
    let level = request
        .filter
        .category
        .and_then(|id| categories.get(&id))
        .map_or(0, |category| usize::from(category.depth) + 1);
    if level < CATEGORY_LEVELS {
        category_level_field(level)
    } else {
        "categories".to_owned()
    }
}

/// A string literal of Meilisearch's filter syntax.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn cents(price: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive as _;
    (price * Decimal::ONE_HUNDRED)
        .round()
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// The listing filter in Meilisearch's syntax; `None` without one.
pub fn filter_expression(
    categories: &HashMap<u32, Category>,
    request: &SearchRequest,
) -> Option<String> {
    let filter = &request.filter;
    let mut parts = Vec::new();
    if let Some(category) = filter.category.and_then(|id| categories.get(&id)) {
        parts.push(format!("categories = {}", quoted(&category.slug)));
    }
    if let Some(brand) = &filter.brand {
        parts.push(format!("brand = {}", quoted(brand)));
    }
    if let Some(min) = filter.min_price {
        parts.push(format!("price_cents >= {}", cents(min)));
    }
    if let Some(max) = filter.max_price {
        parts.push(format!("price_cents <= {}", cents(max)));
    }
    if filter.in_stock {
        parts.push("in_stock = true".to_owned());
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The listing sort in Meilisearch's syntax; `None` for relevance.
pub fn sort_expression(sort: Sort) -> Option<[&'static str; 1]> {
    match sort {
        Sort::Relevance => None,
        Sort::Popularity => Some(["popularity:desc"]),
        Sort::PriceAsc => Some(["price_cents:asc"]),
        Sort::PriceDesc => Some(["price_cents:desc"]),
        Sort::Newest => Some(["created_ts:desc"]),
    }
}

fn response(
    categories: &HashMap<u32, Category>,
    request: &SearchRequest,
    results: SearchResults<Document>,
    started: std::time::Instant,
) -> SearchResponse {
    let total = results
        .total_hits
        .or(results.estimated_total_hits)
        .unwrap_or(0) as u64;
    let hits = results
        .hits
        .into_iter()
        .map(|hit| {
            let formatted = |field: &str, plain: &str| {
                let text = hit
                    .formatted_result
                    .as_ref()
                    .and_then(|formatted| formatted.get(field))
                    .and_then(|value| value.as_str())
                    .unwrap_or(plain);
                highlight_marked(text, MARK_OPEN, MARK_CLOSE)
            };
            let highlight = Highlight {
                name: formatted("name", &hit.result.name),
                brand: formatted("brand", &hit.result.brand),
            };
            let document = hit.result;
            Hit {
                product: ProductSummary {
                    sku: document.sku,
                    slug: document.slug,
                    name: document.name,
                    brand: document.brand,
                    price: document.price,
                    max_price: document.max_price.unwrap_or(document.price),
                    currency: CURRENCY,
                    image: document.image,
                    in_stock: document.in_stock,
                    available: document.available,
                    popularity: document.popularity,
                    created_at: document.created_at,
                },
                highlight,
            }
        })
        .collect();
    let mut distribution = results.facet_distribution.unwrap_or_default();
    let by_slug: HashMap<&str, u32> = categories
        .values()
        .map(|category| (category.slug.as_str(), category.id))
        .collect();
    let per_category: HashMap<u32, u64> = distribution
        .remove("categories")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(slug, count)| Some((*by_slug.get(slug.as_str())?, count as u64)))
        .collect();
    let suggested_categories = fitting_categories(
        categories,
        &per_category,
        total,
        &text::Query::parse(&request.q, super::mysql::MAX_TERMS),
        request.filter.category,
    );
    let facets = facets(categories, request, distribution);
    SearchResponse {
        engine: Engine::Meilisearch,
        query: request.q.clone(),
        total,
        total_is_exact: total < MAX_TOTAL_HITS,
        page: request.page,
        limit: request.limit,
        hits,
        facets,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        did_you_mean: None,
        suggested_categories,
    }
}

/// The facets as the MySQL engine counts them: the filtered category's children (or the top level), the
/// brands with most matches, the price buckets with any.
fn facets(
    categories: &HashMap<u32, Category>,
    request: &SearchRequest,
    mut distribution: HashMap<String, HashMap<String, usize>>,
) -> Facets {
    let per_category = distribution
        .remove(&category_facet(categories, request))
        .unwrap_or_default();
    let mut category_counts: Vec<CategoryCount> =
        child_categories(categories, request.filter.category)
            .into_iter()
            .filter_map(|(_, slug, name)| {
                per_category.get(&slug).map(|count| CategoryCount {
                    count: *count as u64,
                    slug,
                    name,
                })
            })
            .collect();
    category_counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));

    let mut brands: Vec<BrandCount> = distribution
        .remove("brand")
        .unwrap_or_default()
        .into_iter()
        .map(|(value, count)| BrandCount {
            value,
            count: count as u64,
        })
        .collect();
    brands.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    brands.truncate(MAX_BRANDS);

    let per_range = distribution.remove("price_range").unwrap_or_default();
    let price_ranges = PRICE_RANGES
        .iter()
        .enumerate()
        .filter_map(|(bucket, (min, max))| {
            let count = *per_range.get(&bucket.to_string())? as u64;
            (count > 0).then(|| PriceRangeCount {
                min: (*min).into(),
                max: max.map(Into::into),
                count,
            })
        })
        .collect();
    Facets {
        categories: category_counts,
        brands,
        price_ranges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::listing::Filter;

    #[test]
    fn filters_are_quoted_and_prices_exact() {
        let categories = HashMap::new();
        let request = SearchRequest {
            q: "tv".into(),
            filter: Filter {
                category: None,
                brand: Some("Dr. \"Quote\" \\ Co".into()),
                min_price: Some(Decimal::new(1999, 2)),
                max_price: Some(Decimal::new(100, 0)),
                in_stock: true,
            },
            sort: Sort::PriceAsc,
            page: 1,
            limit: 10,
        };
        assert_eq!(
            filter_expression(&categories, &request).unwrap(),
            r#"brand = "Dr. \"Quote\" \\ Co" AND price_cents >= 1999 AND price_cents <= 10000 AND in_stock = true"#
        );
        assert_eq!(sort_expression(Sort::PriceAsc), Some(["price_cents:asc"]));
        assert_eq!(sort_expression(Sort::Relevance), None);
    }
}
