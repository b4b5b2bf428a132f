//! The product pages this replica answered, as the JSON it sent, kept correct by the catalog's own events.
//!
//! Every change to a product (`catalog.product.<SKU>.upserted` / `.deleted`) or to a variant's stock
//! (`catalog.stock.<SKU>.changed`) is published by whichever replica made it, after its commit; every replica
//! subscribes to `catalog.>` and drops the page holding that SKU (the product's or any of its variants'). So a
//! change is visible on every replica as soon as its event arrives: the committing replica's relay publishes
//! right after the commit (it is notified in process), a few milliseconds.
//!
//! Staleness is bounded three ways:
//! - a page read from the database while its product changed is not stored (a read takes a ticket; a
//!   product invalidated after the ticket was taken cannot be stored under it);
//! - while this replica's NATS connection is down no page is served from or stored in the cache (events may
//!   be missed), and the whole cache is dropped when it comes back;
//! - every page is dropped after `PRODUCT_CACHE_TTL_SECS` whatever happens (default 60 s), the backstop for a
//!   change that publishes no product event.
//!
//! Size: at most `PRODUCT_CACHE_ENTRIES` pages (default 10,000; 0 turns the cache off), evicted by CLOCK (a
//! page asked for since the hand last passed gets a second chance): the popular pages stay. Metrics:
//! `catalog_product_cache_hits_total`, `catalog_product_cache_misses_total`,
//! `catalog_product_cache_evictions_total`, `catalog_product_cache_invalidations_total`,
//! `catalog_product_cache_entries`.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use futures::StreamExt as _;

/// Invalidations remembered to refuse a page read across one of them; a read that saw more than this many
/// pass is not stored at all.
const REMEMBERED_INVALIDATIONS: usize = 4096;

/// The cache; clones share it.
#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("capacity", &self.inner.capacity)
            .field("ttl", &self.inner.ttl)
            .finish_non_exhaustive()
    }
}

struct Inner {
    capacity: usize,
    ttl: Duration,
    /// Set while the invalidation feed may have missed events; the next connected use clears the cache.
    feed_lost: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    pages: HashMap<String, Page>,
    /// Every SKU of a stored page (the product's and its variants') -> the page's slug.
    slugs_by_sku: HashMap<String, String>,
    /// The CLOCK: slugs in insertion order; the hand is the front.
    clock: VecDeque<String>,
    /// Counts invalidations; a ticket is the count when a read began.
    generation: u64,
    /// The latest invalidations, oldest first: (generation after it, SKU).
    invalidated: VecDeque<(u64, String)>,
}

struct Page {
    body: Bytes,
    skus: Vec<String>,
    stored_at: Instant,
    /// Asked for since the hand last passed.
    referenced: bool,
}

/// Taken before reading a page from the database; storing it needs one.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl PageCache {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                capacity,
                ttl,
                feed_lost: AtomicBool::new(false),
                state: Mutex::default(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves nothing half-done that matters: start from what is there.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The page stored for `slug`, if any and fresh; none while the invalidation feed is down.
    pub fn get(&self, slug: &str) -> Option<Bytes> {
        if self.inner.capacity == 0 || self.inner.feed_lost.load(Ordering::Acquire) {
            return None;
        }
        let mut state = self.state();
        let found = match state.pages.get_mut(slug) {
            Some(page) if page.stored_at.elapsed() < self.inner.ttl => {
                page.referenced = true;
                Some(page.body.clone())
            }
            Some(_) => {
                state.remove(slug);
                None
            }
            None => None,
        };
        drop(state);
        match &found {
            Some(_) => metrics::counter!("catalog_product_cache_hits_total").increment(1),
            None => metrics::counter!("catalog_product_cache_misses_total").increment(1),
        }
        found
    }

    /// To take before reading a page from the database.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.state().generation)
    }

    /// Stores the page of `slug` (`body`, naming `skus`), read under `ticket`, unless one of its SKUs was
    /// invalidated since (the read may predate that change).
    pub fn put(&self, ticket: Ticket, slug: &str, skus: Vec<String>, body: Bytes) {
        if self.inner.capacity == 0 || self.inner.feed_lost.load(Ordering::Acquire) {
            return;
        }
        let mut state = self.state();
        if state.generation - ticket.0 > state.invalidated.len() as u64 {
            return; // More changes passed than are remembered: cannot tell.
        }
        let changed_since = state
            .invalidated
            .iter()
            .rev()
            .take_while(|(generation, _)| *generation > ticket.0)
            .any(|(_, sku)| skus.contains(sku));
        if changed_since {
            return;
        }
        state.remove(slug);
        while state.pages.len() >= self.inner.capacity {
            if !state.evict_one() {
                break;
            }
            metrics::counter!("catalog_product_cache_evictions_total").increment(1);
        }
        for sku in &skus {
            state.slugs_by_sku.insert(sku.clone(), slug.to_owned());
        }
        state.clock.push_back(slug.to_owned());
        state.pages.insert(
            slug.to_owned(),
            Page {
                body,
                skus,
                stored_at: Instant::now(),
                referenced: false,
            },
        );
        metrics::gauge!("catalog_product_cache_entries").set(state.pages.len() as f64);
    }

    /// Drops the page holding `sku`, and remembers the change for reads in flight.
    pub fn invalidate(&self, sku: &str) {
        let mut state = self.state();
        state.generation += 1;
        let generation = state.generation;
        state.invalidated.push_back((generation, sku.to_owned()));
        if state.invalidated.len() > REMEMBERED_INVALIDATIONS {
            state.invalidated.pop_front();
        }
        if let Some(slug) = state.slugs_by_sku.get(sku).cloned() {
            state.remove(&slug);
        }
        metrics::gauge!("catalog_product_cache_entries").set(state.pages.len() as f64);
        metrics::counter!("catalog_product_cache_invalidations_total").increment(1);
    }

    /// Drops every page (and refuses reads in flight).
    pub fn clear(&self) {
        let mut state = self.state();
        let generation = state.generation + REMEMBERED_INVALIDATIONS as u64 + 1;
        *state = State {
            generation,
            ..State::default()
        };
        metrics::gauge!("catalog_product_cache_entries").set(0.0);
    }

    /// Follows `catalog.>` on `client` until `stop` (or the connection closes): each event drops the page it changes; a
    /// subject it does not know drops them all. A lost connection stops serving from the cache until it is
    /// back, and then drops everything (events may have been missed meanwhile).
    pub async fn follow(
        self,
        client: async_nats::Client,
        stop: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        if self.inner.capacity == 0 {
            return Ok(());
        }
        let mut events = client.subscribe("catalog.>").await?;
        let watch = {
            let cache = self.clone();
            let client = client.clone();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(Duration::from_millis(100));
                loop {
                    interval.tick().await;
                    let connected =
                        client.connection_state() == async_nats::connection::State::Connected;
                    if !connected {
                        cache.inner.feed_lost.store(true, Ordering::Release);
                    } else if cache.inner.feed_lost.load(Ordering::Acquire) {
                        cache.clear();
                        cache.inner.feed_lost.store(false, Ordering::Release);
                    }
                }
            })
        };
        tokio::pin!(stop);
        loop {
            let event = tokio::select! {
                event = events.next() => event,
                () = &mut stop => None,
            };
            let Some(event) = event else { break };
            match changed_sku(&event.subject) {
                Some(sku) => self.invalidate(sku),
                None => self.clear(),
            }
        }
        watch.abort();
        Ok(())
    }

    /// Awaits `write` (an admin command of this replica) and then drops every page: the admin's next look at
    /// the storefront through this replica shows the change at once, not only once its event is back. Admin
    /// commands are few; the other replicas follow the events.
    pub async fn dropped_after<T>(&self, write: impl std::future::Future<Output = T>) -> T {
        let done = write.await;
        self.clear();
        done
    }
}

impl State {
    fn remove(&mut self, slug: &str) {
        if let Some(page) = self.pages.remove(slug) {
            for sku in &page.skus {
                if self.slugs_by_sku.get(sku).is_some_and(|s| s == slug) {
                    self.slugs_by_sku.remove(sku);
                }
            }
        }
    }

    /// Moves the hand until it evicts a page not referenced since it last passed; false when empty.
    fn evict_one(&mut self) -> bool {
        while let Some(slug) = self.clock.pop_front() {
            match self.pages.get_mut(&slug) {
                // Removed or replaced since: its clock entry is stale (a replaced page has a newer one).
                None => continue,
                Some(page) if page.referenced => {
                    page.referenced = false;
                    self.clock.push_back(slug);
                }
                Some(_) => {
                    self.remove(&slug);
                    return true;
                }
            }
        }
        false
    }
}

/// The SKU a catalog event changes, from its subject; `None` for a subject this cache does not know.
fn changed_sku(subject: &str) -> Option<&str> {
    let rest = subject.strip_prefix("catalog.")?;
    let (kind, rest) = rest.split_once('.')?;
    let (sku, verb) = rest.rsplit_once('.')?;
    match (kind, verb) {
        ("product", "upserted" | "deleted") | ("stock", "changed") => Some(sku),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cache: &PageCache, slug: &str, skus: &[&str]) {
        let ticket = cache.ticket();
        cache.put(
            ticket,
            slug,
            skus.iter().map(|s| s.to_string()).collect(),
            Bytes::from(slug.to_owned()),
        );
    }

    #[test]
    fn a_variants_stock_change_drops_its_products_page() {
        let cache = PageCache::new(10, Duration::from_secs(60));
        page(&cache, "shoe", &["SHOE", "SHOE-42"]);
        page(&cache, "hat", &["HAT"]);
        cache.invalidate("SHOE-42");
        assert!(cache.get("shoe").is_none());
        assert!(cache.get("hat").is_some());
    }

    #[test]
    fn a_page_read_across_its_change_is_not_stored() {
        let cache = PageCache::new(10, Duration::from_secs(60));
        let ticket = cache.ticket();
        cache.invalidate("HAT"); // the change commits while the page is being read
        cache.invalidate("OTHER");
        cache.put(
            ticket,
            "hat",
            vec!["HAT".into()],
            Bytes::from_static(b"old"),
        );
        assert!(cache.get("hat").is_none());
        // Another product's change does not keep a page out.
        let ticket = cache.ticket();
        cache.invalidate("OTHER");
        cache.put(
            ticket,
            "hat",
            vec!["HAT".into()],
            Bytes::from_static(b"new"),
        );
        assert_eq!(cache.get("hat").as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn pages_asked_for_stay_when_the_cache_is_full() {
        let cache = PageCache::new(2, Duration::from_secs(60));
        page(&cache, "a", &["A"]);
        page(&cache, "b", &["B"]);
        assert!(cache.get("a").is_some());
        page(&cache, "c", &["C"]);
        assert!(cache.get("a").is_some(), "a was asked for");
        assert!(cache.get("b").is_none(), "b was not");
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn pages_expire_and_a_cleared_cache_refuses_reads_in_flight() {
        let cache = PageCache::new(10, Duration::from_millis(0));
        page(&cache, "a", &["A"]);
        assert!(cache.get("a").is_none(), "expired at once");
        let cache = PageCache::new(10, Duration::from_secs(60));
        let ticket = cache.ticket();
        cache.clear();
        cache.put(ticket, "a", vec!["A".into()], Bytes::new());
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn subjects_name_the_changed_sku() {
        assert_eq!(changed_sku("catalog.product.BB-1.upserted"), Some("BB-1"));
        assert_eq!(changed_sku("catalog.product.BB-1.deleted"), Some("BB-1"));
        assert_eq!(
            changed_sku("catalog.stock.SHOE-42.changed"),
            Some("SHOE-42")
        );
        assert_eq!(changed_sku("catalog.category.tree.changed"), None);
    }
}
