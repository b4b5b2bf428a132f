//! `orders.list`: the admin's order list. Every filter and sort reads one index from the cursor on (keyset
//! pagination, see `db::admin::list_sql`), and a search is an index range on the number, the email or the
//! customer's name; nothing counts the table.

use platform::contracts::{
    admin::{AdminReply, FieldError},
    orders::OrderStatus,
    orders_admin::{
        DEFAULT_PAGE, Direction, ListOrders, MAX_EXPORT_PAGE, MAX_PAGE, OrderPage, OrderSort,
        PaymentStatus,
    },
};
use rust_decimal::Decimal;
use sqlx::MySqlPool;

use crate::{
    db::{
        self,
        admin::{Arg, ListSpec, Search, SortColumn},
    },
    domain::OrderState,
};

/// The longest search accepted, in characters.
const MAX_SEARCH_CHARS: usize = 254;

/// A page of orders as asked.
pub async fn list(
    pool: &MySqlPool,
    request: &ListOrders,
) -> Result<AdminReply<OrderPage>, sqlx::Error> {
    let spec = match spec_of(request) {
        Ok(spec) => spec,
        Err(errors) => return Ok(AdminReply::Invalid { errors }),
    };
    let limit = (spec.limit - 1) as usize;
    let mut conn = pool.acquire().await?;
    let mut page = db::admin::list_page(&mut conn, &spec).await?;
    let next = if page.len() > limit {
        page.truncate(limit);
        page.last()
            .map(|(_, id, key)| Cursor::encode(request, key, *id))
    } else {
        None
    };
    Ok(AdminReply::Ok(OrderPage {
        rows: page.into_iter().map(|(row, _, _)| row).collect(),
        next,
    }))
}

/// The statement's view of a request, or every bad field of it.
pub fn spec_of(request: &ListOrders) -> Result<ListSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let max = if request.export {
        MAX_EXPORT_PAGE
    } else {
        MAX_PAGE
    };
    let limit = request.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=max).contains(&limit) {
        errors.push(FieldError::new("limit", format!("must be from 1 to {max}")));
    }
    let state = match request.state {
        None => None,
        Some(OrderStatus::Unknown) => {
            errors.push(FieldError::new(
                "state",
                format!(
                    "must be one of {}",
                    OrderState::ALL.map(OrderState::as_str).join(", ")
                ),
            ));
            None
        }
        Some(status) => OrderState::parse(status.as_str()),
    };
    if request.payment == Some(PaymentStatus::Unknown) {
        errors.push(FieldError::new(
            "payment",
            format!(
                "must be one of {}",
                PaymentStatus::ALL.map(PaymentStatus::as_str).join(", ")
            ),
        ));
    }
    if let (Some(from), Some(to)) = (request.created_from, request.created_to)
        && from >= to
    {
        errors.push(FieldError::new("created_to", "must be after created_from"));
    }
    for (field, value) in [
        ("total_min", request.total_min),
        ("total_max", request.total_max),
    ] {
        if value.is_some_and(|value| value < Decimal::ZERO) {
            errors.push(FieldError::new(field, "must not be negative"));
        }
    }
    if let (Some(min), Some(max)) = (request.total_min, request.total_max)
        && min > max
    {
        errors.push(FieldError::new(
            "total_max",
            "must not be less than total_min",
        ));
    }
    let search = match request.q.as_deref().map(str::trim) {
        Some(q) if q.chars().count() > MAX_SEARCH_CHARS => {
            errors.push(FieldError::new(
                "q",
                format!("at most {MAX_SEARCH_CHARS} characters"),
            ));
            None
        }
        Some(q) if q.chars().any(char::is_control) => {
            errors.push(FieldError::new("q", "must not contain control characters"));
            None
        }
        Some(q) => search_of(q),
        None => None,
    };
    let after = match request.cursor.as_deref() {
        Some(cursor) if !cursor.is_empty() => match Cursor::decode(request, cursor) {
            Some(after) => Some(after),
            None => {
                errors.push(FieldError::new(
                    "cursor",
                    "is not a cursor of this list: start again from the first page",
                ));
                None
            }
        },
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ListSpec {
        search,
        state,
        payment: request.payment,
        created_from: request.created_from,
        created_to: request.created_to,
        total_min: request.total_min,
        total_max: request.total_max,
        sort: match request.sort {
            OrderSort::Created => SortColumn::Created,
            OrderSort::Total => SortColumn::Total,
        },
        descending: request.direction == Direction::Desc,
        after,
        limit: limit + 1,
    })
}

/// What the search box holds: an order number (or its start) when it starts with `SH-`, an email (or its
/// start) when it has an `@`, else the start of the customer's name.
pub fn search_of(q: &str) -> Option<Search> {
    if q.is_empty() {
        return None;
    }
    let upper = q.to_ascii_uppercase();
    Some(if upper.starts_with("SH-") {
        Search::NumberPrefix(upper)
    } else if q.contains('@') {
        Search::EmailPrefix(q.to_owned())
    } else {
        Search::NamePrefix(q.to_owned())
    })
}

/// The opaque cursor: the sort it belongs to, the last row's id and sort key, hex-encoded so it travels in a
/// URL untouched. A cursor only continues the sort it was made for.
struct Cursor;

impl Cursor {
    fn encode(request: &ListOrders, key: &Arg, id: u64) -> String {
        platform::keyset::encode_cursor(Self::sort_tag(request), id, key)
    }

    fn decode(request: &ListOrders, cursor: &str) -> Option<(Arg, u64)> {
        let (tag, id, key) = platform::keyset::decode_cursor(cursor, 200)?;
        if tag != Self::sort_tag(request) {
            return None;
        }
        let id: u64 = id.parse().ok()?;
        let fits = matches!(
            (&key, request.sort),
            (Arg::Money(_), OrderSort::Total) | (Arg::Time(_), OrderSort::Created)
        );
        fits.then_some((key, id))
    }

    fn sort_tag(request: &ListOrders) -> &'static str {
        match (request.sort, request.direction) {
            (OrderSort::Created, Direction::Asc) => "created.asc",
            (OrderSort::Created, Direction::Desc) => "created.desc",
            (OrderSort::Total, Direction::Asc) => "total.asc",
            (OrderSort::Total, Direction::Desc) => "total.desc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_continues_only_the_sort_it_was_made_for() {
        let by_total = ListOrders {
            sort: OrderSort::Total,
            direction: Direction::Asc,
            ..ListOrders::default()
        };
        let cursor = Cursor::encode(&by_total, &Arg::Money("19.90".parse().unwrap()), 42);
        assert_eq!(
            Cursor::decode(&by_total, &cursor),
            Some((Arg::Money("19.90".parse().unwrap()), 42))
        );
        let newest = ListOrders::default();
        assert_eq!(Cursor::decode(&newest, &cursor), None);
        assert_eq!(Cursor::decode(&by_total, "zz"), None);
    }

    #[test]
    fn the_search_box_finds_numbers_emails_and_names() {
        assert_eq!(
            search_of("sh-7k2"),
            Some(Search::NumberPrefix("SH-7K2".to_owned()))
        );
        assert_eq!(
            search_of("ana@ex"),
            Some(Search::EmailPrefix("ana@ex".to_owned()))
        );
        assert_eq!(
            search_of("Ana N"),
            Some(Search::NamePrefix("Ana N".to_owned()))
        );
        assert_eq!(search_of(""), None);
    }

    #[test]
    fn bad_filters_are_refused_by_field() {
        let request = ListOrders {
            limit: Some(101),
            total_min: Some(Decimal::from(10)),
            total_max: Some(Decimal::from(5)),
            cursor: Some("abc".to_owned()),
            ..ListOrders::default()
        };
        let fields: Vec<String> = spec_of(&request)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["limit", "total_max", "cursor"]);
        let export = ListOrders {
            limit: Some(1000),
            export: true,
            ..ListOrders::default()
        };
        assert_eq!(spec_of(&export).unwrap().limit, 1001);
    }
}
