//! Guest carts: create, read (with every line checked against the catalog's current price and stock), add,
//! change quantity, remove.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::Duration;
use platform::{contracts::catalog::QuoteItem, http_error::ApiError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AppState, json_body};
use crate::{
    catalog::CatalogError,
    db::{
        self,
        carts::{Cart, CartItem},
    },
    domain::{CURRENCY, MAX_LINES, MAX_QUANTITY, parse_quantity, parse_sku},
};

#[derive(Debug, Serialize)]
pub(super) struct CartLine {
    #[serde(flatten)]
    item: CartItem,
    line_total: Decimal,
    /// The catalog's price now, when it could be asked.
    current_price: Option<Decimal>,
    /// Units that can be sold now.
    available: Option<u32>,
    price_changed: bool,
    /// Not for sale any more, or fewer units available than in the cart.
    availability_changed: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct CartView {
    token: String,
    state: String,
    currency: String,
    items: Vec<CartLine>,
    item_count: u32,
    subtotal: Decimal,
    /// False when the catalog could not be asked: prices and stock are the snapshots only.
    checked: bool,
    has_changes: bool,
    max_quantity: u32,
    expires_at: chrono::DateTime<chrono::Utc>,
}

fn ttl(state: &AppState) -> Duration {
    Duration::days(state.config.cart_ttl_days)
}

async fn view(state: &AppState, cart: &Cart) -> Result<CartView, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let items = db::carts::items(&mut conn, cart.id).await?;
    let quote = if items.is_empty() {
        None
    } else {
        // A cart is still worth showing while the catalog is down: flags are then simply unknown.
        state
            .catalog
            .quote(items.iter().map(|item| item.sku.clone()).collect())
            .await
            .ok()
    };
    let lines: Vec<CartLine> = items
        .into_iter()
        .map(|item| {
            let quoted: Option<&QuoteItem> = quote
                .as_ref()
                .and_then(|q| q.items.iter().find(|i| i.sku == item.sku));
            let current_price = quoted.map(|q| q.price);
            let available = quote
                .as_ref()
                .map(|_| quoted.filter(|q| q.sellable).map_or(0, |q| q.available));
            CartLine {
                line_total: item.unit_price * Decimal::from(item.quantity),
                price_changed: current_price.is_some_and(|price| price != item.unit_price),
                availability_changed: available.is_some_and(|available| available < item.quantity),
                current_price,
                available,
                item,
            }
        })
        .collect();
    Ok(CartView {
        token: cart.token.clone(),
        state: cart.state.clone(),
        currency: cart.currency.clone(),
        item_count: lines.iter().map(|line| line.item.quantity).sum(),
        // Two decimals even for an empty cart ("0.00", not "0"), like every other amount.
        subtotal: {
            let mut subtotal: Decimal = lines.iter().map(|line| line.line_total).sum();
            subtotal.rescale(2);
            subtotal
        },
        checked: quote.is_some(),
        has_changes: lines
            .iter()
            .any(|line| line.price_changed || line.availability_changed),
        items: lines,
        max_quantity: MAX_QUANTITY,
        expires_at: cart.expires_at,
    })
}

async fn open_cart(state: &AppState, token: &str) -> Result<Cart, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let cart = db::carts::by_token(&mut conn, token, false)
        .await?
        .ok_or(ApiError::NotFound("cart"))?;
    if cart.state != "open" {
        return Err(ApiError::problem(
            StatusCode::CONFLICT,
            "Conflict",
            "this cart was already ordered; start a new one",
            json!({"code": "cart_converted"}),
        ));
    }
    Ok(cart)
}

pub(super) async fn create(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<CartView>), ApiError> {
    let cart = db::carts::create(&state.pool, CURRENCY, ttl(&state)).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &cart).await?)))
}

pub(super) async fn get(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<CartView>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let cart = db::carts::by_token(&mut conn, &token, false)
        .await?
        .ok_or(ApiError::NotFound("cart"))?;
    drop(conn);
    Ok(Json(view(&state, &cart).await?))
}

#[derive(Debug, Deserialize)]
struct AddItem {
    sku: String,
    quantity: i64,
}

#[derive(Debug, Deserialize)]
struct SetQuantity {
    quantity: i64,
}

/// The catalog's quote for one SKU that must exist, be for sale and have `quantity` units available.
async fn sellable(state: &AppState, sku: &str, quantity: u32) -> Result<QuoteItem, ApiError> {
    let quote = state
        .catalog
        .quote(vec![sku.to_owned()])
        .await
        .map_err(|err| match err {
            CatalogError::Unavailable(err) => {
                ApiError::Unavailable(format!("the catalog is unavailable: {err}"))
            }
            CatalogError::Rejected(rejection) => ApiError::field("sku", rejection.to_string()),
        })?;
    let item = quote
        .items
        .into_iter()
        .find(|item| item.sku == sku)
        .ok_or_else(|| {
            ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unknown product",
                format!("no product with SKU {sku}"),
                json!({"errors": [{"field": "sku", "reason": "unknown SKU"}]}),
            )
        })?;
    if !item.sellable {
        return Err(ApiError::problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not for sale",
            format!("{sku} is not for sale"),
            json!({"errors": [{"field": "sku", "reason": "not for sale"}]}),
        ));
    }
    if item.available < quantity {
        return Err(ApiError::problem(
            StatusCode::CONFLICT,
            "Insufficient stock",
            format!("only {} of {sku} available", item.available),
            json!({"code": "insufficient_stock", "lines": [{"sku": sku, "requested": quantity, "available": item.available}]}),
        ));
    }
    Ok(item)
}

pub(super) async fn add_item(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Json<CartView>, ApiError> {
    let request: AddItem = json_body(&body)?;
    let sku = parse_sku("sku", &request.sku).map_err(|e| ApiError::field(e.field, e.reason))?;
    let quantity = parse_quantity("quantity", request.quantity)
        .map_err(|e| ApiError::field(e.field, e.reason))?;
    let cart = open_cart(&state, &token).await?;
    let mut conn = state.pool.acquire().await?;
    let items = db::carts::items(&mut conn, cart.id).await?;
    let existing = items
        .iter()
        .find(|item| item.sku == sku)
        .map_or(0, |item| item.quantity);
    if existing == 0 && items.len() >= MAX_LINES {
        return Err(ApiError::field(
            "sku",
            format!("a cart holds at most {MAX_LINES} different products"),
        ));
    }
    let total = existing + quantity;
    if total > MAX_QUANTITY {
        return Err(ApiError::field(
            "quantity",
            format!("at most {MAX_QUANTITY} of one product per cart (already {existing})"),
        ));
    }
    let quoted = sellable(&state, &sku, total).await?;
    let item = CartItem {
        sku,
        quantity: total,
        unit_price: quoted.price,
        name: quoted.name,
        slug: quoted.slug,
        image: quoted.image,
    };
    db::carts::put_item(&mut conn, cart.id, &item).await?;
    db::carts::touch(&mut conn, cart.id, ttl(&state)).await?;
    drop(conn);
    Ok(Json(view(&state, &cart).await?))
}

pub(super) async fn set_quantity(
    State(state): State<AppState>,
    Path((token, sku)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<CartView>, ApiError> {
    let request: SetQuantity = json_body(&body)?;
    let quantity = parse_quantity("quantity", request.quantity)
        .map_err(|e| ApiError::field(e.field, e.reason))?;
    let cart = open_cart(&state, &token).await?;
    let mut conn = state.pool.acquire().await?;
    let items = db::carts::items(&mut conn, cart.id).await?;
    let mut item = items
        .into_iter()
        .find(|item| item.sku == sku)
        .ok_or(ApiError::NotFound("cart line"))?;
    // A quantity change keeps the price snapshot: the shopper is told of price changes, never surprised.
    let quoted = sellable(&state, &sku, quantity).await?;
    item.quantity = quantity;
    item.name = quoted.name;
    db::carts::put_item(&mut conn, cart.id, &item).await?;
    db::carts::touch(&mut conn, cart.id, ttl(&state)).await?;
    drop(conn);
    Ok(Json(view(&state, &cart).await?))
}

pub(super) async fn remove_item(
    State(state): State<AppState>,
    Path((token, sku)): Path<(String, String)>,
) -> Result<Json<CartView>, ApiError> {
    let cart = open_cart(&state, &token).await?;
    let mut conn = state.pool.acquire().await?;
    if !db::carts::remove_item(&mut conn, cart.id, &sku).await? {
        return Err(ApiError::NotFound("cart line"));
    }
    db::carts::touch(&mut conn, cart.id, ttl(&state)).await?;
    drop(conn);
    Ok(Json(view(&state, &cart).await?))
}
