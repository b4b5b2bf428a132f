//! The MySQL engine: candidates from the prefix index (bounded per keystroke) and FULLTEXT, ranked in
//! process by how well name and brand match, popularity breaking ties; facets counted over the candidates.

use std::{collections::HashMap, time::Instant};

use sqlx::MySqlPool;

use super::{Engine, Highlight, Hit, SearchRequest, SearchResponse, fitting_categories};
use crate::{
    categories::child_categories,
    db::{
        self,
        categories::Category,
        listing::{
            BrandCount, CategoryCount, Facets, MAX_BRANDS, PRICE_RANGES, PriceRangeCount, Sort,
        },
        search::Candidate,
    },
    products::ProductSummary,
    text::{Query, highlight, match_word, relevance, words},
};

/// Most query words considered.
pub const MAX_TERMS: usize = 32;
/// Most prefix-index rows read per keystroke; beyond it totals and facets are lower bounds.
pub const CANDIDATE_CAP: u32 = 500;
/// Most description-only matches added when name and brand matches do not fill the page.
const FULLTEXT_LIMIT: u32 = 200;

/// Answers `request` from MySQL. `categories` is the whole tree by id, for facets; a description (FULLTEXT)
/// lookup that would take longer than `fulltext_budget` is cut and the keystroke shows its name matches.
pub async fn search(
    pool: &MySqlPool,
    categories: &HashMap<u32, Category>,
    request: &SearchRequest,
    fulltext_budget: std::time::Duration,
) -> Result<SearchResponse, sqlx::Error> {
    let started = Instant::now();
    let query = Query::parse(&request.q, MAX_TERMS);
    let offset = (request.page - 1) * request.limit;
    let children = child_categories(categories, request.filter.category);

    if query.is_empty() {
        // Nothing typed yet: the listing, most popular first.
        let sort = if request.sort == Sort::Relevance {
            Sort::Popularity
        } else {
            request.sort
        };
        let (products, total, facets) = tokio::try_join!(
            db::listing::page(pool, &request.filter, sort, offset, request.limit),
            db::listing::count(pool, &request.filter),
            db::listing::facets(pool, &request.filter, &children),
        )?;
        let hits = products
            .into_iter()
            .map(|row| hit(row.into(), &query))
            .collect();
        return Ok(response(
            request,
            Total::Exact(total),
            hits,
            facets,
            Vec::new(),
            started,
        ));
    }

    let keys = query.lookup_keys();
    let prefix = db::search::prefix_candidates(pool, &keys, &request.filter, CANDIDATE_CAP).await?;
    let t_candidates = started.elapsed();
    // SQL matched the rarest few words by their first MAX_PREFIX characters; every word must match in full.
    let mut ranked: Vec<(u32, Candidate)> = prefix
        .found
        .into_iter()
        .filter(|candidate| all_terms_match(&query, candidate))
        .map(|candidate| {
            (
                relevance(&query, &candidate.name, &candidate.brand),
                candidate,
            )
        })
        .collect();
    if ranked.len() < (offset + request.limit) as usize {
        let described = db::search::fulltext_candidates(
            pool,
            &query,
            &request.filter,
            FULLTEXT_LIMIT,
            fulltext_budget,
        )
        .await?;
        for candidate in described {
            if !ranked.iter().any(|(_, known)| known.id == candidate.id) {
                ranked.push((
                    relevance(&query, &candidate.name, &candidate.brand),
                    candidate,
                ));
            }
        }
    }
    sort_hits(&mut ranked, request.sort);
    let t_ranked = started.elapsed();

    let page_ids: Vec<u32> = ranked
        .iter()
        .skip(offset as usize)
        .take(request.limit as usize)
        .map(|(_, c)| c.id)
        .collect();
    let mut summaries = db::search::summaries(pool, &page_ids).await?;
    let t_page = started.elapsed();
    tracing::debug!(
        ?t_candidates,
        ?t_ranked,
        ?t_page,
        candidates = ranked.len(),
        "search timings"
    );
    let mut per_category: HashMap<u32, u64> = HashMap::new();
    for category in ranked.iter().flat_map(|(_, c)| &c.categories) {
        *per_category.entry(*category).or_default() += 1;
    }
    let facets = facets_of(&ranked, &per_category, &children);
    let suggested = fitting_categories(
        categories,
        &per_category,
        ranked.len() as u64,
        &query,
        request.filter.category,
    );
    let hits = page_ids
        .iter()
        .filter_map(|id| summaries.remove(id))
        .map(|row| hit(row.into(), &query))
        .collect();
    // Past the cap the candidates stop being counted: their number is then a lower bound.
    let total = ranked.len() as u64;
    let total = if prefix.capped {
        Total::AtLeast(total)
    } else {
        Total::Exact(total)
    };
    Ok(response(request, total, hits, facets, suggested, started))
}

fn all_terms_match(query: &Query, product: &Candidate) -> bool {
    let words: Vec<String> = words(&product.name)
        .into_iter()
        .chain(words(&product.brand))
        .collect();
    query
        .terms
        .iter()
        .all(|term| words.iter().any(|word| match_word(term, word).is_some()))
}

fn sort_hits(ranked: &mut [(u32, Candidate)], sort: Sort) {
    match sort {
        Sort::Relevance => ranked.sort_by(|(a_score, a), (b_score, b)| {
            b_score
                .cmp(a_score)
                .then(b.popularity.cmp(&a.popularity))
                .then(b.id.cmp(&a.id))
        }),
        Sort::Popularity => {
            ranked.sort_by(|(_, a), (_, b)| b.popularity.cmp(&a.popularity).then(b.id.cmp(&a.id)))
        }
        Sort::PriceAsc => {
            ranked.sort_by(|(_, a), (_, b)| a.price.cmp(&b.price).then(a.id.cmp(&b.id)))
        }
        Sort::PriceDesc => {
            ranked.sort_by(|(_, a), (_, b)| b.price.cmp(&a.price).then(b.id.cmp(&a.id)))
        }
        Sort::Newest => {
            ranked.sort_by(|(_, a), (_, b)| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)))
        }
    }
}

fn hit(product: ProductSummary, query: &Query) -> Hit {
    let highlight = Highlight {
        name: highlight(&product.name, query),
        brand: highlight(&product.brand, query),
    };
    Hit { product, highlight }
}

/// How many products match.
enum Total {
    Exact(u64),
    AtLeast(u64),
}

fn response(
    request: &SearchRequest,
    total: Total,
    hits: Vec<Hit>,
    facets: Facets,
    suggested_categories: Vec<CategoryCount>,
    started: Instant,
) -> SearchResponse {
    let (total, total_is_exact) = match total {
        Total::Exact(total) => (total, true),
        Total::AtLeast(total) => (total, false),
    };
    SearchResponse {
        engine: Engine::Mysql,
        query: request.q.clone(),
        total,
        total_is_exact,
        page: request.page,
        limit: request.limit,
        hits,
        facets,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        did_you_mean: None,
        suggested_categories,
    }
}

/// Brands counted per spelling, merged case-insensitively as the brand filter matches them ("OtterBox" and
/// "Otterbox" are one brand), each shown in its most common spelling.
fn merge_brand_spellings(spellings: HashMap<&str, u64>) -> Vec<BrandCount> {
    let mut merged: HashMap<String, (&str, u64, u64)> = HashMap::new();
    for (spelling, count) in spellings {
        let entry = merged
            .entry(spelling.to_lowercase())
            .or_insert((spelling, 0, 0));
        entry.1 += count;
        if count > entry.2 || (count == entry.2 && spelling < entry.0) {
            entry.0 = spelling;
            entry.2 = count;
        }
    }
    merged
        .into_values()
        .map(|(value, count, _)| BrandCount {
            value: value.to_owned(),
            count,
        })
        .collect()
}

/// The facets of `ranked`, whose matches per category (ancestors included) are `per_category`.
fn facets_of(
    ranked: &[(u32, Candidate)],
    per_category: &HashMap<u32, u64>,
    children: &[(u32, String, String)],
) -> Facets {
    let mut brands: HashMap<&str, u64> = HashMap::new();
    let mut prices = [0u64; PRICE_RANGES.len()];
    for (_, product) in ranked {
        *brands.entry(product.brand.as_str()).or_default() += 1;
        let bucket = PRICE_RANGES.iter().position(|(min, max)| {
            product.price >= (*min).into() && max.is_none_or(|max| product.price < max.into())
        });
        if let Some(bucket) = bucket {
            prices[bucket] += 1;
        }
    }
    let mut brands = merge_brand_spellings(brands);
    brands.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    brands.truncate(MAX_BRANDS);

    let price_ranges = PRICE_RANGES
        .iter()
        .zip(prices)
        .filter(|(_, count)| *count > 0)
        .map(|((min, max), count)| PriceRangeCount {
            min: (*min).into(),
            max: max.map(Into::into),
            count,
        })
        .collect();

    let mut categories: Vec<CategoryCount> = children
        .iter()
        .filter_map(|(id, slug, name)| {
            per_category.get(id).map(|count| CategoryCount {
                slug: slug.clone(),
                name: name.clone(),
                count: *count,
            })
        })
        .collect();
    categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    Facets {
        categories,
        brands,
        price_ranges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_spellings_are_one_brand_in_its_most_common_spelling() {
        let mut brands = merge_brand_spellings(HashMap::from([
            ("OtterBox", 174),
            ("Otterbox", 16),
            ("Apple", 3),
        ]));
        brands.sort_by_key(|brand| std::cmp::Reverse(brand.count));
        assert_eq!(brands.len(), 2);
        assert_eq!(
            (brands[0].value.as_str(), brands[0].count),
            ("OtterBox", 190)
        );
        assert_eq!((brands[1].value.as_str(), brands[1].count), ("Apple", 3));
    }
}
