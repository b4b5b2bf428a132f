//! The SQL side of search-as-you-type. Name and brand words are found through `search_prefixes`, reading at
//! most `cap` rows of the most selective term (or of the filtered category, when that is smaller), so a
//! keystroke costs the same whether the prefix matches ten products or the whole catalog. Description words
//! come from InnoDB FULLTEXT, only when the name and brand matches do not fill the page.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, MySqlPool, Row as _};

use super::{
    listing::{Filter, SUMMARY_COLUMNS, SummaryRow, bind_filter, conditions, summary_from_row},
    placeholders,
};
use crate::text::{Query, stem};

fn is_statement_timeout(err: &sqlx::Error) -> bool {
    // 1969 ER_STATEMENT_TIMEOUT, 1317 ER_QUERY_INTERRUPTED; InnoDB's FULLTEXT scan reports the interruption as
    // handler error 188 (HA_ERR_ABORTED_BY_USER) instead.
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|db| matches!(db.number(), 1969 | 1317 | 188))
}

/// Query words whose matches are counted to pick the driving one.
const MAX_COUNTED_KEYS: usize = 6;
/// Query words joined in SQL besides the driving one.
const MAX_JOINED_KEYS: usize = 3;

/// What ranking, sorting and facets need of a candidate; the page's hits are completed by [`summaries`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: u32,
    pub name: String,
    pub brand: String,
    pub price: rust_decimal::Decimal,
    pub popularity: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Every category the product is in, ancestors included (for the category facet).
    pub categories: Vec<u32>,
}

/// The columns of [`Candidate`], from `products p`. The categories come along in the same query (one index
/// lookup per candidate) rather than in a second query with an `IN` list of every candidate.
const CANDIDATE_COLUMNS: &str = "p.id, p.name, p.brand, p.price, p.popularity, p.created_at, \
     (SELECT GROUP_CONCAT(pc.category_id) FROM product_categories pc WHERE pc.product_id = p.id) AS categories";

fn candidate_from_row(row: &sqlx::mysql::MySqlRow) -> Result<Candidate, sqlx::Error> {
    Ok(Candidate {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        brand: row.try_get("brand")?,
        price: row.try_get("price")?,
        popularity: row.try_get("popularity")?,
        created_at: row.try_get("created_at")?,
        categories: row
            .try_get::<Option<String>, _>("categories")?
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.parse().ok())
            .collect(),
    })
}

/// Candidates in index order (best prefix score first), and whether the scan was cut at `cap`.
#[derive(Debug, Default)]
pub struct Candidates {
    pub found: Vec<Candidate>,
    pub capped: bool,
}

/// How many products each key matches, counting at most `cap + 1`.
async fn bounded_counts(
    pool: &MySqlPool,
    keys: &[&String],
    cap: u32,
) -> Result<Vec<u64>, sqlx::Error> {
    let one = "SELECT COUNT(*) FROM (SELECT 1 FROM search_prefixes WHERE prefix = ? LIMIT ?) t";
    let sql = vec![one; keys.len()].join(" UNION ALL ");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for key in keys {
        query = query.bind(*key).bind(cap + 1);
    }
    let rows = query.fetch_all(pool).await?;
    // UNION ALL keeps duplicates and order, one row per key.
    rows.iter()
        .map(|row| Ok(row.try_get::<i64, _>(0)? as u64))
        .collect()
}

/// Which rows a prefix search starts from (at most `cap` of them): whichever is fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// The prefix rows of the rarest query word.
    RarestWord,
    /// The rows of the filtered category.
    Category,
}

/// The SQL of [`prefix_candidates`]. Binds: (category, cap, driver key) when driven by the category, else
/// (driver key, cap); then the other keys; then the filter.
pub fn prefix_candidates_sql(other_keys: usize, filter: &Filter, driver: Driver) -> String {
    let must_have: String = (0..other_keys)
        .map(|i| {
            format!(
                " JOIN search_prefixes s{i} ON s{i}.product_id = d.product_id AND s{i}.prefix = ?"
            )
        })
        .collect();
    if driver == Driver::Category {
        format!(
            "SELECT {CANDIDATE_COLUMNS} FROM (SELECT product_id, popularity FROM product_categories \
             WHERE category_id = ? AND active ORDER BY popularity DESC LIMIT ?) d \
             JOIN search_prefixes s ON s.product_id = d.product_id AND s.prefix = ?{must_have} \
             JOIN product_categories f ON f.category_id = ? AND f.product_id = d.product_id \
             JOIN products p ON p.id = d.product_id \
             WHERE TRUE{conditions} ORDER BY d.popularity DESC",
            conditions = conditions(filter),
        )
    } else {
        let filter_join = if filter.category.is_some() {
            "JOIN product_categories f ON f.category_id = ? AND f.product_id = d.product_id AND f.active"
        } else {
            "JOIN products f ON f.id = d.product_id AND f.status = 'active'"
        };
        format!(
            "SELECT {CANDIDATE_COLUMNS} FROM (SELECT product_id, score FROM search_prefixes WHERE prefix = ? \
             ORDER BY score DESC LIMIT ?) d{must_have} {filter_join} JOIN products p ON p.id = d.product_id \
             WHERE TRUE{conditions} ORDER BY d.score DESC",
            conditions = conditions(filter),
        )
    }
}

/// Products whose name or brand has a word starting with every key, passing `filter`.
pub async fn prefix_candidates(
    pool: &MySqlPool,
    keys: &[String],
    filter: &Filter,
    cap: u32,
) -> Result<Candidates, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Candidates::default());
    }
    // Longer words are rarer: count the longest few and drive from the rarest of those. Every other word is
    // still matched by the caller against the candidates' names and brands.
    let mut keys: Vec<&String> = keys.iter().collect();
    keys.sort_by_key(|key| std::cmp::Reverse(key.chars().count()));
    keys.truncate(MAX_COUNTED_KEYS);
    let counts = bounded_counts(pool, &keys, cap).await?;
    let mut by_rarity: Vec<(u64, &String)> = counts.iter().copied().zip(keys).collect();
    by_rarity.sort_by_key(|(count, _)| *count);
    let (driver_count, driver_key) = by_rarity[0];
    if driver_count == 0 {
        return Ok(Candidates::default());
    }
    let category_size = match filter.category {
        Some(category) => Some(
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM (SELECT 1 FROM product_categories WHERE category_id = ? AND active LIMIT ?) t",
            )
            .bind(category)
            .bind(cap + 1)
            .fetch_one(pool)
            .await? as u64,
        ),
        None => None,
    };
    // The next rarest keys narrow the candidates in SQL; any further ones are checked by the caller, which
    // ranks the (bounded) candidates against every query word anyway.
    let other_keys: Vec<&String> = by_rarity
        .iter()
        .skip(1)
        .take(MAX_JOINED_KEYS)
        .map(|(_, key)| *key)
        .collect();
    // Drive from whichever is smaller: the rarest term's prefix rows, or the filtered category's rows.
    let (driver, rows) = match category_size {
        Some(size) if size < driver_count => (Driver::Category, size),
        _ => (Driver::RarestWord, driver_count),
    };
    let capped = rows > u64::from(cap);
    let sql = prefix_candidates_sql(other_keys.len(), filter, driver);

    let mut query = sqlx::query(AssertSqlSafe(sql));
    query = match driver {
        Driver::Category => query.bind(filter.category).bind(cap).bind(driver_key),
        Driver::RarestWord => query.bind(driver_key).bind(cap),
    };
    for key in &other_keys {
        query = query.bind(*key);
    }
    let rows = bind_filter(query, filter).fetch_all(pool).await?;
    let found = rows
        .iter()
        .map(candidate_from_row)
        .collect::<Result<_, _>>()?;
    Ok(Candidates { found, capped })
}

/// Products whose description (or name/brand) contains every term of 3+ characters, by InnoDB FULLTEXT,
/// at most `limit` of them. Shorter terms are below InnoDB's token size and left to the prefix index.
pub async fn fulltext_candidates(
    pool: &MySqlPool,
    query: &Query,
    filter: &Filter,
    limit: u32,
    budget: std::time::Duration,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let terms: Vec<String> = query
        .terms
        .iter()
        .enumerate()
        .filter(|(_, term)| term.chars().count() >= 3)
        .map(|(i, term)| {
            // A plural also finds its singular ("+headphone*" for "headphones"), as a prefix does.
            let stem = stem(term);
            if query.is_prefix(i) || (stem != term && stem.chars().count() >= 3) {
                format!("+{stem}*")
            } else {
                format!("+{term}")
            }
        })
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    // FULLTEXT does not index words under 3 letters, so it cannot require them: each is checked against the
    // matched rows' text instead (as the start of a word, or the whole word once typed), never dropped. "samsung
    // tv" is Samsung TVs or nothing, not every Samsung charger.
    let short: Vec<String> = query
        .terms
        .iter()
        .enumerate()
        .filter(|(_, term)| term.chars().count() < 3)
        .map(|(i, term)| word_pattern(term, query.is_prefix(i)))
        .collect();
    let short_words =
        " AND CONCAT_WS(' ', f.name, f.brand, f.description) REGEXP ?".repeat(short.len());
    let category = if filter.category.is_some() {
        " AND EXISTS (SELECT 1 FROM product_categories pc WHERE pc.category_id = ? AND pc.product_id = f.id)"
    } else {
        ""
    };
    // FULLTEXT cost grows with the number of matching documents, which no LIMIT bounds; MariaDB's statement
    // time limit does. A keystroke whose description search would take longer simply shows the name matches.
    let sql = format!(
        "SET STATEMENT max_statement_time = {budget:.3} FOR \
         SELECT {columns} FROM products f \
         WHERE MATCH (f.name, f.brand, f.description) AGAINST (? IN BOOLEAN MODE) \
         AND f.status = 'active'{short_words}{category}{conditions} LIMIT ?",
        columns = CANDIDATE_COLUMNS.replace("p.", "f."),
        budget = budget.as_secs_f64(),
        conditions = conditions(filter),
    );
    let mut statement = sqlx::query(AssertSqlSafe(sql)).bind(terms.join(" "));
    for pattern in &short {
        statement = statement.bind(pattern);
    }
    let result = bind_filter(statement, filter)
        .bind(limit)
        .fetch_all(pool)
        .await;
    let rows = match result {
        Ok(rows) => rows,
        Err(err) if is_statement_timeout(&err) => {
            metrics::counter!("catalog_search_fulltext_timeouts_total").increment(1);
            return Ok(Vec::new());
        }
        Err(err) => return Err(err),
    };
    rows.iter().map(candidate_from_row).collect()
}

/// A (PCRE) pattern matching `term` as the start of a word, or as a whole word when it is not a prefix.
/// Terms are letters and digits (`text::words`); anything else is escaped all the same.
fn word_pattern(term: &str, prefix: bool) -> String {
    let mut pattern = String::from("(?i)\\b");
    for c in term.chars() {
        if !c.is_alphanumeric() {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    if !prefix {
        pattern.push_str("\\b");
    }
    pattern
}

/// Summaries of `ids`, keyed by id.
pub async fn summaries(
    pool: &MySqlPool,
    ids: &[u32],
) -> Result<HashMap<u32, SummaryRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM products p WHERE p.id IN ({})",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(pool).await?;
    rows.iter()
        .map(|row| summary_from_row(row).map(|s| (s.id, s)))
        .collect()
}
