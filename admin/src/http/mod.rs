//! The admin's HTTP side: every route under `/admin`, server-rendered pages.
//!
//! Each request meets, from the outside in: [`layers::security_headers`] (CSP without inline script,
//! frame-ancestors 'none', Referrer-Policy, no-store), [`layers::render_error_pages`] (an
//! [`error::AdminError`] becomes a page in the layout; "sign in" becomes a redirect),
//! [`layers::load_session`] (the signed-in staff member as a [`extract::CurrentSession`], and the flash
//! message), [`csrf::guard`] (every POST, PUT, PATCH and DELETE), then the handler, whose role extractor ([`extract::RequireViewer`],
//! [`extract::RequireStaff`], [`extract::RequireOwner`]) refuses, audited, what the role may not do.
//!
//! A page module has its own `router()` with full paths (`/admin/...`), merged in [`router`].

pub mod account;
pub mod audit;
pub mod categories;
pub use platform::cookies;
pub mod csrf;
pub(crate) mod csv_export;
pub mod dashboard;
pub mod dead_letters;
pub mod emails;
pub mod error;
pub mod extract;
pub(crate) mod forms;
pub mod layers;
pub(crate) mod listing;
pub mod login;
pub mod orders;
pub mod products;
pub mod promotions;
pub mod render;
pub mod reports;
pub mod staff;
pub mod static_files;
pub mod stock;

use std::sync::Arc;

use anyhow::Context as _;
use axum::{Router, middleware};
use platform::{config::CommonConfig, rate_limit::TrustedProxies};
use sqlx::MySqlPool;

use crate::{
    config::Config,
    services::{EventConsumers, ServiceClient},
    sessions::Sessions,
};

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: MySqlPool,
    /// The catalog's admin endpoints (`rpc.catalog.admin.*`).
    pub catalog: ServiceClient,
    /// Checkout's admin endpoints (`rpc.checkout.admin.*`): orders and promotions.
    pub checkout: ServiceClient,
    /// The mailer's admin endpoints (`rpc.mailer.admin.*`): the email log.
    pub mailer: ServiceClient,
    /// The event streams' durable consumers, for their lag.
    pub consumers: EventConsumers,
    pub sessions: Sessions,
    pub throttle: platform::login_throttle::Store,
    pub proxies: TrustedProxies,
    /// `HTTP_MAX_BODY_BYTES`: the most a middleware reading a body (the CSRF check) reads.
    pub max_body_bytes: usize,
    pub config: Arc<Config>,
    pub templates: Arc<render::Templates>,
    pub assets: Arc<static_files::Assets>,
    /// The bucket image uploads go to.
    pub uploads: crate::uploads::Uploads,
}

impl AppState {
    /// Loads the templates and static files from `config.assets_dir`: a broken template stops the start.
    /// The state for the admin on `db` and `nats`, with the proxies and body limit of the common settings.
    pub fn new(
        db: MySqlPool,
        nats: async_nats::Client,
        common: &CommonConfig,
        config: Config,
    ) -> anyhow::Result<Self> {
        let assets = static_files::Assets::load(&config.assets_dir.join("static"))
            .context("loading the admin's static files (ADMIN_ASSETS_DIR)")?;
        let templates = render::Templates::load(&config.assets_dir.join("templates"), &assets)
            .context("loading the admin's templates (ADMIN_ASSETS_DIR)")?;
        Ok(Self {
            uploads: crate::uploads::Uploads::new(config.images.clone()),
            catalog: ServiceClient::new(nats.clone(), "catalog", config.service_timeout),
            checkout: ServiceClient::new(nats.clone(), "checkout", config.service_timeout),
            mailer: ServiceClient::new(nats.clone(), "mailer", config.service_timeout),
            consumers: EventConsumers::new(nats, config.service_timeout),
            sessions: Sessions::new(db.clone(), config.sessions),
            throttle: platform::login_throttle::Store::new(db.clone(), config.throttle),
            db,
            proxies: common.trusted_proxies.clone(),
            max_body_bytes: common.http_limits.max_body_bytes,
            config: Arc::new(config),
            templates: Arc::new(templates),
            assets: Arc::new(assets),
        })
    }
}

/// Every admin route, with the layers of the module docs.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(login::router())
        .merge(dashboard::router())
        .merge(staff::router())
        .merge(account::router())
        .merge(audit::router())
        .merge(categories::router())
        .merge(stock::router())
        .merge(dead_letters::router())
        .merge(products::router())
        .merge(orders::router())
        .merge(promotions::router())
        .merge(emails::router())
        .merge(reports::router())
        .merge(static_files::router())
        .fallback(layers::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::load_session,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::render_error_pages,
        ))
        .layer(middleware::from_fn(layers::security_headers))
        .with_state(state)
}
