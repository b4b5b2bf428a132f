//! `products.save`: a checked form against the database (taken slug and SKUs, unknown categories and
//! variants, the version) and its writes, with the StockChanged events of the stock new variants start with.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use platform::contracts::{
    admin::{AdminReply, Command, FieldError},
    catalog::{ProductStock, StockChangeReason, StockChanged},
    catalog_admin::{
        PRODUCTS_SAVE,
        products::{SaveProduct, SavedProduct},
    },
};
use sqlx::{MySqlConnection, MySqlPool};

use super::{ProductForm, check_form, conflict, not_found, saved_product};
use crate::admin::commands::{Refused, carry_out_in};
use crate::{
    db,
    domain::{Sku, Slug},
    events,
};

/// Creates or updates a product from its form.
pub async fn save(
    pool: &MySqlPool,
    command: &Command<SaveProduct>,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let tx = pool.begin().await?;
    carry_out_in(tx, PRODUCTS_SAVE, command, async |tx| {
        match check_form(&command.body) {
            Err(errors) => Ok(Err(Refused::Invalid(errors))),
            Ok(form) => write_form(tx, form).await.map(Refused::outcome),
        }
    })
    .await
}

/// Checks a form against the database and writes it, in the caller's transaction. Refusals are replies: the
/// caller rolls back what may have been written before.
pub async fn write_form(
    conn: &mut MySqlConnection,
    mut form: ProductForm,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let mut errors = Vec::new();
    let existing = match form.id {
        Some(id) => {
            let Some(product) = db::admin::products(conn, &[id], true).await?.pop() else {
                return Ok(not_found(id));
            };
            if form.expected_version != Some(product.version) {
                return Ok(conflict(product.version));
            }
            Some(product)
        }
        None => None,
    };
    let product_id = existing.as_ref().map(|product| product.id);
    let stored = match product_id {
        Some(id) => db::admin::variants(conn, &[id], true).await?,
        None => Vec::new(),
    };
    let stored_by_id: HashMap<u32, &db::admin::VariantRow> =
        stored.iter().map(|variant| (variant.id, variant)).collect();

    // SKUs are taken by variants and by products' own codes, across the catalog.
    let mut wanted: Vec<&str> = form.variants.iter().map(|v| v.sku.as_str()).collect();
    if existing.is_none() {
        wanted.push(form.sku.as_str());
    }
    let owners = db::admin::sku_owners(conn, &wanted).await?;
    for (i, variant) in form.variants.iter().enumerate() {
        match variant.id {
            Some(id) => match stored_by_id.get(&id) {
                None => errors.push(FieldError::new(
                    format!("variants[{i}].id"),
                    "is not a variant of this product: reload the form",
                )),
                Some(stored) if stored.sku != variant.sku.as_str() => errors.push(FieldError::new(
                    format!("variants[{i}].sku"),
                    format!(
                        "cannot change (it was {}): add a new variant for a new SKU",
                        stored.sku
                    ),
                )),
                Some(_) => {}
            },
            None => {
                if let Some(owner) = owners.get(variant.sku.as_str())
                    && Some(*owner) != product_id
                {
                    errors.push(FieldError::new(
                        format!("variants[{i}].sku"),
                        "is already used by another product",
                    ));
                }
            }
        }
    }
    if existing.is_none()
        && form.variants.first().map(|v| &v.sku) != Some(&form.sku)
        && owners.contains_key(form.sku.as_str())
    {
        errors.push(FieldError::new("sku", "is already used by another product"));
    }

    let paths = db::admin::category_paths(conn, &form.category_ids).await?;
    for (i, id) in form.category_ids.iter().enumerate() {
        if !paths.contains_key(id) {
            errors.push(FieldError::new(
                format!("category_ids[{i}]"),
                "no such category: reload the form",
            ));
        }
    }

    form.fields.slug = match &form.slug {
        Some(slug) => {
            if db::admin::slug_taken(conn, slug.as_str(), product_id).await? {
                errors.push(FieldError::new(
                    "slug",
                    "is already used by another product",
                ));
            }
            slug.to_string()
        }
        None => match &existing {
            // An edit without a slug keeps the one links and bookmarks already use.
            Some(product) => product.slug.clone(),
            None => free_slug(conn, &form.fields.name).await?,
        },
    };
    if !errors.is_empty() {
        return Ok(AdminReply::Invalid { errors });
    }

    // Variants left out of the form go, unless orders hold or name them.
    let kept: HashSet<u32> = form.variants.iter().filter_map(|v| v.id).collect();
    for removed in stored.iter().filter(|v| !kept.contains(&v.id)) {
        if removed.reserved > 0 {
            return Ok(AdminReply::Conflict {
                reason: format!(
                    "variant {} has {} units reserved for orders: it cannot be removed now",
                    removed.sku, removed.reserved
                ),
                current_version: existing.as_ref().map(|p| p.version),
            });
        }
        if db::admin::variant_in_orders(conn, removed.id).await? {
            return Ok(AdminReply::Conflict {
                reason: format!(
                    "orders name variant {}: it cannot be removed (archive the product instead)",
                    removed.sku
                ),
                current_version: existing.as_ref().map(|p| p.version),
            });
        }
        db::admin::delete_variant(conn, removed.id).await?;
    }

    let (id, created) = match product_id {
        Some(id) => {
            db::admin::update_product(conn, id, &form.fields).await?;
            db::admin::park_variants(conn, id).await?;
            (id, false)
        }
        None => match db::admin::insert_product(conn, form.sku.as_str(), &form.fields).await {
            Ok(id) => (id, true),
            // Another save took the SKU or the slug between the checks above and this insert.
            Err(err) if db::is_duplicate_key(&err) => return Ok(taken_meanwhile("sku")),
            Err(err) => return Err(err),
        },
    };
    let mut new_variants = Vec::new();
    for (position, variant) in form.variants.iter().enumerate() {
        let position = position as u16;
        match variant.id {
            Some(variant_id) => {
                db::admin::update_variant(
                    conn,
                    variant_id,
                    variant.price,
                    &variant.option_values,
                    position,
                )
                .await?;
            }
            None => {
                let inserted = db::admin::insert_variant(
                    conn,
                    id,
                    variant.sku.as_str(),
                    variant.price,
                    &variant.option_values,
                    position,
                    variant.initial_on_hand,
                )
                .await;
                match inserted {
                    Ok(_) => {}
                    Err(err) if db::is_duplicate_key(&err) => {
                        return Ok(taken_meanwhile(&format!("variants[{position}].sku")));
                    }
                    Err(err) => return Err(err),
                }
                new_variants.push((variant.sku.clone(), variant.initial_on_hand));
            }
        }
    }
    let paths: Vec<Vec<u32>> = form
        .category_ids
        .iter()
        .filter_map(|id| paths.get(id).cloned())
        .collect();
    db::admin::refresh_product(conn, id, &paths).await?;
    let saved = saved_product(conn, id, created).await?;
    events::product_upserted(conn, &[id]).await?;
    for (sku, on_hand) in new_variants {
        stock_set(conn, &saved, sku, on_hand, 0).await?;
    }
    Ok(AdminReply::Ok(saved))
}

/// A unique key refused a value the checks found free: a concurrent save took it. The caller rolls back.
fn taken_meanwhile<T>(field: &str) -> AdminReply<T> {
    AdminReply::invalid(
        field,
        "was just taken by another product (or its slug was): check and save again",
    )
}

/// The slug of a new product's name, with `-2`, `-3`, ... when another product has it.
async fn free_slug(conn: &mut MySqlConnection, name: &str) -> Result<String, sqlx::Error> {
    let base = Slug::from_text(name, 180).to_string();
    let mut slug = base.clone();
    for n in 2.. {
        if !db::admin::slug_taken(conn, &slug, None).await? {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// A StockChanged event for stock the admin set (a new variant's first count, an import's) of a variant of
/// the product just `saved`.
pub(crate) async fn stock_set(
    conn: &mut MySqlConnection,
    saved: &SavedProduct,
    sku: Sku,
    on_hand: u32,
    reserved: u32,
) -> Result<(), sqlx::Error> {
    let available = on_hand.saturating_sub(reserved);
    let (_, _, product_available) = db::admin::stock_totals(conn, &[saved.id])
        .await?
        .remove(&saved.id)
        .unwrap_or_default();
    let product_sku = Sku::parse(&saved.sku).map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
    events::stock_changed(
        conn,
        StockChanged {
            sku,
            on_hand,
            reserved,
            available,
            in_stock: available > 0,
            reason: StockChangeReason::Adjusted,
            order_number: None,
            product_version: saved.version,
            changed_at: Utc::now(),
            product: Some(ProductStock {
                sku: product_sku,
                available: product_available,
                in_stock: product_available > 0,
            }),
        },
    )
    .await
}
