//! Reports: sales by day and top products over a chosen range of UTC days (from checkout's daily summaries,
//! `rpc.checkout.admin.reports.*`), and the low-stock variants (the catalog's `stock.low`), each as a table
//! and a CSV download of the same rows. Viewers may read them all.

use axum::{
    Router,
    extract::{Query, State},
    response::Response,
    routing::get,
};
use chrono::{Days, NaiveDate, Utc};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog_admin::{
        STOCK_LOW,
        stock::{LowStockPage, LowStockRequest, MAX_PAGE},
    },
    orders_admin::{
        DEFAULT_TOP_PRODUCTS, MAX_TOP_PRODUCTS, REPORTS_SALES, REPORTS_TOP_PRODUCTS, SalesReport,
        SalesReportRequest, TopBy, TopProductsReport, TopProductsRequest,
    },
};
use serde::{Deserialize, Serialize};

use super::{
    AppState,
    csv_export::{self, CsvPage, cell},
    error::AdminError,
    extract::RequireViewer,
    forms::day_field,
    render::Page,
};
use crate::services::ServiceClient;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/reports", get(sales))
        .route("/admin/reports/sales.csv", get(sales_csv))
        .route("/admin/reports/top-products", get(top_products))
        .route("/admin/reports/top-products.csv", get(top_products_csv))
        .route("/admin/reports/low-stock.csv", get(low_stock_csv))
}

/// Days of a report when the form names none: the last 30, today included.
const DEFAULT_DAYS: u64 = 30;
/// The quick ranges offered above the form, in days up to today.
const PRESETS: [u64; 4] = [7, 30, 90, 365];

/// The report's form, as the URL carries it (`YYYY-MM-DD`; empty for the default range).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct ReportQuery {
    from: String,
    to: String,
    /// Top products: `units` or `revenue`.
    by: String,
    /// Top products: how many.
    limit: String,
}

impl ReportQuery {
    /// The range asked for, or the last [`DEFAULT_DAYS`] days; a date that does not parse names its field.
    fn range(&self) -> Result<(NaiveDate, NaiveDate), Vec<FieldError>> {
        let today = Utc::now().date_naive();
        let mut errors = Vec::new();
        let to = day_field("to", &self.to, &mut errors);
        let from = day_field("from", &self.from, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Days::new(DEFAULT_DAYS - 1));
        Ok((from, to))
    }

    /// The form as the page shows it: the range used when the dates were left empty, what was typed otherwise.
    fn shown(&self) -> Self {
        let (from, to) = match self.range() {
            Ok((from, to)) => (from.to_string(), to.to_string()),
            Err(_) => (self.from.clone(), self.to.clone()),
        };
        Self {
            from,
            to,
            by: self.by.clone(),
            limit: self.limit.clone(),
        }
    }

    fn by(&self) -> Result<TopBy, FieldError> {
        match self.by.trim() {
            "" | "units" => Ok(TopBy::Units),
            "revenue" => Ok(TopBy::Revenue),
            _ => Err(FieldError::new("by", "must be units or revenue")),
        }
    }

    fn limit(&self) -> Result<u32, FieldError> {
        let text = self.limit.trim();
        if text.is_empty() {
            return Ok(DEFAULT_TOP_PRODUCTS);
        }
        text.parse()
            .ok()
            .filter(|limit| (1..=MAX_TOP_PRODUCTS).contains(limit))
            .ok_or_else(|| {
                FieldError::new(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_TOP_PRODUCTS}"),
                )
            })
    }
}

/// The quick ranges: `(label, from, to)`.
fn presets() -> Vec<(String, NaiveDate, NaiveDate)> {
    let today = Utc::now().date_naive();
    PRESETS
        .iter()
        .map(|days| {
            (
                format!("Last {days} days"),
                today - Days::new(days - 1),
                today,
            )
        })
        .collect()
}

/// A report's reply: the report, or the fields checkout refused.
async fn ask<Req: Serialize, Resp: serde::de::DeserializeOwned + std::fmt::Debug>(
    checkout: &ServiceClient,
    subject: &str,
    request: &Req,
) -> Result<Result<Resp, Vec<FieldError>>, AdminError> {
    match checkout.call(subject, request).await? {
        AdminReply::Ok(report) => Ok(Ok(report)),
        AdminReply::Invalid { errors } => Ok(Err(errors)),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "{subject} was refused: {other:?}"
        ))),
    }
}

/// The CSV download of a report, or a 400 naming what is wrong with its form.
fn refused_download(errors: &[FieldError]) -> AdminError {
    AdminError::BadRequest(format!(
        "This report cannot be downloaded: {}",
        super::forms::detail_of(errors)
    ))
}

async fn sales_report(
    state: &AppState,
    query: &ReportQuery,
) -> Result<Result<SalesReport, Vec<FieldError>>, AdminError> {
    let (from, to) = match query.range() {
        Ok(range) => range,
        Err(errors) => return Ok(Err(errors)),
    };
    ask(
        &state.checkout,
        REPORTS_SALES,
        &SalesReportRequest { from, to },
    )
    .await
}

async fn sales(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AdminError> {
    let report = sales_report(&state, &query).await?;
    let mut page = Page::new("reports/sales.html", "Sales by day", "reports")
        .with("query", &query.shown())
        .with("presets", &presets());
    match report {
        Ok(report) => {
            page = page
                .with("csv_query", &range_query(report.from, report.to, None))
                .with("report", &report)
        }
        Err(errors) => page = page.with_errors(errors.into_iter().map(|e| (e.field, e.reason))),
    }
    Ok(state.render(Some(&session), page))
}

async fn sales_csv(
    State(state): State<AppState>,
    _session: RequireViewer,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AdminError> {
    let report = sales_report(&state, &query)
        .await?
        .map_err(|errors| refused_download(&errors))?;
    let filename = format!("sales-{}-to-{}.csv", report.from, report.to);
    Ok(csv_export::single(&filename, report))
}

async fn top_products_report(
    state: &AppState,
    query: &ReportQuery,
) -> Result<Result<TopProductsReport, Vec<FieldError>>, AdminError> {
    let mut errors = Vec::new();
    let range = query.range().map_err(|bad| errors.extend(bad)).ok();
    let by = query.by().map_err(|bad| errors.push(bad)).ok();
    let limit = query.limit().map_err(|bad| errors.push(bad)).ok();
    let (Some((from, to)), Some(by), Some(limit)) = (range, by, limit) else {
        return Ok(Err(errors));
    };
    ask(
        &state.checkout,
        REPORTS_TOP_PRODUCTS,
        &TopProductsRequest {
            from,
            to,
            by,
            limit: Some(limit),
        },
    )
    .await
}

/// A top-products row with its rank, as the page shows it.
#[derive(Serialize)]
struct RankedRow<'a> {
    rank: usize,
    #[serde(flatten)]
    row: &'a platform::contracts::orders_admin::ProductSales,
}

async fn top_products(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AdminError> {
    let report = top_products_report(&state, &query).await?;
    let mut page = Page::new("reports/top_products.html", "Top products", "reports")
        .with("query", &query.shown())
        .with("presets", &presets())
        .with("max_limit", &MAX_TOP_PRODUCTS);
    match report {
        Ok(report) => {
            let rows: Vec<RankedRow<'_>> = report
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| RankedRow { rank: i + 1, row })
                .collect();
            let by = by_name(report.by);
            page = page
                .with(
                    "csv_query",
                    &range_query(report.from, report.to, Some((by, rows.len().max(1) as u32))),
                )
                .with("by", &by)
                .with("rows", &rows)
                .with("report", &report)
        }
        Err(errors) => page = page.with_errors(errors.into_iter().map(|e| (e.field, e.reason))),
    }
    Ok(state.render(Some(&session), page))
}

async fn top_products_csv(
    State(state): State<AppState>,
    _session: RequireViewer,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AdminError> {
    let report = top_products_report(&state, &query)
        .await?
        .map_err(|errors| refused_download(&errors))?;
    let filename = format!(
        "top-products-by-{}-{}-to-{}.csv",
        by_name(report.by),
        report.from,
        report.to
    );
    Ok(csv_export::single(&filename, report))
}

fn by_name(by: TopBy) -> &'static str {
    match by {
        TopBy::Revenue => "revenue",
        TopBy::Units | TopBy::Unknown => "units",
    }
}

/// The query string of a report's range (and ranking), for its CSV link.
fn range_query(from: NaiveDate, to: NaiveDate, top: Option<(&str, u32)>) -> String {
    let mut query = format!("from={from}&to={to}");
    if let Some((by, limit)) = top {
        query.push_str(&format!("&by={by}&limit={limit}"));
    }
    query
}

impl CsvPage for SalesReport {
    const HEADER: &'static [&'static str] = &[
        "day",
        "orders",
        "units",
        "revenue",
        "refunds",
        "refund_count",
        "payment_failures",
        "currency",
    ];

    fn records(&self) -> Vec<Vec<String>> {
        self.days
            .iter()
            .map(|day| {
                let f = &day.figures;
                vec![
                    day.day.to_string(),
                    f.orders.to_string(),
                    f.units.to_string(),
                    f.revenue.to_string(),
                    f.refunds.to_string(),
                    f.refund_count.to_string(),
                    f.payment_failures.to_string(),
                    cell(&self.currency),
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        None
    }
}

impl CsvPage for TopProductsReport {
    const HEADER: &'static [&'static str] =
        &["rank", "sku", "name", "units", "revenue", "currency"];

    fn records(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                vec![
                    (i + 1).to_string(),
                    cell(&row.sku),
                    cell(&row.name),
                    row.units.to_string(),
                    row.revenue.to_string(),
                    cell(&self.currency),
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        None
    }
}

impl CsvPage for LowStockPage {
    const HEADER: &'static [&'static str] = &[
        "sku",
        "product_id",
        "product",
        "options",
        "on_hand",
        "reserved",
        "available",
        "low_stock_threshold",
    ];

    fn records(&self) -> Vec<Vec<String>> {
        self.variants
            .iter()
            .map(|v| {
                vec![
                    cell(v.sku.as_str()),
                    v.product_id.to_string(),
                    cell(&v.product_name),
                    cell(&v.option_values.join(" / ")),
                    v.on_hand.to_string(),
                    v.reserved.to_string(),
                    v.available.to_string(),
                    v.low_stock_threshold.to_string(),
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        self.next.clone()
    }
}

/// Low-stock variants per page of the CSV download: the most the catalog answers in one.
const LOW_STOCK_PAGE: u32 = MAX_PAGE;

async fn low_stock_page(
    catalog: &ServiceClient,
    cursor: Option<String>,
) -> Result<LowStockPage, AdminError> {
    let request = LowStockRequest {
        cursor,
        limit: Some(LOW_STOCK_PAGE),
    };
    match catalog.call(STOCK_LOW, &request).await? {
        AdminReply::Ok(page) => Ok(page),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the low-stock list was refused: {other:?}"
        ))),
    }
}

/// Every low-stock variant, lowest first, streamed a page at a time.
async fn low_stock_csv(
    State(state): State<AppState>,
    _session: RequireViewer,
) -> Result<Response, AdminError> {
    let first = low_stock_page(&state.catalog, None).await?;
    let catalog = state.catalog.clone();
    Ok(csv_export::stream(
        "low-stock.csv",
        "catalog",
        first,
        move |cursor| {
            let catalog = catalog.clone();
            async move { low_stock_page(&catalog, Some(cursor)).await }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, to: &str) -> ReportQuery {
        ReportQuery {
            from: from.to_owned(),
            to: to.to_owned(),
            ..ReportQuery::default()
        }
    }

    #[test]
    fn an_empty_range_is_the_last_30_days_and_a_bad_date_names_its_field() {
        let (from, to) = query("", "").range().unwrap();
        assert_eq!(to, Utc::now().date_naive());
        assert_eq!((to - from).num_days(), 29);
        let (from, to) = query("", "2026-03-31").range().unwrap();
        assert_eq!(from.to_string(), "2026-03-02");
        assert_eq!(to.to_string(), "2026-03-31");
        let fields: Vec<String> = query("yesterday", "2026-02-30")
            .range()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["to", "from"]);
    }

    #[test]
    fn the_ranking_and_the_limit_are_checked_here_and_name_their_fields() {
        let mut q = ReportQuery::default();
        assert_eq!(q.by(), Ok(TopBy::Units));
        assert_eq!(q.limit(), Ok(DEFAULT_TOP_PRODUCTS));
        q.by = "revenue".to_owned();
        q.limit = "100".to_owned();
        assert_eq!((q.by(), q.limit()), (Ok(TopBy::Revenue), Ok(100)));
        q.by = "margin".to_owned();
        q.limit = "101".to_owned();
        assert_eq!(q.by().unwrap_err().field, "by");
        assert_eq!(q.limit().unwrap_err().field, "limit");
        q.limit = "0".to_owned();
        assert_eq!(q.limit().unwrap_err().field, "limit");
    }
}
