//! CSV import: upload a file, see the catalog's dry run (every bad row with its line number, or what would be
//! created and updated), then apply it with one idempotent command. Nothing is written by the dry run, and
//! nothing at all when any row is bad.

use axum::{
    Form,
    extract::{Multipart, State},
    response::Response,
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog_admin::{
        PRODUCTS_IMPORT,
        import::{ImportProducts, ImportReport, MAX_CSV_BYTES},
    },
};
use uuid::Uuid;

use super::{Pairs, audit_refused, detail_of, field, idempotency_key, write};
use crate::{
    audit::{self, Entry},
    http::{
        AppState,
        error::AdminError,
        extract::{CurrentSession, Flash, RequireStaff},
        layers::redirect_with_flash,
        render::Page,
    },
    services::command,
};

fn import_page(report: Option<&ImportReport>, errors: &[FieldError], csv: &str) -> Page {
    let page = Page::new("products/import.html", "Import products", "products")
        .with("report", &report)
        .with("row_errors", &errors)
        .with("csv", &csv);
    if errors.is_empty() {
        page
    } else {
        page.status(axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    }
}

pub(super) async fn page(State(state): State<AppState>, session: RequireStaff) -> Response {
    state.render(Some(&session), import_page(None, &[], ""))
}

/// Runs the import on `csv`, dry or for real.
async fn run(
    state: &AppState,
    session: &CurrentSession,
    key: Uuid,
    csv: String,
    dry_run: bool,
) -> Result<AdminReply<ImportReport>, AdminError> {
    write(
        state,
        session,
        "product.import",
        None,
        PRODUCTS_IMPORT,
        &command(session, key, ImportProducts { csv, dry_run }),
    )
    .await
}

fn one_error(field: &str, reason: &str) -> Vec<FieldError> {
    vec![FieldError {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }]
}

/// The uploaded file, read within the size limit.
async fn read_file(multipart: &mut Multipart) -> Result<Result<String, &'static str>, AdminError> {
    let bad = |_| AdminError::BadRequest("The upload could not be read.".to_owned());
    while let Some(mut part) = multipart.next_field().await.map_err(bad)? {
        if part.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > MAX_CSV_BYTES {
                return Ok(Err("is larger than 900 KiB: split it into smaller files"));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(String::from_utf8(bytes).map_err(|_| "is not UTF-8 text"));
    }
    Ok(Err("is missing: choose a CSV file"))
}

pub(super) async fn dry_run(
    State(state): State<AppState>,
    session: RequireStaff,
    mut multipart: Multipart,
) -> Result<Response, AdminError> {
    let csv = match read_file(&mut multipart).await? {
        Ok(csv) if !csv.trim().is_empty() => csv,
        Ok(_) => {
            let errors = one_error("file", "is empty");
            return Ok(state.render(Some(&session), import_page(None, &errors, "")));
        }
        Err(reason) => {
            let errors = one_error("file", reason);
            return Ok(state.render(Some(&session), import_page(None, &errors, "")));
        }
    };
    match run(&state, &session, Uuid::new_v4(), csv.clone(), true).await? {
        AdminReply::Ok(report) => {
            Ok(state.render(Some(&session), import_page(Some(&report), &[], &csv)))
        }
        AdminReply::Invalid { errors } => {
            Ok(state.render(Some(&session), import_page(None, &errors, "")))
        }
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the import's dry run was refused: {other:?}"
        ))),
    }
}

pub(super) async fn apply(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let csv = field(&pairs, "csv").to_owned();
    if csv.len() > MAX_CSV_BYTES {
        return Err(AdminError::BadRequest(
            "The file is larger than 900 KiB.".to_owned(),
        ));
    }
    match run(&state, &session, key, csv, false).await? {
        AdminReply::Ok(report) => {
            audit::record(
                &state.db,
                &Entry::by(&session, "product.import")
                    .command(key)
                    .target("products", format!("{} rows", report.rows))
                    .after(&report),
            )
            .await?;
            Ok(redirect_with_flash(
                "/admin/products",
                &Flash::success(format!(
                    "Imported {} rows: {} products created, {} updated; {} variants created, {} updated.",
                    report.rows,
                    report.products_created,
                    report.products_updated,
                    report.variants_created,
                    report.variants_updated
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            audit_refused(
                &state,
                &session,
                "product.import",
                None,
                &detail_of(&errors),
            )
            .await;
            Ok(state.render(Some(&session), import_page(None, &errors, "")))
        }
        AdminReply::Conflict { reason, .. } | AdminReply::NotFound { what: reason } => {
            audit_refused(&state, &session, "product.import", None, &reason).await;
            Ok(state.render(
                Some(&session),
                import_page(None, &one_error("file", &reason), ""),
            ))
        }
    }
}
