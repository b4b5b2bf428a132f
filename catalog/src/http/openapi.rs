//! The OpenAPI 3.1 document of the catalog API, served at `/api/openapi.json`. It is derived from the
//! handlers' `#[utoipa::path]` attributes and the types they answer with, so it cannot drift from them.
//! `catalog/openapi.json` is a copy checked in for the storefront, whose API types are generated from it; a
//! test fails when that copy differs from this document (`UPDATE_OPENAPI=1` rewrites it).

use axum::Json;
use platform::http_error::Problem;
use utoipa::OpenApi;

use super::schema::{InvalidRequest, NotFound, Unavailable};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shop catalog API",
        description = "Products, categories and search-as-you-type. Prices are decimal strings in `currency`."
    ),
    paths(
        super::products::list,
        super::products::detail,
        super::products::related,
        super::alerts::request,
        super::alerts::view,
        super::alerts::unsubscribe,
        super::categories::tree,
        super::search::search,
        crate::images::http::serve
    ),
    components(
        schemas(Problem),
        responses(
            InvalidRequest,
            NotFound,
            Unavailable,
            super::alerts::InStock,
            super::alerts::UnknownAlert,
            crate::images::http::NoSuchPhoto,
            crate::images::http::PhotosUnavailable
        )
    )
)]
struct CatalogApi;

/// The document, as served and as checked in.
fn document() -> utoipa::openapi::OpenApi {
    CatalogApi::openapi()
}

pub(super) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_every_route_and_the_checked_in_copy_is_current() {
        let pretty = document().to_pretty_json().unwrap();
        let document: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        for path in [
            "/api/products",
            "/api/products/{slug}",
            "/api/products/{slug}/related",
            "/api/stock-alerts/{token}",
            "/api/categories",
            "/api/search",
            "/images/{key}/{size}.jpg",
        ] {
            assert!(document["paths"][path]["get"].is_object(), "{path} missing");
        }
        assert!(document["paths"]["/api/products/{slug}/stock-alerts"]["post"].is_object());
        assert!(document["paths"]["/api/stock-alerts/{token}"]["delete"].is_object());
        platform::testing::assert_checked_in_openapi(
            &pretty,
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json"),
        );
    }
}
