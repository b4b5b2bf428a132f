//! The products list: search, filters, sort and keyset pages, all in the URL ([`ListState`]) so a view can be
//! bookmarked, saved by name and exported (the paging and saved views shared with every list: `listing`).

use axum::{
    extract::{Query, State},
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
use serde::Serialize;

use super::{Pairs, category_options, field};
use crate::http::forms::parse_enum;
use crate::{
    http::{
        AppState,
        error::AdminError,
        extract::RequireViewer,
        listing::{Keyset, query_of, with_query},
        render::Page,
    },
    saved_views,
};

/// The saved views' page key.
pub(super) const VIEWS_PAGE: &str = "products";
/// The list's path.
pub(super) const LIST_PATH: &str = "/admin/products";
/// Rows per page of the list.
const PAGE_ROWS: u32 = 50;

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
    #[serde(flatten)]
    pub page: Keyset,
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
            page: Keyset::from_pairs(pairs),
        }
    }

    /// The filters and sort as a query string (no page): what a saved view and the export keep.
    pub(crate) fn filters_query(&self) -> String {
        query_of([
            ("q", self.q.as_str()),
            ("category_id", &self.category_id),
            ("brand", &self.brand),
            ("status", &self.status),
            ("stock", &self.stock),
            ("sort", &self.sort),
            ("direction", &self.direction),
        ])
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
    let cursor = view.page.cursor();
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
    let filters_query = view.filters_query();
    let pager = view
        .page
        .pager(LIST_PATH, &filters_query, page.next.as_deref());
    let export_url = with_query("/admin/products/export.csv", &filters_query);
    let views = saved_views::list(&state.db, session.staff.id, VIEWS_PAGE).await?;
    let categories = category_options(&state).await?;
    Ok(state.render(
        Some(&session),
        Page::new("products/list.html", "Products", "products")
            .with("view", &view)
            .with("rows", &rows)
            .with("pager", &pager)
            .with("export_url", &export_url)
            .with("views", &views)
            .with("categories", &categories)
            .with("max_bulk", &MAX_BULK)
            .with_errors(errors.iter().map(|e| (e.field.as_str(), e.reason.as_str()))),
    ))
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
            view.page.current_url(LIST_PATH, &view.filters_query()),
            "/admin/products?q=trail%20shoe&status=active&stock=low&sort=price&direction=asc&prev=&prev=c1&cursor=c2"
        );
        let request = view.request(Some("c2".to_owned()), 50);
        assert_eq!(request.stock, Some(StockLevel::Low));
        assert_eq!(request.sort, SortField::Price);
        assert_eq!(request.direction, Direction::Asc);
    }

    #[test]
    fn unknown_filter_values_fall_back_to_the_defaults() {
        let request = ListState::from_pairs(&pairs(&[("status", "bogus"), ("category_id", "x")]))
            .request(None, 50);
        assert_eq!(request.status, StatusFilter::Any);
        assert_eq!(request.category_id, None);
    }
}
