//! The OpenAPI 3.1 document of the accounts API, served at `/api/account/openapi.json`, derived from the
//! handlers' `#[utoipa::path]` attributes. `accounts/openapi.json` is a copy checked in for the storefront,
//! whose API types are generated from it; a test fails when that copy differs (`UPDATE_OPENAPI=1` rewrites
//! it).

use axum::Json;
use platform::http_error::Problem;
use utoipa::OpenApi;

use super::schema::{
    Conflict, InvalidRequest, InvalidToken, NotFound, NotVerified, RateLimited, SignedOut,
    Unavailable,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shop accounts API",
        description = "Shopper accounts: sign-up with a confirmed address, sign-in (an HttpOnly session \
                       cookie), password reset and change, the cart that follows the shopper, order \
                       history, saved addresses, the wishlist, and the customer's data (export, \
                       deleting the account)."
    ),
    paths(
        super::handlers::sign_up,
        super::handlers::verify,
        super::handlers::resend_verification,
        super::handlers::sign_in,
        super::handlers::sign_out,
        super::handlers::me,
        super::handlers::cart,
        super::handlers::request_reset,
        super::handlers::reset_password,
        super::handlers::change_password,
        super::customer::orders,
        super::customer::order,
        super::customer::reorder,
        super::customer::claim,
        super::customer::list_addresses,
        super::customer::create_address,
        super::customer::update_address,
        super::customer::delete_address,
        super::customer::wishlist,
        super::customer::save_to_wishlist,
        super::customer::remove_from_wishlist,
        super::customer::export,
        super::customer::delete_account
    ),
    components(
        schemas(Problem),
        responses(
            Conflict,
            InvalidRequest,
            InvalidToken,
            NotFound,
            SignedOut,
            NotVerified,
            RateLimited,
            Unavailable
        )
    )
)]
struct AccountsApi;

pub(super) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(AccountsApi::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_every_route_and_the_checked_in_copy_is_current() {
        let document = AccountsApi::openapi();
        let json = serde_json::to_string_pretty(&document).unwrap();
        platform::testing::assert_checked_in_openapi(
            &json,
            concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"),
        );
    }
}
