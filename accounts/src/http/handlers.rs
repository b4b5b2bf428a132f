//! The handlers of `/api/account/*`. Each checks its whole input before anything is written, and answers a
//! request that may email a link the same whatever the address (see [`crate::auth`]).

use std::time::Duration;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use platform::{
    contracts::customers::CartLink,
    cookies,
    http_error::{ApiError, json_body},
    login_throttle::Decision,
    tokens::TokenHash,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    AppState, checkout_failed,
    extract::{Client, SignedInCustomer, signed_out},
    schema::{
        Accepted, AccountView, CartRequest, CartView, ChangePasswordRequest, EmailRequest,
        InvalidRequest, InvalidToken, NotVerified, RateLimited, ResetRequest, SignInRequest,
        SignUpRequest, SignedInView, SignedOut, Unavailable, VerifyRequest,
    },
};
use crate::{
    auth::{self, AuthError, SignedIn},
    db,
    domain::{PASSWORD_RULES, parse_email, parse_name},
    sessions,
};

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::InvalidToken => ApiError::problem(
                StatusCode::BAD_REQUEST,
                "Invalid link",
                "this link is unknown, was already used or has expired; ask for a new one",
                json!({"code": "invalid_token"}),
            ),
            AuthError::InvalidCredentials => ApiError::problem(
                StatusCode::UNAUTHORIZED,
                "Not signed in",
                "the email or password is not right",
                json!({"code": "invalid_credentials"}),
            ),
            AuthError::NotVerified => ApiError::problem(
                StatusCode::FORBIDDEN,
                "Address not confirmed",
                "confirm your email address first: we sent you a new link",
                json!({"code": "email_not_verified"}),
            ),
            AuthError::Field { field, reason } => ApiError::field(field, reason),
            AuthError::Password(err) => ApiError::Internal(err.into()),
            AuthError::Database(err) => err.into(),
        }
    }
}

/// Hands `work` to the background and answers 202 at once, the same whatever `work` will find (see
/// [`crate::auth`]); 503 when the queue is full.
fn accepted<F>(
    state: &AppState,
    what: &'static str,
    work: F,
) -> Result<(StatusCode, Json<Accepted>), ApiError>
where
    F: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    if !state.accounts.tasks.start(what, work) {
        return Err(ApiError::Unavailable(
            "the service is busy; try again in a moment".to_owned(),
        ));
    }
    Ok((StatusCode::ACCEPTED, Json(Accepted::CHECK_EMAIL)))
}

/// A cart token as checkout makes them, or none.
fn cart_token(token: Option<String>) -> Result<Option<String>, ApiError> {
    match token {
        Some(token)
            if token.len() == 64
                && token
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(Some(token))
        }
        Some(_) => Err(ApiError::field(
            "cart_token",
            "must be a cart token (64 hex digits)",
        )),
        None => Ok(None),
    }
}

fn email_field(email: &str) -> Result<platform::contracts::Email, ApiError> {
    parse_email(email).map_err(|reason| ApiError::field("email", reason))
}

#[utoipa::path(
    post,
    path = "/api/account/sign-up",
    operation_id = "sign_up",
    tag = "account",
    summary = "Sign up: a link to confirm the address is emailed (the same answer for every valid address)",
    request_body = SignUpRequest,
    responses(
        (status = 202, description = "If the address can be used, a link was emailed to it", body = Accepted),
        (status = 400, response = InvalidRequest),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn sign_up(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let request: SignUpRequest = json_body(&body)?;
    let email = email_field(&request.email)?;
    let name = parse_name(&request.name).map_err(|reason| ApiError::field("name", reason))?;
    let password = request.password.secret();
    PASSWORD_RULES
        .check(&password, email.as_str())
        .map_err(|reason| ApiError::field("password", reason))?;
    let accounts = state.accounts.clone();
    accepted(&state, "sign_up", async move {
        auth::sign_up(&accounts, email, name, password).await
    })
}

#[utoipa::path(
    post,
    path = "/api/account/verify/resend",
    operation_id = "resend_verification",
    tag = "account",
    summary = "Email a new link to confirm the address (the same answer for every valid address)",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "If an unconfirmed account has this address, a new link was emailed", body = Accepted),
        (status = 400, response = InvalidRequest),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn resend_verification(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let request: EmailRequest = json_body(&body)?;
    let email = email_field(&request.email)?;
    let accounts = state.accounts.clone();
    accepted(&state, "resend_verification", async move {
        auth::resend_verification(&accounts, email).await
    })
}

#[utoipa::path(
    post,
    path = "/api/account/password-reset",
    operation_id = "request_password_reset",
    tag = "account",
    summary = "Email a link to reset the password (the same answer for every valid address)",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "If an account has this address, a link was emailed", body = Accepted),
        (status = 400, response = InvalidRequest),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn request_reset(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let request: EmailRequest = json_body(&body)?;
    let email = email_field(&request.email)?;
    let accounts = state.accounts.clone();
    accepted(&state, "request_reset", async move {
        auth::request_reset(&accounts, email).await
    })
}

#[utoipa::path(
    post,
    path = "/api/account/verify",
    operation_id = "verify_email",
    tag = "account",
    summary = "Confirm the address with the emailed link; signs in and merges this browser's cart",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "Confirmed and signed in (Set-Cookie)", body = SignedInView),
        (status = 400, response = InvalidToken),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn verify(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: VerifyRequest = json_body(&body)?;
    let cart_token = cart_token(request.cart_token)?;
    let signed_in = auth::verify(&state.accounts, &request.token, &client.origin()).await?;
    Ok(signed_in_response(&state, &headers, signed_in, cart_token).await)
}

#[utoipa::path(
    post,
    path = "/api/account/sign-in",
    operation_id = "sign_in",
    tag = "account",
    summary = "Sign in with email and password; merges this browser's cart into the customer's",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in (Set-Cookie: a new session every time)", body = SignedInView),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 403, response = NotVerified),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: SignInRequest = json_body(&body)?;
    let cart_token = cart_token(request.cart_token)?;
    let email = email_field(&request.email)?;
    let throttle = &state.accounts.throttle;
    match throttle.check(email.as_str(), client.ip).await? {
        Decision::Refuse { retry_after } => {
            return Err(ApiError::problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                format!(
                    "too many failed sign-ins; try again in {} seconds",
                    retry_after.as_secs()
                ),
                json!({"code": "too_many_attempts"}),
            )
            .retry_after(retry_after));
        }
        Decision::Allow { slow_down } if slow_down > Duration::ZERO => {
            tokio::time::sleep(slow_down).await;
        }
        Decision::Allow { .. } => {}
    }
    match auth::sign_in(
        &state.accounts,
        &email,
        request.password.secret(),
        &client.origin(),
    )
    .await
    {
        Ok(signed_in) => {
            throttle.succeeded(email.as_str(), client.ip).await?;
            Ok(signed_in_response(&state, &headers, signed_in, cart_token).await)
        }
        Err(AuthError::InvalidCredentials) => {
            throttle.failed(email.as_str(), client.ip).await?;
            tracing::info!(ip = %client.ip, "sign-in refused: wrong email or password");
            Err(AuthError::InvalidCredentials.into())
        }
        Err(err) => Err(err.into()),
    }
}

/// The answer of a sign-in: the new session's cookie, the customer and their cart (this browser's merged
/// in). A session the browser held before is ended: every sign-in starts a new one.
async fn signed_in_response(
    state: &AppState,
    headers: &HeaderMap,
    signed_in: SignedIn,
    cart_token: Option<String>,
) -> Response {
    if let Some(old) = cookies::get(headers, sessions::COOKIE)
        && let Err(err) = state.accounts.sessions.delete(&TokenHash::of(old)).await
    {
        tracing::warn!(error = %err, "cannot end the session the browser held before signing in");
    }
    let cart = link_cart(state, signed_in.customer.id, cart_token).await;
    let cookie = cookies::set_persistent(
        sessions::COOKIE,
        &signed_in.session_id,
        state.accounts.sessions.max_age(),
    );
    let body = SignedInView {
        customer: signed_in.customer.into(),
        cart,
    };
    ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

/// The customer's cart with this browser's merged in. Signing in does not fail because checkout is away:
/// the browser then keeps its own cart and links it on its next visit.
async fn link_cart(state: &AppState, customer: Uuid, cart_token: Option<String>) -> CartLink {
    match state
        .accounts
        .checkout
        .cart(customer, cart_token.clone())
        .await
    {
        Ok(link) => link,
        Err(err) => {
            tracing::warn!(error = %err, "cannot link the cart at sign-in; the browser keeps its own");
            CartLink {
                token: cart_token,
                notes: Vec::new(),
            }
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/account/sign-out",
    operation_id = "sign_out",
    tag = "account",
    summary = "Sign out: ends this browser's session",
    responses((status = 204, description = "Signed out (the cookie is cleared)")),
)]
pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(id) = cookies::get(&headers, sessions::COOKIE) {
        state.accounts.sessions.delete(&TokenHash::of(id)).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookies::clear(sessions::COOKIE))],
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/account",
    operation_id = "get_account",
    tag = "account",
    summary = "The signed-in customer and their cart",
    responses(
        (status = 200, description = "Signed in", body = AccountView),
        (status = 401, response = SignedOut),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn me(
    State(state): State<AppState>,
    customer: SignedInCustomer,
) -> Result<Json<AccountView>, ApiError> {
    let found = db::customer(&state.accounts.pool, customer.customer_id)
        .await?
        .ok_or_else(signed_out)?;
    let cart_token = match state
        .accounts
        .checkout
        .cart(customer.customer_id, None)
        .await
    {
        Ok(link) => link.token,
        Err(err) => {
            tracing::warn!(error = %err, "cannot ask checkout for the customer's cart");
            None
        }
    };
    Ok(Json(AccountView {
        customer: found.into(),
        cart_token,
    }))
}

#[utoipa::path(
    post,
    path = "/api/account/cart",
    operation_id = "link_cart",
    tag = "account",
    summary = "Make this browser's cart the customer's (merged into theirs when they have one)",
    request_body = CartRequest,
    responses(
        (status = 200, description = "The customer's cart from now on", body = CartView),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn cart(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    body: Bytes,
) -> Result<Json<CartView>, ApiError> {
    let request: CartRequest = json_body(&body)?;
    let cart_token = cart_token(request.cart_token)?;
    let cart = state
        .accounts
        .checkout
        .cart(customer.customer_id, cart_token)
        .await
        .map_err(checkout_failed)?;
    Ok(Json(CartView { cart }))
}

#[utoipa::path(
    post,
    path = "/api/account/password-reset/confirm",
    operation_id = "reset_password",
    tag = "account",
    summary = "Set a new password with the emailed link; ends every session of the account",
    request_body = ResetRequest,
    responses(
        (status = 204, description = "The password was changed; sign in with it"),
        (status = 400, response = InvalidToken),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request: ResetRequest = json_body(&body)?;
    auth::reset_password(&state.accounts, &request.token, request.password.secret()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/account/password",
    operation_id = "change_password",
    tag = "account",
    summary = "Change the password (the current one is asked); ends every other session",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, response = InvalidRequest),
        (status = 401, response = SignedOut),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
pub(super) async fn change_password(
    State(state): State<AppState>,
    customer: SignedInCustomer,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request: ChangePasswordRequest = json_body(&body)?;
    auth::change_password(
        &state.accounts,
        customer.customer_id,
        &customer.session,
        request.current_password.secret(),
        request.new_password.secret(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
