//! The indexer and the catalog against a real Meilisearch at `MEILI_URL` (with `MEILI_MASTER_KEY` when it
//! has one): the shared real catalog indexed through the event stream, typo tolerance, the same facets and
//! filters as the MySQL engine, updates and deletions reaching the index, and a rebuild that swaps without a
//! moment of empty results.
//!
//! The catalog is asked only what its API answers (listing totals, categories, searches); the MySQL engine's
//! answers come from a second catalog without Meilisearch, loaded with the same products. Products are loaded
//! and deleted with the catalog's own import and delete code, as its commands do.
//!
//! The indexer without Meilisearch (it runs and does nothing) is tested in every run.
//!
//! Meilisearch is not in the package registries these machines reach. Without `MEILI_URL` each Meilisearch
//! test prints `SKIPPED: ...` and returns; `.config/nextest.toml` shows that output even when the test passes, and
//! `./dev test` ends with a warning naming them.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use catalog::{domain::NewProduct, testing::real_catalog};
use meilisearch_sdk::{client::Client, key::Action, key::KeyBuilder};
use platform::{
    contracts::search::{REBUILD, RebuildReply},
    testing::{NatsServer, TestService, eventually_within, spawn_service},
};
use rust_decimal::Decimal;
use serde_json::Value;

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

/// The shared real catalog; the Meilisearch tests need it beside the repository.
fn shared_catalog() -> &'static [NewProduct] {
    real_catalog().expect("the shared catalog must be beside the repository")
}

/// The catalog's settings in these tests, searching Meilisearch when `meili` is given.
fn catalog_config(meili: Option<catalog::config::MeiliConfig>) -> catalog::config::Config {
    catalog::config::Config {
        meili,
        ..catalog::testing::config()
    }
}

async fn spawn_catalog(nats: &NatsServer, config: catalog::config::Config) -> TestService {
    spawn_service(
        catalog::SERVICE,
        &catalog::MIGRATOR,
        nats,
        async |runtime| catalog::start(runtime, config).await.unwrap(),
    )
    .await
}

async fn spawn_indexer(nats: &NatsServer, config: search_indexer::config::Config) -> TestService {
    spawn_service(
        search_indexer::SERVICE,
        &search_indexer::MIGRATOR,
        nats,
        async |runtime| search_indexer::start(runtime, config).await.unwrap(),
    )
    .await
}

/// A second catalog, searching with MySQL only, holding `products`: what the MySQL engine answers, to compare
/// with Meilisearch's answers. On a NATS server of its own, so that its events and endpoints stay apart.
struct MysqlCatalog {
    service: TestService,
    _nats: NatsServer,
}

impl MysqlCatalog {
    async fn start(products: Vec<NewProduct>) -> Self {
        let nats = NatsServer::start();
        let service = spawn_catalog(&nats, catalog_config(None)).await;
        catalog::testing::load(&service.pool, products).await;
        Self {
            service,
            _nats: nats,
        }
    }

    async fn search(&self, http: &reqwest::Client, query: &str) -> Value {
        let response = get(
            http,
            &format!("{}/api/search?{query}", self.service.address),
        )
        .await;
        assert_eq!(response["engine"], "mysql", "{response}");
        response
    }

    async fn stop(self) {
        self.service.stop().await;
    }
}

/// `GET url`, which must answer 200 with JSON.
async fn get(http: &reqwest::Client, url: &str) -> Value {
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}

/// The slug of the category called `name` in the tree of `GET /api/categories`.
fn category_slug(tree: &Value, name: &str) -> Option<String> {
    tree.as_array()?.iter().find_map(|node| {
        if node["name"] == name {
            node["slug"].as_str().map(str::to_owned)
        } else {
            category_slug(&node["children"], name)
        }
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
        let catalog_config = catalog_config(Some(catalog::config::MeiliConfig {
            url: url.clone(),
            search_key: search_key.as_ref().map(|key| key.key.clone().into()),
            index: index.clone(),
            timeout: Duration::from_secs(2),
            breaker_failures: 3,
            breaker_cooldown: Duration::from_millis(500),
        }));
        let catalog = spawn_catalog(&nats, catalog_config).await;
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
        let indexer = spawn_indexer(&nats, indexer_config).await;
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

    async fn built_at(&self) -> Option<chrono::NaiveDateTime> {
        sqlx::query_scalar("SELECT built_at FROM index_builds WHERE index_name = ?")
            .bind(&self.index)
            .fetch_optional(&self.indexer.pool)
            .await
            .unwrap()
    }

    /// Waits until a build newer than `after` was swapped in.
    async fn wait_for_build(&self, after: Option<chrono::NaiveDateTime>) {
        eventually_within("the index build", Duration::from_secs(120), async || {
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

    /// Active products, as the catalog's listing counts them.
    async fn active_products(&self) -> u64 {
        let listing = get(
            &self.http,
            &format!("{}/api/products?limit=1", self.catalog.address),
        )
        .await;
        listing["total"].as_u64().expect("a listing total")
    }

    /// Loads the real catalog and waits until the index holds every active product.
    async fn load_real_catalog(&self) -> u64 {
        self.load(shared_catalog().to_vec()).await
    }

    /// Loads `products` and waits until the index holds every active product.
    async fn load(&self, products: Vec<NewProduct>) -> u64 {
        catalog::testing::load(&self.catalog.pool, products).await;
        let expected = self.active_products().await;
        assert!(
            expected > 3_000,
            "the shared catalog has {expected} products"
        );
        eventually_within(
            "indexing the real catalog",
            Duration::from_secs(180),
            async || self.documents().await == expected,
        )
        .await;
        expected
    }

    async fn search(&self, query: &str) -> Value {
        get(
            &self.http,
            &format!("{}/api/search?{query}", self.catalog.address),
        )
        .await
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

    // The same filters give the same counts and facets as the MySQL engine (a catalog without Meilisearch,
    // holding the same products).
    let mysql = MysqlCatalog::start(shared_catalog().to_vec()).await;
    let categories = get(
        &shop.http,
        &format!("{}/api/categories", shop.catalog.address),
    )
    .await;
    let accessories = category_slug(&categories["categories"], "Cell Phone Accessories")
        .expect("a Cell Phone Accessories category");
    for query in [
        "q=otterbox&brand=OtterBox".to_owned(),
        "q=otterbox&brand=OtterBox&in_stock=true&min_price=30&max_price=59.99".to_owned(),
        format!("q=otterbox&brand=OtterBox&category={accessories}"),
    ] {
        let meili = shop.search(&query).await;
        assert_eq!(meili["engine"], "meilisearch");
        let mysql = mysql.search(&shop.http, &query).await;
        let mysql_total = mysql["total"].as_u64().unwrap();
        assert!(
            mysql_total > 0 && mysql["total_is_exact"] == true,
            "{query}: {mysql_total}"
        );
        assert_eq!(meili["total"], mysql_total, "{query}: totals");
        // Both merge brand spellings ("OtterBox", "Otterbox"); which spelling is shown may differ.
        let folded = |facets: &Value| -> Value {
            let mut facets = facets.clone();
            for brand in facets["brands"].as_array_mut().unwrap() {
                brand["value"] = brand["value"].as_str().unwrap().to_lowercase().into();
            }
            facets
        };
        assert_eq!(
            folded(&meili["facets"]),
            folded(&mysql["facets"]),
            "{query}: facets"
        );
    }
    // A category filter narrows both engines alike, and the facet lists that category's children.
    let phones =
        category_slug(&categories["categories"], "Cell Phones").expect("a Cell Phones category");
    let meili = shop.search(&format!("q=phone&category={phones}")).await;
    let mysql_phones = mysql
        .search(
            &shop.http,
            &format!("q=phone&category={phones}&sort=price_asc"),
        )
        .await;
    mysql.stop().await;
    let names = |facets: &Value| -> Vec<String> {
        facets
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let meili_categories = names(&meili["facets"]["categories"]);
    let mysql_categories = names(&mysql_phones["facets"]["categories"]);
    assert!(!meili_categories.is_empty());
    for slug in meili_categories {
        assert!(
            mysql_categories.contains(&slug) || mysql_phones["total_is_exact"] == false,
            "{slug} is a child of {phones} in both engines"
        );
    }
    // Sorted by price, the hits come cheapest first.
    let sorted = shop
        .search(&format!("q=phone&category={phones}&sort=price_asc"))
        .await;
    let prices: Vec<Decimal> = sorted["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["price"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");

    // An update reaches the index: a new price.
    let mut product = shared_catalog()[7].clone();
    let sku = product.sku.as_str().to_owned();
    product.price = Decimal::new(12_345, 2);
    catalog::testing::load(&shop.catalog.pool, vec![product]).await;
    eventually_within("the price update", Duration::from_secs(30), async || {
        shop.document(&sku)
            .await
            .is_some_and(|doc| doc["price"] == "123.45" && doc["price_cents"] == 12_345)
    })
    .await;

    // A deletion reaches it too.
    let victim = shared_catalog()[11].sku.clone();
    assert!(shop.document(&victim).await.is_some());
    // The code path of `catalog delete`.
    catalog::products::remove(&shop.catalog.pool, &victim)
        .await
        .unwrap();
    eventually_within("the deletion", Duration::from_secs(30), async || {
        shop.document(&victim).await.is_none()
    })
    .await;
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relevance_test_set_holds_on_meilisearch_as_on_mysql() {
    let Some(meili) = meili("the_relevance_test_set_holds_on_meilisearch_as_on_mysql") else {
        return;
    };
    let demo = catalog::testing::demo_store()
        .expect("the shared demo store must be beside the repository");
    let shop = Shop::start(meili).await;
    shop.load(shared_catalog().iter().chain(demo).cloned().collect())
        .await;

    let mut problems = Vec::new();
    for case in catalog::testing::relevance_cases() {
        // The set's queries are letters, digits and spaces.
        let response = shop
            .search(&format!("q={}", case.q.replace(' ', "%20")))
            .await;
        assert_eq!(response["engine"], "meilisearch", "{response}");
        problems.extend(catalog::testing::relevance_problems(&case, &response));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The dropdown's categories as on MySQL: the one named for the query first.
    let iphone = shop.search("q=iphone").await;
    assert_eq!(
        iphone["suggested_categories"][0]["name"], "iPhone",
        "{}",
        iphone["suggested_categories"]
    );
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
                let response = get(&http, &format!("{address}/api/search?q=samsung")).await;
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
    let rebuild = async || -> RebuildReply {
        platform::rpc::call(
            &client,
            REBUILD,
            &serde_json::json!({}),
            Duration::from_secs(5),
        )
        .await
        .unwrap()
    };
    let reply = rebuild().await;
    let RebuildReply::Started { index: build } = reply else {
        panic!("expected a new rebuild, got {reply:?}");
    };
    // A second request while it runs starts nothing.
    assert_eq!(
        rebuild().await,
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
    let indexer = spawn_indexer(&nats, config).await;
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
