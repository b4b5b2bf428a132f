//! The promotion form, new and edit, on one page with the promotion's state buttons, its figures and its
//! codes. Fields are named as checkout's contract names them (`value`, `targets`, `starts_at`, ...), so a
//! refusal shows next to its input; `targets` is a textarea, one target per line, and checkout's
//! `targets[<n>]` is shown on it naming the line's target. Dates are `datetime-local` inputs read as UTC.

use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use chrono::{DateTime, NaiveDateTime, Timelike as _, Utc};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    promotions_admin::{
        ChangeState, MAX_GENERATED_CODES, MAX_NAME_CHARS, MAX_PREFIX_CHARS, MAX_TARGETS,
        PROMOTIONS_SAVE, PROMOTIONS_STATE, PromotionDetail, PromotionKind, PromotionRules,
        PromotionScope, PromotionState, SavePromotion, StateAction,
    },
};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{audit_refused, load, write};
use crate::{
    audit::{self, Entry},
    http::{
        AppState,
        error::AdminError,
        extract::{CurrentSession, Flash, RequireStaff, RequireViewer},
        forms::{Pairs, detail_of, field, idempotency_key},
        layers::redirect_with_flash,
        render::Page,
    },
    services::command,
};

/// `datetime-local` as browsers send it, with or without seconds.
const DATETIME_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"];

/// The form's values, as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct PromotionForm {
    pub id: Option<u64>,
    pub version: Option<u64>,
    pub name: String,
    pub kind: String,
    pub value: String,
    pub scope: String,
    /// One target per line.
    pub targets: String,
    pub min_subtotal: String,
    pub starts_at: String,
    pub ends_at: String,
    pub automatic: bool,
    pub first_order_only: bool,
    pub max_uses: String,
    pub max_uses_per_customer: String,
    pub code: String,
}

/// A `datetime-local` value of `at` (seconds only when it has some).
fn local_input(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| {
        let format = if at.second() == 0 && at.nanosecond() == 0 {
            "%Y-%m-%dT%H:%M"
        } else {
            "%Y-%m-%dT%H:%M:%S"
        };
        at.format(format).to_string()
    })
    .unwrap_or_default()
}

fn text_of<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

impl PromotionForm {
    fn blank() -> Self {
        Self {
            kind: PromotionKind::PercentOff.as_str().to_owned(),
            scope: PromotionScope::Order.as_str().to_owned(),
            ..Self::default()
        }
    }

    pub(super) fn from_detail(detail: &PromotionDetail) -> Self {
        let rules = &detail.rules;
        Self {
            id: Some(detail.id),
            version: Some(detail.version),
            name: rules.name.clone(),
            kind: rules.kind.as_str().to_owned(),
            value: text_of(rules.value),
            scope: rules.scope.as_str().to_owned(),
            targets: rules.targets.join("\n"),
            min_subtotal: text_of(rules.min_subtotal),
            starts_at: local_input(rules.starts_at),
            ends_at: local_input(rules.ends_at),
            automatic: rules.automatic,
            first_order_only: rules.first_order_only,
            max_uses: text_of(rules.max_uses),
            max_uses_per_customer: text_of(rules.max_uses_per_customer),
            code: rules.code.clone().unwrap_or_default(),
        }
    }

    fn from_pairs(pairs: &Pairs, id: Option<u64>) -> Self {
        let text = |name: &str| field(pairs, name).trim().to_owned();
        let checked = |name: &str| !field(pairs, name).is_empty();
        Self {
            id,
            version: field(pairs, "expected_version").parse().ok(),
            name: field(pairs, "name").to_owned(),
            kind: text("kind"),
            value: text("value"),
            scope: text("scope"),
            targets: field(pairs, "targets").to_owned(),
            min_subtotal: text("min_subtotal"),
            starts_at: text("starts_at"),
            ends_at: text("ends_at"),
            automatic: checked("automatic"),
            first_order_only: checked("first_order_only"),
            max_uses: text("max_uses"),
            max_uses_per_customer: text("max_uses_per_customer"),
            code: text("code"),
        }
    }

    /// The non-blank lines of `targets`, trimmed: what is sent, in order.
    fn target_lines(&self) -> Vec<String> {
        self.targets
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Checkout's command body, or the fields this form cannot even send (a number that is none, a date that
    /// is none, a kind or scope not offered).
    fn to_save(&self) -> Result<SavePromotion, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = PromotionKind::parse(&self.kind).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "kind",
                "choose what the promotion takes off",
            ));
            PromotionKind::Unknown
        });
        let scope = PromotionScope::parse(&self.scope).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "scope",
                "choose what the promotion applies to",
            ));
            PromotionScope::Unknown
        });
        let value = decimal("value", &self.value, &mut errors);
        let min_subtotal = decimal("min_subtotal", &self.min_subtotal, &mut errors);
        let starts_at = datetime("starts_at", &self.starts_at, &mut errors);
        let ends_at = datetime("ends_at", &self.ends_at, &mut errors);
        let max_uses = whole("max_uses", &self.max_uses, &mut errors);
        let max_uses_per_customer = whole(
            "max_uses_per_customer",
            &self.max_uses_per_customer,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SavePromotion {
            id: self.id,
            expected_version: self.id.and(self.version),
            rules: PromotionRules {
                name: self.name.trim().to_owned(),
                kind,
                value,
                scope,
                targets: self.target_lines(),
                min_subtotal,
                starts_at,
                ends_at,
                automatic: self.automatic,
                first_order_only: self.first_order_only,
                max_uses,
                max_uses_per_customer,
                code: (!self.code.is_empty()).then(|| self.code.clone()),
            },
        })
    }
}

/// An optional amount in field `name`.
fn decimal(name: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<Decimal> {
    if text.is_empty() {
        return None;
    }
    text.parse()
        .map_err(|_| errors.push(FieldError::new(name, "must be a number like 10 or 12.50")))
        .ok()
}

/// An optional whole number in field `name`.
fn whole(name: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    text.parse()
        .map_err(|_| {
            errors.push(FieldError::new(
                name,
                "must be a whole number (blank: no limit)",
            ))
        })
        .ok()
}

/// An optional date and time in field `name`, in UTC.
fn datetime(name: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    if text.is_empty() {
        return None;
    }
    DATETIME_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| at.and_utc())
        .or_else(|| {
            errors.push(FieldError::new(name, "must be a date and time (UTC)"));
            None
        })
}

/// Checkout's refusal as the form shows it: `targets[<n>]` on the targets box, naming the line's target.
fn form_errors(errors: &[FieldError], sent_targets: &[String]) -> Vec<FieldError> {
    errors
        .iter()
        .map(|error| {
            let Some(index) = error
                .field
                .strip_prefix("targets[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|index| index.parse::<usize>().ok())
            else {
                return error.clone();
            };
            let target = sent_targets.get(index).map_or("", String::as_str);
            FieldError::new("targets", format!("“{target}” {}", error.reason))
        })
        .collect()
}

/// A conflict shown above the form.
#[derive(Debug, Serialize)]
struct Conflict {
    reason: String,
}

/// The state buttons the promotion's state allows.
#[derive(Debug, Serialize)]
struct Offered {
    pause: bool,
    resume: bool,
    end: bool,
}

impl Offered {
    fn of(state: PromotionState) -> Self {
        Self {
            pause: state == PromotionState::Active,
            resume: state == PromotionState::Paused,
            end: matches!(state, PromotionState::Active | PromotionState::Paused),
        }
    }
}

/// What the page shows besides the form: the promotion as checkout has it, and a refused code generation.
#[derive(Debug, Default)]
pub(super) struct Extras {
    pub errors: Vec<FieldError>,
    pub conflict: Option<String>,
    /// The count and prefix typed in a refused generation.
    pub count: String,
    pub prefix: String,
}

/// The promotion page: the form (with `detail`'s state, figures and codes for a saved promotion).
pub(super) fn promotion_page(
    form: &PromotionForm,
    detail: Option<&PromotionDetail>,
    extras: Extras,
) -> Page {
    let title = match (&form.id, detail) {
        (Some(_), Some(detail)) => detail.rules.name.clone(),
        (Some(id), None) => format!("Promotion {id}"),
        (None, _) => "New promotion".to_owned(),
    };
    let conflict = extras.conflict.map(|reason| Conflict { reason });
    let mut page = Page::new("promotions/form.html", &title, "promotions")
        .with("form", form)
        .with("conflict", &conflict)
        .with("kinds", &["percent_off", "amount_off", "free_shipping"])
        .with("scopes", &["order", "categories", "brands", "skus"])
        .with("max_name_chars", &MAX_NAME_CHARS)
        .with("max_targets", &MAX_TARGETS)
        .with("max_generated", &MAX_GENERATED_CODES)
        .with("max_prefix_chars", &MAX_PREFIX_CHARS)
        .with("typed_count", &extras.count)
        .with("typed_prefix", &extras.prefix)
        .with_errors(
            extras
                .errors
                .iter()
                .map(|e| (e.field.as_str(), e.reason.as_str())),
        );
    if let Some(detail) = detail {
        page = page
            .with("promotion", detail)
            .with("offered", &Offered::of(detail.state))
            .with(
                "benefit",
                &super::list::benefit(detail.rules.kind, detail.rules.value, &detail.currency),
            )
            .with("created", &crate::http::orders::when(detail.created_at))
            .with("updated", &crate::http::orders::when(detail.updated_at));
    }
    if conflict.is_some() {
        page = page.status(StatusCode::CONFLICT);
    }
    page
}

pub(super) async fn new(
    State(state): State<AppState>,
    session: RequireStaff,
) -> Result<Response, AdminError> {
    Ok(state.render(
        Some(&session),
        promotion_page(&PromotionForm::blank(), None, Extras::default()),
    ))
}

pub(super) async fn edit(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(id): Path<u64>,
) -> Result<Response, AdminError> {
    let detail = load(&state, id).await?;
    Ok(state.render(
        Some(&session),
        promotion_page(
            &PromotionForm::from_detail(&detail),
            Some(&detail),
            Extras::default(),
        ),
    ))
}

pub(super) async fn create(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    save(&state, &session, None, &pairs).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u64>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    save(&state, &session, Some(id), &pairs).await
}

async fn save(
    state: &AppState,
    session: &CurrentSession,
    id: Option<u64>,
    pairs: &Pairs,
) -> Result<Response, AdminError> {
    let key = idempotency_key(pairs)?;
    let form = PromotionForm::from_pairs(pairs, id);
    let before = match id {
        Some(id) => Some(load(state, id).await?),
        None => None,
    };
    let refused = |errors: Vec<FieldError>, conflict: Option<String>| {
        let extras = Extras {
            errors,
            conflict,
            ..Extras::default()
        };
        state.render(
            Some(session),
            promotion_page(&form, before.as_ref(), extras),
        )
    };
    let body = match form.to_save() {
        Ok(body) => body,
        Err(errors) => {
            audit_refused(state, session, "save", id, key, &detail_of(&errors)).await;
            return Ok(refused(errors, None));
        }
    };
    let sent_targets = body.rules.targets.clone();
    let reply: AdminReply<PromotionDetail> = write(
        state,
        session,
        ("save", id, key),
        PROMOTIONS_SAVE,
        &command(session, key, body),
    )
    .await?;
    match reply {
        AdminReply::Ok(after) => {
            audit::record(
                &state.db,
                &Entry::by(session, "promotion.save")
                    .command(key)
                    .target("promotion", after.id)
                    .before(&before)
                    .after(&after),
            )
            .await?;
            let message = match id {
                None => format!("Created “{}”.", after.rules.name),
                Some(_) => format!("Saved “{}”.", after.rules.name),
            };
            Ok(redirect_with_flash(
                &format!("/admin/promotions/{}", after.id),
                &Flash::success(message),
            ))
        }
        AdminReply::Invalid { errors } => {
            audit_refused(state, session, "save", id, key, &detail_of(&errors)).await;
            Ok(refused(form_errors(&errors, &sent_targets), None))
        }
        AdminReply::Conflict { reason, .. } => {
            audit_refused(state, session, "save", id, key, &reason).await;
            Ok(refused(Vec::new(), Some(reason)))
        }
        AdminReply::NotFound { what } => {
            audit_refused(state, session, "save", id, key, &what).await;
            Err(AdminError::NotFound)
        }
    }
}

pub(super) async fn change_state(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u64>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let expected_version = field(&pairs, "expected_version").parse().map_err(|_| {
        AdminError::BadRequest("The form carried no promotion version: reload it.".to_owned())
    })?;
    let Some(action) = StateAction::parse(field(&pairs, "action")) else {
        return Err(AdminError::BadRequest(
            "The form asked for no pause, resume or end: reload it.".to_owned(),
        ));
    };
    let before = load(&state, id).await?;
    let reply: AdminReply<PromotionDetail> = write(
        &state,
        &session,
        (action.as_str(), Some(id), key),
        PROMOTIONS_STATE,
        &command(
            &session,
            key,
            ChangeState {
                id,
                expected_version,
                action,
            },
        ),
    )
    .await?;
    let back = format!("/admin/promotions/{id}");
    let refusal = match reply {
        AdminReply::Ok(after) => {
            audit::record(
                &state.db,
                &Entry::by(&session, format!("promotion.{action}"))
                    .command(key)
                    .target("promotion", id)
                    .before(serde_json::json!({"state": before.state, "version": before.version}))
                    .after(serde_json::json!({"state": after.state, "version": after.version}))
                    .detail(format!("{} → {}", before.state, after.state)),
            )
            .await?;
            return Ok(redirect_with_flash(
                &back,
                &Flash::success(format!("“{}” is {} now.", after.rules.name, after.state)),
            ));
        }
        AdminReply::Conflict { reason, .. } => reason,
        AdminReply::Invalid { errors } => detail_of(&errors),
        AdminReply::NotFound { .. } => return Err(AdminError::NotFound),
    };
    audit_refused(&state, &session, action.as_str(), Some(id), key, &refusal).await;
    Ok(redirect_with_flash(
        &back,
        &Flash::error(format!(
            "Not done: {refusal}. Here is the promotion as it is now."
        )),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::forms::pairs;

    #[test]
    fn the_form_becomes_checkouts_command_with_utc_times_and_one_target_per_line() {
        let form = PromotionForm::from_pairs(
            &pairs(&[
                ("expected_version", "3"),
                ("name", " Spring "),
                ("kind", "amount_off"),
                ("value", "5.50"),
                ("scope", "skus"),
                ("targets", "TEE-S\r\n\r\n  MUG \n"),
                ("starts_at", "2025-03-01T09:30"),
                ("ends_at", "2025-04-01T00:00:30"),
                ("automatic", "1"),
                ("max_uses", "100"),
                ("code", "spring5"),
            ]),
            Some(7),
        );
        let save = form.to_save().unwrap();
        assert_eq!((save.id, save.expected_version), (Some(7), Some(3)));
        let rules = save.rules;
        assert_eq!(rules.name, "Spring");
        assert_eq!(rules.kind, PromotionKind::AmountOff);
        assert_eq!(rules.value, Some(Decimal::new(550, 2)));
        assert_eq!(rules.targets, ["TEE-S", "MUG"]);
        assert_eq!(
            rules.starts_at.unwrap().to_rfc3339(),
            "2025-03-01T09:30:00+00:00"
        );
        assert_eq!(local_input(rules.ends_at), "2025-04-01T00:00:30");
        assert!(rules.automatic && !rules.first_order_only);
        assert_eq!(
            (rules.max_uses, rules.max_uses_per_customer),
            (Some(100), None)
        );
        assert_eq!(rules.code.as_deref(), Some("spring5"));
    }

    #[test]
    fn what_the_form_cannot_send_is_named_and_checkouts_target_errors_name_the_line() {
        let form = PromotionForm::from_pairs(
            &pairs(&[
                ("name", "X"),
                ("kind", "half_off"),
                ("scope", "order"),
                ("value", "ten"),
                ("starts_at", "tomorrow"),
                ("max_uses", "-1"),
            ]),
            None,
        );
        let errors = form.to_save().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "value", "starts_at", "max_uses"]);
        let shown = form_errors(
            &[
                FieldError::new("targets[1]", "must be a SKU"),
                FieldError::new("code", "already used by another promotion"),
            ],
            &["TEE-S".to_owned(), "bad sku".to_owned()],
        );
        assert_eq!(shown[0].field, "targets");
        assert_eq!(shown[0].reason, "“bad sku” must be a SKU");
        assert_eq!(shown[1].field, "code");
    }
}
