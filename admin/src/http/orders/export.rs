//! CSV export of the filtered orders list: checkout's `orders.list` paged with `export: true` (larger pages),
//! streamed a page at a time ([`crate::http::csv_export`]). Amounts are written as checkout sends them.

use axum::{
    extract::{Query, State},
    response::Response,
};
use platform::contracts::{
    admin::AdminReply,
    orders_admin::{ListOrders, MAX_EXPORT_PAGE, ORDERS_LIST, OrderPage},
};

use super::list::{OrderView, form_field};
use crate::{
    http::{
        AppState,
        csv_export::{self, CsvPage, cell},
        error::AdminError,
        extract::RequireViewer,
        forms::Pairs,
    },
    services::ServiceClient,
};

impl CsvPage for OrderPage {
    const HEADER: &'static [&'static str] = &[
        "number",
        "placed_at",
        "customer_name",
        "email",
        "state",
        "payment",
        "total",
        "refunded",
        "currency",
    ];

    fn records(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                vec![
                    cell(&row.number),
                    row.created_at.to_rfc3339(),
                    cell(&row.customer_name),
                    cell(&row.email),
                    row.state.to_string(),
                    row.payment.as_str().to_owned(),
                    row.total.to_string(),
                    row.refunded.to_string(),
                    cell(&row.currency),
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        self.next.clone()
    }
}

async fn page(checkout: &ServiceClient, request: &ListOrders) -> Result<OrderPage, AdminError> {
    match checkout.call(ORDERS_LIST, request).await? {
        AdminReply::Ok(page) => Ok(page),
        AdminReply::Invalid { errors } => Err(AdminError::BadRequest(format!(
            "These filters cannot be exported: {}",
            crate::http::forms::detail_of(&errors)
        ))),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the order list was refused: {other:?}"
        ))),
    }
}

pub(super) async fn csv(
    State(state): State<AppState>,
    _session: RequireViewer,
    Query(pairs): Query<Pairs>,
) -> Result<Response, AdminError> {
    let request = OrderView::from_pairs(&pairs)
        .request(None, MAX_EXPORT_PAGE, true)
        .map_err(|errors| {
            AdminError::BadRequest(format!(
                "These filters cannot be exported: {}",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", form_field(&e.field), e.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })?;
    let first = page(&state.checkout, &request).await?;
    let checkout = state.checkout.clone();
    Ok(csv_export::stream(
        "orders.csv",
        "checkout",
        first,
        move |cursor| {
            let checkout = checkout.clone();
            let request = ListOrders {
                cursor: Some(cursor),
                ..request.clone()
            };
            async move { page(&checkout, &request).await }
        },
    ))
}
