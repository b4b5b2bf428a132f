//! Query-string parameters parsed into validated values; every refusal names its parameter. The same limits
//! describe the parameters in the OpenAPI document ([`ListingParameters`], [`SearchParameters`]).

use std::str::FromStr;

use rust_decimal::Decimal;
use utoipa::{
    IntoParams, PartialSchema as _,
    openapi::{
        Object, ObjectBuilder, RefOr, Required, Type,
        path::{Parameter, ParameterBuilder, ParameterIn},
        schema::Schema,
    },
};

use crate::{db::listing::Sort, domain::InvalidValue, products::FilterQuery};

/// Most results per page, and how deep pagination may go (page × limit).
pub const MAX_LIMIT: u32 = 100;
pub const MAX_WINDOW: u32 = 10_000;
/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
const MAX_PRICE: u32 = 1_000_000_000;
/// Longest category slug and brand filter, in characters.
pub const MAX_CATEGORY_CHARS: usize = 512;
pub const MAX_BRAND_CHARS: usize = 128;
/// What a price filter looks like: a non-negative decimal with at most two decimal places.
const PRICE_PATTERN: &str = r"^\d+(\.\d{1,2})?$";

/// The raw pairs of a query string; the last value of a repeated key wins.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The value of `key`, `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn text(&self, key: &str, max_chars: usize) -> Result<Option<String>, InvalidValue> {
        match self.get(key) {
            Some(value) if value.chars().count() > max_chars => Err(InvalidValue::new(
                key,
                format!("at most {max_chars} characters"),
            )),
            other => Ok(other.map(str::to_owned)),
        }
    }

    pub fn number(&self, key: &str, default: u32, min: u32, max: u32) -> Result<u32, InvalidValue> {
        let Some(value) = self.get(key) else {
            return Ok(default);
        };
        match u32::from_str(value) {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(InvalidValue::new(
                key,
                format!("must be a whole number from {min} to {max}"),
            )),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, InvalidValue> {
        match self.get(key) {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(_) => Err(InvalidValue::new(key, "must be true or false")),
        }
    }

    pub fn price(&self, key: &str) -> Result<Option<Decimal>, InvalidValue> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let price = Decimal::from_str(value)
            .map_err(|_| InvalidValue::new(key, "must be a decimal number like 19.99"))?;
        if price.is_sign_negative() {
            return Err(InvalidValue::new(key, "must not be negative"));
        }
        if price > Decimal::from(MAX_PRICE) {
            return Err(InvalidValue::new(
                key,
                format!("must be at most {MAX_PRICE}"),
            ));
        }
        if price.normalize().scale() > 2 {
            return Err(InvalidValue::new(key, "at most two decimal places"));
        }
        Ok(Some(price))
    }

    pub fn sort(&self, default: Sort) -> Result<Sort, InvalidValue> {
        match self.get("sort") {
            None => Ok(default),
            Some(value) => Sort::parse(value).ok_or_else(|| {
                InvalidValue::new("sort", format!("must be one of {}", Sort::NAMES))
            }),
        }
    }

    /// The filter parameters shared by the listing and search: `category` (a slug), `brand`, `min_price`,
    /// `max_price`, `in_stock`.
    pub fn filter(&self) -> Result<FilterQuery, InvalidValue> {
        let category = self.text("category", MAX_CATEGORY_CHARS)?;
        let min_price = self.price("min_price")?;
        let max_price = self.price("max_price")?;
        if let (Some(min), Some(max)) = (min_price, max_price)
            && min > max
        {
            return Err(InvalidValue::new(
                "min_price",
                "must not be above max_price",
            ));
        }
        Ok(FilterQuery {
            category,
            brand: self.text("brand", MAX_BRAND_CHARS)?,
            min_price,
            max_price,
            in_stock: self.flag("in_stock")?,
        })
    }

    /// `page` and `limit`, with the window they open bounded by [`MAX_WINDOW`].
    pub fn pagination(&self, default_limit: u32) -> Result<(u32, u32), InvalidValue> {
        let limit = self.number("limit", default_limit, 1, MAX_LIMIT)?;
        let page = self.number("page", 1, 1, MAX_WINDOW / limit)?;
        Ok((page, limit))
    }
}

/// The listing's query parameters (`GET /api/products`), for the OpenAPI document.
#[derive(Debug)]
pub struct ListingParameters;

/// The search's query parameters (`GET /api/search`): `q`, then the listing's.
#[derive(Debug)]
pub struct SearchParameters;

impl IntoParams for ListingParameters {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        filter_parameters()
    }
}

impl IntoParams for SearchParameters {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let q = text(MAX_QUERY_CHARS);
        let mut parameters = vec![query(
            "q",
            "What the shopper typed so far; the last word is a prefix",
            q,
        )];
        parameters.extend(filter_parameters());
        parameters
    }
}

fn filter_parameters() -> Vec<Parameter> {
    let price = |name| {
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(PRICE_PATTERN))
            .build();
        query(
            name,
            &format!("A price in the shop's currency, at most {MAX_PRICE}"),
            schema,
        )
    };
    vec![
        query(
            "category",
            "Category slug; includes its descendants. An unknown slug is refused.",
            text(MAX_CATEGORY_CHARS),
        ),
        query("brand", "Exact brand name", text(MAX_BRAND_CHARS)),
        price("min_price"),
        price("max_price"),
        query(
            "in_stock",
            "Only products with units available",
            bool::schema(),
        ),
        query("sort", &format!("One of {}", Sort::NAMES), Sort::schema()),
        query(
            "page",
            &format!("From 1; page × limit is at most {MAX_WINDOW}"),
            integer(1, MAX_WINDOW),
        ),
        query("limit", "Results per page", integer(1, MAX_LIMIT)),
    ]
}

fn query(name: &str, description: &str, schema: impl Into<RefOr<Schema>>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn text(max_chars: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max_chars))
        .build()
}

fn integer(min: u32, max: u32) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn field_of(err: InvalidValue) -> String {
        err.field
    }

    #[test]
    fn prices_must_be_non_negative_with_at_most_two_decimals() {
        assert_eq!(
            params(&[("min_price", "19.99")])
                .price("min_price")
                .unwrap(),
            Some(Decimal::new(1999, 2))
        );
        assert_eq!(
            field_of(
                params(&[("min_price", "-1")])
                    .price("min_price")
                    .unwrap_err()
            ),
            "min_price"
        );
        assert!(
            params(&[("max_price", "1.999")])
                .price("max_price")
                .is_err()
        );
        assert!(params(&[("max_price", "abc")]).price("max_price").is_err());
    }

    #[test]
    fn page_size_and_depth_are_bounded() {
        assert_eq!(params(&[]).pagination(24).unwrap(), (1, 24));
        assert_eq!(
            field_of(params(&[("limit", "0")]).pagination(24).unwrap_err()),
            "limit"
        );
        assert_eq!(
            field_of(params(&[("limit", "101")]).pagination(24).unwrap_err()),
            "limit"
        );
        assert_eq!(
            field_of(
                params(&[("page", "10000"), ("limit", "50")])
                    .pagination(24)
                    .unwrap_err()
            ),
            "page"
        );
    }

    #[test]
    fn unknown_sorts_are_refused_by_name() {
        assert_eq!(
            field_of(
                params(&[("sort", "cheapest")])
                    .sort(Sort::Relevance)
                    .unwrap_err()
            ),
            "sort"
        );
    }
}
