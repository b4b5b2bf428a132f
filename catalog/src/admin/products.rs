//! `products.get`, `products.save`, `products.archive` and `products.bulk`.
//!
//! A save checks the form twice: first on its own ([`check_form`], pure: every bad field at once), then against
//! the database inside the transaction that will write it (taken slug and SKUs, unknown categories and
//! variants, the version). Only a form with no error writes anything; then the product, its variants, the
//! stock of new variants, its category links and search prefixes, its version and its events change in one
//! transaction with the command's idempotency key.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use platform::{
    admin_commands,
    contracts::{
        admin::{AdminReply, Command, FieldError},
        catalog::{ProductStock, StockChangeReason, StockChanged},
        catalog_admin::{
            PRODUCTS_ARCHIVE, PRODUCTS_BULK, PRODUCTS_SAVE,
            products::{
                ArchiveProduct, BulkAction, BulkOutcome, BulkProducts, BulkResult, CategoryChoice,
                GetProduct, ImageSummary, MAX_BULK, ProductDetail, SaveProduct, SavedProduct,
                VariantDetail, VariantInput,
            },
        },
    },
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use sqlx::{MySql, MySqlConnection, MySqlPool, Transaction};
use uuid::Uuid;

use super::{CHANGED_SINCE, listing::path_label};
use crate::{
    db::{self, admin::ProductFields},
    domain::{ProductStatus, Sku, Slug},
    events,
};

/// The threshold of a product saved without one.
pub const DEFAULT_LOW_STOCK: u32 = 5;
/// Most variants of one product.
pub const MAX_VARIANTS: usize = 500;
/// Most option names of one product.
pub const MAX_OPTIONS: usize = 5;
/// The largest price (DECIMAL(12, 2)).
const MAX_PRICE: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

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

/// Records the reply and commits when the command was carried out; rolls everything back (the idempotency
/// claim included, so the corrected form can be sent again with the same key) when it was refused.
pub(crate) async fn finish<R: Serialize>(
    mut tx: Transaction<'_, MySql>,
    key: &Uuid,
    reply: AdminReply<R>,
) -> Result<AdminReply<R>, sqlx::Error> {
    if matches!(reply, AdminReply::Ok(_)) {
        admin_commands::record(&mut tx, key, &reply).await?;
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(reply)
}

/// A variant of a form that passed [`check_form`].
#[derive(Debug, Clone, PartialEq)]
pub struct VariantForm {
    pub id: Option<u32>,
    pub sku: Sku,
    pub price: Decimal,
    pub option_values: Vec<String>,
    pub initial_on_hand: u32,
}

/// A product form that passed [`check_form`]: what the database checks and writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductForm {
    pub id: Option<u32>,
    pub expected_version: Option<u64>,
    /// The product's own code, for a new product.
    pub sku: Sku,
    /// Blank when it is to be derived from the name.
    pub slug: Option<Slug>,
    pub fields: ProductFields,
    pub category_ids: Vec<u32>,
    pub variants: Vec<VariantForm>,
}

/// A price as typed: at least 0, at most 2 decimals, below a billion.
pub fn parse_price(text: &str) -> Result<Decimal, &'static str> {
    let price: Decimal = text
        .trim()
        .parse()
        .map_err(|_| "must be a number such as 19.99")?;
    if price.is_sign_negative() && !price.is_zero() {
        return Err("must not be negative");
    }
    if price.normalize().scale() > 2 {
        return Err("must have at most 2 decimals");
    }
    if price >= MAX_PRICE {
        return Err("is too large");
    }
    Ok(price.round_dp(2))
}

/// Checks everything a form says on its own; every bad field at once.
pub fn check_form(input: &SaveProduct) -> Result<ProductForm, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    } else if name.chars().count() > 255 {
        errors.push(FieldError::new("name", "must be at most 255 characters"));
    }
    let slug = match input.slug.trim() {
        "" => None,
        slug => match Slug::parse(slug) {
            Ok(slug) => Some(slug),
            Err(invalid) => {
                errors.push(FieldError::new("slug", invalid.reason));
                None
            }
        },
    };
    let brand = input.brand.trim();
    if brand.chars().count() > 128 {
        errors.push(FieldError::new("brand", "must be at most 128 characters"));
    }
    if input.description.len() > 65_000 {
        errors.push(FieldError::new("description", "is too long"));
    }
    if input.status == ProductStatus::Unknown {
        errors.push(FieldError::new(
            "status",
            "must be draft, active or archived",
        ));
    }
    if input.id.is_some() && input.expected_version.is_none() {
        errors.push(FieldError::new(
            "expected_version",
            "is required to edit a product: reload the form",
        ));
    }
    if input.low_stock_threshold.is_some_and(|t| t > 1_000_000) {
        errors.push(FieldError::new(
            "low_stock_threshold",
            "must be at most 1000000",
        ));
    }

    let mut option_names = Vec::new();
    let mut seen_names = HashSet::new();
    if input.option_names.len() > MAX_OPTIONS {
        errors.push(FieldError::new(
            "option_names",
            format!("at most {MAX_OPTIONS} options"),
        ));
    }
    for (i, option) in input.option_names.iter().enumerate() {
        let option = option.trim();
        let field = format!("option_names[{i}]");
        if option.is_empty() {
            errors.push(FieldError::new(field, "is required"));
        } else if option.chars().count() > 64 {
            errors.push(FieldError::new(field, "must be at most 64 characters"));
        } else if !seen_names.insert(option.to_lowercase()) {
            errors.push(FieldError::new(field, "appears twice"));
        }
        option_names.push(option.to_owned());
    }

    let mut variants = Vec::new();
    if input.variants.is_empty() {
        errors.push(FieldError::new(
            "variants",
            "at least one variant is required",
        ));
    } else if input.variants.len() > MAX_VARIANTS {
        errors.push(FieldError::new(
            "variants",
            format!("at most {MAX_VARIANTS} variants"),
        ));
    } else if option_names.is_empty() && input.variants.len() > 1 {
        errors.push(FieldError::new(
            "variants",
            "a product without options has exactly one variant: name its options first",
        ));
    }
    let mut skus: HashMap<String, usize> = HashMap::new();
    let mut combinations: HashMap<Vec<String>, usize> = HashMap::new();
    for (i, variant) in input.variants.iter().enumerate() {
        if let Some(form) = check_variant(i, variant, &option_names, &mut errors) {
            if let Some(first) = skus.insert(form.sku.to_string(), i) {
                errors.push(FieldError::new(
                    format!("variants[{i}].sku"),
                    format!("is the SKU of variant {} too", first + 1),
                ));
            }
            let combination: Vec<String> = form
                .option_values
                .iter()
                .map(|v| v.to_lowercase())
                .collect();
            if !option_names.is_empty()
                && let Some(first) = combinations.insert(combination, i)
            {
                errors.push(FieldError::new(
                    format!("variants[{i}].option_values"),
                    format!("are the options of variant {} too", first + 1),
                ));
            }
            variants.push(form);
        }
    }

    let sku = match input.sku.trim() {
        "" => variants.first().map(|variant| variant.sku.clone()),
        sku => match Sku::parse(sku) {
            Ok(sku) => Some(sku),
            Err(_) => {
                errors.push(FieldError::new("sku", "must be 1 to 32 of A-Z, 0-9 and -"));
                None
            }
        },
    };
    match sku {
        Some(sku) if errors.is_empty() => Ok(ProductForm {
            id: input.id,
            expected_version: input.expected_version,
            sku,
            slug,
            fields: ProductFields {
                slug: String::new(),
                name: name.to_owned(),
                description: input.description.trim().to_owned(),
                brand: brand.to_owned(),
                status: input.status,
                option_names,
                low_stock_threshold: input.low_stock_threshold.unwrap_or(DEFAULT_LOW_STOCK),
            },
            category_ids: input
                .category_ids
                .iter()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            variants,
        }),
        _ => Err(errors),
    }
}

fn check_variant(
    i: usize,
    variant: &VariantInput,
    option_names: &[String],
    errors: &mut Vec<FieldError>,
) -> Option<VariantForm> {
    let before = errors.len();
    let sku = Sku::parse(&variant.sku)
        .map_err(|_| {
            errors.push(FieldError::new(
                format!("variants[{i}].sku"),
                if variant.sku.trim().is_empty() {
                    "is required".to_owned()
                } else {
                    "must be 1 to 32 of A-Z, 0-9 and -".to_owned()
                },
            ));
        })
        .ok();
    let price = parse_price(&variant.price)
        .map_err(|reason| errors.push(FieldError::new(format!("variants[{i}].price"), reason)))
        .ok();
    let option_values: Vec<String> = variant
        .option_values
        .iter()
        .map(|value| value.trim().to_owned())
        .collect();
    if option_values.len() != option_names.len() {
        errors.push(FieldError::new(
            format!("variants[{i}].option_values"),
            if option_names.is_empty() {
                "a product without options has no option values".to_owned()
            } else {
                format!("one value for each option: {}", option_names.join(", "))
            },
        ));
    } else {
        for (j, value) in option_values.iter().enumerate() {
            if value.is_empty() {
                errors.push(FieldError::new(
                    format!("variants[{i}].option_values[{j}]"),
                    "is required",
                ));
            } else if value.chars().count() > 64 {
                errors.push(FieldError::new(
                    format!("variants[{i}].option_values[{j}]"),
                    "must be at most 64 characters",
                ));
            }
        }
    }
    if variant.id.is_some() && variant.initial_on_hand.is_some_and(|units| units > 0) {
        errors.push(FieldError::new(
            format!("variants[{i}].initial_on_hand"),
            "the stock of an existing variant changes through a stock adjustment",
        ));
    }
    (errors.len() == before).then(|| VariantForm {
        id: variant.id,
        sku: sku.expect("checked"),
        price: price.expect("checked"),
        option_values,
        initial_on_hand: variant.initial_on_hand.unwrap_or(0),
    })
}

/// Creates or updates a product from its form.
pub async fn save(
    pool: &MySqlPool,
    command: &Command<SaveProduct>,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(replay) = admin_commands::claim(&mut tx, PRODUCTS_SAVE, command).await? {
        return Ok(replay);
    }
    let reply = match check_form(&command.body) {
        Err(errors) => AdminReply::Invalid { errors },
        Ok(form) => write_form(&mut tx, form).await?,
    };
    finish(tx, &command.idempotency_key, reply).await
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

/// Takes a product off sale.
pub async fn archive(
    pool: &MySqlPool,
    command: &Command<ArchiveProduct>,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(replay) = admin_commands::claim(&mut tx, PRODUCTS_ARCHIVE, command).await? {
        return Ok(replay);
    }
    let ArchiveProduct {
        id,
        expected_version,
    } = command.body;
    let reply = match db::admin::products(&mut tx, &[id], true).await?.pop() {
        None => not_found(id),
        Some(product) if product.version != expected_version => conflict(product.version),
        Some(_) => {
            db::admin::set_status(&mut tx, id, ProductStatus::Archived).await?;
            let paths = current_paths(&mut tx, id).await?;
            db::admin::refresh_product(&mut tx, id, &paths).await?;
            events::product_upserted(&mut tx, &[id]).await?;
            AdminReply::Ok(saved_product(&mut tx, id, false).await?)
        }
    };
    finish(tx, &command.idempotency_key, reply).await
}

/// A bulk action whose values were checked.
enum Action {
    Status(ProductStatus),
    Move { category: Vec<u32> },
    Price { factor: Decimal },
}

/// One action on many products: all of them or none.
pub async fn bulk(
    pool: &MySqlPool,
    command: &Command<BulkProducts>,
) -> Result<AdminReply<BulkResult>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(replay) = admin_commands::claim(&mut tx, PRODUCTS_BULK, command).await? {
        return Ok(replay);
    }
    let reply = bulk_in(&mut tx, &command.body).await?;
    finish(tx, &command.idempotency_key, reply).await
}

async fn bulk_in(
    conn: &mut MySqlConnection,
    request: &BulkProducts,
) -> Result<AdminReply<BulkResult>, sqlx::Error> {
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    for id in &request.ids {
        if seen.insert(*id) {
            ids.push(*id);
        }
    }
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new("ids", "select at least one product"));
    } else if ids.len() > MAX_BULK {
        errors.push(FieldError::new(
            "ids",
            format!("at most {MAX_BULK} products at once"),
        ));
    }
    let action = match &request.action {
        BulkAction::Archive => Some(Action::Status(ProductStatus::Archived)),
        BulkAction::Activate => Some(Action::Status(ProductStatus::Active)),
        BulkAction::MoveToCategory { category_id } => {
            match db::admin::category_paths(conn, &[*category_id])
                .await?
                .remove(category_id)
            {
                Some(path) => Some(Action::Move { category: path }),
                None => {
                    errors.push(FieldError::new("category_id", "no such category"));
                    None
                }
            }
        }
        BulkAction::ChangePricePercent { percent } => match parse_percent(percent) {
            Ok(percent) => Some(Action::Price {
                factor: Decimal::ONE + percent / Decimal::ONE_HUNDRED,
            }),
            Err(reason) => {
                errors.push(FieldError::new("percent", reason));
                None
            }
        },
    };
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        return Ok(AdminReply::Invalid { errors });
    };

    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let products: HashMap<u32, db::admin::ProductRow> = db::admin::products(conn, &sorted, true)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !products.contains_key(id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Ok(AdminReply::NotFound {
            what: format!("products {}", missing.join(", ")),
        });
    }

    let mut changed_ids = Vec::new();
    for id in &sorted {
        let product = &products[id];
        let changed = match &action {
            Action::Status(status) => {
                let changed = product.status != *status;
                if changed {
                    db::admin::set_status(conn, *id, *status).await?;
                    let paths = current_paths(conn, *id).await?;
                    db::admin::refresh_product(conn, *id, &paths).await?;
                }
                changed
            }
            Action::Move { category } => {
                let category_id = category.last().copied().unwrap_or_default();
                let current = db::admin::direct_categories(conn, &[*id])
                    .await?
                    .remove(id)
                    .unwrap_or_default();
                let changed = current != [category_id];
                if changed {
                    db::admin::touch(conn, *id).await?;
                    db::admin::refresh_product(conn, *id, std::slice::from_ref(category)).await?;
                }
                changed
            }
            Action::Price { factor } => {
                let variants = db::admin::variants(conn, &[*id], true).await?;
                let mut changed = false;
                for variant in &variants {
                    let price = new_price(variant.price, *factor);
                    if price != variant.price {
                        db::admin::set_variant_price(conn, variant.id, price).await?;
                        changed = true;
                    }
                }
                if changed {
                    db::admin::touch(conn, *id).await?;
                    let paths = current_paths(conn, *id).await?;
                    db::admin::refresh_product(conn, *id, &paths).await?;
                }
                changed
            }
        };
        if changed {
            changed_ids.push(*id);
        }
    }
    events::product_upserted(conn, &changed_ids).await?;
    let after: HashMap<u32, db::admin::ProductRow> = db::admin::products(conn, &sorted, false)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let changed: HashSet<u32> = changed_ids.into_iter().collect();
    Ok(AdminReply::Ok(BulkResult {
        products: ids
            .iter()
            .filter_map(|id| after.get(id))
            .map(|product| BulkOutcome {
                id: product.id,
                sku: product.sku.clone(),
                status: product.status,
                price: product.price,
                version: product.version,
                changed: changed.contains(&product.id),
            })
            .collect(),
    }))
}

/// A percentage as typed: from -100 to 1000, at most 2 decimals.
fn parse_percent(text: &str) -> Result<Decimal, &'static str> {
    let percent: Decimal = text
        .trim()
        .parse()
        .map_err(|_| "must be a number such as -10.5")?;
    if percent.normalize().scale() > 2 {
        return Err("must have at most 2 decimals");
    }
    if percent < Decimal::from(-100) || percent > Decimal::from(1000) {
        return Err("must be from -100 to 1000");
    }
    Ok(percent)
}

/// `price` times `factor`, rounded half to even to the cent, never below 0.
pub fn new_price(price: Decimal, factor: Decimal) -> Decimal {
    (price * factor)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
        .max(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(variants: serde_json::Value) -> SaveProduct {
        serde_json::from_value(serde_json::json!({
            "name": "Trail Runner", "status": "active", "option_names": ["size", "color"],
            "variants": variants
        }))
        .unwrap()
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_bad_field_of_a_form_is_named_at_once() {
        let mut input = form(serde_json::json!([
            {"sku": "TR-42-BL", "price": "89.90", "option_values": ["42", "Blue"]},
            {"sku": "tr 43", "price": "-1", "option_values": ["43"]},
            {"sku": "TR-42-BL", "price": "1.999", "option_values": ["42", ""]},
        ]));
        input.name = " ".to_owned();
        input.slug = "Not A Slug".to_owned();
        let errors = fields(check_form(&input).unwrap_err());
        assert_eq!(
            errors,
            [
                "name",
                "slug",
                "variants[1].sku",
                "variants[1].price",
                "variants[1].option_values",
                "variants[2].price",
                "variants[2].option_values[1]",
            ]
        );
    }

    #[test]
    fn skus_and_option_combinations_appear_once_per_product() {
        let input = form(serde_json::json!([
            {"sku": "TR-42-BL", "price": "89.90", "option_values": ["42", "Blue"]},
            {"sku": "TR-42-BL", "price": "89.90", "option_values": ["42", "blue"]},
        ]));
        assert_eq!(
            fields(check_form(&input).unwrap_err()),
            ["variants[1].sku", "variants[1].option_values"]
        );
    }

    #[test]
    fn a_plain_product_has_one_variant_and_takes_its_sku() {
        let input: SaveProduct = serde_json::from_value(serde_json::json!({
            "name": "Mug", "status": "draft", "variants": [{"sku": "MUG-1", "price": "9.5"}]
        }))
        .unwrap();
        let form = check_form(&input).unwrap();
        assert_eq!(form.sku.as_str(), "MUG-1");
        assert_eq!(form.variants[0].price, "9.50".parse::<Decimal>().unwrap());
        assert_eq!(form.fields.low_stock_threshold, DEFAULT_LOW_STOCK);
        let mut two = input.clone();
        two.variants.push(two.variants[0].clone());
        assert_eq!(fields(check_form(&two).unwrap_err())[0], "variants");
    }

    #[test]
    fn percentage_price_changes_round_half_to_even_and_never_go_below_zero() {
        let factor =
            |percent: &str| Decimal::ONE + parse_percent(percent).unwrap() / Decimal::ONE_HUNDRED;
        assert_eq!(
            new_price("10.05".parse().unwrap(), factor("-50")),
            "5.02".parse().unwrap()
        );
        assert_eq!(
            new_price("10.15".parse().unwrap(), factor("-50")),
            "5.08".parse().unwrap()
        );
        assert_eq!(
            new_price("99.99".parse().unwrap(), factor("-100")),
            Decimal::ZERO
        );
        assert_eq!(
            new_price("20.00".parse().unwrap(), factor("-10.5")),
            "17.90".parse().unwrap()
        );
        assert!(parse_percent("-100.01").is_err());
        assert!(parse_percent("1.234").is_err());
    }
}
