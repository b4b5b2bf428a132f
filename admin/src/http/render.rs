//! Pages: tera templates read from `templates/` at start, rendered into the layout (`base.html`).
//!
//! A handler builds a [`Page`] (template, title, the nav entry it belongs to, its own values) and hands it to
//! [`AppState::render`], which adds what every page has: `me` (the signed-in staff member, with `can_write`
//! and `is_owner`), `csrf_token`, `flash`, `assets` (fingerprinted URLs of the CSS and JS). Templates call
//! `idempotency_key()` for a fresh key per form.

use std::{collections::HashMap, path::Path};

use anyhow::Context as _;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde::Serialize;
use tera::{Context, Tera};

use super::{AppState, extract::CurrentSession, static_files::Assets};
use crate::domain::Role;

/// The admin's templates.
#[derive(Debug)]
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Every `*.html` under `dir`.
    pub fn load(dir: &Path, assets: &Assets) -> anyhow::Result<Self> {
        let glob = format!("{}/**/*.html", dir.display());
        let mut tera = Tera::new(&glob).with_context(|| format!("parsing {glob}"))?;
        tera.autoescape_on(vec![".html"]);
        tera.register_function("idempotency_key", |_: &HashMap<String, tera::Value>| {
            Ok(tera::Value::String(uuid::Uuid::new_v4().to_string()))
        });
        let urls = assets.urls();
        tera.register_function("asset", move |args: &HashMap<String, tera::Value>| {
            let name = args
                .get("name")
                .and_then(tera::Value::as_str)
                .ok_or_else(|| tera::Error::msg("asset(name=...) needs a name"))?;
            urls.get(name)
                .cloned()
                .map(tera::Value::String)
                .ok_or_else(|| tera::Error::msg(format!("no static file {name}")))
        });
        Ok(Self { tera })
    }

    fn render(&self, template: &str, context: &Context) -> Result<String, tera::Error> {
        self.tera.render(template, context)
    }
}

/// One page to render.
#[derive(Debug)]
pub struct Page {
    template: &'static str,
    status: StatusCode,
    context: Context,
}

impl Page {
    /// `template` (a path under `templates/`), titled `title`, highlighting nav entry `nav` (`dashboard`,
    /// `products`, `categories`, `stock`, `orders`, `emails`, `dead_letters`, `audit`, `staff`,
    /// `account`).
    pub fn new(template: &'static str, title: &str, nav: &str) -> Self {
        let mut context = Context::new();
        context.insert("title", title);
        context.insert("nav", nav);
        context.insert("errors", &HashMap::<String, String>::new());
        Self {
            template,
            status: StatusCode::OK,
            context,
        }
    }

    /// A value the template reads as `key`.
    pub fn with(mut self, key: &str, value: &impl Serialize) -> Self {
        self.context.insert(key, value);
        self
    }

    /// Field errors shown by the `field` macro next to each field (`field name -> reason`); the page is
    /// answered 422.
    pub fn with_errors<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        errors: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let errors: HashMap<String, String> = errors
            .into_iter()
            .map(|(field, reason)| (field.as_ref().to_owned(), reason.as_ref().to_owned()))
            .collect();
        if !errors.is_empty() {
            self.status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        self.context.insert("errors", &errors);
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// `me` in templates.
#[derive(Debug, Serialize)]
struct Me<'a> {
    id: u64,
    email: &'a str,
    role: Role,
    can_write: bool,
    is_owner: bool,
    totp_enabled: bool,
}

impl AppState {
    /// `page` in the layout, for `session` (none on the login page).
    pub fn render(&self, session: Option<&CurrentSession>, page: Page) -> Response {
        let mut context = page.context;
        if let Some(session) = session {
            let staff = &session.staff;
            context.insert(
                "me",
                &Me {
                    id: staff.id,
                    email: &staff.email,
                    role: staff.role,
                    can_write: staff.role.allows(Role::Staff),
                    is_owner: staff.role.allows(Role::Owner),
                    totp_enabled: staff.totp_enabled,
                },
            );
            context.insert("csrf_token", &session.csrf_token);
            if let Some(flash) = &session.flash {
                context.insert("flash", flash);
            }
        }
        match self.templates.render(page.template, &context) {
            Ok(html) => (page.status, Html(html)).into_response(),
            Err(err) => {
                tracing::error!(template = page.template, error = ?err, "cannot render a page");
                let mut response = (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><title>Error</title><p>Something went wrong on our side."),
                )
                    .into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                response
            }
        }
    }
}
