//! What this replica answered about products — product pages (the JSON it sent, by slug) and quoted variants
//! (by SKU) — kept correct by the catalog's own events.
//!
//! Every change to a product (`catalog.product.<SKU>.upserted` / `.deleted`) or to a variant's stock
//! (`catalog.stock.<SKU>.changed`) is published by whichever replica made it, after its commit; every replica
//! subscribes to `catalog.>` and drops what holds that SKU (the product's page and quoted variants when it is a
//! product's SKU, the variant's quote and its product's page when it is a variant's). So a change is visible on
//! every replica as soon as its event arrives: the committing replica's relay publishes right after the commit
//! (it is notified in process), a few milliseconds; the committing replica itself drops its entries at the commit.
//!
//! Staleness is bounded three ways:
//! - an entry read from the database while its product changed is not stored (a read takes a ticket; a
//!   product invalidated after the ticket was taken cannot be stored under it);
//! - while this replica's NATS connection is down nothing is served from or stored in the cache (events may
//!   be missed), and the whole cache is dropped when it comes back;
//! - every entry is dropped after `PRODUCT_CACHE_TTL_SECS` whatever happens (default 60 s), the backstop for a
//!   change that publishes no product event.
//!
//! A quote read from the cache is as safe as one read from the database a moment earlier: a reserve decides
//! availability and price again under its locks.
//!
//! Size: at most `PRODUCT_CACHE_ENTRIES` pages and as many quoted variants (default 10,000 each; 0 turns the
//! cache off), evicted by CLOCK (an entry asked for since the hand last passed gets a second chance): the
//! popular ones stay. Metrics: `catalog_product_cache_{hits,misses,evictions}_total` and
//! `catalog_product_cache_entries` for pages, `catalog_quote_cache_*` likewise for quoted variants,
//! `catalog_product_cache_invalidations_total` for the changes followed.

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
use platform::contracts::catalog::QuoteItem;

/// Invalidations remembered to refuse an entry read across one of them; a read that saw more than this many
/// pass is not stored at all.
const REMEMBERED_INVALIDATIONS: usize = 4096;

/// The cache; clones share it.
#[derive(Clone)]
pub struct ProductCache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ProductCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductCache")
            .field("capacity", &self.inner.capacity)
            .field("ttl", &self.inner.ttl)
            .finish_non_exhaustive()
    }
}

struct Inner {
    /// Most entries of each store.
    capacity: usize,
    ttl: Duration,
    /// Set while the invalidation feed may have missed events; the next connected use clears the cache.
    feed_lost: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Product pages by slug.
    pages: Store<Bytes>,
    /// Quoted variants by SKU.
    quotes: Store<QuoteItem>,
    /// Counts invalidations; a ticket is the count when a read began.
    generation: u64,
    /// The latest invalidations, oldest first: (generation after it, SKU).
    invalidated: VecDeque<(u64, String)>,
}

/// Entries by key, each holding the SKUs whose change drops it.
struct Store<V> {
    entries: HashMap<String, Entry<V>>,
    /// Every SKU an entry holds -> the keys of the entries holding it.
    keys_by_sku: HashMap<String, Vec<String>>,
    /// The CLOCK: keys in insertion order with the stamp of the entry stored then; the hand is the front. An
    /// item whose entry is gone or was stored again since is stale, skipped by the hand and compacted away.
    clock: VecDeque<(String, u64)>,
    /// Stamps the entries in storing order.
    stored: u64,
    metrics: &'static Metrics,
}

struct Entry<V> {
    value: V,
    stamp: u64,
    skus: Vec<String>,
    stored_at: Instant,
    /// Asked for since the hand last passed.
    referenced: bool,
}

struct Metrics {
    hits: &'static str,
    misses: &'static str,
    evictions: &'static str,
    entries: &'static str,
}

const PAGE_METRICS: Metrics = Metrics {
    hits: "catalog_product_cache_hits_total",
    misses: "catalog_product_cache_misses_total",
    evictions: "catalog_product_cache_evictions_total",
    entries: "catalog_product_cache_entries",
};

const QUOTE_METRICS: Metrics = Metrics {
    hits: "catalog_quote_cache_hits_total",
    misses: "catalog_quote_cache_misses_total",
    evictions: "catalog_quote_cache_evictions_total",
    entries: "catalog_quote_cache_entries",
};

impl Default for Store<Bytes> {
    fn default() -> Self {
        Store::new(&PAGE_METRICS)
    }
}

impl Default for Store<QuoteItem> {
    fn default() -> Self {
        Store::new(&QUOTE_METRICS)
    }
}

/// Taken before reading from the database; storing what was read needs one.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl ProductCache {
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

    /// On, and its invalidation feed up.
    fn serving(&self) -> bool {
        self.inner.capacity > 0 && !self.inner.feed_lost.load(Ordering::Acquire)
    }

    /// The page stored for `slug`, if any and fresh; none while the invalidation feed is down.
    pub fn get(&self, slug: &str) -> Option<Bytes> {
        if !self.serving() {
            return None;
        }
        self.state().pages.get(slug, self.inner.ttl)
    }

    /// The stored quotes of `skus` (fresh ones, in the order asked, each once) and the SKUs to read; all of them
    /// to read while the invalidation feed is down.
    pub fn quotes(&self, skus: &[String]) -> (Vec<QuoteItem>, Vec<String>) {
        let mut unique: Vec<String> = Vec::with_capacity(skus.len());
        for sku in skus {
            if !unique.contains(sku) {
                unique.push(sku.clone());
            }
        }
        if !self.serving() {
            return (Vec::new(), unique);
        }
        let mut state = self.state();
        let mut found = Vec::with_capacity(unique.len());
        let mut missing = Vec::new();
        for sku in unique {
            match state.quotes.get(&sku, self.inner.ttl) {
                Some(item) => found.push(item),
                None => missing.push(sku),
            }
        }
        (found, missing)
    }

    /// To take before reading from the database.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.state().generation)
    }

    /// Stores the page of `slug` (`body`, naming `skus`), read under `ticket`, unless one of its SKUs was
    /// invalidated since (the read may predate that change).
    pub fn put(&self, ticket: Ticket, slug: &str, skus: Vec<String>, body: Bytes) {
        if !self.serving() {
            return;
        }
        let mut state = self.state();
        if !state.changed_since(ticket, &skus) {
            state.pages.put(slug, skus, body, self.inner.capacity);
        }
    }

    /// Stores quoted variants read under `ticket`, each with its product's SKU, unless either SKU was
    /// invalidated since.
    pub fn put_quotes(
        &self,
        ticket: Ticket,
        quoted: impl IntoIterator<Item = (QuoteItem, String)>,
    ) {
        if !self.serving() {
            return;
        }
        let mut state = self.state();
        for (item, product_sku) in quoted {
            let skus = if product_sku == item.sku.as_str() {
                vec![product_sku]
            } else {
                vec![item.sku.to_string(), product_sku]
            };
            if !state.changed_since(ticket, &skus) {
                let key = item.sku.to_string();
                state.quotes.put(&key, skus, item, self.inner.capacity);
            }
        }
    }

    /// Drops what holds `sku`, and remembers the change for reads in flight.
    pub fn invalidate(&self, sku: &str) {
        let mut state = self.state();
        state.generation += 1;
        let generation = state.generation;
        state.invalidated.push_back((generation, sku.to_owned()));
        if state.invalidated.len() > REMEMBERED_INVALIDATIONS {
            state.invalidated.pop_front();
        }
        state.pages.invalidate(sku);
        state.quotes.invalidate(sku);
        metrics::counter!("catalog_product_cache_invalidations_total").increment(1);
    }

    /// Drops everything (and refuses reads in flight).
    pub fn clear(&self) {
        let mut state = self.state();
        let generation = state.generation + REMEMBERED_INVALIDATIONS as u64 + 1;
        *state = State {
            generation,
            ..State::default()
        };
        metrics::gauge!(PAGE_METRICS.entries).set(0.0);
        metrics::gauge!(QUOTE_METRICS.entries).set(0.0);
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
            // A back-in-stock alert changes no page: its stock event does.
            if event.subject.starts_with("catalog.alerts.") {
                continue;
            }
            match changed_sku(&event.subject) {
                Some(sku) => self.invalidate(sku),
                None => self.clear(),
            }
        }
        watch.abort();
        Ok(())
    }

    /// Awaits `write` (an admin command of this replica) and then drops everything: the admin's next look at
    /// the storefront through this replica shows the change at once, not only once its event is back. Admin
    /// commands are few; the other replicas follow the events.
    pub async fn dropped_after<T>(&self, write: impl std::future::Future<Output = T>) -> T {
        let done = write.await;
        self.clear();
        done
    }
}

impl State {
    /// Whether one of `skus` was invalidated after `ticket` was taken (or more changes passed than are
    /// remembered, so that nobody can tell).
    fn changed_since(&self, ticket: Ticket, skus: &[String]) -> bool {
        if self.generation - ticket.0 > self.invalidated.len() as u64 {
            return true;
        }
        self.invalidated
            .iter()
            .rev()
            .take_while(|(generation, _)| *generation > ticket.0)
            .any(|(_, sku)| skus.contains(sku))
    }
}

impl<V: Clone> Store<V> {
    fn new(metrics: &'static Metrics) -> Self {
        Self {
            entries: HashMap::new(),
            keys_by_sku: HashMap::new(),
            clock: VecDeque::new(),
            stored: 0,
            metrics,
        }
    }

    /// The value stored under `key`, if younger than `ttl` (an older one is dropped).
    fn get(&mut self, key: &str, ttl: Duration) -> Option<V> {
        let found = match self.entries.get_mut(key) {
            Some(entry) if entry.stored_at.elapsed() < ttl => {
                entry.referenced = true;
                Some(entry.value.clone())
            }
            Some(_) => {
                self.remove(key);
                None
            }
            None => None,
        };
        match &found {
            Some(_) => metrics::counter!(self.metrics.hits).increment(1),
            None => metrics::counter!(self.metrics.misses).increment(1),
        }
        found
    }

    /// Stores `value` under `key`, dropped when one of `skus` changes, evicting to stay within `capacity`.
    fn put(&mut self, key: &str, skus: Vec<String>, value: V, capacity: usize) {
        self.remove(key);
        while self.entries.len() >= capacity {
            if !self.evict_one() {
                break;
            }
            metrics::counter!(self.metrics.evictions).increment(1);
        }
        for sku in &skus {
            self.keys_by_sku
                .entry(sku.clone())
                .or_default()
                .push(key.to_owned());
        }
        self.stored += 1;
        self.clock.push_back((key.to_owned(), self.stored));
        self.entries.insert(
            key.to_owned(),
            Entry {
                value,
                stamp: self.stored,
                skus,
                stored_at: Instant::now(),
                referenced: false,
            },
        );
        // Entries dropped by changes leave stale clock items behind and entries stored again add new ones:
        // left alone, a product changing all day would grow the clock without bound.
        if self.clock.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.clock
                .retain(|(key, stamp)| entries.get(key).is_some_and(|entry| entry.stamp == *stamp));
        }
        metrics::gauge!(self.metrics.entries).set(self.entries.len() as f64);
    }

    /// Drops every entry holding `sku`.
    fn invalidate(&mut self, sku: &str) {
        if let Some(keys) = self.keys_by_sku.remove(sku) {
            for key in keys {
                self.remove(&key);
            }
            metrics::gauge!(self.metrics.entries).set(self.entries.len() as f64);
        }
    }

    fn remove(&mut self, key: &str) {
        let Some(entry) = self.entries.remove(key) else {
            return;
        };
        for sku in &entry.skus {
            if let Some(keys) = self.keys_by_sku.get_mut(sku) {
                keys.retain(|k| k != key);
                if keys.is_empty() {
                    self.keys_by_sku.remove(sku);
                }
            }
        }
    }

    /// Moves the hand until it evicts an entry not referenced since it last passed; false when empty.
    fn evict_one(&mut self) -> bool {
        while let Some((key, stamp)) = self.clock.pop_front() {
            match self.entries.get_mut(&key) {
                // Removed or stored again since: a stale item (a stored-again entry has a newer one).
                Some(entry) if entry.stamp != stamp => continue,
                None => continue,
                Some(entry) if entry.referenced => {
                    entry.referenced = false;
                    self.clock.push_back((key, stamp));
                }
                Some(_) => {
                    self.remove(&key);
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

    fn page(cache: &ProductCache, slug: &str, skus: &[&str]) {
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
        let cache = ProductCache::new(10, Duration::from_secs(60));
        page(&cache, "shoe", &["SHOE", "SHOE-42"]);
        page(&cache, "hat", &["HAT"]);
        cache.invalidate("SHOE-42");
        assert!(cache.get("shoe").is_none());
        assert!(cache.get("hat").is_some());
    }

    #[test]
    fn a_page_read_across_its_change_is_not_stored() {
        let cache = ProductCache::new(10, Duration::from_secs(60));
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
        let cache = ProductCache::new(2, Duration::from_secs(60));
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
        let cache = ProductCache::new(10, Duration::from_millis(0));
        page(&cache, "a", &["A"]);
        assert!(cache.get("a").is_none(), "expired at once");
        let cache = ProductCache::new(10, Duration::from_secs(60));
        let ticket = cache.ticket();
        cache.clear();
        cache.put(ticket, "a", vec!["A".into()], Bytes::new());
        assert!(cache.get("a").is_none());
    }

    fn quoted(sku: &str, price: &str) -> QuoteItem {
        QuoteItem {
            sku: sku.parse().unwrap(),
            slug: "shoe".into(),
            name: format!("Shoe {sku}"),
            price: price.parse().unwrap(),
            currency: "USD".into(),
            available: 3,
            sellable: true,
            image: None,
            product_sku: None,
            brand: None,
            categories: Vec::new(),
        }
    }

    fn skus(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quotes_are_served_until_the_variant_or_its_product_changes() {
        let cache = ProductCache::new(10, Duration::from_secs(60));
        let ticket = cache.ticket();
        cache.put_quotes(
            ticket,
            [
                (quoted("SHOE-42", "10.00"), "SHOE".to_owned()),
                (quoted("SHOE-43", "10.00"), "SHOE".to_owned()),
                (quoted("HAT", "5.00"), "HAT".to_owned()),
            ],
        );
        let (found, missing) = cache.quotes(&skus(&["SHOE-42", "HAT", "SHOE-42", "SOCK"]));
        assert_eq!(
            found,
            vec![quoted("SHOE-42", "10.00"), quoted("HAT", "5.00")]
        );
        assert_eq!(missing, skus(&["SOCK"]), "asked twice, answered once");

        cache.invalidate("SHOE-43"); // one variant's stock: only its quote goes
        assert_eq!(
            cache.quotes(&skus(&["SHOE-42", "SHOE-43"])).1,
            skus(&["SHOE-43"])
        );
        cache.invalidate("SHOE"); // the product: every variant's quote goes
        assert_eq!(
            cache.quotes(&skus(&["SHOE-42", "HAT"])).1,
            skus(&["SHOE-42"])
        );
        cache.invalidate("HAT"); // a plain product is its own variant
        assert_eq!(cache.quotes(&skus(&["HAT"])).1, skus(&["HAT"]));
    }

    #[test]
    fn a_quote_read_across_its_change_is_not_stored_and_nothing_is_served_while_the_feed_is_down() {
        let cache = ProductCache::new(10, Duration::from_secs(60));
        let ticket = cache.ticket();
        cache.invalidate("SHOE");
        cache.put_quotes(ticket, [(quoted("SHOE-42", "10.00"), "SHOE".to_owned())]);
        assert_eq!(cache.quotes(&skus(&["SHOE-42"])).1, skus(&["SHOE-42"]));

        let ticket = cache.ticket();
        cache.put_quotes(ticket, [(quoted("SHOE-42", "12.00"), "SHOE".to_owned())]);
        assert_eq!(cache.quotes(&skus(&["SHOE-42"])).0.len(), 1);
        cache.inner.feed_lost.store(true, Ordering::Release);
        assert_eq!(cache.quotes(&skus(&["SHOE-42"])).1, skus(&["SHOE-42"]));
    }

    #[test]
    fn the_clock_stays_bounded_while_the_same_entries_change_all_day() {
        let cache = ProductCache::new(100, Duration::from_secs(60));
        for _ in 0..10_000 {
            page(&cache, "shoe", &["SHOE"]);
            cache.invalidate("SHOE");
        }
        page(&cache, "shoe", &["SHOE"]);
        let state = cache.state();
        assert!(state.pages.clock.len() <= 2 * state.pages.entries.len() + 65);
        assert!(state.invalidated.len() <= REMEMBERED_INVALIDATIONS);
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
