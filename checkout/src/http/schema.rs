//! What the checkout API's document says about requests and answers, for the handlers to cite in their
//! `#[utoipa::path]` attributes and types: the problem responses, the path and header parameters, and the
//! schemas of request fields, each stating what the parsers in `domain` accept (the document itself is built in
//! `openapi`).

use utoipa::{
    IntoParams,
    openapi::{
        Object, ObjectBuilder, Required, Type,
        path::{Parameter, ParameterBuilder, ParameterIn},
        schema::SchemaType,
    },
};

use crate::domain::{
    MAX_CITY_CHARS, MAX_NAME_CHARS, MAX_POSTAL_CODE_CHARS, MAX_QUANTITY, TestCard,
};

/// Longest accepted `Idempotency-Key`.
pub(super) const MAX_KEY_LENGTH: usize = 255;

platform::problem_response!(
    pub(super) InvalidRequest,
    "A field, parameter or header is invalid: a problem document (RFC 9457) naming it in `errors[].field`"
);
platform::problem_response!(
    pub(super) NotFound,
    "No such cart, cart line or order (a wrong order token answers the same)"
);
platform::problem_response!(
    pub(super) TooLarge,
    "The body is larger than the server accepts (64 KiB by default)"
);
platform::problem_response!(
    pub(super) RateLimited,
    "Too many requests from this address (`rate_limited`), or too many payment attempts for this cart \
     (`too_many_attempts`); nothing was done",
    retry_after
);
platform::problem_response!(
    pub(super) Unavailable,
    "The catalog, the database or the payment provider is unavailable, or the service is busy; nothing was \
     ordered or charged. Retry after Retry-After.",
    retry_after
);

/// The `{token}` of a cart path.
#[derive(Debug)]
pub(super) struct CartToken;

impl IntoParams for CartToken {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let token = string().pattern(Some("^[0-9a-f]{64}$")).build();
        vec![
            ParameterBuilder::new()
                .name("token")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("The cart's token, from its creation"))
                .schema(Some(token))
                .build(),
        ]
    }
}

/// The `Idempotency-Key` header of place-order.
#[derive(Debug)]
pub(super) struct IdempotencyKey;

impl IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let key = string()
            .min_length(Some(1))
            .max_length(Some(MAX_KEY_LENGTH))
            .pattern(Some("^[!-~]+$"))
            .build();
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(
                    "One fresh value per checkout attempt (visible ASCII); the same key and body replay the \
                     first answer",
                ))
                .schema(Some(key))
                .build(),
        ]
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// Characters `domain::parse_text` refuses anywhere (`char::is_control`).
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

/// Required text as `domain::parse_text` takes it: at most `MAX` characters, not blank, no control characters.
fn required_text<const MAX: usize>() -> Object {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX))
        .pattern(Some(format!(r"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$")))
        .build()
}

/// Optional text: absent, null or blank is none; otherwise as [`required_text`].
fn optional_text<const MAX: usize>() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(MAX))
        .pattern(Some(format!(r"^[^{CONTROL}]*$")))
        .build()
}

pub(super) fn name() -> Object {
    required_text::<MAX_NAME_CHARS>()
}

pub(super) fn line() -> Object {
    required_text::<MAX_NAME_CHARS>()
}

pub(super) fn optional_line() -> Object {
    optional_text::<MAX_NAME_CHARS>()
}

pub(super) fn city() -> Object {
    required_text::<MAX_CITY_CHARS>()
}

pub(super) fn optional_city() -> Object {
    optional_text::<MAX_CITY_CHARS>()
}

pub(super) fn postal_code() -> Object {
    required_text::<MAX_POSTAL_CODE_CHARS>()
}

/// What `domain::parse_address` takes as a country: two letters, either case, spaces around ignored.
pub(super) fn country() -> Object {
    string().pattern(Some(r"^\s*[A-Za-z]{2}\s*$")).build()
}

/// What `domain::parse_quantity` takes.
pub(super) fn quantity() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(MAX_QUANTITY))
        .build()
}

/// The mock payment provider's test cards.
pub(super) fn card_token() -> Object {
    string()
        .enum_values(Some(TestCard::TOKENS))
        .description(Some(TestCard::NAMES))
        .build()
}
