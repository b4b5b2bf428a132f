//! What the pages' forms and query strings share: fields as sent ([`Pairs`], repeated names kept), the
//! idempotency key every write form carries, and refusals in words for the audit log.

use chrono::{DateTime, NaiveDate, Utc};
use platform::contracts::admin::FieldError;
use uuid::Uuid;

use super::error::AdminError;

/// Form or query fields as sent, repeated names kept (`ids`, `category_ids`, `prev`).
pub(crate) type Pairs = Vec<(String, String)>;

/// The first value of `name`, or "".
pub(crate) fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// Every value of `name`.
pub(crate) fn fields<'a>(pairs: &'a Pairs, name: &'a str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The form's idempotency key; a form without a valid one is a bad request (every write form renders one).
pub(crate) fn idempotency_key(pairs: &Pairs) -> Result<Uuid, AdminError> {
    field(pairs, "idempotency_key").parse().map_err(|_| {
        AdminError::BadRequest("The form carried no idempotency key: reload it.".to_owned())
    })
}

/// "field: reason; ..." for the audit log.
pub(crate) fn detail_of(errors: &[platform::contracts::admin::FieldError]) -> String {
    errors
        .iter()
        .map(|error| format!("{}: {}", error.field, error.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A snake_case contract value from a query parameter; `None` for anything else.
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

/// The day in field `name` (`YYYY-MM-DD`, as `<input type="date">` sends it; blank is `None`); one that is not
/// a day adds the field's error.
pub(crate) fn day_field(
    name: &str,
    value: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
    if day.is_none() {
        errors.push(FieldError::new(name, "must be a date (YYYY-MM-DD)"));
    }
    day
}

/// Midnight UTC at the start of `day`, or (`following`) of the day after: a list filtered "from" one day "to"
/// another takes `[start_of(from), start_of(to, following))`.
pub(crate) fn start_of(day: NaiveDate, following: bool) -> Option<DateTime<Utc>> {
    let day = if following { day.succ_opt()? } else { day };
    day.and_hms_opt(0, 0, 0).map(|at| at.and_utc())
}

/// Form fields from name/value literals, for the tests.
#[cfg(test)]
pub(crate) fn pairs(items: &[(&str, &str)]) -> Pairs {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
