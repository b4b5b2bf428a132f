//! `products.list`: the admin's product list. Every filter and sort reads one index from the cursor on
//! (keyset pagination, see `db::admin::list_sql`); a text search first gathers its candidates (FULLTEXT on
//! name and brand for words of 3 or more characters, an index range on names or SKUs otherwise), so its cost
//! follows the number of matches, not the size of the catalog. Nothing counts the whole table.

use std::collections::HashMap;

use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog_admin::listing::{
        CategoryLabel, DEFAULT_PAGE, Direction, ListProducts, MAX_PAGE, ProductPage, ProductRow,
        SortField, StatusFilter, StockLevel,
    },
};
use sqlx::MySqlPool;

use crate::{
    db::{
        self,
        admin::{Arg, ListSpec, SortColumn, StockFilter, TextSearch},
        categories::Category,
    },
    domain::ProductStatus,
    text,
};

/// A page of products as asked.
pub async fn list(
    pool: &MySqlPool,
    request: &ListProducts,
) -> Result<AdminReply<ProductPage>, sqlx::Error> {
    let spec = match spec_of(request) {
        Ok(spec) => spec,
        Err(errors) => return Ok(AdminReply::Invalid { errors }),
    };
    let limit = spec.limit - 1;
    let mut conn = pool.acquire().await?;
    let mut page = db::admin::list_page(&mut conn, &spec).await?;
    let next = if page.len() > limit as usize {
        page.truncate(limit as usize);
        page.last()
            .map(|(id, key)| Cursor::encode(request, key, *id))
    } else {
        None
    };
    let ids: Vec<u32> = page.iter().map(|(id, _)| *id).collect();
    let products: HashMap<u32, db::admin::ProductRow> = db::admin::products(&mut conn, &ids, false)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let totals = db::admin::stock_totals(&mut conn, &ids).await?;
    let direct = db::admin::direct_categories(&mut conn, &ids).await?;
    let mut thumbnails: HashMap<u32, String> = HashMap::new();
    for image in db::admin::images(&mut conn, &ids).await? {
        thumbnails.entry(image.product_id).or_insert(image.url);
    }
    drop(conn);
    let categories = if direct.is_empty() {
        HashMap::new()
    } else {
        db::categories::all(pool).await?
    };
    let rows = ids
        .iter()
        .filter_map(|id| products.get(id))
        .map(|product| {
            let (variant_count, on_hand, available) =
                totals.get(&product.id).copied().unwrap_or_default();
            ProductRow {
                id: product.id,
                sku: product.sku.clone(),
                name: product.name.clone(),
                brand: product.brand.clone(),
                status: product.status,
                price: product.price,
                variant_count,
                available,
                on_hand,
                low_stock_threshold: product.low_stock_threshold,
                main_category: direct
                    .get(&product.id)
                    .and_then(|ids| main_category(ids, &categories)),
                thumbnail_url: thumbnails.remove(&product.id),
                version: product.version,
                updated_at: product.updated_at,
                created_at: product.created_at,
            }
        })
        .collect();
    Ok(AdminReply::Ok(ProductPage { rows, next }))
}

/// The deepest of the categories a product was put in, labelled with its path.
fn main_category(ids: &[u32], categories: &HashMap<u32, Category>) -> Option<CategoryLabel> {
    let main = ids
        .iter()
        .filter_map(|id| categories.get(id))
        .max_by_key(|category| (category.depth, std::cmp::Reverse(category.id)))?;
    Some(CategoryLabel {
        id: main.id,
        path: path_label(&main.path_ids, categories),
    })
}

/// `"Audio > Headphones"`: the names of a path of category ids.
pub fn path_label(path_ids: &[u32], categories: &HashMap<u32, Category>) -> String {
    path_ids
        .iter()
        .filter_map(|id| categories.get(id))
        .map(|category| category.name.as_str())
        .collect::<Vec<_>>()
        .join(" > ")
}

/// The statement's view of a request, or every bad field of it.
pub fn spec_of(request: &ListProducts) -> Result<ListSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let limit = request.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be from 1 to {MAX_PAGE}"),
        ));
    }
    let after = match &request.cursor {
        Some(cursor) if !cursor.is_empty() => match Cursor::decode(request, cursor) {
            Some(after) => Some(after),
            None => {
                errors.push(FieldError::new(
                    "cursor",
                    "is not a cursor of this list: start again from the first page",
                ));
                None
            }
        },
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ListSpec {
        search: request.q.as_deref().and_then(search_of),
        category: request.category_id,
        brand: request
            .brand
            .as_deref()
            .map(str::trim)
            .filter(|brand| !brand.is_empty())
            .map(str::to_owned),
        status: match request.status {
            StatusFilter::Any => None,
            StatusFilter::Draft => Some(ProductStatus::Draft),
            StatusFilter::Active => Some(ProductStatus::Active),
            StatusFilter::Archived => Some(ProductStatus::Archived),
        },
        stock: request.stock.map(|level| match level {
            StockLevel::Out => StockFilter::Out,
            StockLevel::Low => StockFilter::Low,
            StockLevel::In => StockFilter::In,
        }),
        sort: column_of(request.sort),
        descending: request.direction == Direction::Desc,
        after,
        limit: limit + 1,
    })
}

fn column_of(sort: SortField) -> SortColumn {
    match sort {
        SortField::Name => SortColumn::Name,
        SortField::Price => SortColumn::Price,
        SortField::Updated => SortColumn::Updated,
        SortField::Created => SortColumn::Created,
        SortField::Stock => SortColumn::Available,
    }
}

/// What to look for: a single word that could be a SKU is also looked up as one; the words of name and brand
/// through FULLTEXT (InnoDB ignores words under 3 characters), or as the start of the name when every word is
/// that short.
pub fn search_of(q: &str) -> Option<TextSearch> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let sku = q.to_uppercase();
    let sku_prefix = (!sku.contains(char::is_whitespace)
        && sku.len() <= 32
        && sku
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'))
    .then_some(sku);
    let words = text::words(q);
    let last_is_complete = q.chars().last().is_some_and(|c| !c.is_alphanumeric());
    let long: Vec<String> = words
        .iter()
        .enumerate()
        .filter(|(_, word)| word.chars().count() >= 3)
        .map(|(i, word)| {
            if i + 1 == words.len() && !last_is_complete {
                format!("+{word}*")
            } else {
                format!("+{word}")
            }
        })
        .collect();
    let (fulltext, name_prefix) = if long.is_empty() {
        (None, (!words.is_empty()).then(|| q.to_owned()))
    } else {
        (Some(long.join(" ")), None)
    };
    Some(TextSearch {
        fulltext,
        name_prefix,
        sku_prefix,
    })
}

/// The opaque cursor: the sort it belongs to, the last row's id and sort key, hex-encoded so it travels in a
/// URL untouched. A cursor only continues the sort it was made for.
struct Cursor;

impl Cursor {
    fn encode(request: &ListProducts, key: &Arg, id: u32) -> String {
        platform::keyset::encode_cursor(&Self::sort_tag(request), id, key)
    }

    fn decode(request: &ListProducts, cursor: &str) -> Option<(Arg, u32)> {
        let (tag, id, key) = platform::keyset::decode_cursor(cursor, 2_000)?;
        if tag != Self::sort_tag(request) {
            return None;
        }
        let id: u32 = id.parse().ok()?;
        let fits = matches!(
            (&key, request.sort),
            (Arg::Text(_), SortField::Name)
                | (Arg::Int(_), SortField::Stock)
                | (Arg::Money(_), SortField::Price)
                | (Arg::Time(_), SortField::Updated | SortField::Created)
        );
        fits.then_some((key, id))
    }

    fn sort_tag(request: &ListProducts) -> String {
        let sort = match request.sort {
            SortField::Name => "name",
            SortField::Price => "price",
            SortField::Updated => "updated",
            SortField::Created => "created",
            SortField::Stock => "stock",
        };
        let direction = match request.direction {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        };
        format!("{sort}.{direction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_continues_only_the_sort_it_was_made_for() {
        let by_price = ListProducts {
            sort: SortField::Price,
            direction: Direction::Asc,
            ..ListProducts::default()
        };
        let cursor = Cursor::encode(&by_price, &Arg::Money("19.90".parse().unwrap()), 42);
        assert_eq!(
            Cursor::decode(&by_price, &cursor),
            Some((Arg::Money("19.90".parse().unwrap()), 42))
        );
        let by_name = ListProducts {
            sort: SortField::Name,
            ..by_price.clone()
        };
        assert_eq!(Cursor::decode(&by_name, &cursor), None);
        assert_eq!(Cursor::decode(&by_price, "zz"), None);
        assert!(
            spec_of(&ListProducts {
                cursor: Some("abc".to_owned()),
                ..by_price
            })
            .is_err()
        );
    }

    #[test]
    fn a_search_looks_up_skus_words_and_short_name_starts() {
        let search = search_of("trail run").unwrap();
        assert_eq!(search.fulltext.as_deref(), Some("+trail +run*"));
        assert_eq!(search.sku_prefix, None);
        let search = search_of("tr-10").unwrap();
        assert_eq!(search.sku_prefix.as_deref(), Some("TR-10"));
        let search = search_of("tv").unwrap();
        assert_eq!(search.fulltext, None);
        assert_eq!(search.name_prefix.as_deref(), Some("tv"));
        assert_eq!(search_of("  "), None);
    }
}
