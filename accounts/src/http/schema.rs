//! The accounts API's request and answer bodies and the problem responses its document names.

use chrono::{DateTime, Utc};
use platform::contracts::customers::CartLink;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::Customer;

platform::problem_response!(
    pub(super) InvalidRequest,
    "A field is invalid: a problem document (RFC 9457) naming it in `errors[].field`"
);
platform::problem_response!(
    pub(super) NotFound,
    "No such order, address or wishlist item of this customer's"
);
platform::problem_response!(
    pub(super) Conflict,
    "Not now: `code` says why (`checkout_in_progress`: the cart is being paid for; `too_many_addresses`; \
     `wishlist_full`; `orders_in_progress`: an order still needs the account's address)"
);
platform::problem_response!(
    pub(super) InvalidToken,
    "`invalid_token`: the link is unknown, already used or expired"
);
platform::problem_response!(
    pub(super) SignedOut,
    "`signed_out`: no valid session (sign in), or `invalid_credentials`: the email or password is not right"
);
platform::problem_response!(
    pub(super) NotVerified,
    "`email_not_verified`: the password is right but the address is not confirmed yet; a new link was sent"
);
platform::problem_response!(
    pub(super) RateLimited,
    "Too many requests from this address (`rate_limited`), or too many failed sign-ins \
     (`too_many_attempts`); nothing was done",
    retry_after
);
platform::problem_response!(
    pub(super) Unavailable,
    "The database or checkout is unavailable, or the service is busy. Retry after Retry-After.",
    retry_after
);

/// A password as it arrives: never printed.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
pub(super) struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[password]")
    }
}

impl Password {
    pub(super) fn secret(self) -> secrecy::SecretString {
        secrecy::SecretString::from(self.0)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SignUpRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub password: Password,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EmailRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyRequest {
    /// The token from the link's `#token=`.
    pub token: String,
    /// This browser's cart, merged into the customer's.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub cart_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SignInRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub password: Password,
    /// This browser's cart, merged into the customer's.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub cart_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetRequest {
    /// The token from the link's `#token=`.
    pub token: String,
    pub password: Password,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangePasswordRequest {
    pub current_password: Password,
    pub new_password: Password,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CartRequest {
    /// This browser's cart; null to only look the customer's cart up.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub cart_token: Option<String>,
}

/// The answer to a request that may email a link: always the same, whatever the address.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Accepted {
    /// `check_email`.
    pub status: &'static str,
}

impl Accepted {
    pub(super) const CHECK_EMAIL: Self = Self {
        status: "check_email",
    };
}

/// A customer as their account pages show them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Customer)]
pub(super) struct CustomerView {
    #[schema(value_type = String, format = "uuid")]
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Customer> for CustomerView {
    fn from(customer: Customer) -> Self {
        Self {
            id: customer.id,
            email: customer.email,
            name: customer.name,
            email_verified: customer.email_verified_at.is_some(),
            created_at: customer.created_at,
        }
    }
}

/// Signed in: who, and the cart to use from now on.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SignedInView {
    pub customer: CustomerView,
    pub cart: CartLink,
}

/// The signed-in customer.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AccountView {
    pub customer: CustomerView,
    /// The customer's cart; null when they have none, or checkout could not be asked.
    #[schema(required = true)]
    pub cart_token: Option<String>,
}

/// The customer's cart after linking this browser's.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CartView {
    pub cart: CartLink,
}

/// `?before=`: the `next` of the previous page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct OrdersQuery {
    /// The previous page's `next`.
    pub before: Option<String>,
}

/// A shipping address to save. `is_default` makes it the default (the first one saved always is).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AddressRequest {
    /// The person at the address.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 200)]
    pub line1: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub city: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub region: Option<String>,
    #[schema(min_length = 1, max_length = 20)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub country: String,
    #[serde(default)]
    pub is_default: Option<bool>,
}

/// A saved shipping address.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SavedAddress)]
pub(super) struct AddressView {
    pub id: u64,
    pub name: String,
    pub line1: String,
    #[schema(required = true)]
    pub line2: Option<String>,
    pub city: String,
    #[schema(required = true)]
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
    pub is_default: bool,
}

impl From<crate::db::addresses::Saved> for AddressView {
    fn from(saved: crate::db::addresses::Saved) -> Self {
        Self {
            id: saved.id,
            name: saved.name,
            line1: saved.address.line1,
            line2: saved.address.line2,
            city: saved.address.city,
            region: saved.address.region,
            postal_code: saved.address.postal_code,
            country: saved.address.country,
            is_default: saved.is_default,
        }
    }
}

/// The customer's saved addresses, the default first.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AddressesView {
    pub addresses: Vec<AddressView>,
}

/// A wishlist item with the catalog's current price and stock.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WishlistItem)]
pub(super) struct WishlistItemView {
    pub sku: String,
    pub name: String,
    pub slug: String,
    #[schema(required = true)]
    pub image: Option<String>,
    /// Today's price; null when the catalog could not be asked or no longer sells it.
    #[schema(required = true, value_type = Option<String>)]
    pub price: Option<rust_decimal::Decimal>,
    pub currency: String,
    /// Units that can be bought now; null when the catalog could not be asked.
    #[schema(required = true)]
    pub available: Option<u32>,
    /// False when it is no longer sold (as far as the catalog could be asked).
    pub for_sale: bool,
    pub added_at: DateTime<Utc>,
}

impl From<crate::wishlist::Entry> for WishlistItemView {
    fn from(entry: crate::wishlist::Entry) -> Self {
        let quote = entry.quote;
        Self {
            for_sale: !entry.checked || quote.as_ref().is_some_and(|quote| quote.sellable),
            price: quote.as_ref().map(|quote| quote.price),
            currency: quote
                .as_ref()
                .map_or_else(|| "USD".to_owned(), |quote| quote.currency.clone()),
            available: match (&quote, entry.checked) {
                (Some(quote), _) => Some(if quote.sellable { quote.available } else { 0 }),
                (None, true) => Some(0),
                (None, false) => None,
            },
            sku: entry.item.sku,
            name: entry.item.name,
            slug: entry.item.slug,
            image: entry.item.image,
            added_at: entry.item.added_at,
        }
    }
}

/// The customer's wishlist, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct WishlistView {
    pub items: Vec<WishlistItemView>,
}

/// The password, to confirm deleting the account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DeleteAccountRequest {
    pub password: Password,
}
