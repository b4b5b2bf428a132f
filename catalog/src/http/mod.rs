//! The public catalog API (JSON). Routes: `GET /api/products`, `GET /api/products/{slug}` (and its `/related`),
//! `GET /api/categories`, `GET /api/search`, `GET /api/openapi.json`; and for crawlers `GET /robots.txt`,
//! `GET /sitemap.xml` and `GET /sitemaps/{file}` ([`crate::sitemap`]). Each handler parses its input, calls one
//! operation of `products` or `search`, and answers its result; failures are mapped once, in [`error`].

mod alerts;
mod categories;
mod error;
mod openapi;
pub mod params;
mod products;
mod schema;
mod search;
mod seo;

use std::time::Duration;

use axum::{
    Router,
    extract::{Query, rejection::QueryRejection},
    routing::{get, post},
};
use sqlx::MySqlPool;

use self::{error::Error, params::Params};
use crate::{
    domain::InvalidValue, product_cache::ProductCache, products::Products, search::Search,
    search::meili::Meili, sitemap::Sitemap,
};

/// What handlers share: the operations, with their caches and engines.
#[derive(Debug, Clone)]
pub struct AppState {
    products: Products,
    search: Search,
    pages: ProductCache,
    sitemap: Sitemap,
}

impl AppState {
    /// `fulltext_budget` is the most a description (FULLTEXT) lookup may take per keystroke; `public_base_url`
    /// is where shoppers reach the storefront (the sitemap's links).
    pub fn new(
        pool: MySqlPool,
        fulltext_budget: Duration,
        pages: ProductCache,
        public_base_url: &str,
    ) -> Self {
        let sitemap = Sitemap::new(pool.clone(), public_base_url);
        let products = Products::new(pool);
        Self {
            search: Search::new(products.clone(), fulltext_budget),
            products,
            pages,
            sitemap,
        }
    }

    /// Searches with `meili` first.
    pub fn with_meili(mut self, meili: Meili) -> Self {
        self.search = self.search.with_meili(meili);
        self
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/products", get(products::list))
        .route("/api/products/{slug}", get(products::detail))
        .route("/api/products/{slug}/related", get(products::related))
        .route("/api/products/{slug}/stock-alerts", post(alerts::request))
        .route(
            "/api/stock-alerts/{token}",
            get(alerts::view).delete(alerts::unsubscribe),
        )
        .route("/api/categories", get(categories::tree))
        .route("/api/search", get(search::search))
        .route("/api/openapi.json", get(openapi::serve))
        .route("/robots.txt", get(seo::robots))
        .route("/sitemap.xml", get(seo::index))
        .route("/sitemaps/{file}", get(seo::file))
        .fallback(platform::http_error::no_such_endpoint)
        .with_state(state)
}

/// The query string as [`Params`]; a malformed one is a 400 rather than axum's plain-text rejection.
fn params(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<Params, Error> {
    match query {
        Ok(Query(pairs)) => Ok(Params::new(pairs)),
        Err(rejection) => Err(InvalidValue::new("query", rejection.body_text()).into()),
    }
}
