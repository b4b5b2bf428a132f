//! The audit log's page (filter by who, action, target, dates and outcome; newest first, keyset pages) and
//! its CSV export, streamed a page of rows at a time so that exporting a million entries holds one page in
//! memory. Owners only: the log names every staff member's addresses and actions.

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Serialize;

use super::{AppState, error::AdminError, extract::RequireOwner, render::Page};
use crate::audit::{self, Entry, Filter, StoredEntry};

/// Entries per page.
const PAGE_SIZE: u32 = 50;
/// Entries per database read of the export.
const EXPORT_BATCH: u32 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(list))
        .route("/admin/audit.csv", get(export))
}

/// One entry as the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: u64,
    pub at: String,
    pub staff_email: String,
    pub ip: String,
    pub user_agent: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub outcome: &'static str,
    pub before: String,
    pub after: String,
    pub detail: String,
}

impl From<StoredEntry> for AuditRow {
    fn from(entry: StoredEntry) -> Self {
        let json = |value: Option<sqlx::types::Json<serde_json::Value>>| {
            value.map(|json| json.0.to_string()).unwrap_or_default()
        };
        Self {
            id: entry.id,
            at: entry.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            staff_email: entry.staff_email,
            ip: entry.ip,
            user_agent: entry.user_agent,
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id,
            outcome: entry.outcome.as_str(),
            before: json(entry.before_json),
            after: json(entry.after_json),
            detail: entry.detail,
        }
    }
}

async fn list(
    State(state): State<AppState>,
    session: RequireOwner,
    Query(filter): Query<Filter>,
) -> Result<Response, AdminError> {
    let problems = filter.problems();
    let mut rows = Vec::new();
    let mut next = None;
    if problems.is_empty() {
        let mut entries = audit::page(&state.db, &filter, PAGE_SIZE + 1).await?;
        if entries.len() > PAGE_SIZE as usize {
            entries.truncate(PAGE_SIZE as usize);
            next = entries.last().map(|entry| entry.id);
        }
        rows = entries.into_iter().map(AuditRow::from).collect();
    }
    let query = filter.query_string();
    let separator = if query.is_empty() { "" } else { "&" };
    Ok(state.render(
        Some(&session),
        Page::new("audit.html", "Audit log", "audit")
            .with("filter", &filter)
            .with("rows", &rows)
            .with(
                "next_url",
                &next.map(|id| format!("/admin/audit?{query}{separator}before={id}")),
            )
            .with(
                "first_url",
                &filter.before.map(|_| format!("/admin/audit?{query}")),
            )
            .with("export_url", &format!("/admin/audit.csv?{query}"))
            .with_errors(problems),
    ))
}

async fn export(
    State(state): State<AppState>,
    session: RequireOwner,
    Query(filter): Query<Filter>,
) -> Result<Response, AdminError> {
    if let Some((field, reason)) = filter.problems().first() {
        return Err(AdminError::BadRequest(format!("{field} {reason}")));
    }
    audit::record(
        &state.db,
        &Entry::by(&session, "audit.export").detail(filter.query_string()),
    )
    .await?;
    let db = state.db.clone();
    let header_line = Bytes::from_static(
        b"id,at,staff_email,ip,user_agent,action,target_type,target_id,outcome,before,after,detail\r\n",
    );
    // Each step reads one batch after the last id sent; the stream ends after a short batch. A database
    // failure mid-way ends the body early (the download is then visibly cut short).
    let batches = futures::stream::unfold(
        (
            Filter {
                before: None,
                ..filter
            },
            false,
        ),
        move |(mut filter, done)| {
            let db = db.clone();
            async move {
                if done {
                    return None;
                }
                match audit::page(&db, &filter, EXPORT_BATCH).await {
                    Ok(entries) => {
                        let finished = entries.len() < EXPORT_BATCH as usize;
                        filter.before = entries.last().map(|entry| entry.id);
                        if entries.is_empty() {
                            return None;
                        }
                        let mut chunk = String::new();
                        for entry in entries {
                            csv_row(&mut chunk, &AuditRow::from(entry));
                        }
                        Some((
                            Ok::<_, std::io::Error>(Bytes::from(chunk)),
                            (filter, finished),
                        ))
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "audit export cut short");
                        Some((Err(std::io::Error::other(err)), (filter, true)))
                    }
                }
            }
        },
    );
    let body = futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<_, std::io::Error>(header_line) }),
        batches,
    );
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
    );
    Ok(response)
}

/// One CSV line (RFC 4180). A cell starting with `=`, `+`, `-` or `@` gets a leading `'`: a spreadsheet
/// would run it as a formula, and the log holds what strangers typed (emails, user agents).
fn csv_row(out: &mut String, row: &AuditRow) {
    let cells = [
        row.id.to_string(),
        row.at.clone(),
        row.staff_email.clone(),
        row.ip.clone(),
        row.user_agent.clone(),
        row.action.clone(),
        row.target_type.clone(),
        row.target_id.clone(),
        row.outcome.to_owned(),
        row.before.clone(),
        row.after.clone(),
        row.detail.clone(),
    ];
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            cell.clone()
        };
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}
