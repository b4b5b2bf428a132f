//! Listing queries: filters and sorts over active products, a page of summaries, the total, and facet
//! counts. With a category, everything reads `product_categories` (one index range per category, descendants
//! included); without one, `products`. Values are always bound; only fixed SQL fragments are assembled.

use chrono::{DateTime, Utc};
use platform::contracts::Sku;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{AssertSqlSafe, MySqlPool, Row as _, mysql::MySqlArguments, query::Query};
use utoipa::ToSchema;

use super::placeholders;

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match for a query; popularity when there is none.
    Relevance,
    PriceAsc,
    PriceDesc,
    Popularity,
    Newest,
}

impl Sort {
    pub const NAMES: &'static str = "relevance, price_asc, price_desc, popularity, newest";

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "relevance" => Some(Self::Relevance),
            "price_asc" => Some(Self::PriceAsc),
            "price_desc" => Some(Self::PriceDesc),
            "popularity" => Some(Self::Popularity),
            "newest" => Some(Self::Newest),
            _ => None,
        }
    }

    fn order_by(self, key: &str) -> String {
        match self {
            Self::Relevance | Self::Popularity => format!("f.popularity DESC, f.{key} DESC"),
            Self::PriceAsc => format!("f.price ASC, f.{key} ASC"),
            Self::PriceDesc => format!("f.price DESC, f.{key} DESC"),
            Self::Newest => format!("f.created_at DESC, f.{key} DESC"),
        }
    }
}

/// Which active products to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// A category id: the category and all its descendants.
    pub category: Option<u32>,
    pub brand: Option<String>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    pub in_stock: bool,
}

/// One product of a listing or search page, as read (the answer is `products::ProductSummary`).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub id: u32,
    pub sku: Sku,
    pub slug: String,
    pub name: String,
    pub brand: String,
    /// The lowest price of its variants, and the highest (`None` without variants, which cannot happen).
    pub price: Decimal,
    pub max_price: Option<Decimal>,
    pub image: Option<String>,
    pub in_stock: bool,
    pub available: u32,
    pub popularity: u32,
    pub created_at: DateTime<Utc>,
}

/// The price buckets of the price facet, shared with the search index.
pub use platform::contracts::search::PRICE_RANGES;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BrandCount {
    pub value: String,
    pub count: u64,
}

/// Products priced from `min` up to (not including) `max`; no `max` is open-ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PriceRangeCount {
    pub min: Decimal,
    #[schema(required = true)]
    pub max: Option<Decimal>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryCount {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

/// Counts over every product matching the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, ToSchema)]
pub struct Facets {
    pub categories: Vec<CategoryCount>,
    pub brands: Vec<BrandCount>,
    pub price_ranges: Vec<PriceRangeCount>,
}

/// How many brands the brand facet shows.
pub const MAX_BRANDS: usize = 30;

/// The `FROM ... WHERE ...` of a filter, and the name of the product id column.
struct Base {
    sql: String,
    key: &'static str,
}

fn base(filter: &Filter) -> Base {
    let (from, key) = match filter.category {
        Some(_) => (
            "FROM product_categories f WHERE f.category_id = ? AND f.active",
            "product_id",
        ),
        None => ("FROM products f WHERE f.status = 'active'", "id"),
    };
    Base {
        sql: format!("{from}{}", conditions(filter)),
        key,
    }
}

/// The filter's conditions other than the category, on columns `products` and `product_categories` share.
pub(crate) fn conditions(filter: &Filter) -> String {
    let mut sql = String::new();
    if filter.brand.is_some() {
        sql.push_str(" AND f.brand = ?");
    }
    if filter.min_price.is_some() {
        sql.push_str(" AND f.price >= ?");
    }
    if filter.max_price.is_some() {
        sql.push_str(" AND f.price <= ?");
    }
    if filter.in_stock {
        sql.push_str(" AND f.in_stock");
    }
    sql
}

/// Binds the filter's values in the order [`base`] (category first, when there is one) and [`conditions`]
/// use them.
pub fn bind_filter<'q>(
    mut query: Query<'q, sqlx::MySql, MySqlArguments>,
    filter: &'q Filter,
) -> Query<'q, sqlx::MySql, MySqlArguments> {
    if let Some(category) = filter.category {
        query = query.bind(category);
    }
    if let Some(brand) = &filter.brand {
        query = query.bind(brand);
    }
    if let Some(min) = filter.min_price {
        query = query.bind(min);
    }
    if let Some(max) = filter.max_price {
        query = query.bind(max);
    }
    query
}

/// A summary's columns, from `products p`: units available and the highest price over its variants.
pub(crate) const SUMMARY_COLUMNS: &str = "p.id, p.sku, p.slug, p.name, p.brand, p.price, p.popularity, p.in_stock, \
     p.created_at, \
     (SELECT CAST(COALESCE(SUM(i.on_hand - i.reserved), 0) AS SIGNED) FROM variants v \
      JOIN inventory i ON i.variant_id = v.id WHERE v.product_id = p.id) AS available, \
     (SELECT MAX(v.price) FROM variants v WHERE v.product_id = p.id) AS max_price, \
     (SELECT url FROM product_images im WHERE im.product_id = p.id ORDER BY im.position LIMIT 1) AS image";

pub(crate) fn summary_from_row(row: &sqlx::mysql::MySqlRow) -> Result<SummaryRow, sqlx::Error> {
    Ok(SummaryRow {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        brand: row.try_get("brand")?,
        price: row.try_get("price")?,
        max_price: row.try_get("max_price")?,
        image: row.try_get("image")?,
        in_stock: row.try_get("in_stock")?,
        available: row
            .try_get::<i64, _>("available")?
            .clamp(0, i64::from(u32::MAX)) as u32,
        popularity: row.try_get("popularity")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The SQL of [`page`]: binds the filter, then limit and offset.
pub fn page_sql(filter: &Filter, sort: Sort) -> String {
    let Base { sql: from, key } = base(filter);
    // The page of ids comes from the filter's index alone; the display columns are joined for those rows only.
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM (SELECT f.{key} AS id, f.price, f.popularity, f.created_at {from} \
         ORDER BY {order} LIMIT ? OFFSET ?) page \
         JOIN products p ON p.id = page.id \
         ORDER BY {outer}",
        order = sort.order_by(key),
        outer = sort.order_by("id").replace("f.", "page."),
    )
}

/// The SQL of [`count`]: binds the filter.
pub fn count_sql(filter: &Filter) -> String {
    format!("SELECT COUNT(*) {}", base(filter).sql)
}

/// One page of the listing.
pub async fn page(
    pool: &MySqlPool,
    filter: &Filter,
    sort: Sort,
    offset: u32,
    limit: u32,
) -> Result<Vec<SummaryRow>, sqlx::Error> {
    let rows = bind_filter(sqlx::query(AssertSqlSafe(page_sql(filter, sort))), filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    rows.iter().map(summary_from_row).collect()
}

/// How many products match.
pub async fn count(pool: &MySqlPool, filter: &Filter) -> Result<u64, sqlx::Error> {
    let row = bind_filter(sqlx::query(AssertSqlSafe(count_sql(filter))), filter)
        .fetch_one(pool)
        .await?;
    Ok(row.try_get::<i64, _>(0)? as u64)
}

/// Brand and price-range counts over the products matching `filter`, and per-category counts for
/// `child_categories` (the subcategories a shopper can narrow to: `(id, slug, name)`).
pub async fn facets(
    pool: &MySqlPool,
    filter: &Filter,
    child_categories: &[(u32, String, String)],
) -> Result<Facets, sqlx::Error> {
    let from = base(filter).sql;
    let brands_sql = format!(
        "SELECT f.brand, COUNT(*) AS n {from} GROUP BY f.brand ORDER BY n DESC, f.brand LIMIT {MAX_BRANDS}"
    );
    let brands = bind_filter(sqlx::query(AssertSqlSafe(brands_sql)), filter)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok(BrandCount {
                value: row.try_get("brand")?,
                count: row.try_get::<i64, _>("n")? as u64,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let buckets: Vec<String> = PRICE_RANGES
        .iter()
        .map(|(min, max)| match max {
            Some(max) => format!("COALESCE(SUM(f.price >= {min} AND f.price < {max}), 0)"),
            None => format!("COALESCE(SUM(f.price >= {min}), 0)"),
        })
        .collect();
    let prices_sql = format!("SELECT {} {from}", buckets.join(", "));
    let row = bind_filter(sqlx::query(AssertSqlSafe(prices_sql)), filter)
        .fetch_one(pool)
        .await?;
    let mut price_ranges = Vec::new();
    for (i, (min, max)) in PRICE_RANGES.iter().enumerate() {
        let count: Decimal = row.try_get(i)?;
        let count = u64::try_from(count).unwrap_or(0);
        if count > 0 {
            price_ranges.push(PriceRangeCount {
                min: (*min).into(),
                max: max.map(Into::into),
                count,
            });
        }
    }

    let categories = if child_categories.is_empty() {
        Vec::new()
    } else {
        let child_filter = Filter {
            category: None,
            ..filter.clone()
        };
        let sql = format!(
            "SELECT f.category_id, COUNT(*) AS n FROM product_categories f \
             WHERE f.category_id IN ({}) AND f.active{} GROUP BY f.category_id",
            placeholders(child_categories.len()),
            conditions(&child_filter),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (id, _, _) in child_categories {
            query = query.bind(*id);
        }
        let rows = bind_filter(query, &child_filter).fetch_all(pool).await?;
        let mut counts = Vec::new();
        for row in &rows {
            let id: u32 = row.try_get("category_id")?;
            if let Some((_, slug, name)) =
                child_categories.iter().find(|(child, _, _)| *child == id)
            {
                counts.push(CategoryCount {
                    slug: slug.clone(),
                    name: name.clone(),
                    count: row.try_get::<i64, _>("n")? as u64,
                });
            }
        }
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        counts
    };
    Ok(Facets {
        categories,
        brands,
        price_ranges,
    })
}

/// What [`related`] looks in: the product's deepest own category, its parent, and the product's brand.
struct RelatedScope {
    category: u32,
    parent: Option<u32>,
    brand: String,
}

/// Up to `limit` active, in-stock products related to product `id`, best first: from its deepest own category
/// those of its brand, then the others, then its parent category's; each group by popularity. Three index
/// range reads of at most `limit` + 1 rows each, however large the categories.
pub async fn related(pool: &MySqlPool, id: u32, limit: u32) -> Result<Vec<u32>, sqlx::Error> {
    let scope = sqlx::query(
        "SELECT pc.category_id, c.parent_id, p.brand FROM product_categories pc \
         JOIN categories c ON c.id = pc.category_id JOIN products p ON p.id = pc.product_id \
         WHERE pc.product_id = ? AND pc.direct ORDER BY c.depth DESC, c.id LIMIT 1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .map(|row| -> Result<RelatedScope, sqlx::Error> {
        Ok(RelatedScope {
            category: row.try_get("category_id")?,
            parent: row.try_get("parent_id")?,
            brand: row.try_get("brand")?,
        })
    })
    .transpose()?;
    let Some(scope) = scope else {
        return Ok(Vec::new());
    };
    // One more than asked: the product itself may be among them.
    let rows = limit + 1;
    let ids: Vec<u32> = sqlx::query_scalar(
        "(SELECT product_id FROM product_categories WHERE category_id = ? AND active AND brand = ? AND in_stock \
          ORDER BY popularity DESC, product_id DESC LIMIT ?) \
         UNION ALL \
         (SELECT product_id FROM product_categories WHERE category_id = ? AND active AND in_stock \
          ORDER BY popularity DESC, product_id DESC LIMIT ?) \
         UNION ALL \
         (SELECT product_id FROM product_categories WHERE category_id = ? AND active AND in_stock \
          ORDER BY popularity DESC, product_id DESC LIMIT ?)",
    )
    .bind(scope.category)
    .bind(&scope.brand)
    .bind(rows)
    .bind(scope.category)
    .bind(rows)
    // Without a parent (a top-level category) the third read repeats the second, adding nothing new.
    .bind(scope.parent.unwrap_or(scope.category))
    .bind(rows)
    .fetch_all(pool)
    .await?;
    let mut seen = std::collections::HashSet::from([id]);
    Ok(ids
        .into_iter()
        .filter(|candidate| seen.insert(*candidate))
        .take(limit as usize)
        .collect())
}
