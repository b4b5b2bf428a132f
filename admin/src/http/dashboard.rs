//! The dashboard: how the shop is doing (today and the last 30 days, from checkout's daily sales summaries,
//! with a chart drawn here as SVG), what waits (orders by state, low stock, failed and uncertain emails), how
//! far behind the events are (each service's outbox backlog, each durable consumer's lag), who you are, and
//! what you did lately. A service that does not answer leaves a notice in its place; the rest of the page
//! still shows.

use axum::{Router, extract::State, response::Response, routing::get};
use platform::contracts::{
    admin::{AdminReply, OutboxBacklog, OutboxRequest},
    catalog_admin::{
        self, STOCK_LOW,
        stock::{LowStockPage, LowStockRequest},
    },
    mailer::{EMAILS_LIST, EmailPage, EmailState, ListEmails},
    orders_admin::{self, Dashboard, DashboardRequest, REPORTS_DASHBOARD, SalesDay},
};
use rust_decimal::{Decimal, prelude::ToPrimitive as _};
use serde::Serialize;

use super::{AppState, audit::AuditRow, error::AdminError, extract::RequireViewer, render::Page};
use crate::services::{Lag, ServiceClient};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show))
        .route("/admin/", get(show))
}

/// Low-stock variants, and failed or uncertain emails, counted on the dashboard; past it, "50 or more".
const COUNTED: u32 = 50;

/// Rows of a list counted up to [`COUNTED`], and whether there are more.
#[derive(Serialize)]
struct Count {
    count: usize,
    more: bool,
}

/// The emails in `state` (up to [`COUNTED`]), or `None` when the mailer does not answer.
async fn emails_in(state: &AppState, email_state: EmailState) -> Option<Count> {
    let request = ListEmails {
        state: Some(email_state),
        limit: Some(COUNTED),
        ..ListEmails::default()
    };
    match state
        .mailer
        .call::<_, EmailPage>(EMAILS_LIST, &request)
        .await
    {
        Ok(AdminReply::Ok(page)) => Some(Count {
            count: page.rows.len(),
            more: page.next.is_some(),
        }),
        _ => None,
    }
}

/// One service's outbox backlog, or `None` when it does not answer.
async fn outbox(service: &ServiceClient, subject: &str) -> Option<OutboxBacklog> {
    match service.call(subject, &OutboxRequest {}).await {
        Ok(AdminReply::Ok(backlog)) => Some(backlog),
        _ => None,
    }
}

/// A line of the dashboard's "Events" table.
#[derive(Serialize)]
struct OutboxRow {
    service: &'static str,
    stream: &'static str,
    backlog: Option<OutboxBacklog>,
}

#[derive(Serialize)]
struct ConsumerRow {
    stream: &'static str,
    consumer: &'static str,
    lag: Lag,
    /// Pending plus unacknowledged: what it has yet to finish.
    behind: Option<u64>,
}

/// Every durable consumer's lag, asked at once.
async fn consumer_rows(state: &AppState) -> Vec<ConsumerRow> {
    futures::future::join_all(platform::streams::DURABLE_CONSUMERS.iter().map(
        async |&(stream, consumer)| {
            let lag = state.consumers.lag(stream, consumer).await;
            ConsumerRow {
                stream,
                consumer,
                behind: match &lag {
                    Lag::Known(lag) => Some(lag.pending + lag.unacknowledged),
                    Lag::NoConsumer | Lag::Unavailable => None,
                },
                lag,
            }
        },
    ))
    .await
}

async fn show(
    State(state): State<AppState>,
    session: RequireViewer,
) -> Result<Response, AdminError> {
    let recent: Vec<AuditRow> = crate::audit::recent_of(&state.db, session.staff.id, 10)
        .await?
        .into_iter()
        .map(AuditRow::from)
        .collect();
    // All asked at once: a slow service costs the page its own timeout, not the sum.
    let (sales, low, failed, uncertain, catalog_outbox, checkout_outbox, consumers) = tokio::join!(
        state
            .checkout
            .call::<_, Dashboard>(REPORTS_DASHBOARD, &DashboardRequest {}),
        state.catalog.call::<_, LowStockPage>(
            STOCK_LOW,
            &LowStockRequest {
                cursor: None,
                limit: Some(COUNTED),
            },
        ),
        emails_in(&state, EmailState::Failed),
        emails_in(&state, EmailState::Uncertain),
        outbox(&state.catalog, catalog_admin::OUTBOX),
        outbox(&state.checkout, orders_admin::OUTBOX),
        consumer_rows(&state),
    );
    let outboxes = [
        OutboxRow {
            service: "catalog",
            stream: platform::streams::CATALOG_STREAM,
            backlog: catalog_outbox,
        },
        OutboxRow {
            service: "checkout",
            stream: platform::streams::ORDERS_STREAM,
            backlog: checkout_outbox,
        },
    ];
    let mut page = Page::new("dashboard.html", "Dashboard", "dashboard")
        .with("recent", &recent)
        .with("outboxes", &outboxes)
        .with("consumers", &consumers);
    match sales {
        Ok(AdminReply::Ok(dashboard)) => {
            let periods = [
                ("Today", "today", &dashboard.today),
                ("Last 30 days", "last-30-days", &dashboard.last_30_days),
            ];
            page = page
                .with(
                    "chart",
                    &revenue_chart(&dashboard.daily, &dashboard.currency),
                )
                .with("periods", &periods)
                .with("sales", &dashboard);
        }
        Ok(other) => tracing::warn!(?other, "the dashboard's figures were refused"),
        Err(err) => tracing::warn!(error = %err, "no dashboard figures: checkout did not answer"),
    }
    if let Ok(AdminReply::Ok(low)) = low {
        page = page.with(
            "low_stock",
            &Count {
                count: low.variants.len(),
                more: low.next.is_some(),
            },
        );
    }
    if let (Some(failed), Some(uncertain)) = (failed, uncertain) {
        page = page
            .with("emails_failed", &failed)
            .with("emails_uncertain", &uncertain);
    }
    Ok(state.render(Some(&session), page))
}

/// Revenue per day as an SVG bar chart (no script, no style attribute: the page's CSP allows neither inline),
/// each bar with a title naming its day, orders and revenue for people and screen readers.
fn revenue_chart(days: &[SalesDay], currency: &str) -> String {
    const BAR: u32 = 18;
    const GAP: u32 = 4;
    const HEIGHT: u32 = 140;
    let highest = days
        .iter()
        .map(|day| day.figures.revenue)
        .max()
        .unwrap_or_default();
    let width = (BAR + GAP) * days.len() as u32;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {}" width="100%" height="{}" role="img" aria-label="Revenue per day, last {} days">"#,
        HEIGHT + 20,
        HEIGHT + 20,
        days.len()
    );
    for (i, day) in days.iter().enumerate() {
        // The bar's height in whole pixels, from exact amounts (no money goes through floating point).
        let bar = if highest > Decimal::ZERO {
            (day.figures.revenue * Decimal::from(HEIGHT) / highest)
                .round()
                .to_u32()
                .unwrap_or(0)
        } else {
            0
        };
        let x = i as u32 * (BAR + GAP);
        svg.push_str(&format!(
            r#"<g><title>{}: {} orders, {} {}</title><rect class="bar" x="{x}" y="{}" width="{BAR}" height="{}"/>"#,
            day.day,
            day.figures.orders,
            day.figures.revenue,
            escape(currency),
            HEIGHT - bar.max(1),
            bar.max(1),
        ));
        // A date every week, counted back from the last day so the labels never crowd.
        if (days.len() - 1 - i).is_multiple_of(7) {
            svg.push_str(&format!(
                r#"<text x="{x}" y="{}" class="axis">{}</text>"#,
                HEIGHT + 15,
                day.day.format("%m-%d")
            ));
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// Text for SVG: the currency code comes from a service, and is escaped like any text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::contracts::orders_admin::SalesFigures;

    fn day(d: u32, revenue: &str, orders: u64) -> SalesDay {
        SalesDay {
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            figures: SalesFigures {
                orders,
                revenue: revenue.parse().unwrap(),
                ..SalesFigures::default()
            },
        }
    }

    #[test]
    fn the_chart_scales_bars_to_the_best_day_and_names_each_day() {
        let svg = revenue_chart(
            &[day(1, "0", 0), day(2, "50.00", 1), day(3, "100.00", 2)],
            "USD",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(
            svg.contains(r#"height="140""#),
            "the best day is full height: {svg}"
        );
        assert!(
            svg.contains(r#"height="70""#),
            "half the revenue, half the height"
        );
        assert!(svg.contains("<title>2026-11-03: 2 orders, 100.00 USD</title>"));
        assert!(
            !svg.contains("style="),
            "no inline style: the CSP refuses it"
        );
        assert!(revenue_chart(&[day(1, "1", 1)], "<b>").contains("&lt;b&gt;"));
    }
}
