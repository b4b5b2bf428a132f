//! The admin's queries: the order list (one statement built from the filters, keyset-paged on an index), and
//! what an order page shows besides the order itself (lines with refunds, payments, shipments, history, notes).

use chrono::{DateTime, Utc};
use platform::contracts::orders_admin::{
    DetailLine, OrderRow, PaymentKind, PaymentRecord, Shipment,
};
pub use platform::keyset::Arg;
use rust_decimal::Decimal;
use sqlx::{
    MySqlConnection, Row as _,
    mysql::{MySqlArguments, MySqlRow},
    query::Query,
};

use super::orders::{order_state, who_of};
use crate::domain::{OrderState, PaymentStatus, Who};

/// The column the list is ordered by (then by id, the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Created,
    Total,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            Self::Created => "o.created_at",
            Self::Total => "o.total",
        }
    }
}

/// What the search box asked for: the start of one of three indexed columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// Upper-cased, as numbers are stored.
    NumberPrefix(String),
    EmailPrefix(String),
    NamePrefix(String),
}

/// One list statement: filters, sort, the row after which the page starts, and how many rows to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSpec {
    pub search: Option<Search>,
    pub state: Option<OrderState>,
    pub payment: Option<PaymentStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub total_min: Option<Decimal>,
    pub total_max: Option<Decimal>,
    pub sort: SortColumn,
    pub descending: bool,
    /// The sort key and id of the last row of the previous page.
    pub after: Option<(Arg, u64)>,
    pub limit: u32,
}

/// The statement of a list page and its arguments, in order.
pub fn list_sql(spec: &ListSpec) -> (String, Vec<Arg>) {
    let mut args = Vec::new();
    let mut conditions = String::new();
    match &spec.search {
        Some(Search::NumberPrefix(prefix)) => {
            conditions.push_str(" AND o.number LIKE ?");
            args.push(Arg::Text(format!("{}%", escape_like(prefix))));
        }
        Some(Search::EmailPrefix(prefix)) => {
            conditions.push_str(" AND o.email LIKE ?");
            args.push(Arg::Text(format!("{}%", escape_like(prefix))));
        }
        Some(Search::NamePrefix(prefix)) => {
            conditions.push_str(" AND o.customer_name LIKE ?");
            args.push(Arg::Text(format!("{}%", escape_like(prefix))));
        }
        None => {}
    }
    if let Some(state) = spec.state {
        conditions.push_str(" AND o.state = ?");
        args.push(Arg::Text(state.as_str().to_owned()));
    }
    if let Some(payment) = spec.payment {
        conditions.push_str(" AND o.payment_status = ?");
        args.push(Arg::Text(payment.as_str().to_owned()));
    }
    if let Some(from) = spec.created_from {
        conditions.push_str(" AND o.created_at >= ?");
        args.push(Arg::Time(from));
    }
    if let Some(to) = spec.created_to {
        conditions.push_str(" AND o.created_at < ?");
        args.push(Arg::Time(to));
    }
    if let Some(min) = spec.total_min {
        conditions.push_str(" AND o.total >= ?");
        args.push(Arg::Money(min));
    }
    if let Some(max) = spec.total_max {
        conditions.push_str(" AND o.total <= ?");
        args.push(Arg::Money(max));
    }
    let column = spec.sort.sql();
    let (compare, direction) = if spec.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((key, id)) = &spec.after {
        conditions.push_str(&format!(
            " AND ({column} {compare} ? OR ({column} = ? AND o.id {compare} ?))"
        ));
        args.push(key.clone());
        args.push(key.clone());
        args.push(Arg::Int(i64::try_from(*id).unwrap_or(i64::MAX)));
    }
    args.push(Arg::Int(spec.limit.into()));
    let sql = format!(
        "SELECT o.id, o.number, o.created_at, o.customer_name, o.email, o.state, o.payment_status, o.total, \
         o.refunded_total, o.currency, o.version FROM orders o WHERE TRUE{conditions} \
         ORDER BY {column} {direction}, o.id {direction} LIMIT ?"
    );
    (sql, args)
}

/// `%`, `_` and `\` match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The EXPLAIN of a list page's statement, for the index checks of the tests.
pub fn explain<'q>(sql: &'q str, args: &'q [Arg]) -> Query<'q, sqlx::MySql, MySqlArguments> {
    platform::keyset::query(sql, args)
}

/// The rows of a list page in order, each with its id and sort key.
pub async fn list_page(
    conn: &mut MySqlConnection,
    spec: &ListSpec,
) -> Result<Vec<(OrderRow, u64, Arg)>, sqlx::Error> {
    let (sql, args) = list_sql(spec);
    let rows = platform::keyset::query(&sql, &args)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let id: u64 = row.try_get("id")?;
            let key = match spec.sort {
                SortColumn::Created => Arg::Time(row.try_get("created_at")?),
                SortColumn::Total => Arg::Money(row.try_get("total")?),
            };
            Ok((order_row(row)?, id, key))
        })
        .collect()
}

fn order_row(row: &MySqlRow) -> Result<OrderRow, sqlx::Error> {
    Ok(OrderRow {
        number: row.try_get("number")?,
        created_at: row.try_get("created_at")?,
        customer_name: row.try_get("customer_name")?,
        email: row.try_get("email")?,
        state: order_state(row.try_get("state")?)?.into(),
        payment: PaymentStatus::parse(row.try_get("payment_status")?)
            .unwrap_or(PaymentStatus::Unknown),
        total: row.try_get("total")?,
        refunded: row.try_get("refunded_total")?,
        currency: row.try_get("currency")?,
        version: row.try_get("version")?,
    })
}

/// An order line with how many of its units were refunded.
#[derive(Debug, Clone)]
pub struct Line {
    pub line_no: u16,
    pub detail: DetailLine,
    /// The line's share of the order's discounts.
    pub discount: Decimal,
}

/// The order's lines in order.
pub async fn lines(conn: &mut MySqlConnection, order_id: u64) -> Result<Vec<Line>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT line_no, sku, name, unit_price, quantity, line_total, discount, refunded_quantity FROM order_items \
         WHERE order_id = ? ORDER BY line_no",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Line {
                line_no: row.try_get("line_no")?,
                detail: DetailLine {
                    sku: row.try_get("sku")?,
                    name: row.try_get("name")?,
                    unit_price: row.try_get("unit_price")?,
                    quantity: row.try_get("quantity")?,
                    line_total: row.try_get("line_total")?,
                    refunded_quantity: row.try_get("refunded_quantity")?,
                },
                discount: row.try_get("discount")?,
            })
        })
        .collect()
}

/// Adds refunded units to a line.
pub async fn refund_units(
    conn: &mut MySqlConnection,
    order_id: u64,
    line_no: u16,
    quantity: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE order_items SET refunded_quantity = refunded_quantity + ? WHERE order_id = ? AND line_no = ?",
    )
    .bind(quantity)
    .bind(order_id)
    .bind(line_no)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A payment row and who asked for it.
#[derive(Debug, Clone)]
pub struct Payment {
    pub record: PaymentRecord,
    pub by: Who,
}

/// The order's charges and refunds, oldest first.
pub async fn payments(
    conn: &mut MySqlConnection,
    order_id: u64,
) -> Result<Vec<Payment>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, provider, reference, state, amount, COALESCE(reason, error) AS reason, actor, created_at \
         FROM payments WHERE order_id = ? ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let kind = match row.try_get::<&str, _>("kind")? {
                "charge" => PaymentKind::Charge,
                "refund" => PaymentKind::Refund,
                _ => PaymentKind::Unknown,
            };
            Ok(Payment {
                record: PaymentRecord {
                    kind,
                    provider: row.try_get("provider")?,
                    reference: row.try_get("reference")?,
                    state: row.try_get("state")?,
                    amount: row.try_get("amount")?,
                    reason: row.try_get("reason")?,
                    at: row.try_get("created_at")?,
                },
                by: who_of(row.try_get("actor")?),
            })
        })
        .collect()
}

/// What was charged for the order and succeeded (0 until it is paid).
pub async fn paid(conn: &mut MySqlConnection, order_id: u64) -> Result<Decimal, sqlx::Error> {
    let paid: Option<Decimal> = sqlx::query_scalar(
        "SELECT SUM(amount) FROM payments WHERE order_id = ? AND kind = 'charge' AND state = 'succeeded'",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(paid.unwrap_or_default())
}

/// How many refunds the order has had.
pub async fn refund_count(conn: &mut MySqlConnection, order_id: u64) -> Result<u64, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE order_id = ? AND kind = 'refund'")
            .bind(order_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// A refund that went through with the provider.
#[derive(Debug, Clone)]
pub struct NewRefund<'a> {
    pub order_id: u64,
    pub provider: &'a str,
    pub reference: &'a str,
    pub amount: Decimal,
    pub currency: &'a str,
    pub reason: &'a str,
    pub by: &'a Who,
}

/// Records a refund: its payment row, the order's refunded total and payment status, and a new version.
pub async fn record_refund(
    conn: &mut MySqlConnection,
    refund: &NewRefund<'_>,
    status: PaymentStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payments (order_id, kind, provider, reference, state, amount, currency, reason, actor) \
         VALUES (?, 'refund', ?, ?, 'succeeded', ?, ?, ?, ?)",
    )
    .bind(refund.order_id)
    .bind(refund.provider)
    .bind(refund.reference)
    .bind(refund.amount)
    .bind(refund.currency)
    .bind(refund.reason)
    .bind(super::orders::who_stored(refund.by))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE orders SET refunded_total = refunded_total + ?, payment_status = ?, version = version + 1, \
         updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
    )
    .bind(refund.amount)
    .bind(status.as_str())
    .bind(refund.order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A shipment and who recorded it.
#[derive(Debug, Clone)]
pub struct ShipmentRow {
    pub shipment: Shipment,
    pub by: Who,
}

pub async fn insert_shipment(
    conn: &mut MySqlConnection,
    order_id: u64,
    shipment: &Shipment,
    by: &Who,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO shipments (order_id, carrier, tracking_number, tracking_url, actor, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(order_id)
    .bind(&shipment.carrier)
    .bind(&shipment.tracking_number)
    .bind(&shipment.tracking_url)
    .bind(super::orders::who_stored(by))
    .bind(shipment.shipped_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn shipments(
    conn: &mut MySqlConnection,
    order_id: u64,
) -> Result<Vec<ShipmentRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT carrier, tracking_number, tracking_url, actor, created_at FROM shipments WHERE order_id = ? \
         ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ShipmentRow {
                shipment: Shipment {
                    carrier: row.try_get("carrier")?,
                    tracking_number: row.try_get("tracking_number")?,
                    tracking_url: row.try_get("tracking_url")?,
                    shipped_at: row.try_get("created_at")?,
                },
                by: who_of(row.try_get("actor")?),
            })
        })
        .collect()
}

/// One row of the order's state history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub from: Option<OrderState>,
    pub to: OrderState,
    pub reason: Option<String>,
    pub by: Who,
    pub at: DateTime<Utc>,
}

pub async fn history(
    conn: &mut MySqlConnection,
    order_id: u64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT from_state, to_state, reason, actor, created_at FROM order_state_history WHERE order_id = ? \
         ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HistoryRow {
                from: row
                    .try_get::<Option<&str>, _>("from_state")?
                    .map(order_state)
                    .transpose()?,
                to: order_state(row.try_get("to_state")?)?,
                reason: row.try_get("reason")?,
                by: who_of(row.try_get("actor")?),
                at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// A staff note.
#[derive(Debug, Clone)]
pub struct Note {
    pub body: String,
    pub staff_email: String,
    pub at: DateTime<Utc>,
}

pub async fn insert_note(
    conn: &mut MySqlConnection,
    order_id: u64,
    (staff_id, staff_email): (u64, &str),
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_notes (order_id, staff_id, staff_email, body) VALUES (?, ?, ?, ?)",
    )
    .bind(order_id)
    .bind(staff_id)
    .bind(staff_email)
    .bind(body)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn notes(conn: &mut MySqlConnection, order_id: u64) -> Result<Vec<Note>, sqlx::Error> {
    sqlx::query_as::<_, (String, String, DateTime<Utc>)>(
        "SELECT body, staff_email, created_at FROM order_notes WHERE order_id = ? ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|(body, staff_email, at)| Note {
                body,
                staff_email,
                at,
            })
            .collect()
    })
}
