//! What a signed-in customer keeps: their orders (asked of checkout), saved addresses, wishlist, and their
//! data (export, deleting the account). Every handler takes [`SignedInCustomer`]: 401 `signed_out` without a
//! valid session.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use platform::{
    contracts::{
        Email, Sku,
        customers::{ClaimReply, OrdersReply, ReorderReply, Reordered},
        orders::{Address, MAX_LINE_CHARS, text_field},
    },
    cookies,
    http_error::{ApiError, json_body},
};
use serde_json::json;

use super::{
    AppState, checkout_failed,
    extract::{SignedInCustomer, signed_out},
    schema::{
        AddressRequest, AddressView, AddressesView, Conflict, DeleteAccountRequest, InvalidRequest,
        NotFound, OrdersQuery, RateLimited, SignedOut, Unavailable, WishlistItemView, WishlistView,
    },
};
use crate::{
    addresses::{self, AddressError, NewAddress},
    db,
    privacy::{self, PrivacyError},
    sessions,
    wishlist::{self, WishlistError},
};

fn conflict(code: &'static str, detail: impl Into<String>) -> ApiError {
    ApiError::problem(
        StatusCode::CONFLICT,
        "Conflict",
        detail,
        json!({ "code": code }),
    )
}

/// The signed-in customer's confirmed address.
async fn email_of(state: &AppState, customer: &SignedInCustomer) -> Result<Email, ApiError> {
    let found = db::customer(&state.accounts.pool, customer.customer_id)
        .await?
        .ok_or_else(signed_out)?;
    Email::parse(&found.email).map_err(|_| signed_out())
}

#[utoipa::path(
    get,
    path = "/api/account/orders",
    operation_id = "list_orders",
    tag = "account",
    summary = "The customer's orders, newest first, 20 a page; and how many guest orders they could claim",
    params(OrdersQuery),
    responses(
        (status = 200, description = "A page of orders", body = OrdersReply),
        (status = 401, response = SignedOut),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn orders(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Query(query): Query<OrdersQuery>,
) -> Result<Json<OrdersReply>, ApiError> {
    let email = email_of(&state, &customer).await?;
    let page = state
        .accounts
        .checkout
        .orders(customer.customer_id, email, query.before, None)
        .await
        .map_err(checkout_failed)?;
    Ok(Json(page))
}

#[utoipa::path(
    get,
    path = "/api/account/orders/{number}",
    operation_id = "get_order",
    tag = "account",
    summary = "One of the customer's orders, as the order page shows it (checkout's Order with its timeline)",
    params(("number" = String, Path, description = "The order number")),
    responses(
        (status = 200, description = "The order and its timeline: the body of checkout's GET /api/orders/{number}", body = Object),
        (status = 401, response = SignedOut),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn order(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Path(number): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .accounts
        .checkout
        .order(customer.customer_id, &number)
        .await
        .map_err(checkout_failed)?
        .map(Json)
        .ok_or(ApiError::NotFound("order"))
}

#[utoipa::path(
    post,
    path = "/api/account/orders/{number}/reorder",
    operation_id = "reorder",
    tag = "account",
    summary = "Put the still-available lines of one of the customer's orders into their cart, at today's prices",
    params(("number" = String, Path, description = "The order number")),
    responses(
        (status = 200, description = "What was added, what was not and why, and the customer's cart", body = Reordered),
        (status = 401, response = SignedOut),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn reorder(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Path(number): Path<String>,
) -> Result<Json<Reordered>, ApiError> {
    match state
        .accounts
        .checkout
        .reorder(customer.customer_id, &number)
        .await
        .map_err(checkout_failed)?
    {
        ReorderReply::Done(done) => Ok(Json(done)),
        ReorderReply::NotFound => Err(ApiError::NotFound("order")),
        ReorderReply::CheckoutInProgress => Err(conflict(
            "checkout_in_progress",
            "your cart is being checked out (perhaps in another tab); try again in a moment",
        )),
    }
}

#[utoipa::path(
    post,
    path = "/api/account/orders/claim",
    operation_id = "claim_orders",
    tag = "account",
    summary = "Add the orders placed as a guest with the customer's confirmed address to their account",
    responses(
        (status = 200, description = "How many orders became theirs", body = ClaimReply),
        (status = 401, response = SignedOut),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn claim(
    State(state): State<AppState>,
    customer: SignedInCustomer,
) -> Result<Json<ClaimReply>, ApiError> {
    let email = email_of(&state, &customer).await?;
    let claimed = state
        .accounts
        .checkout
        .claim(customer.customer_id, email)
        .await
        .map_err(checkout_failed)?;
    Ok(Json(claimed))
}

impl From<AddressError> for ApiError {
    fn from(err: AddressError) -> Self {
        match err {
            AddressError::NotFound => ApiError::NotFound("address"),
            AddressError::TooMany => conflict(
                "too_many_addresses",
                "at most 20 addresses; delete one to save another",
            ),
            AddressError::Database(err) => err.into(),
        }
    }
}

/// The address in `body`, every field checked like checkout's shipping address.
fn address_of(body: &[u8]) -> Result<NewAddress, ApiError> {
    let request: AddressRequest = json_body(body)?;
    let invalid = |err: platform::contracts::InvalidField| ApiError::field(err.field, err.reason);
    let name = text_field("name", &request.name, MAX_LINE_CHARS).map_err(invalid)?;
    let address = Address {
        line1: request.line1,
        line2: request.line2,
        city: request.city,
        region: request.region,
        postal_code: request.postal_code,
        country: request.country,
    }
    .parse("")
    .map_err(invalid)?;
    Ok(NewAddress {
        name,
        address,
        is_default: request.is_default.unwrap_or(false),
    })
}

#[utoipa::path(
    get,
    path = "/api/account/addresses",
    operation_id = "list_addresses",
    tag = "account",
    summary = "The customer's saved shipping addresses, the default first",
    responses(
        (status = 200, description = "The addresses", body = AddressesView),
        (status = 401, response = SignedOut),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn list_addresses(
    State(state): State<AppState>,
    customer: SignedInCustomer,
) -> Result<Json<AddressesView>, ApiError> {
    let addresses = addresses::list(&state.accounts, customer.customer_id).await?;
    Ok(Json(AddressesView {
        addresses: addresses.into_iter().map(AddressView::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/account/addresses",
    operation_id = "create_address",
    tag = "account",
    summary = "Save a shipping address (at most 20; the first is the default)",
    request_body = AddressRequest,
    responses(
        (status = 201, description = "Saved", body = AddressView),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 409, response = Conflict),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn create_address(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    body: Bytes,
) -> Result<(StatusCode, Json<AddressView>), ApiError> {
    let new = address_of(&body)?;
    let saved = addresses::create(&state.accounts, customer.customer_id, &new).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[utoipa::path(
    put,
    path = "/api/account/addresses/{id}",
    operation_id = "update_address",
    tag = "account",
    summary = "Change a saved address (`is_default: true` makes it the default)",
    params(("id" = u64, Path, description = "The address")),
    request_body = AddressRequest,
    responses(
        (status = 200, description = "Saved", body = AddressView),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 404, response = NotFound),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn update_address(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Path(id): Path<u64>,
    body: Bytes,
) -> Result<Json<AddressView>, ApiError> {
    let new = address_of(&body)?;
    let saved = addresses::update(&state.accounts, customer.customer_id, id, &new).await?;
    Ok(Json(saved.into()))
}

#[utoipa::path(
    delete,
    path = "/api/account/addresses/{id}",
    operation_id = "delete_address",
    tag = "account",
    summary = "Delete a saved address (the newest remaining one becomes the default when it was)",
    params(("id" = u64, Path, description = "The address")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = SignedOut),
        (status = 404, response = NotFound),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn delete_address(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    addresses::delete(&state.accounts, customer.customer_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl From<WishlistError> for ApiError {
    fn from(err: WishlistError) -> Self {
        match err {
            WishlistError::UnknownSku => ApiError::field("sku", "no product has this SKU"),
            WishlistError::Full => conflict(
                "wishlist_full",
                "at most 100 items; remove one to save another",
            ),
            WishlistError::CatalogUnavailable(_) => {
                ApiError::Unavailable("the catalog is unavailable".to_owned())
            }
            WishlistError::NoCustomer => signed_out(),
            WishlistError::Database(err) => err.into(),
        }
    }
}

fn sku_of(sku: &str) -> Result<Sku, ApiError> {
    Sku::parse(sku).map_err(|_| ApiError::field("sku", "must be a SKU (letters, digits and -)"))
}

#[utoipa::path(
    get,
    path = "/api/account/wishlist",
    operation_id = "get_wishlist",
    tag = "account",
    summary = "The customer's wishlist with today's prices and stock, newest first",
    responses(
        (status = 200, description = "The wishlist", body = WishlistView),
        (status = 401, response = SignedOut),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn wishlist(
    State(state): State<AppState>,
    customer: SignedInCustomer,
) -> Result<Json<WishlistView>, ApiError> {
    let entries = wishlist::list(&state.accounts, customer.customer_id).await?;
    Ok(Json(WishlistView {
        items: entries.into_iter().map(WishlistItemView::from).collect(),
    }))
}

#[utoipa::path(
    put,
    path = "/api/account/wishlist/{sku}",
    operation_id = "save_to_wishlist",
    tag = "account",
    summary = "Save a variant to the wishlist (again: nothing changes)",
    params(("sku" = String, Path, description = "The variant's SKU")),
    responses(
        (status = 204, description = "Saved"),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 409, response = Conflict),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn save_to_wishlist(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Path(sku): Path<String>,
) -> Result<StatusCode, ApiError> {
    let sku = sku_of(&sku)?;
    wishlist::save(&state.accounts, customer.customer_id, &sku).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/account/wishlist/{sku}",
    operation_id = "remove_from_wishlist",
    tag = "account",
    summary = "Remove a variant from the wishlist",
    params(("sku" = String, Path, description = "The variant's SKU")),
    responses(
        (status = 204, description = "Removed (or was not there)"),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn remove_from_wishlist(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    Path(sku): Path<String>,
) -> Result<StatusCode, ApiError> {
    let sku = sku_of(&sku)?;
    wishlist::remove(&state.accounts, customer.customer_id, &sku).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl From<PrivacyError> for ApiError {
    fn from(err: PrivacyError) -> Self {
        match err {
            PrivacyError::NoCustomer => signed_out(),
            PrivacyError::WrongPassword => ApiError::field("password", "is not right"),
            PrivacyError::OrdersInProgress(_) => conflict(
                "orders_in_progress",
                "an order of yours is still on its way: the account can be deleted once it has shipped or \
                 been cancelled",
            ),
            PrivacyError::CheckoutUnavailable(_) => {
                ApiError::Unavailable("checkout is unavailable".to_owned())
            }
            PrivacyError::Password(err) => ApiError::Internal(err.into()),
            PrivacyError::Database(err) => err.into(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/account/export",
    operation_id = "export_account",
    tag = "account",
    summary = "Everything the shop keeps about the customer, as a JSON download",
    responses(
        (status = 200, description = "The account, its sessions, addresses, wishlist and orders", body = Object),
        (status = 401, response = SignedOut),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn export(
    State(state): State<AppState>,
    customer: SignedInCustomer,
) -> Result<Response, ApiError> {
    let data = privacy::export(&state.accounts, customer.customer_id).await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"account-export.json\""),
        )],
        Json(data),
    )
        .into_response())
}

#[utoipa::path(
    delete,
    path = "/api/account",
    operation_id = "delete_account",
    tag = "account",
    summary = "Delete the account (the password is asked): orders stay for the books without personal fields",
    request_body = DeleteAccountRequest,
    responses(
        (status = 204, description = "Deleted and signed out everywhere"),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 409, response = Conflict),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn delete_account(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: DeleteAccountRequest = json_body(&body)?;
    privacy::delete(
        &state.accounts,
        customer.customer_id,
        request.password.secret(),
    )
    .await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookies::clear(sessions::COOKIE))],
    )
        .into_response())
}
