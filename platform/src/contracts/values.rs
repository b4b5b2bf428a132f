//! The values every service passes around and must agree on: a SKU, an order number, an email address.
//!
//! Each is a newtype that can only hold a well-formed value (parse, don't validate): a service parses its input
//! once at the edge and passes the type on. They serialize as plain strings; deserializing one checks it, so an
//! event or a request carrying a malformed value is refused where it is read, naming the field.
//!
//! These shapes are part of the contract between services, not one service's rules: a SKU and an order number
//! travel into NATS subject tokens, SQS group ids and attributes, email headers and file names, and are safe in
//! every one of them (no control characters, spaces, dots or wildcards).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value was refused: which kind of value, and what it must look like. The caller names the field (a
/// JSON path such as `lines[2].sku`) when it reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what} {expected}")]
pub struct InvalidValue {
    /// The kind of value, as a field would be named: `sku`, `order_number`, `email`.
    pub what: &'static str,
    /// What a valid one looks like, for the shopper or the operator reading the error.
    pub expected: &'static str,
}

impl InvalidValue {
    /// The message without the kind: "must be …".
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        // Read-only views as text: the value cannot be changed through them, so the type keeps its promise.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Stored as text; reading one back checks it again, so a bad row is an error where it is read rather than
        // a malformed value travelling on.
        impl sqlx::Type<sqlx::MySql> for $name {
            fn type_info() -> sqlx::mysql::MySqlTypeInfo {
                <str as sqlx::Type<sqlx::MySql>>::type_info()
            }

            fn compatible(ty: &sqlx::mysql::MySqlTypeInfo) -> bool {
                <str as sqlx::Type<sqlx::MySql>>::compatible(ty)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::MySql> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::MySql as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::MySql>>::encode(self.0.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::MySql> for $name {
            fn decode(
                value: <sqlx::MySql as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, sqlx::MySql>>::decode(value)?;
                Ok(Self::parse(text)?)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }
    };
}

/// A stock keeping unit: 1 to [`Sku::MAX_LEN`] characters of `A-Z`, `0-9` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 32;
    const INVALID: InvalidValue = InvalidValue {
        what: "sku",
        expected: "must be 1 to 32 characters of A-Z, 0-9 and -",
    };

    /// Surrounding white space is forgiven (a pasted SKU); nothing else is.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let value = value.trim();
        let valid = !value.is_empty()
            && value.len() <= Self::MAX_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(Self::INVALID)
        }
    }
}

string_newtype!(Sku);

/// An order number: ASCII letters, digits and `-`, starting with a letter or digit, at most
/// [`OrderNumber::MAX_LEN`] characters.
///
/// Checkout makes `SH-` and 8 characters of Crockford base 32; every service accepts this wider shape so that a
/// future format does not need them all changed at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderNumber(String);

impl OrderNumber {
    pub const MAX_LEN: usize = 64;
    const INVALID: InvalidValue = InvalidValue {
        what: "order_number",
        expected: "must be an order number like SH-7K2M9Q4T (1 to 64 letters, digits and -)",
    };

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let valid = !value.is_empty()
            && value.len() <= Self::MAX_LEN
            && !value.starts_with('-')
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(Self::INVALID)
        }
    }
}

string_newtype!(OrderNumber);

/// A plausible email address: one `@`, something on both sides, a dot in the domain, at most 254 characters,
/// no white space, control or invisible characters (a CR/LF would let a value add a header to an email).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;
    const INVALID: InvalidValue = InvalidValue {
        what: "email",
        expected: "not a valid email address",
    };

    /// Surrounding white space is forgiven (a pasted address); nothing else is.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let value = value.trim();
        let valid = value.len() <= Self::MAX_LEN
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(Self::INVALID)
        }
    }
}

string_newtype!(Email);

/// How the values look in the services' OpenAPI documents: what `parse` accepts, as a JSON Schema pattern.
#[cfg(feature = "openapi")]
mod schemas {
    use utoipa::{
        PartialSchema, ToSchema,
        openapi::{KnownFormat, ObjectBuilder, RefOr, SchemaFormat, Type, schema::Schema},
    };

    use super::{Email, OrderNumber, Sku};

    /// Characters `char::is_control` refuses, and those `is_invisible` does (keep the two lists in step).
    const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
    const INVISIBLE: &str =
        r"\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF";

    fn text(description: &str, pattern: String) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .pattern(Some(pattern))
    }

    impl PartialSchema for Sku {
        fn schema() -> RefOr<Schema> {
            let pattern = format!(r"^\s*[A-Z0-9-]{{1,{}}}\s*$", Sku::MAX_LEN);
            text("A stock keeping unit, like BB-1234567", pattern)
                .build()
                .into()
        }
    }

    impl ToSchema for Sku {}

    impl PartialSchema for OrderNumber {
        fn schema() -> RefOr<Schema> {
            let pattern = format!(
                r"^[A-Za-z0-9][A-Za-z0-9-]{{0,{}}}$",
                OrderNumber::MAX_LEN - 1
            );
            text("An order number, like SH-7K2M9Q4T", pattern)
                .build()
                .into()
        }
    }

    impl ToSchema for OrderNumber {}

    impl PartialSchema for Email {
        fn schema() -> RefOr<Schema> {
            // One `@` with something before it; a domain with a dot, neither first nor last; no white space,
            // control or invisible characters. Surrounding white space is forgiven.
            let part = format!(r"[^\s@{CONTROL}{INVISIBLE}]");
            let edge = format!(r"[^\s@.{CONTROL}{INVISIBLE}]");
            let pattern = format!(r"^\s*{part}+@{edge}{part}*\.{part}*{edge}\s*$");
            text("An email address", pattern)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
                .max_length(Some(Email::MAX_LEN))
                .build()
                .into()
        }
    }

    impl ToSchema for Email {}
}

/// Zero-width and bidirectional formatting characters: invisible in an address, and never needed in one.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_upper_case_letters_digits_and_dashes_of_bounded_length() {
        assert_eq!(Sku::parse(" BB-0001 ").unwrap().as_str(), "BB-0001");
        assert!(Sku::parse(&"A".repeat(Sku::MAX_LEN)).is_ok());
        for bad in [
            "",
            "bb-1",
            "A B",
            "A.B",
            "A*",
            &"A".repeat(Sku::MAX_LEN + 1),
        ] {
            assert_eq!(Sku::parse(bad).unwrap_err().what, "sku", "{bad:?}");
        }
    }

    #[test]
    fn order_numbers_are_letters_digits_and_dashes_of_bounded_length() {
        for good in [
            "SH-7K2M9Q4T",
            "ORD-1",
            "a1",
            &"A".repeat(OrderNumber::MAX_LEN),
        ] {
            assert!(OrderNumber::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-SH1",
            "SH 1",
            "SH.1",
            "SH*",
            "SH>",
            "SH_1",
            "SH\r\nX",
            "ÄÖ",
            &"A".repeat(OrderNumber::MAX_LEN + 1),
        ] {
            assert_eq!(
                OrderNumber::parse(bad).unwrap_err().what,
                "order_number",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn emails_are_plausible_and_cannot_smuggle_headers_or_hide_characters() {
        assert_eq!(
            Email::parse(" ana@example.com ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@example",
            "ana@.example.com",
            "ana@example.com.",
            "ana@@example.com",
            "ana b@example.com",
            "ana@example.com\r\nBcc: x@y.z",
            "ana\u{200B}@example.com",
            "ana\u{202E}@example.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().what, "email", "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(Email::MAX_LEN));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn values_deserialize_only_when_well_formed() {
        let sku: Sku = serde_json::from_str("\"BB-1\"").unwrap();
        assert_eq!(serde_json::to_string(&sku).unwrap(), "\"BB-1\"");
        assert!(serde_json::from_str::<OrderNumber>("\"SH 1\"").is_err());
        assert!(serde_json::from_str::<Email>("\"nobody\"").is_err());
    }
}

/// A field of a request that cannot be used: the field's path (`shipping_address.city`) and why, never the
/// value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidField {
    pub field: String,
    pub reason: String,
}

impl InvalidField {
    pub fn new(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}
