//! The orders list: search (number, email, name), filters (state, payment, placed between two days, total
//! between two amounts), sort and keyset pages, all in the URL ([`OrderView`]) so a view can be bookmarked,
//! saved by name and exported (paging and saved views: [`crate::http::listing`]). Amounts are shown as
//! checkout sends them, never recomputed.

use axum::{
    extract::{Query, State},
    response::Response,
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    orders::OrderStatus,
    orders_admin::{
        Direction, ListOrders, ORDERS_LIST, OrderPage, OrderRow, OrderSort, PaymentStatus,
    },
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    http::{
        AppState,
        error::AdminError,
        extract::RequireViewer,
        forms::{Pairs, day_field, field, parse_enum, start_of},
        listing::{Keyset, query_of, with_query},
        render::Page,
    },
    saved_views,
};

/// The saved views' page key.
pub(super) const VIEWS_PAGE: &str = "orders";
/// The list's path.
pub(super) const LIST_PATH: &str = "/admin/orders";
/// Rows per page of the list.
const PAGE_ROWS: u32 = 50;

/// The states and payment states the filters offer.
pub(super) const STATES: [&str; 8] = [
    "pending",
    "paid",
    "processing",
    "shipped",
    "delivered",
    "cancelled",
    "payment_failed",
    "refunded",
];

/// What the list shows, all of it from the URL.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct OrderView {
    pub q: String,
    pub state: String,
    pub payment: String,
    /// First day placed (UTC), `YYYY-MM-DD`.
    pub from: String,
    /// Last day placed (UTC), `YYYY-MM-DD`.
    pub to: String,
    pub total_min: String,
    pub total_max: String,
    pub sort: String,
    pub direction: String,
    #[serde(flatten)]
    pub page: Keyset,
}

impl OrderView {
    pub(super) fn from_pairs(pairs: &Pairs) -> Self {
        let text = |name: &str| field(pairs, name).trim().to_owned();
        Self {
            q: text("q"),
            state: text("state"),
            payment: text("payment"),
            from: text("from"),
            to: text("to"),
            total_min: text("total_min"),
            total_max: text("total_max"),
            sort: text("sort"),
            direction: text("direction"),
            page: Keyset::from_pairs(pairs),
        }
    }

    /// The filters and sort as a query string (no page): what a saved view and the export keep.
    pub(super) fn filters_query(&self) -> String {
        query_of([
            ("q", self.q.as_str()),
            ("state", &self.state),
            ("payment", &self.payment),
            ("from", &self.from),
            ("to", &self.to),
            ("total_min", &self.total_min),
            ("total_max", &self.total_max),
            ("sort", &self.sort),
            ("direction", &self.direction),
        ])
    }

    /// Checkout's query for this view, or the fields that cannot be used (by the names of the form).
    /// Unknown states and sorts are the defaults, as a hand-edited URL would expect.
    pub(super) fn request(
        &self,
        cursor: Option<String>,
        limit: u32,
        export: bool,
    ) -> Result<ListOrders, Vec<FieldError>> {
        let mut errors = Vec::new();
        let created_from =
            day_field("from", &self.from, &mut errors).and_then(|day| start_of(day, false));
        let created_to = day_field("to", &self.to, &mut errors).and_then(|day| start_of(day, true));
        let mut amount = |name: &str, value: &str| -> Option<Decimal> {
            if value.is_empty() {
                return None;
            }
            match value.parse::<Decimal>() {
                Ok(amount) if amount >= Decimal::ZERO => Some(amount),
                _ => {
                    errors.push(FieldError::new(name, "must be an amount like 25 or 19.99"));
                    None
                }
            }
        };
        let total_min = amount("total_min", &self.total_min);
        let total_max = amount("total_max", &self.total_max);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ListOrders {
            q: (!self.q.is_empty()).then(|| self.q.clone()),
            state: parse_enum::<OrderStatus>(&self.state).filter(|s| *s != OrderStatus::Unknown),
            payment: PaymentStatus::parse(&self.payment),
            created_from,
            created_to,
            total_min,
            total_max,
            sort: parse_enum::<OrderSort>(&self.sort).unwrap_or_default(),
            direction: parse_enum::<Direction>(&self.direction).unwrap_or_default(),
            cursor,
            limit: Some(limit),
            export,
        })
    }
}

/// Checkout's field names as the filter form names its inputs.
pub(super) fn form_field(field: &str) -> &str {
    match field {
        "created_from" => "from",
        "created_to" => "to",
        other => other,
    }
}

/// A row of the list as the template shows it.
#[derive(Debug, Serialize)]
struct Row {
    number: String,
    placed: String,
    customer_name: String,
    email: String,
    state: String,
    payment: &'static str,
    total: String,
    refunded: Option<String>,
    currency: String,
}

impl From<OrderRow> for Row {
    fn from(row: OrderRow) -> Self {
        Self {
            placed: row.created_at.format("%Y-%m-%d %H:%M").to_string(),
            state: row.state.to_string(),
            payment: row.payment.as_str(),
            total: row.total.to_string(),
            refunded: (!row.refunded.is_zero()).then(|| row.refunded.to_string()),
            number: row.number,
            customer_name: row.customer_name,
            email: row.email,
            currency: row.currency,
        }
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(pairs): Query<Pairs>,
) -> Result<Response, AdminError> {
    let view = OrderView::from_pairs(&pairs);
    let empty = || OrderPage {
        rows: Vec::new(),
        next: None,
    };
    let (page, errors) = match view.request(view.page.cursor(), PAGE_ROWS, false) {
        Err(errors) => (empty(), errors),
        Ok(request) => match state
            .checkout
            .call::<_, OrderPage>(ORDERS_LIST, &request)
            .await?
        {
            AdminReply::Ok(page) => (page, Vec::new()),
            AdminReply::Invalid { errors } => (empty(), errors),
            other => {
                return Err(AdminError::Internal(anyhow::anyhow!(
                    "the order list was refused: {other:?}"
                )));
            }
        },
    };
    let filters_query = view.filters_query();
    let pager = view
        .page
        .pager(LIST_PATH, &filters_query, page.next.as_deref());
    let rows: Vec<Row> = page.rows.into_iter().map(Row::from).collect();
    let views = saved_views::list(&state.db, session.staff.id, VIEWS_PAGE).await?;
    let payments: Vec<&str> = PaymentStatus::ALL.iter().map(|p| p.as_str()).collect();
    Ok(state.render(
        Some(&session),
        Page::new("orders/list.html", "Orders", "orders")
            .with("view", &view)
            .with("rows", &rows)
            .with("pager", &pager)
            .with(
                "export_url",
                &with_query("/admin/orders/export.csv", &filters_query),
            )
            .with("views", &views)
            .with("states", &STATES)
            .with("payments", &payments)
            .with_errors(
                errors
                    .iter()
                    .map(|e| (form_field(&e.field), e.reason.as_str())),
            ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::forms::pairs;

    #[test]
    fn the_view_becomes_checkouts_query_with_whole_days_and_exact_amounts() {
        let view = OrderView::from_pairs(&pairs(&[
            ("q", "ana@"),
            ("state", "shipped"),
            ("payment", "partially_refunded"),
            ("from", "2025-03-01"),
            ("to", "2025-03-31"),
            ("total_min", "10.50"),
            ("sort", "total"),
            ("direction", "asc"),
            ("cursor", "c1"),
        ]));
        let request = view.request(view.page.cursor(), 50, false).unwrap();
        assert_eq!(request.state, Some(OrderStatus::Shipped));
        assert_eq!(request.payment, Some(PaymentStatus::PartiallyRefunded));
        assert_eq!(
            request.created_from.unwrap().to_rfc3339(),
            "2025-03-01T00:00:00+00:00"
        );
        assert_eq!(
            request.created_to.unwrap().to_rfc3339(),
            "2025-04-01T00:00:00+00:00",
            "the last day is included"
        );
        assert_eq!(request.total_min.unwrap().to_string(), "10.50");
        assert_eq!(request.sort, OrderSort::Total);
        assert_eq!(request.cursor.as_deref(), Some("c1"));
        assert_eq!(
            view.filters_query(),
            "q=ana%40&state=shipped&payment=partially_refunded&from=2025-03-01&to=2025-03-31&total_min=10.50&sort=total&direction=asc"
        );
    }

    #[test]
    fn bad_dates_and_amounts_are_named_and_unknown_states_are_ignored() {
        let view = OrderView::from_pairs(&pairs(&[
            ("from", "yesterday"),
            ("total_max", "-3"),
            ("state", "bogus"),
        ]));
        let errors = view.request(None, 50, false).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from", "total_max"]);
        let view = OrderView::from_pairs(&pairs(&[("state", "bogus")]));
        assert_eq!(view.request(None, 50, false).unwrap().state, None);
    }
}
