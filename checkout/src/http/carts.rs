//! Guest carts: create, read (with every line checked against the catalog's current price and stock), add,
//! change quantity, remove.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::Duration;
use platform::{
    contracts::catalog::{QuoteItem, QuoteResponse},
    http_error::{ApiError, Problem, json_body},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::schema::{
    CartToken, InvalidRequest, NotFound, RateLimited, TooLarge, Unavailable, quantity,
};
use crate::{
    Checkout,
    carts::{self, CartError},
    db::{
        self,
        carts::{Cart, CartItem},
    },
    domain::{CURRENCY, CartState, MAX_QUANTITY, ShippingMethod, Sku, parse_quantity, parse_sku},
    promotions::{self, Discounted, PricingError, Shopper},
};
use platform::contracts::orders::Discount;

/// A cart line: the price and name seen when it was added, checked against the catalog now.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CartLine {
    sku: Sku,
    quantity: u32,
    /// The price when the line was added: what the order charges unless it changed.
    unit_price: Decimal,
    name: String,
    slug: String,
    #[schema(required = true)]
    image: Option<String>,
    line_total: Decimal,
    /// The catalog's price now; null when the catalog could not be asked (`checked` is then false).
    #[schema(required = true)]
    current_price: Option<Decimal>,
    /// Units that can be sold now; null when the catalog could not be asked.
    #[schema(required = true)]
    available: Option<u32>,
    price_changed: bool,
    /// Not for sale any more, or fewer units available than in the cart.
    availability_changed: bool,
}

/// A guest cart; its token is the only way to reach it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Cart)]
pub(super) struct CartView {
    token: String,
    /// `checking_out`: a place-order attempt holds the cart; its lines cannot change meanwhile.
    state: CartState,
    currency: String,
    items: Vec<CartLine>,
    item_count: u32,
    subtotal: Decimal,
    /// False when the catalog could not be asked: prices and stock are the snapshots only.
    checked: bool,
    has_changes: bool,
    /// Most units of one product in a cart.
    max_quantity: u32,
    expires_at: chrono::DateTime<chrono::Utc>,
    /// The promotion code on the cart, if any, and whether it takes something off now.
    #[schema(required = true)]
    coupon: Option<Coupon>,
    /// Taken off the lines by promotions (the code's and automatic ones), as the cart is now.
    discount: Decimal,
    /// Each promotion that applies, in the order applied; `shipping` is off standard shipping (the totals
    /// give the chosen method's).
    discounts: Vec<Discount>,
}

/// A promotion code on a cart.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Coupon {
    /// As stored: upper case.
    code: String,
    /// False when it takes nothing off now; `reason` says why ("this code has expired", "spend at least
    /// 50.00 to use this code", "this code has been used up", ...). Place-order refuses such a code.
    applies: bool,
    #[schema(required = true)]
    reason: Option<String>,
}

impl Coupon {
    fn of(priced: &Discounted) -> Option<Self> {
        priced.coupon.as_ref().map(|(code, refused)| Self {
            code: code.clone(),
            applies: refused.is_none(),
            reason: refused.as_ref().map(ToString::to_string),
        })
    }
}

/// `amount` with two decimals, even when nothing is in the cart yet ("0.00", not "0"), like every other amount.
fn cents(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}

fn ttl(state: &Checkout) -> Duration {
    Duration::days(state.config.cart_ttl_days)
}

/// The view of `cart` with `items`, checked against `quoted` when it covers every line (a quote taken for the
/// change just made), else against a quote asked now.
async fn render(
    state: &Checkout,
    cart: &Cart,
    items: Vec<CartItem>,
    quoted: Option<QuoteResponse>,
) -> Result<CartView, ApiError> {
    let covers = |quote: &QuoteResponse| {
        items.iter().all(|item| {
            quote.items.iter().any(|quoted| quoted.sku == *item.sku)
                || quote.unknown.iter().any(|sku| *sku == *item.sku)
        })
    };
    let quote = match quoted {
        Some(quote) if covers(&quote) => Some(quote),
        _ if items.is_empty() => None,
        // A cart is still worth showing while the catalog is down: flags are then simply unknown.
        _ => state
            .catalog
            .quote(items.iter().map(|item| item.sku.to_string()).collect())
            .await
            .ok(),
    };
    let shopper = Shopper::of(cart, None);
    // Shown without discounts while a promotion needs the catalog and it is down (`checked` says so).
    let priced = match promotions::price_cart(
        state,
        cart,
        &items,
        quote.as_ref(),
        ShippingMethod::Standard,
        shopper,
    )
    .await
    {
        Ok(priced) => Some(priced),
        Err(PricingError::CatalogUnavailable(_)) => None,
        Err(PricingError::Database(err)) => return Err(err.into()),
    };
    let lines: Vec<CartLine> = items
        .into_iter()
        .map(|item| {
            let quoted: Option<&QuoteItem> = quote
                .as_ref()
                .and_then(|q| q.items.iter().find(|i| i.sku == *item.sku));
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
                sku: item.sku,
                quantity: item.quantity,
                unit_price: item.unit_price,
                name: item.name,
                slug: item.slug,
                image: item.image,
            }
        })
        .collect();
    Ok(CartView {
        token: cart.token.clone(),
        state: cart.state,
        currency: cart.currency.clone(),
        item_count: lines.iter().map(|line| line.quantity).sum(),
        subtotal: cents(lines.iter().map(|line| line.line_total).sum()),
        checked: quote.is_some(),
        has_changes: lines
            .iter()
            .any(|line| line.price_changed || line.availability_changed),
        items: lines,
        max_quantity: MAX_QUANTITY,
        expires_at: cart.expires_at,
        coupon: priced.as_ref().and_then(Coupon::of),
        discount: cents(priced.as_ref().map_or(Decimal::ZERO, |p| p.totals.discount)),
        discounts: priced
            .as_ref()
            .map(Discounted::discounts)
            .unwrap_or_default(),
    })
}

impl From<CartError> for ApiError {
    fn from(err: CartError) -> Self {
        let detail = err.to_string();
        match err {
            CartError::NotFound => ApiError::NotFound("cart"),
            CartError::NoSuchLine => ApiError::NotFound("cart line"),
            CartError::Converted => ApiError::problem(
                StatusCode::CONFLICT,
                "Conflict",
                detail,
                json!({"code": "cart_converted"}),
            ),
            CartError::CheckoutInProgress { retry_after } => ApiError::problem(
                StatusCode::CONFLICT,
                "Checkout in progress",
                "this cart is being checked out (perhaps in another tab); it cannot change meanwhile",
                json!({"code": "checkout_in_progress"}),
            )
            .retry_after(retry_after),
            CartError::TooManyLines => ApiError::field("sku", detail),
            CartError::TooManyUnits { .. } => ApiError::field("quantity", detail),
            CartError::UnknownSku(_) => ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unknown product",
                detail,
                json!({"errors": [{"field": "sku", "reason": "unknown SKU"}]}),
            ),
            CartError::NotForSale(_) => ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not for sale",
                detail,
                json!({"errors": [{"field": "sku", "reason": "not for sale"}]}),
            ),
            CartError::InsufficientStock {
                sku,
                requested,
                available,
            } => ApiError::problem(
                StatusCode::CONFLICT,
                "Insufficient stock",
                detail,
                json!({"code": "insufficient_stock", "lines": [{"sku": sku, "requested": requested, "available": available}]}),
            ),
            CartError::CatalogUnavailable(_) => {
                ApiError::Unavailable("the catalog is unavailable".to_owned())
            }
            CartError::CatalogRefused(_) => ApiError::field("sku", "cannot be quoted"),
            CartError::Coupon(_) => ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Code not applicable",
                detail.clone(),
                json!({"code": "coupon_refused", "errors": [{"field": "code", "reason": detail}]}),
            ),
            CartError::Database(err) => err.into(),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/carts",
    operation_id = "create_cart",
    tag = "carts",
    summary = "Create a guest cart; keep its token",
    responses(
        (status = 201, description = "The new, empty cart", body = CartView),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn create(
    State(state): State<Checkout>,
) -> Result<(StatusCode, Json<CartView>), ApiError> {
    let cart = db::carts::create(&state.pool, CURRENCY, ttl(&state)).await?;
    // A new cart has no lines to read or check.
    Ok((
        StatusCode::CREATED,
        Json(render(&state, &cart, Vec::new(), None).await?),
    ))
}

#[utoipa::path(
    get,
    path = "/api/carts/{token}",
    operation_id = "get_cart",
    tag = "carts",
    summary = "The cart with current prices and stock",
    params(CartToken),
    responses(
        (status = 200, description = "The cart; each line flags a changed price or availability", body = CartView),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn get(
    State(state): State<Checkout>,
    Path(token): Path<String>,
) -> Result<Json<CartView>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (cart, items) = db::carts::with_items(&mut conn, &token)
        .await?
        .ok_or(ApiError::NotFound("cart"))?;
    drop(conn);
    Ok(Json(render(&state, &cart, items, None).await?))
}

/// `GET /api/carts/{token}/totals`'s query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct TotalsQuery {
    /// `standard` (4.99) or `express` (14.99).
    #[param(value_type = ShippingMethod, required = true)]
    shipping_method: Option<String>,
}

/// What placing the order now would charge: the same rule as place-order (`promotions::price_cart`), so the
/// number shown is the number charged. A line whose price changed since it was added is counted at the price it
/// was added at: place-order refuses it (`price_changed`) rather than charge another price, and the cart
/// (`GET /api/carts/{token}`) says which.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CartTotals {
    currency: String,
    shipping_method: ShippingMethod,
    item_count: u32,
    /// The lines at the prices they were added at.
    subtotal: Decimal,
    /// Taken off the lines by promotions.
    discount: Decimal,
    /// The method's price less any free-shipping promotion.
    shipping: Decimal,
    /// `TAX_RATE` of the subtotal less the discount, rounded half away from zero to the cent; the same for
    /// every address.
    tax: Decimal,
    /// `subtotal - discount + shipping + tax`: what place-order charges (send it as `expected_total`).
    total: Decimal,
    /// Each promotion applied, in the order applied.
    discounts: Vec<Discount>,
    /// The cart's promotion code, if any; place-order refuses one that does not apply.
    #[schema(required = true)]
    coupon: Option<Coupon>,
}

#[utoipa::path(
    get,
    path = "/api/carts/{token}/totals",
    operation_id = "get_cart_totals",
    tag = "carts",
    summary = "What placing the order now would charge: subtotal, shipping, tax and total",
    params(CartToken, TotalsQuery),
    responses(
        (status = 200, description = "The totals place-order would charge for this cart and shipping method", body = CartTotals),
        (status = 400, response = InvalidRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn totals(
    State(state): State<Checkout>,
    Path(token): Path<String>,
    Query(query): Query<TotalsQuery>,
) -> Result<Json<CartTotals>, ApiError> {
    let method = match query.shipping_method.as_deref() {
        None | Some("") => return Err(ApiError::field("shipping_method", "is required")),
        Some(method) => {
            ShippingMethod::parse(method).map_err(|err| ApiError::field(err.field, err.reason))?
        }
    };
    let mut conn = state.pool.acquire().await?;
    let (cart, items) = db::carts::with_items(&mut conn, &token)
        .await?
        .ok_or(ApiError::NotFound("cart"))?;
    drop(conn);
    let shopper = Shopper::of(&cart, None);
    let priced = promotions::price_cart(&state, &cart, &items, None, method, shopper)
        .await
        .map_err(CartError::from)?;
    let totals = priced.totals;
    Ok(Json(CartTotals {
        currency: cart.currency,
        shipping_method: method,
        item_count: items.iter().map(|item| item.quantity).sum(),
        subtotal: cents(totals.subtotal),
        discount: cents(totals.discount),
        shipping: cents(totals.shipping),
        tax: cents(totals.tax),
        total: cents(totals.total),
        discounts: priced.discounts(),
        coupon: Coupon::of(&priced),
    }))
}

/// Units of a product to add; added to the line when the cart has one.
#[derive(Debug, Deserialize, ToSchema)]
struct AddItem {
    #[schema(value_type = Sku)]
    sku: String,
    #[schema(schema_with = quantity)]
    quantity: i64,
}

/// A line's new quantity.
#[derive(Debug, Deserialize, ToSchema)]
struct SetQuantity {
    #[schema(schema_with = quantity)]
    quantity: i64,
}

/// The cart as the change left it.
async fn changed(state: &Checkout, changed: carts::Changed) -> Result<Json<CartView>, ApiError> {
    Ok(Json(
        render(state, &changed.cart, changed.items, changed.quote).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/carts/{token}/items",
    operation_id = "add_cart_item",
    tag = "carts",
    summary = "Add units of a product",
    params(CartToken),
    request_body = AddItem,
    responses(
        (status = 200, description = "The cart as the change left it", body = CartView),
        (status = 400, response = InvalidRequest),
        (status = 404, response = NotFound),
        (status = 409, description = "`insufficient_stock` (with `lines`: requested and available), `cart_converted`, or `checkout_in_progress` (a place-order attempt holds the cart; Retry-After)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "With checkout_in_progress: seconds to wait"))),
        (status = 413, response = TooLarge),
        (status = 422, description = "The SKU is unknown or not for sale", body = Problem, content_type = "application/problem+json"),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn add_item(
    State(state): State<Checkout>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Json<CartView>, ApiError> {
    let request: AddItem = json_body(&body)?;
    let sku = parse_sku("sku", &request.sku).map_err(|e| ApiError::field(e.field, e.reason))?;
    let quantity = parse_quantity("quantity", request.quantity)
        .map_err(|e| ApiError::field(e.field, e.reason))?;
    let cart = carts::add(&state, &token, &sku, quantity).await?;
    changed(&state, cart).await
}

#[utoipa::path(
    put,
    path = "/api/carts/{token}/items/{sku}",
    operation_id = "set_cart_item_quantity",
    tag = "carts",
    summary = "Change a line's quantity",
    params(CartToken, ("sku" = Sku, Path, description = "The line's SKU")),
    request_body = SetQuantity,
    responses(
        (status = 200, description = "The cart as the change left it", body = CartView),
        (status = 400, response = InvalidRequest),
        (status = 404, response = NotFound),
        (status = 409, description = "`insufficient_stock`, `cart_converted`, or `checkout_in_progress` (Retry-After)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "With checkout_in_progress: seconds to wait"))),
        (status = 413, response = TooLarge),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn set_quantity(
    State(state): State<Checkout>,
    Path((token, sku)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<CartView>, ApiError> {
    let request: SetQuantity = json_body(&body)?;
    let quantity = parse_quantity("quantity", request.quantity)
        .map_err(|e| ApiError::field(e.field, e.reason))?;
    // A malformed SKU in the path is a line this cart cannot have.
    let sku = Sku::parse(&sku).map_err(|_| CartError::NoSuchLine)?;
    let cart = carts::set_quantity(&state, &token, &sku, quantity).await?;
    changed(&state, cart).await
}

#[utoipa::path(
    delete,
    path = "/api/carts/{token}/items/{sku}",
    operation_id = "remove_cart_item",
    tag = "carts",
    summary = "Remove a line",
    params(CartToken, ("sku" = Sku, Path, description = "The line's SKU")),
    responses(
        (status = 200, description = "The cart as the change left it", body = CartView),
        (status = 404, response = NotFound),
        (status = 409, description = "`cart_converted`, or `checkout_in_progress` (Retry-After)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "With checkout_in_progress: seconds to wait"))),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn remove_item(
    State(state): State<Checkout>,
    Path((token, sku)): Path<(String, String)>,
) -> Result<Json<CartView>, ApiError> {
    let sku = Sku::parse(&sku).map_err(|_| CartError::NoSuchLine)?;
    let cart = carts::remove(&state, &token, &sku).await?;
    changed(&state, cart).await
}

/// A promotion code to put on the cart.
#[derive(Debug, Deserialize, ToSchema)]
struct ApplyCoupon {
    /// As the shopper typed it: any case, surrounding spaces ignored.
    #[schema(value_type = String, min_length = 3, max_length = 40, pattern = r"^\s*[A-Za-z0-9-]{3,40}\s*$")]
    code: Option<String>,
}

#[utoipa::path(
    put,
    path = "/api/carts/{token}/coupon",
    operation_id = "apply_cart_coupon",
    tag = "carts",
    summary = "Put a promotion code on the cart (replacing any other)",
    params(CartToken),
    request_body = ApplyCoupon,
    responses(
        (status = 200, description = "The cart with the code and what it takes off", body = CartView),
        (status = 400, response = InvalidRequest),
        (status = 404, response = NotFound),
        (status = 409, description = "`cart_converted`, or `checkout_in_progress` (Retry-After)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "With checkout_in_progress: seconds to wait"))),
        (status = 413, response = TooLarge),
        (status = 422, description = "`coupon_refused`: the code does not exist, is used up, or takes nothing off this cart; `errors[0].reason` says why. The cart is unchanged",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn apply_coupon(
    State(state): State<Checkout>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Json<CartView>, ApiError> {
    let request: ApplyCoupon = json_body(&body)?;
    let code = match request.code.as_deref() {
        None => return Err(ApiError::field("code", "is required")),
        Some(code) => {
            promotions::normalise_code(code).map_err(|reason| ApiError::field("code", reason))?
        }
    };
    let cart = carts::apply_coupon(&state, &token, &code).await?;
    changed(&state, cart).await
}

#[utoipa::path(
    delete,
    path = "/api/carts/{token}/coupon",
    operation_id = "remove_cart_coupon",
    tag = "carts",
    summary = "Take the promotion code off the cart",
    params(CartToken),
    responses(
        (status = 200, description = "The cart without a code", body = CartView),
        (status = 404, response = NotFound),
        (status = 409, description = "`cart_converted`, or `checkout_in_progress` (Retry-After)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "With checkout_in_progress: seconds to wait"))),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn remove_coupon(
    State(state): State<Checkout>,
    Path(token): Path<String>,
) -> Result<Json<CartView>, ApiError> {
    let cart = carts::remove_coupon(&state, &token).await?;
    changed(&state, cart).await
}
