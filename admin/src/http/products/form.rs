//! The product form: create and edit a product with its categories, options and variants. Variant rows are
//! fields named `variants[<n>].<field>` (the names the catalog's refusals use), so each reason shows next to
//! its input. "Add a variant" posts the form back with one more row (htmx swaps just the table; without
//! JavaScript the whole page comes back), nothing is saved until "Save".

use std::collections::BTreeMap;

use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog::ProductStatus,
    catalog_admin::{
        PRODUCTS_ARCHIVE, PRODUCTS_GET, PRODUCTS_SAVE,
        products::{
            ArchiveProduct, GetProduct, ImageSummary, ProductDetail, SaveProduct, SavedProduct,
            VariantInput,
        },
    },
};
use serde::Serialize;

use super::{
    CategoryOption, Pairs, audit_refused, category_options, detail_of, field, fields,
    idempotency_key, write,
};
use crate::{
    audit::{self, Entry},
    http::{
        AppState,
        error::AdminError,
        extract::{CurrentSession, Flash, RequireStaff, RequireViewer},
        layers::redirect_with_flash,
        render::Page,
    },
    services::command,
};

/// One variant row as the form shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct VariantRow {
    pub id: Option<u32>,
    pub sku: String,
    pub price: String,
    /// Comma-separated, in the order of the option names.
    pub option_values: String,
    pub initial_on_hand: String,
    /// Stock, shown for a saved variant.
    pub on_hand: Option<u32>,
    pub reserved: Option<u32>,
    pub available: Option<u32>,
}

/// The product form's values, as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct ProductForm {
    pub id: Option<u32>,
    pub version: Option<u64>,
    pub sku: String,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub brand: String,
    pub status: String,
    pub low_stock_threshold: String,
    pub category_ids: Vec<u32>,
    /// Comma-separated.
    pub option_names: String,
    pub variants: Vec<VariantRow>,
}

fn join(values: &[String]) -> String {
    values.join(", ")
}

fn split(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|value| value.trim().to_owned())
        .collect()
}

impl ProductForm {
    fn blank() -> Self {
        Self {
            status: "draft".to_owned(),
            low_stock_threshold: "5".to_owned(),
            variants: vec![VariantRow {
                initial_on_hand: "0".to_owned(),
                ..VariantRow::default()
            }],
            ..Self::default()
        }
    }

    fn from_detail(detail: &ProductDetail) -> Self {
        Self {
            id: Some(detail.id),
            version: Some(detail.version),
            sku: detail.sku.clone(),
            name: detail.name.clone(),
            slug: detail.slug.clone(),
            description: detail.description.clone(),
            brand: detail.brand.clone(),
            status: detail.status.to_string(),
            low_stock_threshold: detail.low_stock_threshold.to_string(),
            category_ids: detail.categories.iter().map(|c| c.id).collect(),
            option_names: join(&detail.option_names),
            variants: detail
                .variants
                .iter()
                .map(|variant| VariantRow {
                    id: Some(variant.id),
                    sku: variant.sku.clone(),
                    price: variant.price.to_string(),
                    option_values: join(&variant.option_values),
                    initial_on_hand: String::new(),
                    on_hand: Some(variant.on_hand),
                    reserved: Some(variant.reserved),
                    available: Some(variant.available),
                })
                .collect(),
        }
    }

    /// The form as posted: rows in the order of their numbers, removed rows left out.
    fn from_pairs(pairs: &Pairs, id: Option<u32>) -> Self {
        let text = |name: &str| field(pairs, name).to_owned();
        let mut rows: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("variants[") else {
                continue;
            };
            let Some((index, name)) = rest.split_once("].") else {
                continue;
            };
            if let Ok(index) = index.parse() {
                rows.entry(index)
                    .or_default()
                    .insert(name.to_owned(), value.clone());
            }
        }
        let variants = rows
            .into_values()
            .filter(|row| row.get("remove").is_none_or(String::is_empty))
            .map(|row| {
                let get = |name: &str| row.get(name).cloned().unwrap_or_default();
                VariantRow {
                    id: get("id").parse().ok(),
                    sku: get("sku").trim().to_owned(),
                    price: get("price").trim().to_owned(),
                    option_values: get("option_values"),
                    initial_on_hand: get("initial_on_hand").trim().to_owned(),
                    ..VariantRow::default()
                }
            })
            .collect();
        Self {
            id,
            version: field(pairs, "version").parse().ok(),
            sku: text("sku").trim().to_owned(),
            name: text("name"),
            slug: text("slug").trim().to_owned(),
            description: text("description"),
            brand: text("brand"),
            status: text("status"),
            low_stock_threshold: text("low_stock_threshold").trim().to_owned(),
            category_ids: fields(pairs, "category_ids")
                .filter_map(|id| id.parse().ok())
                .collect(),
            option_names: text("option_names"),
            variants,
        }
    }

    /// The catalog's command body, or the fields this form cannot even send.
    fn to_save(&self) -> Result<SaveProduct, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field: String, reason: &str| {
            errors.push(FieldError {
                field,
                reason: reason.to_owned(),
            });
        };
        let status = ProductStatus::from_name(&self.status);
        if status == ProductStatus::Unknown {
            error("status".to_owned(), "must be draft, active or archived");
        }
        let low_stock_threshold = if self.low_stock_threshold.is_empty() {
            None
        } else {
            match self.low_stock_threshold.parse::<u32>() {
                Ok(threshold) => Some(threshold),
                Err(_) => {
                    error(
                        "low_stock_threshold".to_owned(),
                        "must be a whole number, 0 or more",
                    );
                    None
                }
            }
        };
        let option_names = split(&self.option_names);
        let mut variants = Vec::new();
        for (index, row) in self.variants.iter().enumerate() {
            let initial_on_hand = if row.id.is_some() || row.initial_on_hand.is_empty() {
                None
            } else {
                match row.initial_on_hand.parse::<u32>() {
                    Ok(units) => Some(units),
                    Err(_) => {
                        error(
                            format!("variants[{index}].initial_on_hand"),
                            "must be a whole number of units, 0 or more",
                        );
                        None
                    }
                }
            };
            variants.push(VariantInput {
                id: row.id,
                sku: row.sku.clone(),
                price: row.price.clone(),
                option_values: split(&row.option_values),
                initial_on_hand,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SaveProduct {
            id: self.id,
            expected_version: self.id.and(self.version),
            sku: if self.id.is_some() {
                String::new()
            } else {
                self.sku.clone()
            },
            name: self.name.clone(),
            slug: self.slug.clone(),
            description: self.description.clone(),
            brand: self.brand.clone(),
            category_ids: self.category_ids.clone(),
            status,
            option_names,
            variants,
            low_stock_threshold,
        })
    }
}

/// A conflict shown above the form.
#[derive(Debug, Serialize)]
struct Conflict {
    reason: String,
    current_version: Option<u64>,
}

/// The form page; `images` only for a saved product.
fn form_page(
    form: &ProductForm,
    categories: &[CategoryOption],
    images: &[ImageSummary],
    errors: &[FieldError],
    conflict: Option<&Conflict>,
) -> Page {
    let title = match form.id {
        Some(_) if !form.name.is_empty() => form.name.clone(),
        Some(id) => format!("Product {id}"),
        None => "New product".to_owned(),
    };
    let mut page = Page::new("products/form.html", &title, "products")
        .with("form", form)
        .with("categories", &categories)
        .with("images", &images)
        .with("conflict", &conflict)
        .with("statuses", &["draft", "active", "archived"])
        .with_errors(errors.iter().map(|e| (e.field.as_str(), e.reason.as_str())));
    if conflict.is_some() {
        page = page.status(StatusCode::CONFLICT);
    }
    page
}

/// The product, or 404.
pub(super) async fn detail(state: &AppState, id: u32) -> Result<ProductDetail, AdminError> {
    match state
        .catalog
        .call::<_, ProductDetail>(PRODUCTS_GET, &GetProduct { id })
        .await?
    {
        AdminReply::Ok(detail) => Ok(detail),
        AdminReply::NotFound { .. } => Err(AdminError::NotFound),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "products.get {id} was refused: {other:?}"
        ))),
    }
}

pub(super) async fn new(
    State(state): State<AppState>,
    session: RequireStaff,
) -> Result<Response, AdminError> {
    let categories = category_options(&state).await?;
    Ok(state.render(
        Some(&session),
        form_page(&ProductForm::blank(), &categories, &[], &[], None),
    ))
}

/// The edit page of product `id`, with `errors` (from an image form) next to their fields.
pub(super) async fn edit_page(
    state: &AppState,
    session: &CurrentSession,
    id: u32,
    errors: &[FieldError],
) -> Result<Response, AdminError> {
    let detail = detail(state, id).await?;
    let categories = category_options(state).await?;
    Ok(state.render(
        Some(session),
        form_page(
            &ProductForm::from_detail(&detail),
            &categories,
            &detail.images,
            errors,
            None,
        ),
    ))
}

pub(super) async fn edit(
    State(state): State<AppState>,
    session: RequireViewer,
    Path(id): Path<u32>,
) -> Result<Response, AdminError> {
    edit_page(&state, &session, id, &[]).await
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
    Path(id): Path<u32>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    save(&state, &session, Some(id), &pairs).await
}

async fn save(
    state: &AppState,
    session: &CurrentSession,
    id: Option<u32>,
    pairs: &Pairs,
) -> Result<Response, AdminError> {
    let mut form = ProductForm::from_pairs(pairs, id);
    let categories = category_options(state).await?;
    let current = match id {
        Some(id) => Some(detail(state, id).await?),
        None => None,
    };
    let images = current
        .as_ref()
        .map(|current| current.images.clone())
        .unwrap_or_default();
    if let Some(current) = &current {
        // The stock of saved variants, shown again beside the typed values.
        for row in &mut form.variants {
            if let Some(variant) = current.variants.iter().find(|v| Some(v.id) == row.id) {
                row.on_hand = Some(variant.on_hand);
                row.reserved = Some(variant.reserved);
                row.available = Some(variant.available);
            }
        }
    }
    if !field(pairs, "add_row").is_empty() {
        form.variants.push(VariantRow {
            initial_on_hand: "0".to_owned(),
            ..VariantRow::default()
        });
        return Ok(state.render(
            Some(session),
            form_page(&form, &categories, &images, &[], None),
        ));
    }
    let key = idempotency_key(pairs)?;
    let body = match form.to_save() {
        Ok(body) => body,
        Err(errors) => {
            audit_refused(state, session, "product.save", id, &detail_of(&errors)).await;
            return Ok(state.render(
                Some(session),
                form_page(&form, &categories, &images, &errors, None),
            ));
        }
    };
    let before = current;
    let reply: AdminReply<SavedProduct> = write(
        state,
        session,
        "product.save",
        id,
        PRODUCTS_SAVE,
        &command(session, key, body),
    )
    .await?;
    match reply {
        AdminReply::Ok(saved) => {
            let after = detail(state, saved.id).await?;
            audit::record(
                &state.db,
                &Entry::by(session, "product.save")
                    .command(key)
                    .target("product", saved.id)
                    .before(&before)
                    .after(&after),
            )
            .await?;
            let message = if saved.created {
                format!("Created “{}”.", after.name)
            } else {
                format!("Saved “{}”.", after.name)
            };
            Ok(redirect_with_flash(
                &format!("/admin/products/{}", saved.id),
                &Flash::success(message),
            ))
        }
        AdminReply::Invalid { errors } => {
            audit_refused(state, session, "product.save", id, &detail_of(&errors)).await;
            Ok(state.render(
                Some(session),
                form_page(&form, &categories, &images, &errors, None),
            ))
        }
        AdminReply::Conflict {
            reason,
            current_version,
        } => {
            audit_refused(state, session, "product.save", id, &reason).await;
            let conflict = Conflict {
                reason,
                current_version,
            };
            Ok(state.render(
                Some(session),
                form_page(&form, &categories, &images, &[], Some(&conflict)),
            ))
        }
        AdminReply::NotFound { what } => {
            audit_refused(state, session, "product.save", id, &what).await;
            Err(AdminError::NotFound)
        }
    }
}

pub(super) async fn archive(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u32>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let expected_version = field(&pairs, "version").parse().map_err(|_| {
        AdminError::BadRequest("The form carried no version: reload it.".to_owned())
    })?;
    let before = detail(&state, id).await?;
    let reply: AdminReply<SavedProduct> = write(
        &state,
        &session,
        "product.archive",
        Some(id),
        PRODUCTS_ARCHIVE,
        &command(
            &session,
            key,
            ArchiveProduct {
                id,
                expected_version,
            },
        ),
    )
    .await?;
    let back = format!("/admin/products/{id}");
    match reply {
        AdminReply::Ok(saved) => {
            audit::record(
                &state.db,
                &Entry::by(&session, "product.archive")
                    .command(key)
                    .target("product", id)
                    .before(serde_json::json!({"status": before.status, "version": before.version}))
                    .after(&saved),
            )
            .await?;
            Ok(redirect_with_flash(
                &back,
                &Flash::success(format!("Archived “{}”.", before.name)),
            ))
        }
        AdminReply::Conflict { reason, .. } => {
            audit_refused(&state, &session, "product.archive", Some(id), &reason).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!(
                    "Not archived: this product was {reason}. Here it is as it is now."
                )),
            ))
        }
        AdminReply::Invalid { errors } => {
            let detail = detail_of(&errors);
            audit_refused(&state, &session, "product.archive", Some(id), &detail).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Not archived: {detail}.")),
            ))
        }
        AdminReply::NotFound { .. } => Err(AdminError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::products::pairs;

    #[test]
    fn variant_rows_are_read_in_order_without_the_removed_ones() {
        let form = ProductForm::from_pairs(
            &pairs(&[
                ("name", "Tee"),
                ("status", "active"),
                ("option_names", "size, color"),
                ("variants[2].sku", "TEE-L"),
                ("variants[2].price", "12.00"),
                ("variants[2].option_values", "L, red"),
                ("variants[0].sku", "TEE-S"),
                ("variants[0].price", "10.00"),
                ("variants[0].option_values", "S, red"),
                ("variants[0].initial_on_hand", "4"),
                ("variants[1].sku", "TEE-M"),
                ("variants[1].remove", "1"),
                ("category_ids", "3"),
                ("category_ids", "5"),
            ]),
            None,
        );
        let save = form.to_save().unwrap();
        assert_eq!(save.option_names, ["size", "color"]);
        assert_eq!(save.category_ids, [3, 5]);
        let skus: Vec<&str> = save.variants.iter().map(|v| v.sku.as_str()).collect();
        assert_eq!(skus, ["TEE-S", "TEE-L"]);
        assert_eq!(save.variants[0].option_values, ["S", "red"]);
        assert_eq!(save.variants[0].initial_on_hand, Some(4));
    }

    #[test]
    fn a_count_that_is_not_a_number_is_refused_next_to_its_row() {
        let form = ProductForm::from_pairs(
            &pairs(&[
                ("name", "Mug"),
                ("status", "draft"),
                ("variants[0].sku", "MUG"),
                ("variants[0].price", "5"),
                ("variants[0].initial_on_hand", "lots"),
            ]),
            None,
        );
        let errors = form.to_save().unwrap_err();
        assert_eq!(errors[0].field, "variants[0].initial_on_hand");
    }
}
