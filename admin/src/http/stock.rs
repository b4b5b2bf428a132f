//! Stock: the low-stock list and the latest adjustments (anyone signed in), a product's variants with their
//! units on hand, reserved and available and the history of their adjustments, and, for staff and owners, the
//! adjustment of one variant (by a number of units or to a counted number, with a reason and a note).
//!
//! The catalog owns stock (`rpc.catalog.admin.stock.*`, contract in
//! `platform::contracts::catalog_admin::stock`; a product's variants from `products.get`). An adjustment
//! carries the units on hand the form showed (`expected_on_hand`), so a change made meanwhile (an order, a
//! colleague) is refused as a conflict instead of applied to numbers nobody saw.

use std::collections::HashMap;

use axum::{
    Form, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog_admin::{
        PRODUCTS_GET, PRODUCTS_LIST, STOCK_ADJUST, STOCK_HISTORY, STOCK_LOW,
        listing::{ListProducts, ProductPage, ProductRow},
        products::{GetProduct, ProductDetail},
        stock::{
            AdjustStock, AdjustmentReason, LowStockPage, LowStockRequest, MAX_NOTE_CHARS,
            StockAdjusted, StockAdjustment, StockChange, StockHistoryPage, StockHistoryRequest,
            VariantStock,
        },
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    AppState,
    error::AdminError,
    extract::{Flash, RequireStaff, RequireViewer},
    layers::redirect_with_flash,
    render::Page,
};
use crate::{
    audit::{self, Entry, Outcome},
    services::command,
};

/// Rows of the low-stock list per page.
const LOW_PAGE: u32 = 50;
/// Adjustments per page of a product's history, and on the stock page.
const HISTORY_PAGE: u32 = 25;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/stock", get(overview))
        .route("/admin/stock/products/{id}", get(product))
        .route("/admin/stock/products/{id}/adjust", post(adjust))
}

/// The answer of a read the catalog should never refuse (only a bad cursor, which a user can type).
fn read<T: std::fmt::Debug>(subject: &str, reply: AdminReply<T>) -> Result<T, AdminError> {
    match reply {
        AdminReply::Ok(value) => Ok(value),
        AdminReply::Invalid { errors } if errors.iter().any(|e| e.field == "cursor") => {
            Err(AdminError::BadRequest(
                "This page link is no longer valid: start from the first page.".to_owned(),
            ))
        }
        AdminReply::NotFound { .. } => Err(AdminError::NotFound),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "{subject} was refused: {other:?}"
        ))),
    }
}

/// A row of a stock table: a variant's numbers and whether it is low.
#[derive(Debug, Serialize)]
struct StockRow<'a> {
    #[serde(flatten)]
    stock: &'a VariantStock,
    options: String,
    low: bool,
}

/// An adjustment as the history table shows it.
#[derive(Debug, Serialize)]
struct HistoryRow<'a> {
    #[serde(flatten)]
    adjustment: &'a StockAdjustment,
    /// "+3", "-2"
    change: String,
    at: String,
}

fn history_rows(adjustments: &[StockAdjustment]) -> Vec<HistoryRow<'_>> {
    adjustments
        .iter()
        .map(|adjustment| HistoryRow {
            adjustment,
            change: if adjustment.delta > 0 {
                format!("+{}", adjustment.delta)
            } else {
                adjustment.delta.to_string()
            },
            at: adjustment.at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct OverviewQuery {
    /// The low-stock list's page.
    cursor: Option<String>,
    /// A SKU, name or brand to find a product by.
    q: String,
}

async fn overview(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(query): Query<OverviewQuery>,
) -> Result<Response, AdminError> {
    let cursor = query.cursor.clone().filter(|c| !c.is_empty());
    let first_page = cursor.is_none();
    let low: LowStockPage = read(
        STOCK_LOW,
        state
            .catalog
            .call(
                STOCK_LOW,
                &LowStockRequest {
                    cursor,
                    limit: Some(LOW_PAGE),
                },
            )
            .await?,
    )?;
    let rows: Vec<StockRow<'_>> = low
        .variants
        .iter()
        .map(|stock| StockRow {
            stock,
            options: stock.option_values.join(" / "),
            low: true,
        })
        .collect();
    let search = query.q.trim();
    let found: Vec<ProductRow> = if search.is_empty() {
        Vec::new()
    } else {
        let request = ListProducts {
            q: Some(search.to_owned()),
            limit: Some(20),
            ..ListProducts::default()
        };
        match state
            .catalog
            .call::<_, ProductPage>(PRODUCTS_LIST, &request)
            .await?
        {
            AdminReply::Ok(page) => page.rows,
            _ => Vec::new(),
        }
    };
    let recent: StockHistoryPage = if first_page {
        read(
            STOCK_HISTORY,
            state
                .catalog
                .call(
                    STOCK_HISTORY,
                    &StockHistoryRequest {
                        limit: Some(HISTORY_PAGE),
                        ..StockHistoryRequest::default()
                    },
                )
                .await?,
        )?
    } else {
        StockHistoryPage {
            adjustments: Vec::new(),
            next: None,
        }
    };
    Ok(state.render(
        Some(&session),
        Page::new("stock/overview.html", "Stock", "stock")
            .with("rows", &rows)
            .with("next", &low.next)
            .with("first_page", &first_page)
            .with("q", &search)
            .with("found", &found)
            .with("searched", &!search.is_empty())
            .with("recent", &history_rows(&recent.adjustments)),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HistoryQuery {
    cursor: Option<String>,
}

async fn load_product(state: &AppState, id: u32) -> Result<ProductDetail, AdminError> {
    read(
        PRODUCTS_GET,
        state.catalog.call(PRODUCTS_GET, &GetProduct { id }).await?,
    )
}

/// What the adjust form of one variant shows again after a refusal.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
struct AdjustForm {
    #[serde(skip_serializing)]
    idempotency_key: Option<Uuid>,
    variant_id: u32,
    /// `delta` (add or remove units) or `set` (a counted number).
    mode: String,
    amount: String,
    reason: String,
    note: String,
    /// The units on hand the form showed.
    expected_on_hand: Option<u32>,
}

/// The product's stock page, with `refused` (the variant's typed form and its errors, or a conflict) when an
/// adjustment was refused.
async fn product_page(
    state: &AppState,
    id: u32,
    cursor: Option<String>,
    refused: Option<(&AdjustForm, Option<String>)>,
) -> Result<Page, AdminError> {
    let product = load_product(state, id).await?;
    let history: StockHistoryPage = read(
        STOCK_HISTORY,
        state
            .catalog
            .call(
                STOCK_HISTORY,
                &StockHistoryRequest {
                    product_id: Some(id),
                    cursor: cursor.clone(),
                    limit: Some(HISTORY_PAGE),
                    ..StockHistoryRequest::default()
                },
            )
            .await?,
    )?;
    let variants: Vec<VariantView<'_>> = product
        .variants
        .iter()
        .map(|variant| VariantView {
            id: variant.id,
            sku: &variant.sku,
            options: variant
                .option_values
                .iter()
                .zip(&product.option_names)
                .map(|(value, name)| format!("{name}: {value}"))
                .collect::<Vec<_>>()
                .join(", "),
            on_hand: variant.on_hand,
            reserved: variant.reserved,
            available: variant.available,
            low: variant.available <= product.low_stock_threshold,
        })
        .collect();
    let reasons: Vec<&str> = AdjustmentReason::ALL.iter().map(|r| r.as_str()).collect();
    let mut page = Page::new("stock/product.html", &product.name, "stock")
        .with("product", &product)
        .with("variants", &variants)
        .with("reasons", &reasons)
        .with("history", &history_rows(&history.adjustments))
        .with("next", &history.next)
        .with("paged", &cursor.is_some())
        .with("max_note_chars", &MAX_NOTE_CHARS)
        .with("no_errors", &HashMap::<String, String>::new());
    if let Some((form, conflict)) = refused {
        page = page.with("typed", form);
        if let Some(reason) = conflict {
            page = page.with("conflict", &reason).status(StatusCode::CONFLICT);
        }
    }
    Ok(page)
}

#[derive(Debug, Serialize)]
struct VariantView<'a> {
    id: u32,
    sku: &'a str,
    options: String,
    on_hand: u32,
    reserved: u32,
    available: u32,
    low: bool,
}

async fn product(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(id): Path<u32>,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, AdminError> {
    let cursor = query.cursor.filter(|c| !c.is_empty());
    let page = product_page(&state, id, cursor, None).await?;
    Ok(state.render(Some(&session), page))
}

/// The adjustment the form asks for, or the fields it gets wrong.
fn parse_adjustment(form: &AdjustForm) -> Result<AdjustStock, Vec<FieldError>> {
    let mut errors = Vec::new();
    let amount = form.amount.trim();
    let change = match form.mode.as_str() {
        "set" => amount
            .parse::<u32>()
            .map(StockChange::SetOnHand)
            .map_err(|_| FieldError::new("amount", "must be a whole number of units, 0 or more")),
        _ => match amount.strip_prefix('+').unwrap_or(amount).parse::<i64>() {
            Ok(0) => Err(FieldError::new("amount", "must not be 0")),
            Ok(delta) => Ok(StockChange::Delta(delta)),
            Err(_) => Err(FieldError::new(
                "amount",
                "must be a whole number of units, like 5 or -2",
            )),
        },
    }
    .map_err(|e| errors.push(e))
    .ok();
    let reason = AdjustmentReason::from_name(&form.reason)
        .ok_or_else(|| errors.push(FieldError::new("reason", "must be one from the list")))
        .ok();
    let note = form.note.trim();
    match (change, reason, errors.is_empty()) {
        (Some(change), Some(reason), true) => Ok(AdjustStock {
            sku: None,
            variant_id: Some(form.variant_id),
            change,
            reason,
            note: (!note.is_empty()).then(|| note.to_owned()),
            expected_on_hand: form.expected_on_hand,
        }),
        _ => Err(errors),
    }
}

/// The catalog's field names as the adjust form names its inputs.
fn form_field(field: &str) -> &str {
    match field {
        "amount" | "change.delta" | "change.set_on_hand" | "change" => "amount",
        "note" => "note",
        "reason" => "reason",
        _ => "form",
    }
}

async fn adjust(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u32>,
    Form(form): Form<AdjustForm>,
) -> Result<Response, AdminError> {
    let Some(key) = form.idempotency_key else {
        return Err(AdminError::BadRequest(
            "The form was incomplete (no idempotency key): reload the page and try again."
                .to_owned(),
        ));
    };
    let entry = || Entry::by(&session, "stock.adjust").target("variant", form.variant_id);
    let reply = match parse_adjustment(&form) {
        Ok(body) => {
            let reply = state
                .catalog
                .call::<_, StockAdjusted>(STOCK_ADJUST, &command(&session, key, body))
                .await;
            if let Err(AdminError::Unavailable) = &reply {
                audit::record_or_log(
                    &state.db,
                    &entry()
                        .outcome(Outcome::Failed)
                        .detail("the catalog did not answer"),
                )
                .await;
            }
            reply?
        }
        Err(errors) => AdminReply::Invalid { errors },
    };
    match reply {
        AdminReply::Ok(done) => {
            let adjustment = &done.adjustment;
            audit::record(
                &state.db,
                &entry()
                    .command(key)
                    .before(serde_json::json!({
                        "sku": adjustment.sku,
                        "on_hand": adjustment.on_hand_before,
                        "reserved": adjustment.reserved,
                    }))
                    .after(&done)
                    .detail(format!(
                        "{}: on hand {} → {} ({})",
                        adjustment.sku,
                        adjustment.on_hand_before,
                        adjustment.on_hand_after,
                        adjustment.reason
                    )),
            )
            .await?;
            Ok(redirect_with_flash(
                &format!("/admin/stock/products/{id}"),
                &Flash::success(format!(
                    "{}: on hand {} → {}, {} available.",
                    adjustment.sku,
                    adjustment.on_hand_before,
                    adjustment.on_hand_after,
                    done.stock.available
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            let detail = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.reason))
                .collect::<Vec<_>>()
                .join("; ");
            audit::record_or_log(&state.db, &entry().outcome(Outcome::Refused).detail(detail))
                .await;
            let page = product_page(&state, id, None, Some((&form, None))).await?;
            Ok(state.render(
                Some(&session),
                page.with_errors(
                    errors
                        .iter()
                        .map(|e| (form_field(&e.field), e.reason.as_str())),
                ),
            ))
        }
        AdminReply::Conflict { reason, .. } => {
            audit::record_or_log(
                &state.db,
                &entry().outcome(Outcome::Refused).detail(reason.clone()),
            )
            .await;
            let page = product_page(&state, id, None, Some((&form, Some(reason)))).await?;
            Ok(state.render(Some(&session), page))
        }
        AdminReply::NotFound { what } => {
            audit::record_or_log(&state.db, &entry().outcome(Outcome::Refused).detail(what)).await;
            Err(AdminError::NotFound)
        }
    }
}
