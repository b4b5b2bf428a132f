//! What a handler takes from the request: who is asking ([`Client`]) and the signed-in customer
//! ([`SignedInCustomer`], 401 `signed_out` without a valid session).

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{StatusCode, header, request::Parts},
};
use platform::{cookies, http_error::ApiError, tokens::TokenHash};
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use crate::{auth::Origin, sessions};

/// Where a request comes from: the client's address (through the trusted proxies) and its user agent.
#[derive(Debug, Clone)]
pub(super) struct Client {
    pub ip: IpAddr,
    pub user_agent: String,
}

impl Client {
    pub(super) fn origin(&self) -> Origin {
        Origin {
            ip: self.ip.to_string(),
            user_agent: self.user_agent.clone(),
        }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |ConnectInfo(peer)| peer.ip());
        Ok(Self {
            ip: state.proxies.client_address(peer, &parts.headers),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .chars()
                .take(255)
                .collect(),
        })
    }
}

/// The customer whose valid session the request's cookie names.
#[derive(Debug, Clone)]
pub(super) struct SignedInCustomer {
    pub customer_id: Uuid,
    pub session: TokenHash,
}

pub(super) fn signed_out() -> ApiError {
    ApiError::problem(
        StatusCode::UNAUTHORIZED,
        "Signed out",
        "sign in first",
        json!({"code": "signed_out"}),
    )
}

impl FromRequestParts<AppState> for SignedInCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(id) = cookies::get(&parts.headers, sessions::COOKIE) else {
            return Err(signed_out());
        };
        let found = state
            .accounts
            .sessions
            .find(id)
            .await?
            .ok_or_else(signed_out)?;
        Ok(Self {
            customer_id: found.customer_id,
            session: found.id_hash,
        })
    }
}
