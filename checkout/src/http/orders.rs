//! `POST /api/orders` (place-order, idempotent by `Idempotency-Key`) and `GET /api/orders/{number}?token=`.

use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use platform::http_error::ApiError;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::{AppState, json_body};
use crate::{
    db::{self, idempotency::Begin},
    domain::{
        Address, InvalidField, ShippingMethod, TestCard, parse_address, parse_email, parse_text,
    },
    orders::{constant_time_eq, hash_token},
    place::{self, PlaceOrder},
};

/// Longest accepted `Idempotency-Key`.
const MAX_KEY_LENGTH: usize = 255;

#[derive(Debug, Default, Deserialize)]
struct AddressBody {
    line1: Option<String>,
    line2: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PlaceOrderBody {
    cart_token: Option<String>,
    email: Option<String>,
    customer_name: Option<String>,
    shipping_address: Option<AddressBody>,
    shipping_method: Option<String>,
    card_token: Option<String>,
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

fn parse_request(body: &[u8]) -> Result<PlaceOrder, ApiError> {
    let body: PlaceOrderBody = json_body(body)?;
    let cart_token = required("cart_token", &body.cart_token)?.trim().to_owned();
    let email = parse_email(required("email", &body.email)?).map_err(field_error)?;
    let customer_name = parse_text(
        "customer_name",
        required("customer_name", &body.customer_name)?,
        200,
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
    Ok(PlaceOrder {
        cart_token,
        email,
        customer_name,
        address,
        shipping_method,
        card,
    })
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
        "application/problem+json"
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(super) async fn place(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(err) => return err.into_response(),
    };
    let fingerprint: [u8; 32] = Sha256::digest(&body).into();
    match db::idempotency::begin(&state.pool, &key, &fingerprint).await {
        Ok(Begin::Started) => {}
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
            let mut response = ApiError::problem(
                StatusCode::CONFLICT,
                "Request in progress",
                "a request with this Idempotency-Key is still being processed",
                json!({"code": "in_progress"}),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
        Err(err) => return ApiError::from(err).into_response(),
    }

    let response = match parse_request(&body) {
        Ok(request) => match place::place(&state, request).await {
            Ok(placed) => (StatusCode::CREATED, Json(placed)).into_response(),
            Err(err) => err.into_response(),
        },
        Err(err) => err.into_response(),
    };
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    // Outages and our own failures may be retried with the same key; every other answer is final.
    let outcome = if parts.status.is_server_error() {
        db::idempotency::forget(&state.pool, &key).await
    } else {
        db::idempotency::complete(&state.pool, &key, parts.status.as_u16(), &bytes).await
    };
    if let Err(err) = outcome {
        tracing::error!(error = %err, key, "cannot record the idempotency outcome");
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[derive(Debug, Deserialize)]
pub(super) struct LookupQuery {
    token: Option<String>,
}

pub(super) async fn lookup(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(query): Query<LookupQuery>,
) -> Result<Json<db::orders::Order>, ApiError> {
    let token = query.token.unwrap_or_default();
    let mut conn = state.pool.acquire().await?;
    let order = db::orders::by_number(&mut conn, &number, false).await?;
    // Unknown number and wrong token answer the same, so neither can be probed.
    match order {
        Some(order) if constant_time_eq(&order.lookup_token_hash, &hash_token(&token)) => {
            Ok(Json(order))
        }
        _ => Err(ApiError::NotFound("order")),
    }
}
