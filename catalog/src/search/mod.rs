//! Search-as-you-type. [`mysql`] answers from the database alone (the prefix index for name and brand words,
//! FULLTEXT for description words); Meilisearch joins as a second engine with the same response shape.

pub mod breaker;
pub mod meili;
pub mod mysql;
pub mod text;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::listing::{Facets, Filter, ProductSummary, Sort};

/// A search as the API receives it, already validated.
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
}
