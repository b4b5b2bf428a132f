//! The OpenAPI 3.1 document of the checkout API, served at `/api/checkout/openapi.json`. It is derived from
//! the handlers' `#[utoipa::path]` attributes and the types they read and answer with, so it cannot drift from
//! them; the schemas of request fields below say what the parsers in `domain` accept, and a test drives those
//! parsers at every limit the document states. `checkout/openapi.json` is a copy checked in for the
//! storefront, whose API types are generated from it; a test fails when that copy differs from this document
//! (`UPDATE_OPENAPI=1` rewrites it).

use axum::Json;
use platform::{contracts::catalog::ShortLine, http_error::Problem};
use utoipa::OpenApi;

use super::schema::{InvalidRequest, NotFound, RateLimited, TooLarge, Unavailable};
use crate::{domain::TestCard, orders::attempt::PriceChange};

#[derive(OpenApi)]
#[openapi(
    info(title = "Shop checkout API"),
    paths(
        super::carts::create,
        super::carts::get,
        super::carts::totals,
        super::carts::add_item,
        super::carts::set_quantity,
        super::carts::remove_item,
        super::carts::apply_coupon,
        super::carts::remove_coupon,
        super::orders::place,
        super::orders::lookup
    ),
    components(
        schemas(Problem, ShortLine, PriceChange),
        responses(InvalidRequest, NotFound, TooLarge, RateLimited, Unavailable)
    )
)]
struct CheckoutApi;

/// The document, as served and as checked in.
fn document() -> utoipa::openapi::OpenApi {
    let mut document = CheckoutApi::openapi();
    document.info.description = Some(format!(
        "Guest carts, place-order and order lookup. Money is a decimal string. Test cards: {}.",
        TestCard::NAMES
    ));
    document
}

pub(super) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse as _;
    use platform::http_error::ApiError;
    use rust_decimal::Decimal;
    use serde_json::{Value, json};

    use super::*;
    use crate::{
        carts::CartError,
        domain::{OrderNumber, Sku, parse_quantity, parse_sku},
        http::orders::parse_request,
        orders::attempt::PlaceError,
    };

    fn generated() -> (String, Value) {
        let pretty = document().to_pretty_json().unwrap();
        let value = serde_json::from_str(&pretty).unwrap();
        (pretty, value)
    }

    #[test]
    fn the_document_names_every_route_and_the_checked_in_copy_is_current() {
        let (pretty, document) = generated();
        assert_eq!(document["openapi"], "3.1.0");
        for (path, method) in [
            ("/api/carts", "post"),
            ("/api/carts/{token}", "get"),
            ("/api/carts/{token}/items", "post"),
            ("/api/carts/{token}/items/{sku}", "put"),
            ("/api/carts/{token}/items/{sku}", "delete"),
            ("/api/orders", "post"),
            ("/api/orders/{number}", "get"),
        ] {
            assert!(
                document["paths"][path][method].is_object(),
                "{method} {path} missing"
            );
        }
        platform::testing::assert_checked_in_openapi(
            &pretty,
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json"),
        );
    }

    fn valid_order() -> Value {
        json!({
            "cart_token": "token",
            "email": "ann@example.com",
            "customer_name": "Ann Smith",
            "shipping_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "us"},
            "shipping_method": "standard",
            "card_token": "tok_visa",
        })
    }

    /// The field a refused body is refused for.
    fn refused_field(body: &Value) -> String {
        match parse_request(body.to_string().as_bytes()) {
            Ok(_) => panic!("accepted: {body}"),
            Err(ApiError::InvalidField { field, .. }) => field,
            Err(other) => panic!("{other:?} for {body}"),
        }
    }

    fn accepted(body: &Value) -> bool {
        parse_request(body.to_string().as_bytes()).is_ok()
    }

    #[test]
    fn the_place_order_schema_states_exactly_the_limits_the_parser_applies() {
        let (_, document) = generated();
        let schemas = &document["components"]["schemas"];
        assert!(accepted(&valid_order()));
        for (prefix, name) in [("", "PlaceOrder"), ("shipping_address.", "ShippingAddress")] {
            let schema = &schemas[name];
            let pointer = if prefix.is_empty() {
                String::new()
            } else {
                "/shipping_address".to_owned()
            };
            for required in schema["required"].as_array().unwrap() {
                let required = required.as_str().unwrap();
                let mut body = valid_order();
                body.pointer_mut(&pointer)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .remove(required);
                assert_eq!(refused_field(&body), format!("{prefix}{required}"));
            }
            for (field, property) in schema["properties"].as_object().unwrap() {
                let Some(max) = property["maxLength"].as_u64() else {
                    continue;
                };
                let max = usize::try_from(max).unwrap();
                let of_length = |chars: usize| {
                    if field == "email" {
                        format!("{}@example.com", "a".repeat(chars - "@example.com".len()))
                    } else {
                        "a".repeat(chars)
                    }
                };
                let with_length = |chars: usize| {
                    let mut body = valid_order();
                    body.pointer_mut(&pointer).unwrap()[field.as_str()] = json!(of_length(chars));
                    body
                };
                assert!(
                    accepted(&with_length(max)),
                    "{prefix}{field}: {max} characters refused"
                );
                assert_eq!(
                    refused_field(&with_length(max + 1)),
                    format!("{prefix}{field}")
                );
            }
        }
        let enums = [
            ("shipping_method", &schemas["ShippingMethod"]["enum"]),
            (
                "card_token",
                &schemas["PlaceOrder"]["properties"]["card_token"]["enum"],
            ),
        ];
        for (field, values) in enums {
            for value in values.as_array().unwrap() {
                let mut body = valid_order();
                body[field] = value.clone();
                assert!(accepted(&body), "{field} {value} refused");
            }
            let mut body = valid_order();
            body[field] = json!("other");
            assert_eq!(refused_field(&body), field);
        }
        let mut body = valid_order();
        body["shipping_address"]["country"] = json!("USA");
        assert_eq!(refused_field(&body), "shipping_address.country");
        let mut body = valid_order();
        body["email"] = json!("ann@localhost");
        assert_eq!(refused_field(&body), "email");
    }

    #[test]
    fn the_cart_schemas_state_the_quantity_and_sku_limits() {
        let (_, document) = generated();
        let quantity = &document["components"]["schemas"]["AddItem"]["properties"]["quantity"];
        let min = quantity["minimum"].as_i64().unwrap();
        let max = quantity["maximum"].as_i64().unwrap();
        assert!(parse_quantity("quantity", min).is_ok());
        assert!(parse_quantity("quantity", max).is_ok());
        assert!(parse_quantity("quantity", min - 1).is_err());
        assert!(parse_quantity("quantity", max + 1).is_err());
        assert_eq!(
            document["components"]["schemas"]["SetQuantity"]["properties"]["quantity"],
            *quantity
        );
        assert!(parse_sku("sku", &"A".repeat(32)).is_ok());
        assert!(parse_sku("sku", &"A".repeat(33)).is_err());
        assert!(parse_sku("sku", "a-1").is_err());
    }

    /// Every member a problem document has is one the `Problem` schema names.
    #[tokio::test]
    async fn problem_documents_hold_only_documented_members() {
        let line = ShortLine {
            sku: Sku::parse("A-1").unwrap(),
            requested: 3,
            available: 1,
        };
        let errors: Vec<ApiError> = vec![
            CartError::InsufficientStock {
                sku: "A-1".to_owned(),
                requested: 3,
                available: 1,
            }
            .into(),
            CartError::UnknownSku("A-1".to_owned()).into(),
            PlaceError::CartNotFound.into(),
            PlaceError::CartEmpty.into(),
            PlaceError::PriceChanged(vec![PriceChange {
                sku: Sku::parse("A-1").unwrap(),
                name: "A".to_owned(),
                old_price: Decimal::ONE,
                new_price: Decimal::TWO,
            }])
            .into(),
            PlaceError::OutOfStock(vec![line]).into(),
            PlaceError::Declined {
                number: OrderNumber::parse("SH-1").unwrap(),
                reason: "declined".to_owned(),
            }
            .into(),
        ];
        for err in errors {
            let body = axum::body::to_bytes(err.into_response().into_body(), usize::MAX)
                .await
                .unwrap();
            if let Err(e) = serde_json::from_slice::<Problem>(&body) {
                panic!("{e}: {}", String::from_utf8_lossy(&body));
            }
        }
    }
}
