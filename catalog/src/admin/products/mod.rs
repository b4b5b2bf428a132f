//! `products.get`, `products.save`, `products.archive` and `products.bulk`.
//!
//! A save checks the form twice: first on its own ([`check_form`], pure: every bad field at once), then against
//! the database inside the transaction that will write it (taken slug and SKUs, unknown categories and
//! variants, the version). Only a form with no error writes anything; then the product, its variants, the
//! stock of new variants, its category links and search prefixes, its version and its events change in one
//! transaction with the command's idempotency key.
//!
//! `form` holds the checks on its own, `save` those against the database and the writes (`write_form`, which
//! an import uses too); `archive` takes a product off sale and `bulk` applies one action to many products.

use std::collections::HashMap;

use platform::contracts::{
    admin::AdminReply,
    catalog_admin::products::{
        CategoryChoice, GetProduct, ImageSummary, ProductDetail, SavedProduct, VariantDetail,
    },
};
use sqlx::{MySqlConnection, MySqlPool};

use super::{CHANGED_SINCE, listing::path_label};
use crate::db;

mod archive;
mod bulk;
mod form;
mod save;

pub use archive::archive;
pub use bulk::{bulk, new_price};
pub use form::{ProductForm, VariantForm, check_form, parse_price};
pub(crate) use save::stock_set;
pub use save::{save, write_form};

/// The threshold of a product saved without one.
pub const DEFAULT_LOW_STOCK: u32 = 5;
/// Most variants of one product.
pub const MAX_VARIANTS: usize = 500;
/// Most option names of one product.
pub const MAX_OPTIONS: usize = 5;

/// The whole editable product.
pub async fn get(
    pool: &MySqlPool,
    request: GetProduct,
) -> Result<AdminReply<ProductDetail>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let Some(product) = db::admin::products(&mut conn, &[request.id], false)
        .await?
        .pop()
    else {
        return Ok(not_found(request.id));
    };
    let variants = db::admin::variants(&mut conn, &[product.id], false).await?;
    let direct = db::admin::direct_categories(&mut conn, &[product.id])
        .await?
        .remove(&product.id)
        .unwrap_or_default();
    let images = db::admin::images(&mut conn, &[product.id]).await?;
    drop(conn);
    let categories = if direct.is_empty() {
        HashMap::new()
    } else {
        db::categories::all(pool).await?
    };
    Ok(AdminReply::Ok(ProductDetail {
        id: product.id,
        sku: product.sku,
        slug: product.slug,
        name: product.name,
        description: product.description,
        brand: product.brand,
        status: product.status,
        categories: direct
            .iter()
            .filter_map(|id| categories.get(id))
            .map(|category| CategoryChoice {
                id: category.id,
                path: path_label(&category.path_ids, &categories),
            })
            .collect(),
        option_names: product.option_names,
        variants: variants
            .into_iter()
            .map(|variant| VariantDetail {
                id: variant.id,
                sku: variant.sku,
                option_values: variant.option_values,
                price: variant.price,
                on_hand: variant.on_hand,
                reserved: variant.reserved,
                available: variant.on_hand.saturating_sub(variant.reserved),
            })
            .collect(),
        images: images
            .into_iter()
            .map(|image| ImageSummary {
                id: image.id,
                url: image.url,
                alt_text: image.alt_text,
            })
            .collect(),
        low_stock_threshold: product.low_stock_threshold,
        version: product.version,
        created_at: product.created_at,
        updated_at: product.updated_at,
    }))
}

fn not_found<T>(id: u32) -> AdminReply<T> {
    AdminReply::NotFound {
        what: format!("product {id}"),
    }
}

fn conflict<T>(current_version: u64) -> AdminReply<T> {
    AdminReply::Conflict {
        reason: CHANGED_SINCE.to_owned(),
        current_version: Some(current_version),
    }
}

async fn saved_product(
    conn: &mut MySqlConnection,
    id: u32,
    created: bool,
) -> Result<SavedProduct, sqlx::Error> {
    let product = db::admin::products(conn, &[id], false)
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(SavedProduct {
        id,
        sku: product.sku,
        slug: product.slug,
        status: product.status,
        version: product.version,
        created,
    })
}

/// The category paths of the categories product `id` is in now.
async fn current_paths(conn: &mut MySqlConnection, id: u32) -> Result<Vec<Vec<u32>>, sqlx::Error> {
    let direct = db::admin::direct_categories(conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let paths = db::admin::category_paths(conn, &direct).await?;
    Ok(direct
        .iter()
        .filter_map(|id| paths.get(id).cloned())
        .collect())
}
