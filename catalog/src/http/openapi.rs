//! The OpenAPI 3.1 document of the catalog API, served at `/api/openapi.json`.

use axum::Json;
use serde_json::{Value, json};

use super::params::{MAX_LIMIT, MAX_QUERY_CHARS};
use crate::db::listing::Sort;

pub(super) async fn document() -> Json<Value> {
    Json(spec())
}

fn filter_parameters() -> Value {
    json!([
        {"name": "category", "in": "query", "description": "Category slug; includes its descendants", "schema": {"type": "string"}},
        {"name": "brand", "in": "query", "schema": {"type": "string", "maxLength": 128}},
        {"name": "min_price", "in": "query", "schema": {"type": "string", "pattern": "^\\d+(\\.\\d{1,2})?$"}},
        {"name": "max_price", "in": "query", "schema": {"type": "string", "pattern": "^\\d+(\\.\\d{1,2})?$"}},
        {"name": "in_stock", "in": "query", "schema": {"type": "boolean"}},
        {"name": "sort", "in": "query", "description": format!("One of {}", Sort::NAMES),
         "schema": {"type": "string", "enum": ["relevance", "price_asc", "price_desc", "popularity", "newest"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}}
    ])
}

fn spec() -> Value {
    let problem = json!({"description": "Problem document (RFC 9457) naming the invalid field",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let unavailable = json!({"description": "Database unreachable; retry after the Retry-After header",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let mut search_parameters = filter_parameters();
    if let Some(list) = search_parameters.as_array_mut() {
        list.insert(0, json!({"name": "q", "in": "query", "description": "What the shopper typed so far; the last word is a prefix",
            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS}}));
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Shop catalog API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Products, categories and search-as-you-type. Prices are decimal strings in `currency`."},
        "paths": {
            "/api/products": {"get": {
                "summary": "List active products with filters, sort and pagination",
                "parameters": filter_parameters(),
                "responses": {"200": {"description": "A page of products with total and facets",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Listing"}}}},
                    "400": problem, "503": unavailable}}},
            "/api/products/{slug}": {"get": {
                "summary": "One product with images, category path and availability",
                "parameters": [{"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The product",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductDetail"}}}},
                    "404": problem, "503": unavailable}}},
            "/api/categories": {"get": {
                "summary": "The category tree with active product counts (descendants included)",
                "responses": {"200": {"description": "The tree",
                    "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "categories": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}}}}}}},
                    "503": unavailable}}},
            "/api/search": {"get": {
                "summary": "Search as you type: prefix match on the last word, name over description, popularity as tie-breaker",
                "parameters": search_parameters,
                "responses": {"200": {"description": "Hits with highlights and facets; `engine` says which engine answered",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
                    "400": problem, "503": unavailable}}}
        },
        "components": {"schemas": {
            "Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string"}, "reason": {"type": "string"}}}}}},
            "ProductSummary": {"type": "object", "properties": {
                "sku": {"type": "string"}, "slug": {"type": "string"}, "name": {"type": "string"},
                "brand": {"type": "string"}, "price": {"type": "string", "example": "49.99"},
                "currency": {"type": "string"}, "image": {"type": ["string", "null"]},
                "in_stock": {"type": "boolean"}, "available": {"type": "integer"},
                "popularity": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}}},
            "Facets": {"type": "object", "properties": {
                "categories": {"type": "array", "items": {"type": "object", "properties": {
                    "slug": {"type": "string"}, "name": {"type": "string"}, "count": {"type": "integer"}}}},
                "brands": {"type": "array", "items": {"type": "object", "properties": {
                    "value": {"type": "string"}, "count": {"type": "integer"}}}},
                "price_ranges": {"type": "array", "items": {"type": "object", "properties": {
                    "min": {"type": "string"}, "max": {"type": ["string", "null"]}, "count": {"type": "integer"}}}}}},
            "Listing": {"type": "object", "properties": {
                "products": {"type": "array", "items": {"$ref": "#/components/schemas/ProductSummary"}},
                "total": {"type": "integer"}, "page": {"type": "integer"}, "limit": {"type": "integer"},
                "pages": {"type": "integer"}, "sort": {"type": "string"},
                "category": {"type": ["object", "null"]}, "facets": {"$ref": "#/components/schemas/Facets"}}},
            "ProductDetail": {"type": "object", "properties": {
                "sku": {"type": "string"}, "slug": {"type": "string"}, "name": {"type": "string"},
                "description": {"type": "string"}, "brand": {"type": "string"}, "status": {"type": "string"},
                "price": {"type": "string"}, "currency": {"type": "string"},
                "available": {"type": "integer"}, "in_stock": {"type": "boolean"},
                "category_path": {"type": "array", "items": {"type": "object", "properties": {
                    "slug": {"type": "string"}, "name": {"type": "string"}}}},
                "images": {"type": "array", "items": {"type": "object", "properties": {
                    "url": {"type": "string"}, "alt_text": {"type": "string"}}}},
                "version": {"type": "integer"}}},
            "CategoryNode": {"type": "object", "properties": {
                "slug": {"type": "string"}, "name": {"type": "string"}, "depth": {"type": "integer"},
                "product_count": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}}}},
            "SearchResponse": {"type": "object", "properties": {
                "engine": {"type": "string", "enum": ["mysql", "meilisearch"]},
                "query": {"type": "string"}, "total": {"type": "integer"}, "total_is_exact": {"type": "boolean"},
                "page": {"type": "integer"}, "limit": {"type": "integer"},
                "hits": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/ProductSummary"},
                    {"type": "object", "properties": {"highlight": {"type": "object", "properties": {
                        "name": {"type": "string", "description": "HTML-escaped, matches in <mark>"},
                        "brand": {"type": "string"}}}}}]}},
                "facets": {"$ref": "#/components/schemas/Facets"}, "took_ms": {"type": "number"}}}
        }}
    })
}
