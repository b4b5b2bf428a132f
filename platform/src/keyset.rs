//! Keyset pages of the admin lists, the same in every service that serves one: the values an assembled list
//! statement binds ([`Arg`], only ever bound, never spliced into the SQL), and the opaque cursor that names
//! the last row of a page (the sort it belongs to, the row's id and its sort key), hex-encoded so it travels in
//! a URL untouched.

use std::fmt::Display;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, MySql, mysql::MySqlArguments, query::Query};

/// A value bound to an assembled statement, in placeholder order; also a page's sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Int(i64),
    Money(Decimal),
    Time(DateTime<Utc>),
}

/// `sql` with `args` bound in order.
pub fn query<'q>(sql: &'q str, args: &'q [Arg]) -> Query<'q, MySql, MySqlArguments> {
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for arg in args {
        query = match arg {
            Arg::Text(text) => query.bind(text.as_str()),
            Arg::Int(int) => query.bind(*int),
            Arg::Money(money) => query.bind(*money),
            Arg::Time(time) => query.bind(*time),
        };
    }
    query
}

/// The cursor after the row `id` whose sort key is `key`, in the sort named `sort_tag`.
pub fn encode_cursor(sort_tag: &str, id: impl Display, key: &Arg) -> String {
    let key = match key {
        Arg::Text(text) => format!("t{text}"),
        Arg::Int(int) => format!("i{int}"),
        Arg::Money(money) => format!("m{money}"),
        Arg::Time(time) => format!("d{}", time.timestamp_micros()),
    };
    let plain = format!("{sort_tag}~{id}~{key}");
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

/// A cursor of [`encode_cursor`] back, if well formed and at most `max_len` characters: its sort tag, row id
/// (as written) and sort key. The caller checks that the tag is its sort's and the key of its column's type.
pub fn decode_cursor(cursor: &str, max_len: usize) -> Option<(String, String, Arg)> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > max_len {
        return None;
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(cursor.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let plain = String::from_utf8(bytes).ok()?;
    let mut parts = plain.splitn(3, '~');
    let (tag, id, key) = (parts.next()?, parts.next()?, parts.next()?);
    let (kind, value) = key.split_at_checked(1)?;
    let key = match kind {
        "t" => Arg::Text(value.to_owned()),
        "i" => Arg::Int(value.parse().ok()?),
        "m" => Arg::Money(value.parse().ok()?),
        "d" => Arg::Time(DateTime::from_timestamp_micros(value.parse().ok()?)?),
        _ => return None,
    };
    Some((tag.to_owned(), id.to_owned(), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused() {
        for key in [
            Arg::Text("Trail ~ Runner".to_owned()),
            Arg::Int(-3),
            Arg::Money("19.90".parse().unwrap()),
            Arg::Time(DateTime::from_timestamp_micros(1_764_500_000_123_456).unwrap()),
        ] {
            let cursor = encode_cursor("price.desc", 42, &key);
            assert!(cursor.bytes().all(|b| b.is_ascii_hexdigit()));
            assert_eq!(
                decode_cursor(&cursor, 200),
                Some(("price.desc".to_owned(), "42".to_owned(), key))
            );
            assert_eq!(decode_cursor(&cursor, 4), None, "too long");
        }
        for bad in ["", "zz", "abc", &encode_cursor("x", 1, &Arg::Int(1))[..6]] {
            assert_eq!(decode_cursor(bad, 200), None, "{bad:?}");
        }
    }
}
