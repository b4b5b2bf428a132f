//! What the pages' forms and query strings share: fields as sent ([`Pairs`], repeated names kept), the
//! idempotency key every write form carries, and refusals in words for the audit log.

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

/// Form fields from name/value literals, for the tests.
#[cfg(test)]
pub(crate) fn pairs(items: &[(&str, &str)]) -> Pairs {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
