//! Back-in-stock alerts ([`crate::alerts`]): `POST /api/products/{slug}/stock-alerts` leaves an email on a
//! sold-out variant; the email's unsubscribe link opens the storefront's page, which reads the request
//! (`GET /api/stock-alerts/{token}`) and ends it (`DELETE`), so that a link scanner following the email's link
//! unsubscribes nobody.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse as _, Response},
};
use bytes::Bytes;
use platform::{
    contracts::Email,
    http_error::{ApiError, json_body},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{
    AppState,
    schema::{InvalidRequest, NotFound, Unavailable},
};
use crate::{
    alerts::{self, AlertError, AlertView, MAX_WAITING_PER_EMAIL},
    domain::InvalidValue,
};

platform::problem_response!(
    pub(super) InStock,
    "The variant can be bought now (`code` `in_stock`), or the address or the variant already has as many \
     requests waiting as it may (`code` `too_many_alerts`): a problem document (RFC 9457)"
);
platform::problem_response!(pub(super) UnknownAlert, "No such alert: a problem document (RFC 9457)");

/// Tell me when it is back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AlertRequest {
    /// Where to write.
    email: String,
    /// Which variant; may be left out for a product with one.
    #[serde(default)]
    sku: Option<String>,
}

/// The request is recorded (or was already).
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AlertRecorded {
    sku: String,
    /// Always `waiting`: the same answer whether or not the address asked before.
    state: &'static str,
}

fn alert_error(err: AlertError) -> ApiError {
    match err {
        AlertError::Invalid(InvalidValue { field, reason }) => ApiError::field(field, reason),
        AlertError::NotFound => ApiError::NotFound("product"),
        AlertError::InStock(sku) => ApiError::problem(
            StatusCode::CONFLICT,
            "In stock",
            format!("{sku} is in stock: add it to your cart instead"),
            json!({"code": "in_stock", "errors": [{"field": "sku", "reason": "is in stock"}]}),
        ),
        AlertError::TooMany => ApiError::problem(
            StatusCode::CONFLICT,
            "Too many alerts",
            format!(
                "this address already waits for {MAX_WAITING_PER_EMAIL} products; it hears about them first"
            ),
            json!({"code": "too_many_alerts"}),
        ),
        AlertError::VariantFull(sku) => ApiError::problem(
            StatusCode::CONFLICT,
            "Too many alerts",
            format!("the most requests one product takes already wait for {sku}; check back later"),
            json!({"code": "too_many_alerts"}),
        ),
        AlertError::Database(err) => ApiError::from(err),
    }
}

#[utoipa::path(
    post,
    path = "/api/products/{slug}/stock-alerts",
    operation_id = "request_stock_alert",
    tag = "stock alerts",
    summary = "Email me once when this sold-out variant is available again",
    params(("slug" = String, Path, description = "The product's slug")),
    request_body = AlertRequest,
    responses(
        (status = 202, description = "Recorded: one email when the variant is back, with an unsubscribe link", body = AlertRecorded),
        (status = 400, response = InvalidRequest),
        (status = 404, response = NotFound),
        (status = 409, response = InStock),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn request(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: AlertRequest = json_body(&body)?;
    let email = Email::parse(&request.email)
        .map_err(|_| ApiError::field("email", "is not a valid email address"))?;
    let sku = alerts::request(state.products.pool(), &slug, request.sku.as_deref(), &email)
        .await
        .map_err(alert_error)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(AlertRecorded {
            sku,
            state: "waiting",
        }),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/stock-alerts/{token}",
    operation_id = "get_stock_alert",
    tag = "stock alerts",
    summary = "The alert of an unsubscribe link: which product, and whether it still waits",
    params(("token" = String, Path, description = "The secret of the email's unsubscribe link")),
    responses(
        (status = 200, description = "The alert", body = AlertView),
        (status = 404, response = UnknownAlert),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn view(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<AlertView>, ApiError> {
    alerts::view(state.products.pool(), &token)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("alert"))
}

#[utoipa::path(
    delete,
    path = "/api/stock-alerts/{token}",
    operation_id = "unsubscribe_stock_alert",
    tag = "stock alerts",
    summary = "Unsubscribe: nothing is sent for this alert any more (again is the same)",
    params(("token" = String, Path, description = "The secret of the email's unsubscribe link")),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 404, response = UnknownAlert),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<StatusCode, ApiError> {
    if alerts::unsubscribe(state.products.pool(), &token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("alert"))
    }
}
