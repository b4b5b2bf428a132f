//! Bulk actions on the products selected in the list: a confirmation step that says what will happen to
//! which products, then the one idempotent command (archive, activate, move, change prices), audited.

use axum::{Form, extract::State, response::Response};
use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        PRODUCTS_BULK,
        products::{BulkAction, BulkProducts, BulkResult, MAX_BULK},
    },
};

use super::{
    CategoryOption, Pairs, audit_refused, category_options, detail_of, field, fields,
    idempotency_key, write,
};
use crate::{
    audit::{self, Entry},
    http::{
        AppState,
        error::AdminError,
        extract::{Flash, RequireStaff},
        layers::redirect_with_flash,
        render::Page,
    },
    services::command,
};

/// Where to go back to after a bulk action: a list URL, never elsewhere.
fn back_to_list(pairs: &Pairs) -> String {
    let back = field(pairs, "back");
    if back == "/admin/products" || back.starts_with("/admin/products?") {
        back.to_owned()
    } else {
        "/admin/products".to_owned()
    }
}

/// The bulk action a form names, or the reason it names none.
fn bulk_action(pairs: &Pairs) -> Result<BulkAction, (&'static str, &'static str)> {
    match field(pairs, "action") {
        "archive" => Ok(BulkAction::Archive),
        "activate" => Ok(BulkAction::Activate),
        "move" => field(pairs, "category_id")
            .parse()
            .map(|category_id| BulkAction::MoveToCategory { category_id })
            .map_err(|_| ("category_id", "choose the category to move them to")),
        "price" => {
            let percent = field(pairs, "percent").trim();
            if percent.is_empty() {
                Err(("percent", "enter a percentage, e.g. -10 or 5.5"))
            } else {
                Ok(BulkAction::ChangePricePercent {
                    percent: percent.to_owned(),
                })
            }
        }
        _ => Err(("action", "choose what to do with the selected products")),
    }
}

fn describe(action: &BulkAction, categories: &[CategoryOption]) -> String {
    match action {
        BulkAction::Archive => "Archive".to_owned(),
        BulkAction::Activate => "Activate".to_owned(),
        BulkAction::MoveToCategory { category_id } => {
            let label = categories
                .iter()
                .find(|c| c.id == *category_id)
                .map_or_else(|| format!("#{category_id}"), |c| c.label.clone());
            format!("Move to “{label}”")
        }
        BulkAction::ChangePricePercent { percent } => format!("Change the price by {percent} %"),
    }
}

fn selected_ids(pairs: &Pairs) -> Vec<u32> {
    let mut ids: Vec<u32> = fields(pairs, "ids")
        .filter_map(|id| id.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The confirmation step: what will happen to which products, and the one idempotent command to send.
pub(super) async fn bulk_review(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let back = back_to_list(&pairs);
    let ids = selected_ids(&pairs);
    if ids.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error("Select at least one product first."),
        ));
    }
    if ids.len() > MAX_BULK {
        return Ok(redirect_with_flash(
            &back,
            &Flash::error(format!("Select at most {MAX_BULK} products at once.")),
        ));
    }
    let action = match bulk_action(&pairs) {
        Ok(action) => action,
        Err((_, reason)) => {
            let mut reason = reason.to_owned();
            if let Some(first) = reason.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            return Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("{reason}.")),
            ));
        }
    };
    let categories = category_options(&state).await?;
    Ok(state.render(
        Some(&session),
        Page::new("products/bulk.html", "Confirm the bulk change", "products")
            .with("ids", &ids)
            .with("description", &describe(&action, &categories))
            .with("action", &field(&pairs, "action"))
            .with("category_id", &field(&pairs, "category_id"))
            .with("percent", &field(&pairs, "percent").trim())
            .with("back", &back),
    ))
}

pub(super) async fn bulk_apply(
    State(state): State<AppState>,
    session: RequireStaff,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let back = back_to_list(&pairs);
    let key = idempotency_key(&pairs)?;
    let ids = selected_ids(&pairs);
    let action = bulk_action(&pairs)
        .map_err(|(field, reason)| AdminError::BadRequest(format!("{field}: {reason}")))?;
    let audit_action = match &action {
        BulkAction::Archive => "product.bulk_archive",
        BulkAction::Activate => "product.bulk_activate",
        BulkAction::MoveToCategory { .. } => "product.bulk_move",
        BulkAction::ChangePricePercent { .. } => "product.bulk_price",
    };
    let body = BulkProducts {
        ids: ids.clone(),
        action,
    };
    let reply: AdminReply<BulkResult> = write(
        &state,
        &session,
        audit_action,
        None,
        PRODUCTS_BULK,
        &command(&session, key, body.clone()),
    )
    .await?;
    match reply {
        AdminReply::Ok(result) => {
            let changed = result.products.iter().filter(|p| p.changed).count();
            audit::record(
                &state.db,
                &Entry::by(&session, audit_action)
                    .command(key)
                    .target("products", format!("{} products", ids.len()))
                    .before(&body)
                    .after(&result),
            )
            .await?;
            Ok(redirect_with_flash(
                &back,
                &Flash::success(format!(
                    "{changed} of {} selected products changed.",
                    ids.len()
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            let detail = detail_of(&errors);
            audit_refused(&state, &session, audit_action, None, &detail).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Nothing was changed: {detail}.")),
            ))
        }
        AdminReply::Conflict { reason, .. } => {
            audit_refused(&state, &session, audit_action, None, &reason).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Nothing was changed: {reason}.")),
            ))
        }
        AdminReply::NotFound { what } => {
            audit_refused(&state, &session, audit_action, None, &what).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!(
                    "Nothing was changed: {what} no longer exists. Reload the list."
                )),
            ))
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::products::pairs;

    #[test]
    fn a_bulk_form_names_its_action_or_the_missing_field() {
        assert_eq!(
            bulk_action(&pairs(&[("action", "price"), ("percent", "-10.5")])),
            Ok(BulkAction::ChangePricePercent {
                percent: "-10.5".to_owned()
            })
        );
        assert_eq!(
            bulk_action(&pairs(&[("action", "move")])).unwrap_err().0,
            "category_id"
        );
    }
}
