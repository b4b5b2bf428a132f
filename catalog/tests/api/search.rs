//! Search-as-you-type on the shared real catalog, and on small hand-made ones.

use catalog::testing::{demo_store, real_catalog, relevance_cases, relevance_problems};
use serde_json::Value;

use crate::helpers::{TestApp, product, spawn_app};

fn hit_skus(response: &Value) -> Vec<String> {
    response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["sku"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(app: &TestApp, q: &str) -> Value {
    let encoded: String = url_encode(q);
    app.get_ok(&format!("/api/search?q={encoded}")).await
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn on_the_real_catalog_names_brands_and_short_prefixes_find_what_shoppers_mean() {
    let Some(catalog) = real_catalog() else {
        return;
    };
    let app = spawn_app().await;
    app.load(catalog.to_vec()).await;

    // A full product name finds that product first (every 37th product: a spread of the whole catalog).
    let mut misses = Vec::new();
    for product in catalog.iter().step_by(37) {
        let response = search(&app, &product.name).await;
        assert_eq!(response["engine"], "mysql");
        if hit_skus(&response).first().map(String::as_str) != Some(product.sku.as_str()) {
            misses.push(format!(
                "{:?} -> {:?}",
                product.name, response["hits"][0]["name"]
            ));
        }
    }
    assert!(
        misses.is_empty(),
        "full names not found first:\n{}",
        misses.join("\n")
    );

    // Four letters of a brand bring that brand's products.
    for (prefix, brand) in [
        ("sams", "Samsung"),
        ("insi", "Insignia™"),
        ("otte", "OtterBox"),
        ("moph", "mophie"),
    ] {
        let response = search(&app, prefix).await;
        let hits = response["hits"].as_array().unwrap();
        assert!(hits.len() >= 5, "{prefix}: {response}");
        // The data spells some brands two ways (OtterBox, Otterbox).
        let brand_of = |value: &Value| value.as_str().unwrap().to_lowercase();
        for hit in hits {
            assert_eq!(
                brand_of(&hit["brand"]),
                brand.to_lowercase(),
                "{prefix}: {}",
                hit["name"]
            );
        }
        assert_eq!(
            brand_of(&response["facets"]["brands"][0]["value"]),
            brand.to_lowercase(),
            "{prefix}"
        );
    }

    // One and two letters answer too, with the typed letters marked.
    for prefix in ["a", "s", "ip", "tv", "ca"] {
        let response = search(&app, prefix).await;
        let hits = response["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{prefix}: no hits");
        assert!(response["total"].as_u64().unwrap() >= hits.len() as u64);
        let marked = hits
            .iter()
            .filter(|h| h["highlight"]["name"].as_str().unwrap().contains("<mark>"))
            .count();
        assert!(marked > 0, "{prefix}: nothing highlighted");
        assert!(
            !response["facets"]["categories"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{prefix}: no category facets"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relevance_test_set_holds_on_the_real_catalogs() {
    let (Some(phones), Some(store)) = (real_catalog(), demo_store()) else {
        return;
    };
    let app = spawn_app().await;
    app.load(phones.iter().chain(store).cloned().collect())
        .await;

    let mut problems = Vec::new();
    for case in relevance_cases() {
        let response = search(&app, &case.q).await;
        assert_eq!(response["engine"], "mysql");
        problems.extend(relevance_problems(&case, &response));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The dropdown's categories: the one named for the query first, then the deepest holding the matches,
    // never the top category holding everything.
    let suggested = |response: &Value| -> Vec<String> {
        response["suggested_categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let iphone = search(&app, "iphone").await;
    assert_eq!(
        suggested(&iphone)[0],
        "iPhone",
        "{}",
        iphone["suggested_categories"]
    );
    for q in ["iphone", "case", "galaxy", "running shoe"] {
        let names = suggested(&search(&app, q).await);
        assert!(!names.is_empty() && names.len() <= 3, "{q}: {names:?}");
        assert!(
            !names
                .iter()
                .any(|name| name == "Cell Phones" || name == "Cell Phone Accessories"),
            "{q}: {names:?}"
        );
    }
    assert_eq!(suggested(&search(&app, "running shoe").await), ["Footwear"]);
    app.stop().await;
}

#[test]
fn the_relevance_check_sees_a_description_match_above_a_name_match() {
    let case = relevance_cases()
        .into_iter()
        .find(|case| case.q == "headphones")
        .unwrap();
    let hit = |name: &str, brand: &str| serde_json::json!({ "name": name, "brand": brand });
    let wrong = serde_json::json!({ "hits": [
        hit("BLU - Diva Flip T390x Phone", "BLU"),
        hit("Apple - Lightning-to-3.5mm Headphone Adapter", "Apple"),
    ]});
    let problems = relevance_problems(&case, &wrong);
    assert_eq!(problems.len(), 3, "{problems:?}");
    let right = serde_json::json!({ "hits": [
        hit("Apple - Lightning-to-3.5mm Headphone Adapter", "Apple"),
        hit("BLU - Diva Flip T390x Phone", "BLU"),
    ]});
    assert!(relevance_problems(&case, &right).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_word_is_a_prefix_and_earlier_words_must_all_match() {
    let app = spawn_app().await;
    app.load(vec![
        product(
            "A-1",
            "Apple iPhone 15 Pro",
            "Apple",
            "999.00",
            &["Phones"],
            3,
        ),
        product("A-2", "Apple iPad Air", "Apple", "599.00", &["Tablets"], 3),
        product(
            "S-1",
            "Samsung Galaxy S24",
            "Samsung",
            "799.00",
            &["Phones"],
            3,
        ),
    ])
    .await;
    assert_eq!(hit_skus(&search(&app, "apple iph").await), ["A-1"]);
    assert_eq!(hit_skus(&search(&app, "apple ip").await).len(), 2);
    assert_eq!(hit_skus(&search(&app, "galaxy s2").await), ["S-1"]);
    let response = search(&app, "APPLE ipa").await;
    assert_eq!(
        response["hits"][0]["highlight"]["name"],
        "<mark>Apple</mark> <mark>iPa</mark>d Air"
    );
    assert_eq!(response["total"], 1);
    assert_eq!(response["total_is_exact"], true);
    assert!(hit_skus(&search(&app, "xylophone").await).is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn name_matches_rank_above_description_matches_found_by_fulltext() {
    let app = spawn_app().await;
    let mut described = product("D-1", "Plain kettle", "Acme", "20.00", &["Kitchen"], 1);
    described.description = "A kettle with a thermostat that keeps water warm.".to_owned();
    described.popularity = 10_000;
    let named = product(
        "N-1",
        "Thermostat controller",
        "Nest",
        "120.00",
        &["Home"],
        1,
    );
    app.load(vec![described, named]).await;
    assert_eq!(hit_skus(&search(&app, "thermostat").await), ["N-1", "D-1"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_word_is_required_too_never_dropped() {
    let app = spawn_app().await;
    // Neither names "tv": only a description can hold it, and FULLTEXT does not index two-letter words.
    let mut charger = product("SC-1", "Samsung charger", "Samsung", "19.00", &["Power"], 5);
    charger.description = "Charges Samsung phones fast.".to_owned();
    charger.popularity = 10_000;
    let mut screen = product(
        "ST-1",
        "Samsung QLED 55",
        "Samsung",
        "899.00",
        &["Screens"],
        5,
    );
    screen.description = "A 55 inch smart TV with a quantum dot panel.".to_owned();
    app.load(vec![charger, screen]).await;

    assert_eq!(hit_skus(&search(&app, "samsung tv").await), ["ST-1"]);
    assert_eq!(
        hit_skus(&search(&app, "samsung t").await),
        ["ST-1"],
        "as a prefix"
    );
    let none = search(&app, "samsung vr").await;
    assert_eq!(
        (none["total"].as_u64(), hit_skus(&none).len()),
        (Some(0), 0)
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_misspelt_word_gets_the_catalogs_own_spelling_as_did_you_mean() {
    let app = spawn_app().await;
    app.load(vec![
        product(
            "DY-1",
            "Sony Wireless Headphones",
            "Sony",
            "99.00",
            &["Audio"],
            5,
        ),
        product("DY-2", "Bose Headphones", "Bose", "199.00", &["Audio"], 5),
    ])
    .await;
    let typo = search(&app, "headphnes").await;
    assert_eq!(
        (typo["total"].as_u64(), typo["did_you_mean"].as_str()),
        (Some(0), Some("headphones"))
    );
    let two_words = search(&app, "sony headphnes").await;
    assert_eq!(two_words["did_you_mean"], "sony headphones");
    // A spelling that is known but finds nothing with the rest, or nothing close: no suggestion.
    assert_eq!(
        search(&app, "bose wireless").await["did_you_mean"],
        Value::Null
    );
    assert_eq!(search(&app, "xylophone").await["did_you_mean"], Value::Null);
    assert_eq!(
        search(&app, "headphones").await["did_you_mean"],
        Value::Null
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_applies_the_listing_filters_and_sorts() {
    let app = spawn_app().await;
    app.load(vec![
        product(
            "P-1",
            "Pro Headphones",
            "Sony",
            "300.00",
            &["Audio", "Headphones"],
            2,
        ),
        product(
            "P-2",
            "Pro Speaker",
            "Sony",
            "150.00",
            &["Audio", "Speakers"],
            0,
        ),
        product(
            "P-3",
            "Pro Headphones Lite",
            "JBL",
            "80.00",
            &["Audio", "Headphones"],
            5,
        ),
    ])
    .await;
    let headphones = "audio--headphones";
    let filtered = app
        .get_ok(&format!(
            "/api/search?q=pro&category={headphones}&sort=price_asc"
        ))
        .await;
    assert_eq!(hit_skus(&filtered), ["P-3", "P-1"]);
    let in_stock = app
        .get_ok("/api/search?q=pro&in_stock=true&sort=price_desc")
        .await;
    assert_eq!(hit_skus(&in_stock), ["P-1", "P-3"]);
    let brand = app
        .get_ok("/api/search?q=pro&brand=Sony&max_price=200")
        .await;
    assert_eq!(hit_skus(&brand), ["P-2"]);
    let facets = app.get_ok("/api/search?q=pro").await;
    assert_eq!(facets["facets"]["categories"][0]["name"], "Audio");
    assert_eq!(facets["facets"]["categories"][0]["count"], 3);
    app.stop().await;
}
