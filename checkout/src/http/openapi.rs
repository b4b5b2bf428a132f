//! The OpenAPI 3.1 document of the checkout API, served at `/api/checkout/openapi.json`.

use axum::Json;
use serde_json::{Value, json};

use crate::domain::{MAX_QUANTITY, ShippingMethod, TestCard};

pub(super) async fn document() -> Json<Value> {
    let problem = json!({"description": "Problem document (RFC 9457); `errors[].field` names the invalid field",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let unavailable = json!({"description": "The catalog, database or payment provider is unavailable; retry after Retry-After. Nothing was ordered or charged.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let token = json!({"name": "token", "in": "path", "required": true,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}});
    let limited = json!({"description": "Too many requests from this address (`rate_limited`) or too many payment attempts for this cart (`too_many_attempts`); wait Retry-After seconds. Nothing was done.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let too_large = json!({"description": "The body is larger than the server accepts (64 KiB by default)",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let cart = json!({"description": "The cart; each line flags a changed price or availability",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cart"}}}});
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Shop checkout API", "version": env!("CARGO_PKG_VERSION"),
                 "description": format!("Guest carts, place-order and order lookup. Money is a decimal string. Test cards: {}.", TestCard::NAMES)},
        "paths": {
            "/api/carts": {"post": {"summary": "Create a guest cart; keep its token", "responses": {"201": cart, "429": limited}}},
            "/api/carts/{token}": {"get": {"summary": "The cart with current prices and stock", "parameters": [token],
                "responses": {"200": cart, "404": problem}}},
            "/api/carts/{token}/items": {"post": {"summary": "Add units of a product",
                "parameters": [token],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                    "required": ["sku", "quantity"], "properties": {"sku": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY}}}}}},
                "responses": {"200": cart, "400": problem, "404": problem, "409": problem, "413": too_large, "422": problem, "429": limited, "503": unavailable}}},
            "/api/carts/{token}/items/{sku}": {
                "put": {"summary": "Change a line's quantity", "parameters": [token, {"name": "sku", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                        "required": ["quantity"], "properties": {"quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY}}}}}},
                    "responses": {"200": cart, "400": problem, "404": problem, "409": problem, "413": too_large, "429": limited, "503": unavailable}},
                "delete": {"summary": "Remove a line", "parameters": [token, {"name": "sku", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": cart, "404": problem, "409": problem, "429": limited}}},
            "/api/orders": {"post": {
                "summary": "Place the order for a cart. The same Idempotency-Key and body replay the first response byte for byte (also after a crash: a retry resumes the same order and never charges twice); the same key with another body is 422; while the first is running, 409 in_progress. One attempt at a time holds a cart: another answers 409 checkout_in_progress and charges nothing.",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": true,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlaceOrder"}}}},
                "responses": {
                    "201": {"description": "Placed and paid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
                    "400": problem, "402": problem, "404": problem,
                    "409": {"description": "price_changed (the cart now shows the new prices), out_of_stock (lines with available quantities), cart_converted, checkout_in_progress (another attempt holds the cart; Retry-After) or in_progress (this key's first request is still running; Retry-After)",
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                    "413": too_large, "422": problem, "429": limited, "503": unavailable}}},
            "/api/orders/{number}": {"get": {"summary": "An order, with the lookup token from its confirmation",
                "parameters": [{"name": "number", "in": "path", "required": true, "schema": {"type": "string"}},
                               {"name": "token", "in": "query", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
                              "404": problem}}}
        },
        "components": {"schemas": {
            "Problem": {"type": "object", "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"}, "code": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
                "lines": {"type": "array", "items": {"type": "object"}}}},
            "Cart": {"type": "object", "properties": {"token": {"type": "string"},
                "state": {"type": "string", "enum": ["open", "checking_out", "converted"],
                    "description": "checking_out: a place-order attempt holds the cart; its lines cannot change meanwhile"},
                "currency": {"type": "string"}, "max_quantity": {"type": "integer"},
                "expires_at": {"type": "string", "format": "date-time"},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "sku": {"type": "string"}, "name": {"type": "string"}, "quantity": {"type": "integer"},
                    "slug": {"type": "string"}, "image": {"type": ["string", "null"]},
                    "unit_price": {"type": "string"}, "line_total": {"type": "string"}, "current_price": {"type": ["string", "null"]},
                    "available": {"type": ["integer", "null"]}, "price_changed": {"type": "boolean"}, "availability_changed": {"type": "boolean"}}}},
                "subtotal": {"type": "string"}, "item_count": {"type": "integer"}, "checked": {"type": "boolean"}, "has_changes": {"type": "boolean"}}},
            "Address": {"type": "object", "required": ["line1", "city", "postal_code", "country"], "properties": {
                "line1": {"type": "string"}, "line2": {"type": "string"}, "city": {"type": "string"}, "region": {"type": "string"},
                "postal_code": {"type": "string"}, "country": {"type": "string", "description": "ISO 3166-1 alpha-2"}}},
            "PlaceOrder": {"type": "object", "required": ["cart_token", "email", "customer_name", "shipping_address", "shipping_method", "card_token"],
                "properties": {"cart_token": {"type": "string"}, "email": {"type": "string", "format": "email"},
                    "customer_name": {"type": "string"}, "shipping_address": {"$ref": "#/components/schemas/Address"},
                    "shipping_method": {"type": "string", "description": ShippingMethod::NAMES},
                    "card_token": {"type": "string", "description": TestCard::NAMES}}},
            "Order": {"type": "object", "properties": {"number": {"type": "string"}, "state": {"type": "string"},
                "email": {"type": "string"}, "customer_name": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"}, "shipping_method": {"type": "string"},
                "lines": {"type": "array", "items": {"type": "object", "properties": {
                    "sku": {"type": "string"}, "name": {"type": "string"}, "unit_price": {"type": "string"},
                    "quantity": {"type": "integer"}, "line_total": {"type": "string"}}}}, "subtotal": {"type": "string"}, "shipping": {"type": "string"},
                "tax": {"type": "string"}, "total": {"type": "string"}, "currency": {"type": "string"},
                "shipping_address": {"$ref": "#/components/schemas/Address"}, "lookup_token": {"type": "string"}, "order_url": {"type": "string"}}}
        }}
    }))
}
