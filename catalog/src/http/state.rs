//! What handlers share: the pool, a short-lived snapshot of the category tree (read on every request, changed
//! rarely), and a cache of listing totals and facets (aggregates over whole categories are the one
//! expensive part of a listing, and a few seconds of staleness is invisible to shoppers).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sqlx::MySqlPool;
use tokio::sync::RwLock;

use crate::{
    db::{
        self,
        categories::Category,
        listing::{Facets, Filter},
    },
    search::meili::Meili,
};

const CATEGORIES_TTL: Duration = Duration::from_secs(10);
const AGGREGATES_TTL: Duration = Duration::from_secs(30);
const AGGREGATES_MAX_ENTRIES: usize = 5_000;

/// The category tree by id, and when it was read.
type CategorySnapshot = Option<(Instant, Arc<HashMap<u32, Category>>)>;
/// Total and facets per listing filter, and when they were counted.
type Aggregates = HashMap<Filter, (Instant, u64, Facets)>;

#[derive(Clone)]
pub struct AppState {
    pub pool: MySqlPool,
    /// The advanced search engine, when configured.
    pub meili: Option<Arc<Meili>>,
    /// The most a description (FULLTEXT) lookup may take per keystroke.
    pub fulltext_budget: Duration,
    categories: Arc<RwLock<CategorySnapshot>>,
    aggregates: Arc<Mutex<Aggregates>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(pool: MySqlPool, fulltext_budget: Duration) -> Self {
        Self {
            pool,
            meili: None,
            fulltext_budget,
            categories: Arc::default(),
            aggregates: Arc::default(),
        }
    }

    /// Searches with `meili` first.
    pub fn with_meili(mut self, meili: Meili) -> Self {
        self.meili = Some(Arc::new(meili));
        self
    }

    /// Every category by id, at most [`CATEGORIES_TTL`] old.
    pub async fn categories(&self) -> Result<Arc<HashMap<u32, Category>>, sqlx::Error> {
        if let Some((loaded, categories)) = self.categories.read().await.as_ref()
            && loaded.elapsed() < CATEGORIES_TTL
        {
            return Ok(categories.clone());
        }
        let mut slot = self.categories.write().await;
        if let Some((loaded, categories)) = slot.as_ref()
            && loaded.elapsed() < CATEGORIES_TTL
        {
            return Ok(categories.clone());
        }
        let categories = Arc::new(db::categories::all(&self.pool).await?);
        *slot = Some((Instant::now(), categories.clone()));
        Ok(categories)
    }

    /// The category with `slug`, from the snapshot.
    pub async fn category_by_slug(&self, slug: &str) -> Result<Option<Category>, sqlx::Error> {
        Ok(self
            .categories()
            .await?
            .values()
            .find(|category| category.slug == slug)
            .cloned())
    }

    /// Total and facets of a listing filter, from the cache when fresh.
    pub async fn aggregates(
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

    fn lock_aggregates(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<Filter, (Instant, u64, Facets)>> {
        // A panic while holding this lock cannot leave the map inconsistent; keep serving.
        self.aggregates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
