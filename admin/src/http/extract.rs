//! What a handler takes from the request: who is asking ([`Client`]), the signed-in staff member
//! ([`CurrentSession`]) and the role a page needs ([`RequireViewer`], [`RequireStaff`], [`RequireOwner`]).
//!
//! A role extractor is the server-side check of every action: a handler that changes the catalog takes
//! `RequireStaff`, one that manages staff `RequireOwner`, one that only shows something `RequireViewer`.
//! A refusal answers 403 and is written to the audit log (`access.refused`, with the method and path).

use std::{
    net::{IpAddr, SocketAddr},
    ops::Deref,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request},
    http::{Extensions, HeaderMap, header, request::Parts},
};
use serde::{Deserialize, Serialize};

use super::{AppState, error::AdminError};
use crate::{
    audit::{self, Entry, Outcome},
    domain::Role,
    sessions::IdHash,
};

/// Where a request comes from: the client's address (through the trusted proxy, `TRUSTED_PROXIES`) and its
/// user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: String,
}

impl Client {
    pub fn of(parts: &Parts, state: &AppState) -> Self {
        Self::from_parts_of(&parts.extensions, &parts.headers, state)
    }

    pub fn of_request(request: &Request, state: &AppState) -> Self {
        Self::from_parts_of(request.extensions(), request.headers(), state)
    }

    fn from_parts_of(extensions: &Extensions, headers: &HeaderMap, state: &AppState) -> Self {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |ConnectInfo(peer)| peer.ip());
        Self {
            ip: state.proxies.client_address(peer, headers),
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .chars()
                .take(255)
                .collect(),
        }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, state))
    }
}

/// The signed-in staff member as the session found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionStaff {
    pub id: u64,
    pub email: String,
    pub role: Role,
    pub totp_enabled: bool,
}

/// A message shown once on the next page (after a redirect): `success` or `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

impl Flash {
    pub fn success(message: impl Into<String>) -> Self {
        Self {
            kind: "success".to_owned(),
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self {
            kind: "error".to_owned(),
            message: message.into(),
        }
    }
}

/// The valid session of the request, put in its extensions by `layers::load_session`.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub staff: SessionStaff,
    /// The token every state-changing request of this session must carry (`csrf_token` or `X-CSRF-Token`).
    pub csrf_token: String,
    pub id_hash: IdHash,
    pub client: Client,
    /// The flash message the request brought, shown by the page it renders.
    pub flash: Option<Flash>,
}

impl CurrentSession {
    pub fn role(&self) -> Role {
        self.staff.role
    }
}

/// The session, or "sign in"; refused (403, audited) when its role does not include `required`.
async fn require(
    parts: &Parts,
    state: &AppState,
    required: Role,
) -> Result<CurrentSession, AdminError> {
    let session = parts
        .extensions
        .get::<CurrentSession>()
        .cloned()
        .ok_or(AdminError::SignInRequired)?;
    if session.role().allows(required) {
        return Ok(session);
    }
    let entry = Entry::by(&session, "access.refused")
        .target("route", format!("{} {}", parts.method, parts.uri.path()))
        .outcome(Outcome::Refused)
        .detail(format!(
            "needs the {required} role; {} has {}",
            session.staff.email,
            session.role()
        ));
    audit::record_or_log(&state.db, &entry).await;
    Err(AdminError::Forbidden(format!(
        "Your role ({}) may not do this: it needs {required}.",
        session.role()
    )))
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub CurrentSession);

        impl Deref for $name {
            type Target = CurrentSession;

            fn deref(&self) -> &CurrentSession {
                &self.0
            }
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = AdminError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
                require(parts, state, $role).await.map(Self)
            }
        }
    };
}

role_extractor!(
    /// Any signed-in staff member: pages that only show something.
    RequireViewer,
    Role::Viewer
);
role_extractor!(
    /// `staff` or `owner`: changes to the catalog and orders.
    RequireStaff,
    Role::Staff
);
role_extractor!(
    /// `owner` only: staff management.
    RequireOwner,
    Role::Owner
);
