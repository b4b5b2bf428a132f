//! Checkout's side of the web admin (`rpc.checkout.admin.*`, contracts in `platform::contracts::orders_admin`
//! and `platform::contracts::promotions_admin`): the order list, an order with its timeline, the actions that
//! move an order on (through the state machine only), staff notes, the dashboard and reports, and promotions
//! with their codes. Reads answer the request; writes are idempotent commands run the way every admin
//! command runs (`platform::admin_commands`). Refusals (bad fields, a stale version, a move the state machine
//! does not allow, an unknown order) are replies and write nothing; `Err` is a failure of the database, which
//! the endpoint turns into a "try again" service error.

pub mod actions;
pub mod detail;
pub mod listing;
pub mod notes;
pub mod promotions;
pub mod reports;

use platform::{
    Runtime,
    admin_commands::serve_endpoint,
    contracts::{
        admin::Command,
        orders_admin::{
            AddNote, DashboardRequest, GetOrder, ListOrders, ORDERS_ACTION, ORDERS_GET,
            ORDERS_LIST, ORDERS_NOTE, OUTBOX, OrderAction, REPORTS_DASHBOARD, REPORTS_SALES,
            REPORTS_TOP_PRODUCTS, RPC_GROUP, SalesReportRequest, TopProductsRequest,
        },
        promotions_admin::{
            ChangeState, GenerateCodes, GetPromotion, ListCodes, ListPromotions,
            PROMOTIONS_CODES_GENERATE, PROMOTIONS_CODES_LIST, PROMOTIONS_GET, PROMOTIONS_LIST,
            PROMOTIONS_SAVE, PROMOTIONS_STATE, SavePromotion,
        },
    },
};

use crate::Checkout;

/// Adds the admin's endpoints to checkout's NATS service.
pub async fn start(runtime: &Runtime, checkout: &Checkout) -> anyhow::Result<()> {
    let group = runtime.service.group(RPC_GROUP);
    let group = (&group, RPC_GROUP);
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        ORDERS_LIST,
        "Admin: a page of orders (search, filters, sort, keyset cursor)",
        move |request: ListOrders| {
            let pool = pool.clone();
            async move { listing::list(&pool, &request).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        ORDERS_GET,
        "Admin: one order with its payments, shipments, timeline and notes",
        move |request: GetOrder| {
            let pool = pool.clone();
            async move { detail::get(&pool, &request).await }
        },
    )
    .await?;
    let acting = checkout.clone();
    serve_endpoint(
        runtime,
        group,
        ORDERS_ACTION,
        "Admin: processing, ship, delivered, cancel or refund an order (idempotent command)",
        move |command: Command<OrderAction>| {
            let checkout = acting.clone();
            async move { actions::act(&checkout, &command).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        ORDERS_NOTE,
        "Admin: add a staff note to an order (idempotent command)",
        move |command: Command<AddNote>| {
            let pool = pool.clone();
            async move { notes::add(&pool, &command).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        REPORTS_SALES,
        "Admin: sales per UTC day over a range (orders, units, revenue, refunds, payment failures)",
        move |request: SalesReportRequest| {
            let pool = pool.clone();
            async move { reports::sales(&pool, &request).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        REPORTS_TOP_PRODUCTS,
        "Admin: the products that sold most over a range of UTC days, by units or revenue",
        move |request: TopProductsRequest| {
            let pool = pool.clone();
            async move { reports::top_products(&pool, &request).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        REPORTS_DASHBOARD,
        "Admin: today and the last 30 days, and orders by state",
        move |request: DashboardRequest| {
            let pool = pool.clone();
            async move { reports::dashboard(&pool, &request).await }
        },
    )
    .await?;
    start_promotions(runtime, group, checkout).await?;
    platform::admin_commands::serve_outbox_backlog(runtime, group, OUTBOX).await
}

/// Adds the promotions' endpoints (`rpc.checkout.admin.promotions.*`).
async fn start_promotions(
    runtime: &Runtime,
    group: (&async_nats::service::Group, &str),
    checkout: &Checkout,
) -> anyhow::Result<()> {
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        PROMOTIONS_LIST,
        "Admin: a page of promotions, newest first, with uses, discount given and revenue",
        move |request: ListPromotions| {
            let pool = pool.clone();
            async move { promotions::list(&pool, &request).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        PROMOTIONS_GET,
        "Admin: one promotion with its targets, code and figures",
        move |request: GetPromotion| {
            let pool = pool.clone();
            async move { promotions::get(&pool, &request).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        PROMOTIONS_SAVE,
        "Admin: create a promotion or edit one at a version (idempotent command)",
        move |command: Command<SavePromotion>| {
            let pool = pool.clone();
            async move { promotions::save::save(&pool, &command).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        PROMOTIONS_STATE,
        "Admin: pause, resume or end a promotion (idempotent command)",
        move |command: Command<ChangeState>| {
            let pool = pool.clone();
            async move { promotions::change_state(&pool, &command).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        PROMOTIONS_CODES_GENERATE,
        "Admin: generate up to 10,000 single-use codes for a promotion (idempotent command)",
        move |command: Command<GenerateCodes>| {
            let pool = pool.clone();
            async move { promotions::codes::generate(&pool, &command).await }
        },
    )
    .await?;
    let pool = checkout.pool.clone();
    serve_endpoint(
        runtime,
        group,
        PROMOTIONS_CODES_LIST,
        "Admin: a page of a promotion's codes with their uses, in code order",
        move |request: ListCodes| {
            let pool = pool.clone();
            async move { promotions::codes::list(&pool, &request).await }
        },
    )
    .await
}
