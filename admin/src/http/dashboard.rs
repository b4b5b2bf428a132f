//! The dashboard: who you are, where to go, and what you did lately.

use axum::{Router, extract::State, response::Response, routing::get};

use super::{AppState, audit::AuditRow, error::AdminError, extract::RequireViewer, render::Page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show))
        .route("/admin/", get(show))
}

async fn show(
    State(state): State<AppState>,
    session: RequireViewer,
) -> Result<Response, AdminError> {
    let recent: Vec<AuditRow> = crate::audit::recent_of(&state.db, session.staff.id, 10)
        .await?
        .into_iter()
        .map(AuditRow::from)
        .collect();
    Ok(state.render(
        Some(&session),
        Page::new("dashboard.html", "Dashboard", "dashboard").with("recent", &recent),
    ))
}
