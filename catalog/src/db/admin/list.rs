//! The statement of the admin's product list: the filters, the text search's candidates and keyset paging
//! (`after` the last row's sort key and id), assembled from fixed fragments with every value bound.

pub use platform::keyset::Arg;
use sqlx::{MySqlConnection, Row as _, mysql::MySqlArguments, query::Query};

use crate::domain::ProductStatus;

/// The column a list is ordered by (then by id, the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Price,
    Updated,
    Created,
    /// Units available, summed over the variants (`products.available`).
    Available,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            Self::Name => "p.name",
            Self::Price => "p.price",
            Self::Updated => "p.updated_at",
            Self::Created => "p.created_at",
            Self::Available => "p.available",
        }
    }
}

/// How much can be sold, against the product's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockFilter {
    Out,
    Low,
    In,
}

/// The text search of the list: candidates from any of these, united.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSearch {
    /// A FULLTEXT boolean query over name and brand (`+trail +run*`).
    pub fulltext: Option<String>,
    /// Products whose name starts with this (words too short for FULLTEXT).
    pub name_prefix: Option<String>,
    /// Product or variant SKUs starting with this.
    pub sku_prefix: Option<String>,
}

/// One page of the admin list, as the statement needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListSpec {
    pub search: Option<TextSearch>,
    pub category: Option<u32>,
    pub brand: Option<String>,
    pub status: Option<ProductStatus>,
    pub stock: Option<StockFilter>,
    pub sort: SortColumn,
    pub descending: bool,
    /// The last row of the previous page: its sort key and id.
    pub after: Option<(Arg, u32)>,
    /// Rows to read: the page size plus one, to know whether there is more.
    pub limit: u32,
}

/// The statement of a list page and its values: `(id, sort_key)` rows in order.
pub fn list_sql(spec: &ListSpec) -> (String, Vec<Arg>) {
    let mut args = Vec::new();
    let mut joins = String::new();
    if let Some(search) = &spec.search {
        let mut branches = Vec::new();
        if let Some(fulltext) = &search.fulltext {
            branches.push(
                "SELECT id FROM products WHERE MATCH (name, brand) AGAINST (? IN BOOLEAN MODE)",
            );
            args.push(Arg::Text(fulltext.clone()));
        }
        if let Some(prefix) = &search.name_prefix {
            branches.push("SELECT id FROM products WHERE name LIKE ?");
            args.push(Arg::Text(format!("{}%", escape_like(prefix))));
        }
        if let Some(prefix) = &search.sku_prefix {
            branches.push("SELECT id FROM products WHERE sku LIKE ?");
            branches.push("SELECT product_id FROM variants WHERE sku LIKE ?");
            let pattern = format!("{}%", escape_like(prefix));
            args.push(Arg::Text(pattern.clone()));
            args.push(Arg::Text(pattern));
        }
        if branches.is_empty() {
            // A search with nothing to look for finds nothing.
            branches.push("SELECT id FROM products WHERE FALSE");
        }
        joins.push_str(&format!(
            " JOIN ({}) m ON m.id = p.id",
            branches.join(" UNION ")
        ));
    }
    let mut conditions = String::new();
    if let Some(status) = spec.status {
        conditions.push_str(" AND p.status = ?");
        args.push(Arg::Text(status.as_str().to_owned()));
    }
    if let Some(brand) = &spec.brand {
        conditions.push_str(" AND p.brand = ?");
        args.push(Arg::Text(brand.clone()));
    }
    if let Some(category) = spec.category {
        // product_categories links every ancestor too: one equality finds the category's whole subtree.
        conditions.push_str(
            " AND EXISTS (SELECT 1 FROM product_categories pc WHERE pc.category_id = ? AND pc.product_id = p.id)",
        );
        args.push(Arg::Int(category.into()));
    }
    match spec.stock {
        // `available` is positive exactly when `in_stock` is set, and a range of its index.
        Some(StockFilter::Out) => conditions.push_str(" AND p.available <= 0"),
        Some(StockFilter::Low) => {
            conditions.push_str(" AND p.available > 0 AND p.available <= p.low_stock_threshold");
        }
        Some(StockFilter::In) => {
            conditions.push_str(" AND p.available > 0 AND p.available > p.low_stock_threshold");
        }
        None => {}
    }
    let column = spec.sort.sql();
    let (compare, direction) = if spec.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((key, id)) = &spec.after {
        conditions.push_str(&format!(
            " AND ({column} {compare} ? OR ({column} = ? AND p.id {compare} ?))"
        ));
        args.push(key.clone());
        args.push(key.clone());
        args.push(Arg::Int((*id).into()));
    }
    args.push(Arg::Int(spec.limit.into()));
    let sql = format!(
        "SELECT p.id, {column} AS sort_key FROM products p{joins} WHERE TRUE{conditions} \
         ORDER BY {column} {direction}, p.id {direction} LIMIT ?"
    );
    (sql, args)
}

/// `%`, `_` and `\` match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The EXPLAIN of a list page's statement, for the index checks of the tests.
pub fn explain<'q>(sql: &'q str, args: &'q [Arg]) -> Query<'q, sqlx::MySql, MySqlArguments> {
    platform::keyset::query(sql, args)
}

/// The ids of a list page in order, each with its sort key (read back as the type of the sort column).
pub async fn list_page(
    conn: &mut MySqlConnection,
    spec: &ListSpec,
) -> Result<Vec<(u32, Arg)>, sqlx::Error> {
    let (sql, args) = list_sql(spec);
    let rows = platform::keyset::query(&sql, &args)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let id: u32 = row.try_get("id")?;
            let key = match spec.sort {
                SortColumn::Name => Arg::Text(row.try_get("sort_key")?),
                SortColumn::Price => Arg::Money(row.try_get("sort_key")?),
                SortColumn::Updated | SortColumn::Created => Arg::Time(row.try_get("sort_key")?),
                SortColumn::Available => Arg::Int(row.try_get::<i32, _>("sort_key")?.into()),
            };
            Ok((id, key))
        })
        .collect()
}
