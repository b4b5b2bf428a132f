//! The indexer and the catalog against a real Meilisearch at `MEILI_URL` (with `MEILI_MASTER_KEY` when it
//! has one): the shared real catalog indexed through the event stream, typo tolerance, the same facets and
//! filters as the MySQL engine, updates and deletions reaching the index, and a rebuild that swaps without a
//! moment of empty results.
//!
//! The indexer without Meilisearch (it runs and does nothing) is tested in every run.
//!
//! Meilisearch is not in the package registries these machines reach. Without `MEILI_URL` each Meilisearch
//! test prints `SKIPPED: ...` and returns; `.config/nextest.toml` shows that output even when the test passes, and
//! `./dev test` ends with a warning naming them.

use std::{
    collections::HashMap,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use catalog::{db::listing::Filter, domain::NewProduct, search::SearchRequest};
use meilisearch_sdk::{client::Client, key::Action, key::KeyBuilder};
use platform::{
    contracts::search::{REBUILD, RebuildReply},
    testing::{NatsServer, TestService, spawn_service},
};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::MySqlPool;

/// Meilisearch for the tests: its URL and master key, or `None` (said loudly) without `MEILI_URL`.
fn meili(test: &str) -> Option<(String, Option<String>)> {
    let url = std::env::var("MEILI_URL").unwrap_or_default();
    if url.is_empty() {
        eprintln!(
            "SKIPPED: {test} needs a reachable Meilisearch at MEILI_URL (see the README, \"Search with Meilisearch\")"
        );
        return None;
    }
    let key = std::env::var("MEILI_MASTER_KEY")
        .ok()
        .filter(|key| !key.is_empty());
    Some((url.trim_end_matches('/').to_owned(), key))
}

fn real_catalog() -> &'static Vec<NewProduct> {
    static CATALOG: OnceLock<Vec<NewProduct>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/products-bestbuy.json"
        );
        let bytes = std::fs::read(path).unwrap_or_else(|err| {
            panic!("{path}: {err} (the shared catalog must be beside the repository)")
        });
        catalog::seed::parse_bestbuy_json(&bytes, 42).expect("the shared catalog parses")
    })
}

/// NATS, the catalog (searching Meilisearch with a search-only key) and the indexer, on a fresh index.
struct Shop {
    nats: NatsServer,
    catalog: TestService,
    indexer: TestService,
    /// An admin client, for looking at the index directly.
    meili: Client,
    index: String,
    /// The catalog's search-only key, deleted at the end.
    search_key: Option<meilisearch_sdk::key::Key>,
    http: reqwest::Client,
}

impl Shop {
    async fn start(meili: (String, Option<String>)) -> Self {
        let (url, master_key) = meili;
        let admin = Client::new(&url, master_key.as_deref()).unwrap();
        let index = format!("t_products_{}", uuid_like());
        // The catalog gets a key that can only search this index (and its builds), as in production.
        let search_key = match &master_key {
            Some(_) => {
                let mut key = KeyBuilder::new();
                key.with_action(Action::Search)
                    .with_index(format!("{index}*"))
                    .with_description("catalog search (test)");
                Some(admin.create_key(key).await.expect("creating a search key"))
            }
            None => None,
        };

        let nats = NatsServer::start();
        let catalog_config = catalog::config::Config {
            reservation_ttl: chrono::Duration::minutes(15),
            sweep_every: Duration::from_secs(3600),
            fulltext_budget: Duration::from_secs(5),
            meili: Some(catalog::config::MeiliConfig {
                url: url.clone(),
                search_key: search_key.as_ref().map(|key| key.key.clone().into()),
                index: index.clone(),
                timeout: Duration::from_secs(2),
                breaker_failures: 3,
                breaker_cooldown: Duration::from_millis(500),
            }),
        };
        let catalog = spawn_service(
            catalog::SERVICE,
            &catalog::MIGRATOR,
            &nats,
            async |runtime| catalog::start(runtime, catalog_config).await.unwrap(),
        )
        .await;
        let indexer_config = search_indexer::config::Config {
            meili: Some(search_indexer::config::Meili {
                url,
                api_key: master_key.map(Into::into),
                index: index.clone(),
            }),
            batch: 500,
            linger: Duration::from_millis(50),
            ack_wait: Duration::from_secs(60),
        };
        let indexer = spawn_service(
            search_indexer::SERVICE,
            &search_indexer::MIGRATOR,
            &nats,
            async |runtime| {
                search_indexer::start(runtime, indexer_config)
                    .await
                    .unwrap()
            },
        )
        .await;
        let shop = Self {
            nats,
            catalog,
            indexer,
            meili: admin,
            index,
            search_key,
            http: reqwest::Client::new(),
        };
        // The first start finds no index and builds one (empty: the catalog has nothing yet).
        shop.wait_for_build(None).await;
        shop
    }

    fn catalog_pool(&self) -> &MySqlPool {
        &self.catalog.pool
    }

    async fn built_at(&self) -> Option<chrono::NaiveDateTime> {
        sqlx::query_scalar("SELECT built_at FROM index_builds WHERE index_name = ?")
            .bind(&self.index)
            .fetch_optional(&self.indexer.pool)
            .await
            .unwrap()
    }

    /// Waits until a build newer than `after` was swapped in.
    async fn wait_for_build(&self, after: Option<chrono::NaiveDateTime>) {
        eventually(Duration::from_secs(120), "the index build", async || {
            matches!((self.built_at().await, after), (Some(now), Some(before)) if now > before)
                || matches!((self.built_at().await, after), (Some(_), None))
        })
        .await;
    }

    async fn documents(&self) -> u64 {
        match self.meili.index(&self.index).get_stats().await {
            Ok(stats) => stats.number_of_documents as u64,
            Err(_) => 0,
        }
    }

    async fn active_products(&self) -> u64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM products WHERE status = 'active'")
            .fetch_one(self.catalog_pool())
            .await
            .unwrap() as u64
    }

    /// Loads the real catalog and waits until the index holds every active product.
    async fn load_real_catalog(&self) -> u64 {
        catalog::import::import(self.catalog_pool(), None, real_catalog().clone())
            .await
            .unwrap();
        let expected = self.active_products().await;
        assert!(
            expected > 3_000,
            "the shared catalog has {expected} products"
        );
        eventually(
            Duration::from_secs(180),
            "indexing the real catalog",
            async || self.documents().await == expected,
        )
        .await;
        expected
    }

    async fn search(&self, query: &str) -> Value {
        let response = self
            .http
            .get(format!("{}/api/search?{query}", self.catalog.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "/api/search?{query}");
        response.json().await.unwrap()
    }

    async fn document(&self, sku: &str) -> Option<Value> {
        self.meili
            .index(&self.index)
            .get_document::<Value>(sku)
            .await
            .ok()
    }

    async fn stop(self) {
        self.indexer.stop().await;
        self.catalog.stop().await;
        drop(self.nats);
        // Builds are deleted by the indexer; the live test index and the key are deleted here, once nothing
        // writes to them any more.
        if let Ok(task) = self.meili.delete_index(&self.index).await {
            let _ = task.wait_for_completion(&self.meili, None, None).await;
        }
        if let Some(key) = self.search_key {
            let _ = self.meili.delete_key(&key.key).await;
        }
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn eventually(timeout: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < timeout,
            "{what}: not done after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn skus(response: &Value) -> Vec<&str> {
    response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["sku"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_catalog_is_indexed_through_events_and_searched_with_typos() {
    let Some(meili) = meili("the_real_catalog_is_indexed_through_events_and_searched_with_typos")
    else {
        return;
    };
    let shop = Shop::start(meili).await;
    shop.load_real_catalog().await;

    // One typo (a wrong, swapped, missing or extra letter) still finds what the word finds.
    let exact = shop.search("q=charger").await;
    assert_eq!(exact["engine"], "meilisearch", "{exact}");
    assert!(exact["total"].as_u64().unwrap() > 10, "{exact}");
    let best = skus(&exact)[0];
    for typo in ["charher", "chrager", "chargerr"] {
        let response = shop.search(&format!("q={typo}")).await;
        assert_eq!(response["engine"], "meilisearch");
        let found = skus(&response);
        let shared = found
            .iter()
            .filter(|sku| skus(&exact).contains(sku))
            .count();
        assert!(
            found.contains(&best) && shared >= 5,
            "{typo} finds what charger finds: {found:?} vs {:?}",
            skus(&exact)
        );
    }
    for (typo, word) in [
        ("samsumg", "samsung"),
        ("otterbix", "otterbox"),
        ("galxy", "galaxy"),
    ] {
        let response = shop.search(&format!("q={typo}")).await;
        let hits = response["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{typo}");
        for hit in hits {
            let text = format!("{} {}", hit["name"], hit["brand"]).to_lowercase();
            assert!(text.contains(word), "{typo} finds {word}: {text}");
        }
    }
    // Highlights are escaped HTML with the matched part marked.
    let name = exact["hits"][0]["highlight"]["name"].as_str().unwrap();
    assert!(name.contains("<mark>"), "{name}");

    // The same filters give the same counts and facets as the MySQL engine.
    let categories = catalog::db::categories::all(shop.catalog_pool())
        .await
        .unwrap();
    let accessories = categories
        .values()
        .find(|category| category.name == "Cell Phone Accessories")
        .expect("a Cell Phone Accessories category");
    for (query, filter) in [
        (
            "q=otterbox&brand=OtterBox".to_owned(),
            Filter {
                brand: Some("OtterBox".into()),
                ..Filter::default()
            },
        ),
        (
            "q=otterbox&brand=OtterBox&in_stock=true&min_price=30&max_price=59.99".to_owned(),
            Filter {
                brand: Some("OtterBox".into()),
                in_stock: true,
                min_price: Some(Decimal::new(30, 0)),
                max_price: Some(Decimal::new(5_999, 2)),
                ..Filter::default()
            },
        ),
        (
            format!("q=otterbox&brand=OtterBox&category={}", accessories.slug),
            Filter {
                brand: Some("OtterBox".into()),
                category: Some(accessories.id),
                ..Filter::default()
            },
        ),
    ] {
        let meili = shop.search(&query).await;
        assert_eq!(meili["engine"], "meilisearch");
        let request = SearchRequest {
            q: "otterbox".into(),
            filter,
            sort: catalog::db::listing::Sort::Relevance,
            page: 1,
            limit: 10,
        };
        let mysql = catalog::search::mysql::search(
            shop.catalog_pool(),
            &categories,
            &request,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert!(
            mysql.total > 0 && mysql.total_is_exact,
            "{query}: {}",
            mysql.total
        );
        assert_eq!(meili["total"], mysql.total, "{query}: totals");
        // Both merge brand spellings ("OtterBox", "Otterbox"); which spelling is shown may differ.
        let folded = |facets: Value| -> Value {
            let mut facets = facets;
            for brand in facets["brands"].as_array_mut().unwrap() {
                brand["value"] = brand["value"].as_str().unwrap().to_lowercase().into();
            }
            facets
        };
        assert_eq!(
            folded(meili["facets"].clone()),
            folded(serde_json::to_value(&mysql.facets).unwrap()),
            "{query}: facets"
        );
    }
    // A category filter narrows both engines alike, and the facet lists that category's children.
    let phones = categories
        .values()
        .find(|category| category.name == "Cell Phones")
        .expect("a Cell Phones category");
    let meili = shop
        .search(&format!("q=phone&category={}", phones.slug))
        .await;
    let request = SearchRequest {
        q: "phone".into(),
        filter: Filter {
            category: Some(phones.id),
            ..Filter::default()
        },
        sort: catalog::db::listing::Sort::PriceAsc,
        page: 1,
        limit: 10,
    };
    let mysql = catalog::search::mysql::search(
        shop.catalog_pool(),
        &categories,
        &request,
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let meili_categories = &meili["facets"]["categories"];
    let mysql_categories = serde_json::to_value(&mysql.facets.categories).unwrap();
    let names = |facets: &Value| -> Vec<String> {
        facets
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!names(meili_categories).is_empty());
    for slug in names(meili_categories) {
        assert!(
            names(&mysql_categories).contains(&slug) || !mysql.total_is_exact,
            "{slug} is a child of {} in both engines",
            phones.slug
        );
    }
    // Sorted by price, the hits come cheapest first.
    let sorted = shop
        .search(&format!("q=phone&category={}&sort=price_asc", phones.slug))
        .await;
    let prices: Vec<Decimal> = sorted["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["price"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");

    // An update reaches the index: a new price.
    let mut product = real_catalog()[7].clone();
    let sku = product.sku.as_str().to_owned();
    product.price = Decimal::new(12_345, 2);
    catalog::import::import(shop.catalog_pool(), None, vec![product])
        .await
        .unwrap();
    eventually(Duration::from_secs(30), "the price update", async || {
        shop.document(&sku)
            .await
            .is_some_and(|doc| doc["price"] == "123.45" && doc["price_cents"] == 12_345)
    })
    .await;

    // A deletion reaches it too.
    let victim = real_catalog()[11].sku.clone();
    assert!(shop.document(&victim).await.is_some());
    catalog::products::remove(shop.catalog_pool(), &victim)
        .await
        .unwrap();
    eventually(Duration::from_secs(30), "the deletion", async || {
        shop.document(&victim).await.is_none()
    })
    .await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rebuild_swaps_in_a_new_index_without_a_moment_of_empty_results() {
    let Some(meili) = meili("a_rebuild_swaps_in_a_new_index_without_a_moment_of_empty_results")
    else {
        return;
    };
    let shop = Shop::start(meili).await;
    let documents = shop.load_real_catalog().await;
    let before = shop.built_at().await;

    // Shoppers keep searching while the index is rebuilt.
    let stop = Arc::new(AtomicBool::new(false));
    let (searches, empty) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let searcher = {
        let (stop, searches, empty) = (stop.clone(), searches.clone(), empty.clone());
        let (http, address) = (shop.http.clone(), shop.catalog.address.clone());
        tokio::spawn(async move {
            let mut engines: HashMap<String, u64> = HashMap::new();
            while !stop.load(Ordering::SeqCst) {
                let response: Value = http
                    .get(format!("{address}/api/search?q=samsung"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                *engines
                    .entry(response["engine"].as_str().unwrap().to_owned())
                    .or_default() += 1;
                searches.fetch_add(1, Ordering::SeqCst);
                if response["total"].as_u64().unwrap_or(0) == 0 {
                    empty.fetch_add(1, Ordering::SeqCst);
                }
            }
            engines
        })
    };

    let client = shop.nats.ops().await;
    let reply: RebuildReply = platform::rpc::call(
        &client,
        REBUILD,
        &serde_json::json!({}),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let RebuildReply::Started { index: build } = reply else {
        panic!("expected a new rebuild, got {reply:?}");
    };
    // A second request while it runs starts nothing.
    let again: RebuildReply = platform::rpc::call(
        &client,
        REBUILD,
        &serde_json::json!({}),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_eq!(
        again,
        RebuildReply::AlreadyRunning {
            index: build.clone()
        }
    );

    shop.wait_for_build(before).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let engines = searcher.await.unwrap();

    assert!(
        searches.load(Ordering::SeqCst) > 10,
        "searched throughout: {engines:?}"
    );
    assert_eq!(
        empty.load(Ordering::SeqCst),
        0,
        "no empty result: {engines:?}"
    );
    assert_eq!(
        engines.get("mysql"),
        None,
        "Meilisearch answered every search"
    );
    assert_eq!(shop.documents().await, documents);
    assert!(
        shop.meili.get_index(&build).await.is_err(),
        "the previous index is deleted after the swap"
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_meilisearch_the_indexer_runs_idle_on_a_schema_without_processed_events() {
    let nats = NatsServer::start();
    let config = search_indexer::config::Config {
        meili: None,
        batch: 500,
        linger: Duration::from_millis(50),
        ack_wait: Duration::from_secs(60),
    };
    let indexer = spawn_service(
        search_indexer::SERVICE,
        &search_indexer::MIGRATOR,
        &nats,
        async |runtime| search_indexer::start(runtime, config).await.unwrap(),
    )
    .await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE()",
    )
    .fetch_all(&indexer.pool)
    .await
    .unwrap();
    assert!(
        tables.iter().any(|table| table == "indexed_products"),
        "{tables:?}"
    );
    assert!(
        !tables.iter().any(|table| table == "processed_events"),
        "the unused table is dropped: {tables:?}"
    );

    indexer.stop().await;
    drop(nats);
}
