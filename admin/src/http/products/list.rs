//! The products list: search, filters, sort and keyset pages, all in the URL ([`ListState`]) so a view can be
//! bookmarked, saved by name and exported; "Previous" is a link too, with the cursors of the pages before.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        PRODUCTS_LIST,
        listing::{Direction, ListProducts, ProductPage, SortField, StatusFilter, StockLevel},
        products::MAX_BULK,
    },
};
use serde::{Serialize, de::DeserializeOwned};

use super::{Pairs, category_options, field, fields};
use crate::{
    audit::percent_encode,
    http::{
        AppState,
        error::AdminError,
        extract::{Flash, RequireViewer},
        layers::redirect_with_flash,
        render::Page,
    },
    saved_views,
};

/// The saved views' page key.
const VIEWS_PAGE: &str = "products";
/// Rows per page of the list.
const PAGE_ROWS: u32 = 50;
/// How many pages back "Previous" can go (the cursors travel in the URL).
const PREV_PAGES_KEPT: usize = 20;

/// A snake_case contract value from a query parameter; anything else is its default.
fn parse_enum<T: DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

/// What the list shows, all of it from the URL: the filters and sort, the page's cursor and the cursors of
/// the pages before it (so "Previous" is a link too).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ListState {
    pub q: String,
    pub category_id: String,
    pub brand: String,
    pub status: String,
    pub stock: String,
    pub sort: String,
    pub direction: String,
    pub cursor: String,
    pub prev: Vec<String>,
}

impl ListState {
    pub(crate) fn from_pairs(pairs: &Pairs) -> Self {
        let text = |name: &str| field(pairs, name).trim().to_owned();
        Self {
            q: text("q"),
            category_id: text("category_id"),
            brand: text("brand"),
            status: text("status"),
            stock: text("stock"),
            sort: text("sort"),
            direction: text("direction"),
            cursor: field(pairs, "cursor").to_owned(),
            prev: fields(pairs, "prev").map(str::to_owned).collect(),
        }
    }

    /// The filters and sort as a query string (no page): what a saved view and the export keep.
    pub(crate) fn filters_query(&self) -> String {
        [
            ("q", &self.q),
            ("category_id", &self.category_id),
            ("brand", &self.brand),
            ("status", &self.status),
            ("stock", &self.stock),
            ("sort", &self.sort),
            ("direction", &self.direction),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The URL of the page after this one, at `next`. The pages before are remembered in the URL, the last
    /// [`PREV_PAGES_KEPT`] only: it stays short however far one pages (past them, "First page" starts again).
    fn next_url(&self, next: &str) -> String {
        let mut prev = self.prev.clone();
        prev.push(self.cursor.clone());
        let forget = prev.len().saturating_sub(PREV_PAGES_KEPT);
        self.url(next, &prev[forget..])
    }

    /// The list's URL at page `cursor` with `prev` before it.
    fn url(&self, cursor: &str, prev: &[String]) -> String {
        let mut query = self.filters_query();
        let mut add = |name: &str, value: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            query.push_str(&percent_encode(value));
        };
        for before in prev {
            add("prev", before);
        }
        if !cursor.is_empty() {
            add("cursor", cursor);
        }
        if query.is_empty() {
            "/admin/products".to_owned()
        } else {
            format!("/admin/products?{query}")
        }
    }

    /// This page's own URL.
    pub(crate) fn current_url(&self) -> String {
        self.url(&self.cursor, &self.prev)
    }

    /// The catalog's query for this state; unknown values are the defaults.
    pub(crate) fn request(&self, cursor: Option<String>, limit: u32) -> ListProducts {
        let nonempty = |value: &str| (!value.is_empty()).then(|| value.to_owned());
        ListProducts {
            q: nonempty(&self.q),
            category_id: self.category_id.parse().ok(),
            brand: nonempty(&self.brand),
            status: parse_enum::<StatusFilter>(&self.status).unwrap_or_default(),
            stock: parse_enum::<StockLevel>(&self.stock),
            sort: parse_enum::<SortField>(&self.sort).unwrap_or_default(),
            direction: parse_enum::<Direction>(&self.direction).unwrap_or_default(),
            cursor,
            limit: Some(limit),
        }
    }
}

/// A row of the list as the template shows it.
#[derive(Debug, Serialize)]
struct Row {
    id: u32,
    sku: String,
    name: String,
    brand: String,
    status: String,
    price: String,
    variant_count: u32,
    available: u32,
    on_hand: u32,
    stock_level: &'static str,
    category: String,
    thumbnail_url: Option<String>,
    updated_at: String,
}

fn stock_level(available: u32, threshold: u32) -> &'static str {
    if available == 0 {
        "out"
    } else if available <= threshold {
        "low"
    } else {
        "in"
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(pairs): Query<Pairs>,
) -> Result<Response, AdminError> {
    let view = ListState::from_pairs(&pairs);
    let cursor = (!view.cursor.is_empty()).then(|| view.cursor.clone());
    let (page, errors) = match state
        .catalog
        .call::<_, ProductPage>(PRODUCTS_LIST, &view.request(cursor, PAGE_ROWS))
        .await?
    {
        AdminReply::Ok(page) => (page, Vec::new()),
        AdminReply::Invalid { errors } => (
            ProductPage {
                rows: Vec::new(),
                next: None,
            },
            errors,
        ),
        other => {
            return Err(AdminError::Internal(anyhow::anyhow!(
                "the product list was refused: {other:?}"
            )));
        }
    };
    let rows: Vec<Row> = page
        .rows
        .into_iter()
        .map(|row| Row {
            stock_level: stock_level(row.available, row.low_stock_threshold),
            id: row.id,
            sku: row.sku,
            name: row.name,
            brand: row.brand,
            status: row.status.to_string(),
            price: row.price.to_string(),
            variant_count: row.variant_count,
            available: row.available,
            on_hand: row.on_hand,
            category: row.main_category.map(|c| c.path).unwrap_or_default(),
            thumbnail_url: row.thumbnail_url,
            updated_at: row.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    let next_url = page.next.as_deref().map(|next| view.next_url(next));
    let prev_url = view
        .prev
        .split_last()
        .map(|(last, rest)| view.url(last, rest));
    let filters_query = view.filters_query();
    let export_url = if filters_query.is_empty() {
        "/admin/products/export.csv".to_owned()
    } else {
        format!("/admin/products/export.csv?{filters_query}")
    };
    let views = saved_views::list(&state.db, session.staff.id, VIEWS_PAGE).await?;
    let categories = category_options(&state).await?;
    Ok(state.render(
        Some(&session),
        Page::new("products/list.html", "Products", "products")
            .with("view", &view)
            .with("rows", &rows)
            .with("next_url", &next_url)
            .with("prev_url", &prev_url)
            .with("current_url", &view.current_url())
            .with("filters_query", &filters_query)
            .with("export_url", &export_url)
            .with("views", &views)
            .with("categories", &categories)
            .with("max_bulk", &MAX_BULK)
            .with_errors(errors.iter().map(|e| (e.field.as_str(), e.reason.as_str()))),
    ))
}

pub(super) async fn save_view(
    State(state): State<AppState>,
    session: RequireViewer,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let name = field(&pairs, "name").trim();
    let query = field(&pairs, "query").trim_start_matches('?');
    let back = if query.is_empty() {
        "/admin/products".to_owned()
    } else {
        format!("/admin/products?{query}")
    };
    if name.is_empty() || name.chars().count() > saved_views::MAX_NAME_CHARS {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error(format!(
                "A view needs a name of 1 to {} characters.",
                saved_views::MAX_NAME_CHARS
            )),
        ));
    }
    if query.chars().count() > saved_views::MAX_QUERY_CHARS {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error("This view is too long to save."),
        ));
    }
    saved_views::save(&state.db, session.staff.id, VIEWS_PAGE, name, query).await?;
    Ok(redirect_with_flash(
        &back,
        &Flash::success(format!("View “{name}” saved.")),
    ))
}

pub(super) async fn delete_view(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(id): Path<u64>,
) -> Result<Response, AdminError> {
    if saved_views::delete(&state.db, session.staff.id, id).await? {
        Ok(redirect_with_flash(
            "/admin/products",
            &Flash::success("View deleted."),
        ))
    } else {
        Err(AdminError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::products::pairs;

    #[test]
    fn the_whole_list_state_round_trips_through_its_url() {
        let view = ListState::from_pairs(&pairs(&[
            ("q", "trail shoe"),
            ("status", "active"),
            ("stock", "low"),
            ("sort", "price"),
            ("direction", "asc"),
            ("prev", ""),
            ("prev", "c1"),
            ("cursor", "c2"),
        ]));
        assert_eq!(
            view.current_url(),
            "/admin/products?q=trail%20shoe&status=active&stock=low&sort=price&direction=asc&prev=&prev=c1&cursor=c2"
        );
        let request = view.request(Some("c2".to_owned()), 50);
        assert_eq!(request.stock, Some(StockLevel::Low));
        assert_eq!(request.sort, SortField::Price);
        assert_eq!(request.direction, Direction::Asc);
    }

    #[test]
    fn paging_on_keeps_the_last_pages_before_and_forgets_older_ones() {
        let mut view = ListState::from_pairs(&pairs(&[("sort", "stock")]));
        for page in 1..=30 {
            let next = view.next_url(&format!("c{page}"));
            let query = next.split_once('?').expect("a query").1;
            view = ListState::from_pairs(&pairs(
                &query
                    .split('&')
                    .map(|pair| pair.split_once('=').expect("name=value"))
                    .collect::<Vec<_>>(),
            ));
        }
        assert_eq!(view.cursor, "c30");
        assert_eq!(view.prev.len(), PREV_PAGES_KEPT);
        assert_eq!(view.prev.last().map(String::as_str), Some("c29"));
        assert_eq!(view.prev.first().map(String::as_str), Some("c10"));
    }

    #[test]
    fn unknown_filter_values_fall_back_to_the_defaults() {
        let request = ListState::from_pairs(&pairs(&[("status", "bogus"), ("category_id", "x")]))
            .request(None, 50);
        assert_eq!(request.status, StatusFilter::Any);
        assert_eq!(request.category_id, None);
    }
}
