//! The orders pages: the list with search, filters, sort, keyset pages, saved views and CSV export
//! ([`list`], [`export`]), one order with everything that happened to it and the emails sent about it
//! ([`detail`]), and the actions staff take on it ([`actions`]). Checkout owns orders
//! (`rpc.checkout.admin.orders.*`, contract in `platform::contracts::orders_admin`); the mailer owns the
//! emails (`rpc.mailer.admin.emails.for_order`).

mod actions;
mod detail;
mod export;
mod list;

use axum::{
    Router,
    routing::{get, post},
};

use super::AppState;

pub(crate) use detail::{kind_label, when};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/orders", get(list::list))
        .route("/admin/orders/export.csv", get(export::csv))
        .route("/admin/orders/{number}", get(detail::show))
        .route("/admin/orders/{number}/actions", post(actions::act))
        .route("/admin/orders/{number}/notes", post(actions::note))
        .merge(super::listing::saved_views_routes(
            list::LIST_PATH,
            list::VIEWS_PAGE,
        ))
}
