//! The products pages: the list (search, filters, sort, keyset pages, all in the URL so a view can be
//! bookmarked and saved), bulk actions with a confirmation step, CSV export and import; the product form
//! ([`form`]) and its photos ([`images`]). Every read and write goes to the catalog's `rpc.catalog.admin.*`
//! endpoints; every write carries the form's idempotency key and is audited, refusals too.

mod export;
mod form;
mod images;
mod import;

use axum::{
    Form, Router,
    extract::{Path, Query, State},
    response::Response,
    routing::{get, post},
};
use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        CATEGORIES_TREE, PRODUCTS_BULK, PRODUCTS_LIST,
        categories::{CategoryTree, TreeRequest},
        listing::{Direction, ListProducts, ProductPage, SortField, StatusFilter, StockLevel},
        products::{BulkAction, BulkProducts, BulkResult, MAX_BULK},
    },
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use super::{
    AppState,
    error::AdminError,
    extract::{CurrentSession, Flash, RequireStaff, RequireViewer},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome, percent_encode},
    catalog::command,
    saved_views,
};

/// The saved views' page key.
const VIEWS_PAGE: &str = "products";
/// Rows per page of the list.
const PAGE_ROWS: u32 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/products", get(list).post(form::create))
        .route("/admin/products/new", get(form::new))
        .route("/admin/products/{id}", get(form::edit).post(form::update))
        .route("/admin/products/{id}/archive", post(form::archive))
        .route("/admin/products/{id}/images", post(images::add))
        .route(
            "/admin/products/{id}/images/{image_id}/alt",
            post(images::update_alt),
        )
        .route(
            "/admin/products/{id}/images/{image_id}/move",
            post(images::reorder),
        )
        .route(
            "/admin/products/{id}/images/{image_id}/delete",
            post(images::delete),
        )
        .route("/admin/products/bulk", post(bulk_review))
        .route("/admin/products/bulk/apply", post(bulk_apply))
        .route("/admin/products/export.csv", get(export::csv))
        .route(
            "/admin/products/import",
            get(import::page).post(import::dry_run),
        )
        .route("/admin/products/import/apply", post(import::apply))
        .route("/admin/products/views", post(save_view))
        .route("/admin/products/views/{id}/delete", post(delete_view))
}

/// How many pages back "Previous" can go (the cursors travel in the URL).
const PREV_PAGES_KEPT: usize = 20;

/// Form or query fields as sent, repeated names kept (`ids`, `category_ids`, `prev`).
pub(crate) type Pairs = Vec<(String, String)>;

/// The first value of `name`, or "".
pub(crate) fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// Every value of `name`.
pub(crate) fn fields<'a>(pairs: &'a Pairs, name: &'a str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The form's idempotency key; a form without a valid one is a bad request (every write form renders one).
pub(crate) fn idempotency_key(pairs: &Pairs) -> Result<Uuid, AdminError> {
    field(pairs, "idempotency_key").parse().map_err(|_| {
        AdminError::BadRequest("The form carried no idempotency key: reload it.".to_owned())
    })
}

/// A snake_case contract value from a query parameter; anything else is its default.
fn parse_enum<T: DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

/// "field: reason; ..." for the audit log.
pub(crate) fn detail_of(errors: &[platform::contracts::admin::FieldError]) -> String {
    errors
        .iter()
        .map(|error| format!("{}: {}", error.field, error.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Records a refused write (invalid, conflict, not found).
pub(crate) async fn audit_refused(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    target: Option<u32>,
    detail: &str,
) {
    let mut entry = Entry::by(session, action)
        .outcome(Outcome::Refused)
        .detail(detail);
    if let Some(id) = target {
        entry = entry.target("product", id);
    }
    audit::record_or_log(&state.db, &entry).await;
}

/// Records a write the catalog could not answer ("try again").
pub(crate) async fn audit_failed(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    target: Option<u32>,
) {
    let mut entry = Entry::by(session, action)
        .outcome(Outcome::Failed)
        .detail("the catalog did not answer");
    if let Some(id) = target {
        entry = entry.target("product", id);
    }
    audit::record_or_log(&state.db, &entry).await;
}

/// A write to the catalog: a failure to answer is audited as failed and shown as "try again".
pub(crate) async fn write<Req: Serialize, Resp: DeserializeOwned>(
    state: &AppState,
    session: &CurrentSession,
    action: &str,
    target: Option<u32>,
    subject: &str,
    request: &Req,
) -> Result<AdminReply<Resp>, AdminError> {
    match state.catalog.call(subject, request).await {
        Err(AdminError::Unavailable) => {
            audit_failed(state, session, action, target).await;
            Err(AdminError::Unavailable)
        }
        other => other,
    }
}

/// A category for selects: its id and "A > B" path.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategoryOption {
    pub id: u32,
    pub label: String,
}

/// The category tree, depth-first, as select options.
pub(crate) async fn category_options(state: &AppState) -> Result<Vec<CategoryOption>, AdminError> {
    match state
        .catalog
        .call::<_, CategoryTree>(CATEGORIES_TREE, &TreeRequest {})
        .await?
    {
        AdminReply::Ok(tree) => Ok(tree
            .categories
            .into_iter()
            .map(|category| CategoryOption {
                id: category.id,
                label: category.path_names.join(" > "),
            })
            .collect()),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the category tree was refused: {other:?}"
        ))),
    }
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

async fn list(
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

/// Where to go back to after a bulk action: a list URL, never elsewhere.
fn back_to_list(pairs: &Pairs) -> String {
    let back = field(pairs, "back");
    if back == "/admin/products" || back.starts_with("/admin/products?") {
        back.to_owned()
    } else {
        "/admin/products".to_owned()
    }
}

/// The bulk action a form names, or the reason it names none.
fn bulk_action(pairs: &Pairs) -> Result<BulkAction, (&'static str, &'static str)> {
    match field(pairs, "action") {
        "archive" => Ok(BulkAction::Archive),
        "activate" => Ok(BulkAction::Activate),
        "move" => field(pairs, "category_id")
            .parse()
            .map(|category_id| BulkAction::MoveToCategory { category_id })
            .map_err(|_| ("category_id", "choose the category to move them to")),
        "price" => {
            let percent = field(pairs, "percent").trim();
            if percent.is_empty() {
                Err(("percent", "enter a percentage, e.g. -10 or 5.5"))
            } else {
                Ok(BulkAction::ChangePricePercent {
                    percent: percent.to_owned(),
                })
            }
        }
        _ => Err(("action", "choose what to do with the selected products")),
    }
}

fn describe(action: &BulkAction, categories: &[CategoryOption]) -> String {
    match action {
        BulkAction::Archive => "Archive".to_owned(),
        BulkAction::Activate => "Activate".to_owned(),
        BulkAction::MoveToCategory { category_id } => {
            let label = categories
                .iter()
                .find(|c| c.id == *category_id)
                .map_or_else(|| format!("#{category_id}"), |c| c.label.clone());
            format!("Move to “{label}”")
        }
        BulkAction::ChangePricePercent { percent } => format!("Change the price by {percent} %"),
    }
}

fn selected_ids(pairs: &Pairs) -> Vec<u32> {
    let mut ids: Vec<u32> = fields(pairs, "ids")
        .filter_map(|id| id.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The confirmation step: what will happen to which products, and the one idempotent command to send.
async fn bulk_review(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let back = back_to_list(&pairs);
    let ids = selected_ids(&pairs);
    if ids.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error("Select at least one product first."),
        ));
    }
    if ids.len() > MAX_BULK {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error(format!("Select at most {MAX_BULK} products at once.")),
        ));
    }
    let action = match bulk_action(&pairs) {
        Ok(action) => action,
        Err((_, reason)) => {
            let mut reason = reason.to_owned();
            if let Some(first) = reason.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            return Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("{reason}.")),
            ));
        }
    };
    let categories = category_options(&state).await?;
    Ok(state.render(
        Some(&session),
        Page::new("products/bulk.html", "Confirm the bulk change", "products")
            .with("ids", &ids)
            .with("description", &describe(&action, &categories))
            .with("action", &field(&pairs, "action"))
            .with("category_id", &field(&pairs, "category_id"))
            .with("percent", &field(&pairs, "percent").trim())
            .with("back", &back),
    ))
}

async fn bulk_apply(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let back = back_to_list(&pairs);
    let key = idempotency_key(&pairs)?;
    let ids = selected_ids(&pairs);
    let action = bulk_action(&pairs)
        .map_err(|(field, reason)| AdminError::BadRequest(format!("{field}: {reason}")))?;
    let audit_action = match &action {
        BulkAction::Archive => "product.bulk_archive",
        BulkAction::Activate => "product.bulk_activate",
        BulkAction::MoveToCategory { .. } => "product.bulk_move",
        BulkAction::ChangePricePercent { .. } => "product.bulk_price",
    };
    let body = BulkProducts {
        ids: ids.clone(),
        action,
    };
    let reply: AdminReply<BulkResult> = write(
        &state,
        &session,
        audit_action,
        None,
        PRODUCTS_BULK,
        &command(&session, key, body.clone()),
    )
    .await?;
    match reply {
        AdminReply::Ok(result) => {
            let changed = result.products.iter().filter(|p| p.changed).count();
            audit::record(
                &state.db,
                &Entry::by(&session, audit_action)
                    .command(key)
                    .target("products", format!("{} products", ids.len()))
                    .before(&body)
                    .after(&result),
            )
            .await?;
            Ok(redirect_with_flash(
                &back,
                &Flash::success(format!(
                    "{changed} of {} selected products changed.",
                    ids.len()
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            let detail = detail_of(&errors);
            audit_refused(&state, &session, audit_action, None, &detail).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Nothing was changed: {detail}.")),
            ))
        }
        AdminReply::Conflict { reason, .. } => {
            audit_refused(&state, &session, audit_action, None, &reason).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Nothing was changed: {reason}.")),
            ))
        }
        AdminReply::NotFound { what } => {
            audit_refused(&state, &session, audit_action, None, &what).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!(
                    "Nothing was changed: {what} no longer exists. Reload the list."
                )),
            ))
        }
    }
}

async fn save_view(
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

async fn delete_view(
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

    fn pairs(items: &[(&str, &str)]) -> Pairs {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

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

    #[test]
    fn a_bulk_form_names_its_action_or_the_missing_field() {
        assert_eq!(
            bulk_action(&pairs(&[("action", "price"), ("percent", "-10.5")])),
            Ok(BulkAction::ChangePricePercent {
                percent: "-10.5".to_owned()
            })
        );
        assert_eq!(
            bulk_action(&pairs(&[("action", "move")])).unwrap_err().0,
            "category_id"
        );
    }
}
