//! `POST /api/orders` (place-order, idempotent by `Idempotency-Key`) and `GET /api/orders/{number}?token=`.

use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use platform::http_error::{ApiError, PROBLEM_JSON, Problem, json_body};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;

use super::schema::{
    IdempotencyKey, InvalidRequest, MAX_KEY_LENGTH, NotFound, RateLimited, TooLarge, Unavailable,
    card_token, city, country, line, name, optional_city, optional_line, postal_code,
};
use crate::{
    Checkout,
    db::{
        self,
        carts::new_token,
        idempotency::{AttemptIds, Begin},
    },
    domain::{
        Address, Email, InvalidField, MAX_NAME_CHARS, OrderNumber, ShippingMethod, TestCard,
        parse_address, parse_email, parse_order_number, parse_text,
    },
    orders::{
        attempt::{Attempt, PlaceError, PlaceOrder},
        lookup::{self, LookupError},
        new_order_number,
        outcome::Placed,
        place,
        view::OrderPage,
    },
};

// Every field is optional here so that a missing one is refused by name ("is required") after the others
// parse; the schemas say what is valid.

/// Where the order ships.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = ShippingAddress)]
struct AddressBody {
    #[schema(schema_with = line, required = true)]
    line1: Option<String>,
    #[schema(schema_with = optional_line)]
    line2: Option<String>,
    #[schema(schema_with = city, required = true)]
    city: Option<String>,
    #[schema(schema_with = optional_city)]
    region: Option<String>,
    #[schema(schema_with = postal_code, required = true)]
    postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, either case.
    #[schema(schema_with = country, required = true)]
    country: Option<String>,
}

/// Everything place-order needs besides the `Idempotency-Key` header.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PlaceOrder)]
struct PlaceOrderBody {
    /// The token of the cart to order.
    #[schema(value_type = String, min_length = 1, required = true)]
    cart_token: Option<String>,
    #[schema(value_type = Email, required = true)]
    email: Option<String>,
    #[schema(schema_with = name, required = true)]
    customer_name: Option<String>,
    #[schema(value_type = AddressBody, required = true)]
    shipping_address: Option<AddressBody>,
    #[schema(value_type = ShippingMethod, required = true)]
    shipping_method: Option<String>,
    #[schema(schema_with = card_token, required = true)]
    card_token: Option<String>,
    /// The `total` of the totals preview the shopper saw, as a decimal string: when given, an order that would
    /// charge anything else is refused (409 `total_changed`) instead of placed.
    #[schema(value_type = Option<String>, pattern = r"^\d{1,10}(\.\d{1,2})?$", example = "54.37")]
    expected_total: Option<serde_json::Value>,
}

fn field_error(err: InvalidField) -> ApiError {
    ApiError::field(err.field, err.reason)
}

fn required<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError::field(field, "is required"))
}

pub(super) fn parse_request(body: &[u8]) -> Result<PlaceOrder, ApiError> {
    let body: PlaceOrderBody = json_body(body)?;
    let cart_token = required("cart_token", &body.cart_token)?.trim().to_owned();
    let email = parse_email(required("email", &body.email)?).map_err(field_error)?;
    let customer_name = parse_text(
        "customer_name",
        required("customer_name", &body.customer_name)?,
        MAX_NAME_CHARS,
    )
    .map_err(field_error)?;
    let address = body
        .shipping_address
        .ok_or_else(|| ApiError::field("shipping_address", "is required"))?;
    let address = Address {
        line1: required("shipping_address.line1", &address.line1)?.to_owned(),
        line2: address.line2,
        city: required("shipping_address.city", &address.city)?.to_owned(),
        region: address.region,
        postal_code: required("shipping_address.postal_code", &address.postal_code)?.to_owned(),
        country: required("shipping_address.country", &address.country)?.to_owned(),
    };
    let address = parse_address(&address).map_err(field_error)?;
    let shipping_method =
        ShippingMethod::parse(required("shipping_method", &body.shipping_method)?)
            .map_err(field_error)?;
    let card = TestCard::parse(required("card_token", &body.card_token)?).map_err(field_error)?;
    let expected_total = match body.expected_total {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(total)) => Some(parse_total(&total)?),
        Some(serde_json::Value::Number(total)) => Some(parse_total(&total.to_string())?),
        Some(_) => {
            return Err(ApiError::field(
                "expected_total",
                "must be a decimal string",
            ));
        }
    };
    Ok(PlaceOrder {
        cart_token,
        email,
        customer_name,
        address,
        shipping_method,
        card,
        expected_total,
    })
}

/// An amount as the totals preview writes it: at most two decimals, not negative.
fn parse_total(text: &str) -> Result<Decimal, ApiError> {
    let invalid = || {
        ApiError::field(
            "expected_total",
            "must be an amount with at most two decimals",
        )
    };
    let total: Decimal = text.trim().parse().map_err(|_| invalid())?;
    if total.is_sign_negative() || total.scale() > 2 || total > Decimal::from(10_000_000_000u64) {
        return Err(invalid());
    }
    Ok(total)
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                "header is required: one fresh value per checkout attempt",
            )
        })?
        .to_str()
        .map_err(|_| ApiError::field("Idempotency-Key", "must be visible ASCII"))?
        .trim();
    if key.is_empty() || key.len() > MAX_KEY_LENGTH || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            "Idempotency-Key",
            format!("1 to {MAX_KEY_LENGTH} visible ASCII characters"),
        ));
    }
    Ok(key.to_owned())
}

/// A stored response, sent back byte for byte.
fn raw_response(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn conflict(code: &str, detail: impl Into<String>, extra: serde_json::Value) -> ApiError {
    let mut body = json!({ "code": code });
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    ApiError::problem(StatusCode::CONFLICT, "Conflict", detail, body)
}

impl From<PlaceError> for ApiError {
    fn from(err: PlaceError) -> Self {
        let detail = err.to_string();
        match err {
            PlaceError::CartNotFound => ApiError::problem(
                StatusCode::NOT_FOUND,
                "Not found",
                detail,
                json!({"field": "cart_token"}),
            ),
            PlaceError::CartConverted => conflict("cart_converted", detail, json!({})),
            PlaceError::CheckoutInProgress { retry_after } => conflict(
                "checkout_in_progress",
                "this cart is being checked out (perhaps in another tab); nothing was charged by this request",
                json!({}),
            )
            .retry_after(retry_after),
            PlaceError::TooManyAttempts { retry_after } => ApiError::problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many payment attempts",
                "this cart has used up its payment attempts for now; nothing was charged",
                json!({"code": "too_many_attempts"}),
            )
            .retry_after(retry_after),
            PlaceError::CartEmpty => ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Empty cart",
                detail,
                json!({"code": "cart_empty", "field": "cart_token"}),
            ),
            PlaceError::PriceChanged(lines) => conflict(
                "price_changed",
                "prices changed since the items were added; the cart now shows the new prices",
                json!({"lines": lines}),
            ),
            PlaceError::NoLongerAvailable(lines) | PlaceError::OutOfStock(lines) => {
                conflict("out_of_stock", detail, json!({"lines": lines}))
            }
            PlaceError::NotOrderable(_) => conflict("not_orderable", detail, json!({})),
            PlaceError::CouponRefused(_) => ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Code not applicable",
                format!("{detail}; take the code off the cart to order without it"),
                json!({"code": "coupon_refused", "errors": [{"field": "code", "reason": detail}]}),
            ),
            PlaceError::PromotionUsedUp(_) => conflict(
                "promotion_used_up",
                format!("{detail}; nothing was charged"),
                json!({}),
            ),
            PlaceError::TotalChanged { total, .. } => conflict(
                "total_changed",
                format!("the total is now {total}; check it and place the order again (nothing was charged)"),
                json!({"total": total}),
            ),
            PlaceError::CatalogUnavailable(_) => ApiError::Unavailable(
                "the catalog is unavailable, nothing was ordered".to_owned(),
            ),
            PlaceError::Declined { number, reason } => ApiError::problem(
                StatusCode::PAYMENT_REQUIRED,
                "Payment declined",
                reason,
                json!({"code": "card_declined", "field": "card_token", "order_number": number}),
            ),
            PlaceError::ProviderUnavailable => ApiError::Unavailable(
                "the payment provider is unavailable; nothing was charged and the items are back in stock"
                    .to_owned(),
            ),
            PlaceError::PaymentUncertain => ApiError::Unavailable(
                "the payment's outcome could not be confirmed yet; send the same request again shortly to see whether it went through"
                    .to_owned(),
            ),
            PlaceError::AttemptAbandoned => ApiError::Unavailable(
                "this checkout attempt was interrupted and nothing was charged; please try again".to_owned(),
            ),
            PlaceError::Database(err) => err.into(),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/orders",
    operation_id = "place_order",
    tag = "orders",
    summary = "Place the order for a cart",
    description = "The same Idempotency-Key and body replay the first response byte for byte (also after a crash: a retry resumes the same order and never charges twice); the same key with another body is 422; while the first is running, 409 in_progress. One attempt at a time holds a cart: another answers 409 checkout_in_progress and charges nothing.",
    params(IdempotencyKey),
    request_body = PlaceOrderBody,
    responses(
        (status = 201, description = "Placed and paid", body = Placed),
        (status = 400, response = InvalidRequest),
        (status = 402, description = "`card_declined`: nothing was charged; the order (`order_number`) is `payment_failed` and the cart open again",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No cart with `cart_token`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`price_changed` (the cart now shows the new prices; `lines`), `out_of_stock` (`lines` with available quantities), `not_orderable`, `cart_converted`, `checkout_in_progress` (another attempt holds the cart; Retry-After) or `in_progress` (this key's first request is still running; Retry-After)",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "With checkout_in_progress and in_progress: seconds to wait"))),
        (status = 413, response = TooLarge),
        (status = 422, description = "`cart_empty`, or the Idempotency-Key was used with a different body",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn place(
    State(state): State<Checkout>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(err) => return err.into_response(),
    };
    let fingerprint: [u8; 32] = Sha256::digest(&body).into();
    let fresh = AttemptIds {
        order_number: new_order_number(),
        lookup_token: new_token(),
    };
    let lease = state.config.attempt_lease;
    let attempt = match db::idempotency::begin(&state.pool, &key, &fingerprint, fresh, lease).await
    {
        Ok(Begin::Started { ids, taken_over }) => Attempt { ids, taken_over },
        Ok(Begin::Replay { status, body }) => return raw_response(status, body),
        Ok(Begin::Mismatch) => {
            return ApiError::problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Idempotency-Key reused",
                "this Idempotency-Key was used with a different request; use a new key for a new attempt",
                json!({"errors": [{"field": "Idempotency-Key", "reason": "used with a different body"}]}),
            )
            .into_response();
        }
        Ok(Begin::InProgress) => {
            return ApiError::problem(
                StatusCode::CONFLICT,
                "Request in progress",
                "a request with this Idempotency-Key is still being processed",
                json!({"code": "in_progress"}),
            )
            .retry_after(std::time::Duration::from_secs(1))
            .into_response();
        }
        Err(err) => return ApiError::from(err).into_response(),
    };

    let outcome = match parse_request(&body) {
        Ok(request) => place::place(&state, &attempt, &request).await,
        Err(err) => return finish(&state, &key, err).await,
    };
    match outcome {
        // Recorded as the key's answer in the transaction that made the order paid.
        Ok(placed) => raw_response(201, placed.body()),
        // The key keeps its attempt: once its lease is over, a retry resumes the pending order.
        Err(PlaceError::PaymentUncertain) => {
            ApiError::from(PlaceError::PaymentUncertain).into_response()
        }
        Err(err) => finish(&state, &key, err.into()).await,
    }
}

/// Sends `err`, after recording it as the key's final answer, or freeing the key when it says to try later.
async fn finish(state: &Checkout, key: &str, err: ApiError) -> Response {
    let (parts, body) = err.into_response().into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    // An answer that says "try again later" (an outage, a busy cart, too many attempts) frees the key so the
    // same request may run again; every other answer is final for it.
    let retry_later =
        parts.status.is_server_error() || parts.headers.contains_key(header::RETRY_AFTER);
    let recorded = async {
        let mut conn = state.pool.acquire().await?;
        if retry_later {
            db::idempotency::forget(&mut conn, key).await
        } else {
            db::idempotency::complete(&mut conn, key, parts.status.as_u16(), &bytes).await
        }
    };
    if let Err(err) = recorded.await {
        tracing::error!(error = %err, "cannot record the idempotency outcome");
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[derive(Debug, Deserialize)]
pub(super) struct LookupQuery {
    token: Option<String>,
}

// Neither parameter is checked for its shape: anything but the right number and token is the same 404.
#[utoipa::path(
    get,
    path = "/api/orders/{number}",
    operation_id = "get_order",
    tag = "orders",
    summary = "An order, with the lookup token from its confirmation",
    params(
        ("number" = OrderNumber, Path, description = "The order number, like SH-7K2M9Q4T"),
        ("token" = String, Query, description = "The order's lookup token (`lookup_token` of the placed order)", pattern = "^[0-9a-f]{64}$"),
    ),
    responses(
        (status = 200, description = "The order and its timeline (placed, paid, shipped with tracking, delivered, cancelled, refunds)", body = OrderPage),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn lookup(
    State(state): State<Checkout>,
    Path(number): Path<String>,
    Query(query): Query<LookupQuery>,
) -> Result<Json<OrderPage>, ApiError> {
    // A malformed number is looked up as an unknown one: the same answer, in the same time.
    let number = parse_order_number(&number).ok();
    let token = query.token.as_deref().unwrap_or_default();
    Ok(Json(lookup::lookup(&state, number.as_ref(), token).await?))
}

impl From<LookupError> for ApiError {
    fn from(err: LookupError) -> Self {
        match err {
            LookupError::NotFound => ApiError::NotFound("order"),
            LookupError::Database(err) => err.into(),
        }
    }
}
