//! A promotion's single-use codes: generate up to 10,000 at once (checkout draws them, so a double-submitted
//! form makes them once), and download every code of the promotion with its uses as CSV, fetched from
//! checkout a page of codes at a time and streamed as it comes.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    promotions_admin::{
        CodePage, GenerateCodes, GeneratedCodes, ListCodes, MAX_CODES_PAGE,
        PROMOTIONS_CODES_GENERATE, PROMOTIONS_CODES_LIST,
    },
};

use super::{
    audit_refused,
    form::{Extras, PromotionForm, promotion_page},
    load, write,
};
use crate::{
    audit::{self, Entry},
    http::{
        AppState,
        csv_export::{self, CsvPage},
        error::AdminError,
        extract::{Flash, RequireStaff, RequireViewer},
        forms::{Pairs, detail_of, field, idempotency_key},
        layers::redirect_with_flash,
    },
    services::{ServiceClient, command},
};

pub(super) async fn generate(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u64>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let typed_count = field(&pairs, "count").trim().to_owned();
    let prefix = field(&pairs, "prefix").trim().to_owned();
    let refused = async |errors: Vec<FieldError>, conflict: Option<String>| {
        let detail = load(&state, id).await?;
        let extras = Extras {
            errors,
            conflict,
            count: typed_count.clone(),
            prefix: prefix.clone(),
        };
        let page = promotion_page(&PromotionForm::from_detail(&detail), Some(&detail), extras);
        Ok::<_, AdminError>(state.render(Some(&session), page))
    };
    let Ok(count) = typed_count.parse::<u32>() else {
        let errors = vec![FieldError::new("count", "must be a whole number of codes")];
        audit_refused(
            &state,
            &session,
            "codes_generate",
            Some(id),
            key,
            &detail_of(&errors),
        )
        .await;
        return refused(errors, None).await;
    };
    let request = command(
        &session,
        key,
        GenerateCodes {
            id,
            count,
            prefix: prefix.clone(),
        },
    );
    let reply: AdminReply<GeneratedCodes> = write(
        &state,
        &session,
        ("codes_generate", Some(id), key),
        PROMOTIONS_CODES_GENERATE,
        &request,
    )
    .await?;
    match reply {
        AdminReply::Ok(done) => {
            audit::record(
                &state.db,
                &Entry::by(&session, "promotion.codes_generate")
                    .command(key)
                    .target("promotion", id)
                    .after(&done)
                    .detail(format!(
                        "{} single-use codes, prefix “{}”",
                        done.generated, done.prefix
                    )),
            )
            .await?;
            Ok(redirect_with_flash(
                &format!("/admin/promotions/{id}"),
                &Flash::success(format!(
                    "Generated {} single-use codes; the promotion has {} now.",
                    done.generated, done.single_use_codes
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            audit_refused(
                &state,
                &session,
                "codes_generate",
                Some(id),
                key,
                &detail_of(&errors),
            )
            .await;
            refused(errors, None).await
        }
        AdminReply::Conflict { reason, .. } => {
            audit_refused(&state, &session, "codes_generate", Some(id), key, &reason).await;
            refused(Vec::new(), Some(reason)).await
        }
        AdminReply::NotFound { what } => {
            audit_refused(&state, &session, "codes_generate", Some(id), key, &what).await;
            Err(AdminError::NotFound)
        }
    }
}

impl CsvPage for CodePage {
    const HEADER: &'static [&'static str] = &["code", "max_uses", "uses"];

    fn records(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                vec![
                    row.code.clone(),
                    row.max_uses.map(|m| m.to_string()).unwrap_or_default(),
                    row.uses.to_string(),
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        self.next.clone()
    }
}

async fn codes_page(checkout: &ServiceClient, request: &ListCodes) -> Result<CodePage, AdminError> {
    match checkout.call(PROMOTIONS_CODES_LIST, request).await? {
        AdminReply::Ok(page) => Ok(page),
        AdminReply::NotFound { .. } => Err(AdminError::NotFound),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the codes of promotion {} were refused: {other:?}",
            request.id
        ))),
    }
}

pub(super) async fn csv(
    State(state): State<AppState>,
    _session: RequireViewer,
    Path(id): Path<u64>,
) -> Result<Response, AdminError> {
    let request = ListCodes {
        id,
        after: None,
        limit: Some(MAX_CODES_PAGE),
    };
    let first = codes_page(&state.checkout, &request).await?;
    let checkout = state.checkout.clone();
    Ok(csv_export::stream(
        &format!("promotion-{id}-codes.csv"),
        "checkout",
        first,
        move |after| {
            let checkout = checkout.clone();
            let request = ListCodes {
                after: Some(after),
                ..request.clone()
            };
            async move { codes_page(&checkout, &request).await }
        },
    ))
}
