//! `reports.*`: the admin's dashboard, sales report and top products, read from the daily summaries checkout
//! keeps as it pays, fails and refunds orders (`db::reports`), so a report costs a range of at most
//! [`MAX_REPORT_DAYS`] summary rows however many orders there are. Days are UTC days; a day without a row has
//! zeros in every figure.

use chrono::{Days, NaiveDate, Utc};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    orders_admin::{
        DASHBOARD_DAYS, DEFAULT_TOP_PRODUCTS, Dashboard, DashboardRequest, MAX_REPORT_DAYS,
        MAX_TOP_PRODUCTS, Period, ProductSales, SalesDay, SalesFigures, SalesReport,
        SalesReportRequest, TopBy, TopProductsReport, TopProductsRequest, WaitingOrders,
    },
};
use rust_decimal::{Decimal, RoundingStrategy};
use sqlx::MySqlPool;

use crate::{
    db::{
        self,
        reports::{DayRow, Ranking},
    },
    domain::CURRENCY,
};

/// `reports.sales`: every day of the range with its figures, and their totals.
pub async fn sales(
    pool: &MySqlPool,
    request: &SalesReportRequest,
) -> Result<AdminReply<SalesReport>, sqlx::Error> {
    let mut errors = Vec::new();
    check_range(request.from, request.to, &mut errors);
    if !errors.is_empty() {
        return Ok(AdminReply::Invalid { errors });
    }
    let mut conn = pool.acquire().await?;
    let rows = db::reports::sales_days(&mut conn, request.from, request.to).await?;
    let days = every_day(request.from, request.to, rows);
    Ok(AdminReply::Ok(SalesReport {
        from: request.from,
        to: request.to,
        currency: CURRENCY.to_owned(),
        totals: total(&days),
        days,
    }))
}

/// `reports.top_products`: the products that sold most in the range.
pub async fn top_products(
    pool: &MySqlPool,
    request: &TopProductsRequest,
) -> Result<AdminReply<TopProductsReport>, sqlx::Error> {
    let mut errors = Vec::new();
    check_range(request.from, request.to, &mut errors);
    let ranking = match request.by {
        TopBy::Units => Some(Ranking::Units),
        TopBy::Revenue => Some(Ranking::Revenue),
        TopBy::Unknown => {
            errors.push(FieldError::new("by", "must be units or revenue"));
            None
        }
    };
    let limit = request.limit.unwrap_or(DEFAULT_TOP_PRODUCTS);
    if !(1..=MAX_TOP_PRODUCTS).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be from 1 to {MAX_TOP_PRODUCTS}"),
        ));
    }
    let Some(ranking) = ranking.filter(|_| errors.is_empty()) else {
        return Ok(AdminReply::Invalid { errors });
    };
    let mut conn = pool.acquire().await?;
    let rows =
        db::reports::top_products(&mut conn, (request.from, request.to), ranking, limit).await?;
    Ok(AdminReply::Ok(TopProductsReport {
        from: request.from,
        to: request.to,
        by: request.by,
        currency: CURRENCY.to_owned(),
        rows: rows
            .into_iter()
            .map(|row| ProductSales {
                sku: row.sku,
                name: row.name,
                // Refunds by line never take more units than were sold, so a sum is never below zero.
                units: u64::try_from(row.units).unwrap_or_default(),
                revenue: row.revenue,
            })
            .collect(),
    }))
}

/// `reports.dashboard`: today, the last [`DASHBOARD_DAYS`] days day by day, and the orders waiting for staff.
pub async fn dashboard(
    pool: &MySqlPool,
    _request: &DashboardRequest,
) -> Result<AdminReply<Dashboard>, sqlx::Error> {
    let as_of = Utc::now();
    let today = as_of.date_naive();
    let first = today - Days::new(u64::from(DASHBOARD_DAYS - 1));
    let rows = {
        let mut conn = pool.acquire().await?;
        db::reports::sales_days(&mut conn, first, today).await?
    };
    let daily = every_day(first, today, rows);
    let today_figures = daily
        .last()
        .map(|day| day.figures.clone())
        .unwrap_or_default();
    let mut waiting = WaitingOrders::default();
    for (state, count) in db::counts::waiting_by_state(pool).await? {
        match state.as_str() {
            "paid" => waiting.paid = count,
            "processing" => waiting.processing = count,
            "shipped" => waiting.shipped = count,
            _ => {}
        }
    }
    Ok(AdminReply::Ok(Dashboard {
        as_of,
        currency: CURRENCY.to_owned(),
        today: period(today, today, today_figures),
        last_30_days: period(first, today, total(&daily)),
        daily,
        waiting,
    }))
}

/// Names the bad field of a range: `to` before `from`, or more than [`MAX_REPORT_DAYS`] days in all.
fn check_range(from: NaiveDate, to: NaiveDate, errors: &mut Vec<FieldError>) {
    let days = (to - from).num_days() + 1;
    if days < 1 {
        errors.push(FieldError::new("to", "must not be before from"));
    } else if days > i64::from(MAX_REPORT_DAYS) {
        errors.push(FieldError::new(
            "to",
            format!("at most {MAX_REPORT_DAYS} days from `from`, both included"),
        ));
    }
}

/// Every day from `from` to `to`, with the figures of its row in `rows` (in day order) or zeros.
fn every_day(from: NaiveDate, to: NaiveDate, rows: Vec<DayRow>) -> Vec<SalesDay> {
    let mut rows = rows.into_iter().peekable();
    from.iter_days()
        .take_while(|day| *day <= to)
        .map(|day| {
            let figures = match rows.next_if(|row| row.day == day) {
                Some(row) => SalesFigures {
                    orders: row.orders,
                    units: row.units,
                    revenue: row.revenue,
                    refunds: row.refunds_amount,
                    refund_count: row.refunds_count,
                    payment_failures: row.payment_failures,
                },
                None => no_sales(),
            };
            SalesDay { day, figures }
        })
        .collect()
}

/// A day without sales: zeros, the amounts to the cent (`0.00`, as the summaries' amounts are written).
fn no_sales() -> SalesFigures {
    SalesFigures {
        revenue: Decimal::new(0, 2),
        refunds: Decimal::new(0, 2),
        ..SalesFigures::default()
    }
}

fn total(days: &[SalesDay]) -> SalesFigures {
    days.iter()
        .fold(no_sales(), |mut sum, SalesDay { figures, .. }| {
            sum.orders += figures.orders;
            sum.units += figures.units;
            sum.revenue += figures.revenue;
            sum.refunds += figures.refunds;
            sum.refund_count += figures.refund_count;
            sum.payment_failures += figures.payment_failures;
            sum
        })
}

fn period(from: NaiveDate, to: NaiveDate, figures: SalesFigures) -> Period {
    Period {
        from,
        to,
        average_order_value: average_order_value(&figures),
        figures,
    }
}

/// Revenue per order, to the cent; 0 without orders.
fn average_order_value(figures: &SalesFigures) -> Decimal {
    if figures.orders == 0 {
        return Decimal::ZERO;
    }
    (figures.revenue / Decimal::from(figures.orders))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_range_is_one_to_366_days_and_a_bad_one_names_to() {
        let fields = |from, to| {
            let mut errors = Vec::new();
            check_range(date(from), date(to), &mut errors);
            errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert!(fields("2024-03-01", "2024-03-01").is_empty(), "one day");
        assert!(fields("2024-01-01", "2024-12-31").is_empty(), "a leap year");
        assert_eq!(fields("2024-01-01", "2025-01-01"), ["to"], "367 days");
        assert_eq!(fields("2024-03-02", "2024-03-01"), ["to"]);
    }

    #[test]
    fn days_without_a_row_are_zeros_and_the_rows_land_on_their_days() {
        let row = |day: &str, orders| DayRow {
            day: date(day),
            orders,
            units: orders * 2,
            revenue: Decimal::from(orders * 10),
            refunds_amount: Decimal::ZERO,
            refunds_count: 0,
            payment_failures: 1,
        };
        let days = every_day(
            date("2024-02-28"),
            date("2024-03-02"),
            vec![row("2024-02-29", 3), row("2024-03-02", 1)],
        );
        let orders: Vec<(String, u64)> = days
            .iter()
            .map(|d| (d.day.to_string(), d.figures.orders))
            .collect();
        assert_eq!(
            orders,
            [
                ("2024-02-28".to_owned(), 0),
                ("2024-02-29".to_owned(), 3),
                ("2024-03-01".to_owned(), 0),
                ("2024-03-02".to_owned(), 1)
            ]
        );
        assert_eq!(days[0].figures.revenue.to_string(), "0.00", "to the cent");
        let sum = total(&days);
        assert_eq!((sum.orders, sum.units, sum.payment_failures), (4, 8, 2));
        assert_eq!(sum.revenue, Decimal::from(40));
    }

    #[test]
    fn the_average_order_value_is_to_the_cent() {
        let figures = SalesFigures {
            orders: 3,
            revenue: "100.00".parse().unwrap(),
            ..SalesFigures::default()
        };
        assert_eq!(
            average_order_value(&figures),
            "33.33".parse::<Decimal>().unwrap()
        );
        assert_eq!(average_order_value(&SalesFigures::default()), Decimal::ZERO);
    }
}
