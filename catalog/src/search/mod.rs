//! Search-as-you-type. [`mysql`] answers from the database alone (the prefix index for name and brand words,
//! FULLTEXT for description words); Meilisearch joins as a second engine with the same response shape, asked
//! first while it is configured and healthy, MySQL answering whenever it cannot.

pub mod breaker;
pub mod meili;
pub mod mysql;
pub mod vocabulary;

use std::{collections::HashMap, sync::Arc, time::Duration};

use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::{
        categories::Category,
        listing::{CategoryCount, Facets, Filter, Sort},
    },
    products::{FilterQuery, ProductSummary, Products, ProductsError},
    text,
};
use meili::{Meili, MeiliError};

/// A search as the shopper asked it: what they typed, and the listing's filters, sort and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub q: String,
    pub filter: FilterQuery,
    pub sort: Sort,
    pub page: u32,
    pub limit: u32,
}

/// A search as the engines receive it, its category found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    pub q: String,
    pub filter: Filter,
    pub sort: Sort,
    pub page: u32,
    pub limit: u32,
}

/// One product of a search result, with its matches marked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    #[serde(flatten)]
    pub product: ProductSummary,
    pub highlight: Highlight,
}

/// HTML-escaped text with matches wrapped in `<mark>`; safe to insert as HTML.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Highlight {
    pub name: String,
    pub brand: String,
}

/// Which engine answered a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Mysql,
    Meilisearch,
}

impl Engine {
    /// The name in responses and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mysql => "mysql",
            Self::Meilisearch => "meilisearch",
        }
    }
}

/// The response of every engine.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Which engine answered.
    pub engine: Engine,
    pub query: String,
    pub total: u64,
    /// False when the engine stopped counting (very broad prefixes): `total` is then a lower bound.
    pub total_is_exact: bool,
    pub page: u32,
    pub limit: u32,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    pub took_ms: f64,
    /// When nothing matched and a word is not one the catalog uses: the query with that word spelt as the
    /// catalog spells it, offered only when it finds products (MySQL engine; Meilisearch tolerates typos itself).
    #[schema(required = true)]
    pub did_you_mean: Option<String>,
    /// Categories that fit the query, to narrow to (at most [`SUGGESTED_CATEGORIES`]): those whose name holds
    /// every query word (one named exactly as the query first), then the deepest ones holding a good share of
    /// the matches; each with how many matches it holds. Empty without a query.
    pub suggested_categories: Vec<CategoryCount>,
}

/// Most categories [`SearchResponse::suggested_categories`] offers.
pub const SUGGESTED_CATEGORIES: usize = 3;
/// The share of the matches a category must hold to be offered for holding them (rather than for its name).
const FITTING_SHARE: f64 = 0.1;

/// The categories that fit `query` ([`SearchResponse::suggested_categories`]), from how many of the `total`
/// matches each category holds (`counts`, by id, ancestors counted too); never the filtered category or one
/// above it.
pub fn fitting_categories(
    categories: &HashMap<u32, Category>,
    counts: &HashMap<u32, u64>,
    total: u64,
    query: &text::Query,
    filtered: Option<u32>,
) -> Vec<CategoryCount> {
    if query.is_empty() || total == 0 {
        return Vec::new();
    }
    let above_filter: &[u32] = filtered
        .and_then(|id| categories.get(&id))
        .map_or(&[], |category| &category.path_ids);
    let mut held: Vec<(&Category, u64)> = counts
        .iter()
        .filter(|(id, count)| **count > 0 && !above_filter.contains(id))
        .filter_map(|(id, count)| Some((categories.get(id)?, *count)))
        .collect();
    held.sort_by(|(a, a_count), (b, b_count)| {
        b_count.cmp(a_count).then_with(|| a.name.cmp(&b.name))
    });

    // Named for the query: "iPhone" for "iphone" first, then the others holding every word, most matches first.
    let named = |category: &Category| {
        let words = text::words(&category.name);
        let holds_every_word = query.terms.iter().all(|term| {
            words
                .iter()
                .any(|word| text::match_word(term, word).is_some())
        });
        holds_every_word.then_some(words.len() == query.terms.len())
    };
    let mut by_name: Vec<(&Category, u64, bool)> = held
        .iter()
        .filter_map(|(category, count)| named(category).map(|exact| (*category, *count, exact)))
        .collect();
    by_name.sort_by_key(|(_, _, exact)| !exact);
    let mut chosen: Vec<(&Category, u64)> = by_name
        .into_iter()
        .map(|(category, count, _)| (category, count))
        .take(SUGGESTED_CATEGORIES)
        .collect();

    // Holding the matches: the deepest categories with a good share, not the top one holding everything.
    let share = (total as f64 * FITTING_SHARE).ceil() as u64;
    let large: Vec<(&Category, u64)> = held
        .iter()
        .copied()
        .filter(|(_, count)| *count >= share.max(1))
        .collect();
    for (category, count) in &large {
        if chosen.len() >= SUGGESTED_CATEGORIES {
            break;
        }
        let has_large_child = large
            .iter()
            .any(|(other, _)| other.id != category.id && other.path_ids.contains(&category.id));
        if !has_large_child && !chosen.iter().any(|(known, _)| known.id == category.id) {
            chosen.push((category, *count));
        }
    }
    chosen
        .into_iter()
        .map(|(category, count)| CategoryCount {
            slug: category.slug.clone(),
            name: category.name.clone(),
            count,
        })
        .collect()
}

/// The search operation and its engines; clones share them.
#[derive(Debug, Clone)]
pub struct Search {
    products: Products,
    meili: Option<Arc<Meili>>,
    /// The most a description (FULLTEXT) lookup may take per keystroke.
    fulltext_budget: Duration,
    /// The catalog's words, for "did you mean".
    vocabulary: vocabulary::Vocabulary,
}

impl Search {
    pub fn new(products: Products, fulltext_budget: Duration) -> Self {
        Self {
            products,
            meili: None,
            fulltext_budget,
            vocabulary: vocabulary::Vocabulary::default(),
        }
    }

    /// Searches with `meili` first.
    pub fn with_meili(mut self, meili: Meili) -> Self {
        self.meili = Some(Arc::new(meili));
        self
    }

    /// Answers `query` from Meilisearch when it is configured and healthy, else (and whenever it fails or is too
    /// slow) from MySQL.
    pub async fn search(&self, query: SearchQuery) -> Result<SearchResponse, ProductsError> {
        let (filter, _) = self.products.resolve(&query.filter).await?;
        let request = SearchRequest {
            q: query.q,
            filter,
            sort: query.sort,
            page: query.page,
            limit: query.limit,
        };
        let categories = self.products.categories().await?;
        let pool = self.products.pool();
        let response = match &self.meili {
            // An empty query is the listing, which MySQL answers exactly (and cached).
            Some(meili)
                if !text::Query::parse(&request.q, mysql::MAX_TERMS).is_empty()
                    && meili.available() =>
            {
                match meili.search(&categories, &request).await {
                    Ok(response) => response,
                    Err(err) => {
                        let reason = match err {
                            MeiliError::Timeout(_) => "timeout",
                            MeiliError::Meilisearch(_) => "error",
                        };
                        metrics::counter!("catalog_search_fallbacks_total", "reason" => reason)
                            .increment(1);
                        mysql::search(pool, &categories, &request, self.fulltext_budget).await?
                    }
                }
            }
            _ => mysql::search(pool, &categories, &request, self.fulltext_budget).await?,
        };
        let response = self
            .with_suggestion(response, &request, &categories)
            .await?;
        metrics::histogram!("catalog_search_duration_seconds", "engine" => response.engine.as_str())
            .record(response.took_ms / 1000.0);
        Ok(response)
    }

    /// `response` with a "did you mean" when MySQL found nothing for a word the catalog does not use and its
    /// closest known spelling finds something (one more search, on those keystrokes only).
    async fn with_suggestion(
        &self,
        mut response: SearchResponse,
        request: &SearchRequest,
        categories: &HashMap<u32, Category>,
    ) -> Result<SearchResponse, ProductsError> {
        if response.engine != Engine::Mysql || response.total > 0 || request.page > 1 {
            return Ok(response);
        }
        let query = text::Query::parse(&request.q, mysql::MAX_TERMS);
        if query.is_empty() {
            return Ok(response);
        }
        let pool = self.products.pool();
        let Some(suggestion) = self.vocabulary.words(pool).await?.suggest(&query) else {
            return Ok(response);
        };
        let corrected = SearchRequest {
            q: suggestion.clone(),
            limit: 1,
            ..request.clone()
        };
        let found = mysql::search(pool, categories, &corrected, self.fulltext_budget).await?;
        if found.total > 0 {
            response.did_you_mean = Some(suggestion);
        }
        Ok(response)
    }
}
