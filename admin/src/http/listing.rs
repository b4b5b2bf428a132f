//! What every list page with filters shares: the whole view in the URL (its filters as a query string, the
//! page's keyset cursor and the cursors of the pages before it, so "Previous" is a link too: [`Keyset`] and
//! the [`Pager`] the `listing/pager.html` template shows), and saved views (a view's filters saved under a
//! name, [`crate::saved_views`], on the routes [`saved_views_routes`] adds and the card
//! `listing/saved_views.html` shows).
//!
//! A page owns what its filters mean; it hands them here as `(name, value)` pairs in a fixed order.

use axum::{
    Form, Router,
    extract::{Path, State},
    response::Response,
    routing::post,
};
use serde::Serialize;

use super::{
    AppState,
    error::AdminError,
    extract::{Flash, RequireViewer},
    forms::{Pairs, field, fields},
    layers::redirect_with_flash,
};
use crate::{audit::percent_encode, saved_views};

/// How many pages back "Previous" can go (the cursors travel in the URL).
pub(crate) const PREV_PAGES_KEPT: usize = 20;

/// `name=value&...` of the non-empty `filters`, in their order.
pub(crate) fn query_of<'a>(filters: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    filters
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path`, with `query` when there is one.
pub(crate) fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Where a list is: the page's cursor (empty: the first page) and the cursors of the pages before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Keyset {
    pub cursor: String,
    pub prev: Vec<String>,
}

impl Keyset {
    /// `cursor` and every `prev` of the query.
    pub(crate) fn from_pairs(pairs: &Pairs) -> Self {
        Self {
            cursor: field(pairs, "cursor").to_owned(),
            prev: fields(pairs, "prev").map(str::to_owned).collect(),
        }
    }

    /// The cursor to ask the service for; `None` on the first page.
    pub(crate) fn cursor(&self) -> Option<String> {
        (!self.cursor.is_empty()).then(|| self.cursor.clone())
    }

    /// The list at `path` with `filters` (a query string) at page `cursor` with `prev` before it.
    fn url(path: &str, filters: &str, cursor: &str, prev: &[String]) -> String {
        let mut query = filters.to_owned();
        let mut add = |name: &str, value: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            query.push_str(&percent_encode(value));
        };
        for before in prev {
            add("prev", before);
        }
        if !cursor.is_empty() {
            add("cursor", cursor);
        }
        with_query(path, &query)
    }

    /// The URL of the page after this one, at `next`. The pages before are remembered in the URL, the last
    /// [`PREV_PAGES_KEPT`] only: it stays short however far one pages (past them, "First page" starts again).
    pub(crate) fn next_url(&self, path: &str, filters: &str, next: &str) -> String {
        let mut prev = self.prev.clone();
        prev.push(self.cursor.clone());
        let forget = prev.len().saturating_sub(PREV_PAGES_KEPT);
        Self::url(path, filters, next, &prev[forget..])
    }

    /// The URL of the page before this one, if any.
    pub(crate) fn prev_url(&self, path: &str, filters: &str) -> Option<String> {
        self.prev
            .split_last()
            .map(|(last, rest)| Self::url(path, filters, last, rest))
    }

    /// This page's own URL.
    pub(crate) fn current_url(&self, path: &str, filters: &str) -> String {
        Self::url(path, filters, &self.cursor, &self.prev)
    }

    /// The links of this page, `next` being the cursor the service gave for the page after it.
    pub(crate) fn pager(&self, path: &str, filters: &str, next: Option<&str>) -> Pager {
        Pager {
            first_url: (!self.cursor.is_empty()).then(|| with_query(path, filters)),
            prev_url: self.prev_url(path, filters),
            next_url: next.map(|next| self.next_url(path, filters, next)),
            current_url: self.current_url(path, filters),
            path: path.to_owned(),
            filters_query: filters.to_owned(),
        }
    }
}

/// The links a list page shows (`listing/pager.html`, `listing/saved_views.html`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pager {
    pub first_url: Option<String>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub current_url: String,
    /// The list's path, where saved views are posted (`<path>/views`).
    pub path: String,
    /// The filters without the page: what a saved view keeps and an export uses.
    pub filters_query: String,
}

/// `POST <path>/views` (save the view posted as `name` and `query`) and `POST <path>/views/{id}/delete`,
/// for the list at `path` whose views are kept under `page`.
pub(crate) fn saved_views_routes(path: &'static str, page: &'static str) -> Router<AppState> {
    Router::new()
        .route(
            &format!("{path}/views"),
            post(
                async move |State(state): State<AppState>,
                            session: RequireViewer,
                            Form(pairs): Form<Pairs>| {
                    save_view(&state, &session, &pairs, path, page).await
                },
            ),
        )
        .route(
            &format!("{path}/views/{{id}}/delete"),
            post(
                async move |State(state): State<AppState>,
                            session: RequireViewer,
                            Path(id): Path<u64>| {
                    delete_view(&state, &session, id, path).await
                },
            ),
        )
}

async fn save_view(
    state: &AppState,
    session: &RequireViewer,
    pairs: &Pairs,
    path: &str,
    page: &str,
) -> Result<Response, AdminError> {
    let name = field(pairs, "name").trim();
    let query = field(pairs, "query").trim_start_matches('?');
    let back = with_query(path, query);
    if name.is_empty() || name.chars().count() > saved_views::MAX_NAME_CHARS {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error(format!(
                "A view needs a name of 1 to {} characters.",
                saved_views::MAX_NAME_CHARS
            )),
        ));
    }
    if query.chars().count() > saved_views::MAX_QUERY_CHARS {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error("This view is too long to save."),
        ));
    }
    saved_views::save(&state.db, session.staff.id, page, name, query).await?;
    Ok(redirect_with_flash(
        &back,
        &Flash::success(format!("View “{name}” saved.")),
    ))
}

async fn delete_view(
    state: &AppState,
    session: &RequireViewer,
    id: u64,
    path: &str,
) -> Result<Response, AdminError> {
    if saved_views::delete(&state.db, session.staff.id, id).await? {
        Ok(redirect_with_flash(path, &Flash::success("View deleted.")))
    } else {
        Err(AdminError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::forms::pairs;

    #[test]
    fn paging_on_keeps_the_last_pages_before_and_forgets_older_ones() {
        let mut keyset = Keyset::default();
        for page in 1..=30 {
            let next = keyset.next_url("/admin/x", "sort=stock", &format!("c{page}"));
            let query = next.split_once('?').expect("a query").1;
            keyset = Keyset::from_pairs(&pairs(
                &query
                    .split('&')
                    .map(|pair| pair.split_once('=').expect("name=value"))
                    .collect::<Vec<_>>(),
            ));
        }
        assert_eq!(keyset.cursor, "c30");
        assert_eq!(keyset.prev.len(), PREV_PAGES_KEPT);
        assert_eq!(keyset.prev.last().map(String::as_str), Some("c29"));
        assert_eq!(keyset.prev.first().map(String::as_str), Some("c10"));
    }

    #[test]
    fn the_pager_links_keep_the_filters() {
        let keyset = Keyset {
            cursor: "c2".to_owned(),
            prev: vec![String::new(), "c1".to_owned()],
        };
        let pager = keyset.pager("/admin/orders", "state=paid", Some("c3"));
        assert_eq!(pager.first_url.as_deref(), Some("/admin/orders?state=paid"));
        assert_eq!(
            pager.prev_url.as_deref(),
            Some("/admin/orders?state=paid&prev=&cursor=c1")
        );
        assert_eq!(
            pager.next_url.as_deref(),
            Some("/admin/orders?state=paid&prev=&prev=c1&prev=c2&cursor=c3")
        );
        assert_eq!(query_of([("q", "a b"), ("state", "")]), "q=a%20b");
    }
}
