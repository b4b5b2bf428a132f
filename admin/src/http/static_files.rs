//! The admin's own CSS and JS (and the vendored htmx), read from `static/` at start and served from memory
//! at `/admin/static/<name>?v=<hash>`. The URL changes with the content, so a file may be cached for a year
//! (`immutable`): a new version is a new URL, never a stale file.

use std::{collections::HashMap, path::Path};

use anyhow::Context as _;
use axum::{
    Router,
    extract::{Path as UrlPath, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use bytes::Bytes;
use sha2::{Digest as _, Sha256};

use super::{AppState, error::AdminError};

/// Where static files are served.
pub const PREFIX: &str = "/admin/static/";

#[derive(Debug)]
struct File {
    body: Bytes,
    content_type: &'static str,
    version: String,
}

/// The static files, by name.
#[derive(Debug, Default)]
pub struct Assets {
    files: HashMap<String, File>,
}

impl Assets {
    /// Every file directly in `dir` with a type we serve (`.css`, `.js`, `.svg`, `.png`, `.ico`).
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                continue;
            };
            let content_type = match path.extension().and_then(|ext| ext.to_str()) {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("ico") => "image/x-icon",
                _ => continue,
            };
            let body =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let version = data_encoding::HEXLOWER.encode(&Sha256::digest(&body)[..6]);
            files.insert(
                name.to_owned(),
                File {
                    body: body.into(),
                    content_type,
                    version,
                },
            );
        }
        Ok(Self { files })
    }

    /// Each file's URL with its version, by name (`admin.css` -> `/admin/static/admin.css?v=...`).
    pub fn urls(&self) -> HashMap<String, String> {
        self.files
            .iter()
            .map(|(name, file)| (name.clone(), format!("{PREFIX}{name}?v={}", file.version)))
            .collect()
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/static/{name}", get(serve))
}

async fn serve(
    State(state): State<AppState>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, AdminError> {
    let file = state.assets.files.get(&name).ok_or(AdminError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        file.body.clone(),
    )
        .into_response())
}
