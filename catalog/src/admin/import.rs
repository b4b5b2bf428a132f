//! `products.import`: products and stock from CSV (the format is documented with the contract,
//! `platform::contracts::catalog_admin::import`).
//!
//! Every row is read and checked on its own first ([`parse`], pure); a file with any bad row is answered with
//! all of them and nothing is written. Then each product goes through the same checks and writes as a save
//! from the product form (`products::write_form`), in one transaction for the whole file with the command's
//! idempotency key: an error found there (a SKU another product owns) rolls the whole file back, and a
//! dry run is the same work rolled back at the end.

use std::collections::{HashMap, HashSet};

use platform::{
    admin_commands,
    contracts::{
        admin::{AdminReply, Command, FieldError},
        catalog_admin::{
            PRODUCTS_IMPORT,
            import::{ImportProducts, ImportReport, MAX_CSV_BYTES},
        },
    },
};
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool};

use super::{
    commands::{Refused, finish},
    products::{self, ProductForm, VariantForm, parse_price},
};
use crate::{
    db::{self, admin::ProductFields, categories::CategoryCache},
    domain::{ProductStatus, Sku, Slug},
    events,
};

/// One data row, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// In the file, the header being line 1.
    pub line: u64,
    pub sku: Sku,
    pub name: String,
    pub brand: Option<String>,
    pub category: Option<Vec<String>>,
    pub price: Decimal,
    pub status: Option<ProductStatus>,
    pub on_hand: Option<u32>,
    /// `(option name, value)` for each filled `option:` column, in column order.
    pub options: Vec<(String, String)>,
}

/// The rows of one product, in file order; the first row's product fields are the product's.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub sku: Sku,
    pub option_names: Vec<String>,
    pub rows: Vec<Row>,
}

fn error(line: u64, column: &str, reason: impl Into<String>) -> FieldError {
    FieldError::new(format!("line {line}: {column}"), reason)
}

const KNOWN: [&str; 8] = [
    "sku",
    "name",
    "brand",
    "category",
    "price",
    "status",
    "on_hand",
    "product_sku",
];

/// Reads and checks every row of a file and groups them by product; every error at once.
pub fn parse(csv_text: &str) -> Result<Vec<Group>, Vec<FieldError>> {
    if csv_text.len() > MAX_CSV_BYTES {
        return Err(vec![FieldError::new(
            "csv",
            format!(
                "the file is larger than {} KiB: split it in several files",
                MAX_CSV_BYTES / 1024
            ),
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header
            .iter()
            .map(|name| name.trim().to_lowercase())
            .collect(),
        Err(err) => {
            return Err(vec![FieldError::new(
                "csv",
                format!("cannot read the header: {err}"),
            )]);
        }
    };
    let mut errors = Vec::new();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    let mut options: Vec<(usize, String)> = Vec::new();
    for (at, name) in header.iter().enumerate() {
        if let Some(option) = name.strip_prefix("option:") {
            let option = option.trim();
            if option.is_empty() || options.iter().any(|(_, known)| known == option) {
                errors.push(FieldError::new(
                    "csv",
                    format!("column {name:?} is empty or repeated"),
                ));
            }
            options.push((at, option.to_owned()));
        } else if KNOWN.contains(&name.as_str()) {
            if columns.insert(name.as_str(), at).is_some() {
                errors.push(FieldError::new(
                    "csv",
                    format!("column {name:?} appears twice"),
                ));
            }
        } else {
            errors.push(FieldError::new(
                "csv",
                format!(
                    "unknown column {name:?}: the columns are {}, option:<name>",
                    KNOWN.join(", ")
                ),
            ));
        }
    }
    for required in ["sku", "name", "price"] {
        if !columns.contains_key(required) {
            errors.push(FieldError::new(
                "csv",
                format!("the column {required:?} is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows: Vec<(Option<Sku>, Row)> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                errors.push(error(line, "csv", format!("cannot read the row: {err}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| {
            columns
                .get(name)
                .and_then(|at| record.get(*at))
                .unwrap_or("")
        };
        let before = errors.len();
        let sku = Sku::parse(cell("sku"))
            .map_err(|_| errors.push(error(line, "sku", "must be 1 to 32 of A-Z, 0-9 and -")))
            .ok();
        let name = cell("name").to_owned();
        if name.is_empty() {
            errors.push(error(line, "name", "is required"));
        } else if name.chars().count() > 255 {
            errors.push(error(line, "name", "must be at most 255 characters"));
        }
        let price = parse_price(cell("price"))
            .map_err(|reason| errors.push(error(line, "price", reason)))
            .ok();
        let status = match cell("status") {
            "" => None,
            text => match ProductStatus::from_name(&text.to_lowercase()) {
                ProductStatus::Unknown => {
                    errors.push(error(line, "status", "must be draft, active or archived"));
                    None
                }
                status => Some(status),
            },
        };
        let on_hand = match cell("on_hand") {
            "" => None,
            text => text
                .parse::<u32>()
                .map_err(|_| {
                    errors.push(error(
                        line,
                        "on_hand",
                        "must be a whole number of units, 0 or more",
                    ))
                })
                .ok(),
        };
        let product_sku = match cell("product_sku") {
            "" => None,
            text => Sku::parse(text)
                .map_err(|_| {
                    errors.push(error(
                        line,
                        "product_sku",
                        "must be 1 to 32 of A-Z, 0-9 and -",
                    ))
                })
                .ok(),
        };
        let category = match cell("category") {
            "" => None,
            path => {
                let names: Vec<String> =
                    path.split('>').map(|name| name.trim().to_owned()).collect();
                if names
                    .iter()
                    .any(|name| name.is_empty() || name.chars().count() > 191)
                {
                    errors.push(error(
                        line,
                        "category",
                        "names separated by > (Audio > Headphones), none empty",
                    ));
                }
                Some(names)
            }
        };
        let brand = columns
            .contains_key("brand")
            .then(|| cell("brand").to_owned());
        if brand
            .as_ref()
            .is_some_and(|brand| brand.chars().count() > 128)
        {
            errors.push(error(line, "brand", "must be at most 128 characters"));
        }
        let values: Vec<(String, String)> = options
            .iter()
            .filter_map(|(at, option)| {
                let value = record.get(*at).unwrap_or("");
                (!value.is_empty()).then(|| (option.clone(), value.to_owned()))
            })
            .collect();
        if errors.len() == before {
            rows.push((
                product_sku,
                Row {
                    line,
                    sku: sku.expect("checked"),
                    name,
                    brand,
                    category,
                    price: price.expect("checked"),
                    status,
                    on_hand,
                    options: values,
                },
            ));
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("csv", "the file has no rows"));
    }

    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut sku_lines: HashMap<String, u64> = HashMap::new();
    for (product_sku, row) in rows {
        if let Some(first) = sku_lines.insert(row.sku.to_string(), row.line) {
            errors.push(error(
                row.line,
                "sku",
                format!("appears on line {first} too"),
            ));
            continue;
        }
        let key = product_sku.unwrap_or_else(|| row.sku.clone());
        let at = *by_key.entry(key.to_string()).or_insert_with(|| {
            groups.push(Group {
                sku: key.clone(),
                option_names: Vec::new(),
                rows: Vec::new(),
            });
            groups.len() - 1
        });
        groups[at].rows.push(row);
    }
    for group in &mut groups {
        // The product's options: every option column one of its rows fills, in column order.
        group.option_names = options
            .iter()
            .map(|(_, option)| option.clone())
            .filter(|option| {
                group
                    .rows
                    .iter()
                    .any(|row| row.options.iter().any(|(name, _)| name == option))
            })
            .collect();
        if group.option_names.is_empty() && group.rows.len() > 1 {
            for row in &group.rows[1..] {
                errors.push(error(
                    row.line,
                    "sku",
                    format!(
                        "product {} has several rows: give each its option: values",
                        group.sku
                    ),
                ));
            }
        }
        let mut combinations: HashMap<Vec<String>, u64> = HashMap::new();
        for row in &group.rows {
            for option in &group.option_names {
                if !row.options.iter().any(|(name, _)| name == option) {
                    errors.push(error(
                        row.line,
                        &format!("option:{option}"),
                        "is required: other rows of this product have it",
                    ));
                }
            }
            let combination: Vec<String> = row
                .options
                .iter()
                .map(|(_, value)| value.to_lowercase())
                .collect();
            if !group.option_names.is_empty()
                && let Some(first) = combinations.insert(combination, row.line)
            {
                errors.push(error(
                    row.line,
                    "sku",
                    format!("has the same options as line {first}"),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(groups)
    } else {
        errors.sort_by_key(|e| line_of(&e.field));
        Err(errors)
    }
}

fn line_of(field: &str) -> u64 {
    field
        .strip_prefix("line ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Checks and applies a file: everything or nothing.
pub async fn import(
    pool: &MySqlPool,
    command: &Command<ImportProducts>,
) -> Result<AdminReply<ImportReport>, sqlx::Error> {
    let groups = match parse(&command.body.csv) {
        Ok(groups) => groups,
        Err(errors) => return Ok(AdminReply::Invalid { errors }),
    };
    let mut tx = pool.begin().await?;
    let dry_run = command.body.dry_run;
    // A dry run spends no key: the real import that follows may use the same one.
    if !dry_run
        && let Some(replay) = admin_commands::claim(&mut tx, PRODUCTS_IMPORT, command).await?
    {
        return Ok(replay);
    }
    let reply = apply(&mut tx, &groups, dry_run).await?;
    if dry_run {
        tx.rollback().await?;
        return Ok(reply);
    }
    finish(tx, &command.idempotency_key, Refused::outcome(reply)).await
}

async fn apply(
    conn: &mut MySqlConnection,
    groups: &[Group],
    dry_run: bool,
) -> Result<AdminReply<ImportReport>, sqlx::Error> {
    let mut report = ImportReport {
        dry_run,
        rows: groups.iter().map(|g| g.rows.len() as u32).sum(),
        ..ImportReport::default()
    };
    let mut categories = CategoryCache::default();
    let mut errors = Vec::new();
    // Who owns each SKU the file names (products' own codes and variants), in one look-up: a group is a new
    // product unless its SKU names an existing product or one of its variants.
    let mut named: Vec<&str> = groups
        .iter()
        .flat_map(|group| {
            std::iter::once(group.sku.as_str()).chain(group.rows.iter().map(|row| row.sku.as_str()))
        })
        .collect();
    named.sort_unstable();
    named.dedup();
    let owners = db::admin::sku_owners(conn, &named).await?;

    // New products are written together, a few statements per thousand.
    let mut created = Vec::new();
    for group in groups
        .iter()
        .filter(|group| !owners.contains_key(group.sku.as_str()))
    {
        let first = &group.rows[0];
        for row in &group.rows {
            if owners.contains_key(row.sku.as_str()) {
                errors.push(error(row.line, "sku", "is already used by another product"));
            }
        }
        let category = match &first.category {
            Some(path) => Some(categories.ensure_path(conn, path).await?),
            None => None,
        };
        created.push(db::admin::NewProductRow {
            sku: group.sku.to_string(),
            fields: ProductFields {
                slug: Slug::from_text(&first.name, 180).to_string(),
                name: first.name.clone(),
                description: String::new(),
                brand: first.brand.clone().unwrap_or_default(),
                status: first.status.unwrap_or(ProductStatus::Draft),
                option_names: group.option_names.clone(),
                low_stock_threshold: products::DEFAULT_LOW_STOCK,
            },
            category_paths: category.into_iter().collect(),
            variants: group
                .rows
                .iter()
                .map(|row| db::admin::NewVariantRow {
                    sku: row.sku.to_string(),
                    price: row.price,
                    option_values: values_in(&group.option_names, row),
                    on_hand: row.on_hand.unwrap_or(0),
                })
                .collect(),
        });
        report.products_created += 1;
        report.variants_created += group.rows.len() as u32;
    }
    if errors.is_empty() && !created.is_empty() {
        free_slugs(conn, &mut created).await?;
        let ids = db::admin::create_many(conn, &created).await?;
        for chunk in ids.chunks(500) {
            events::product_upserted(conn, chunk).await?;
        }
    }

    for group in groups {
        let Some(owner) = owners.get(group.sku.as_str()) else {
            continue;
        };
        let first = &group.rows[0];
        let category = match &first.category {
            Some(path) => categories.ensure_path(conn, path).await?.last().copied(),
            None => None,
        };
        // Read again for each group: two groups of a file may name variants of one product.
        let existing = db::admin::products(conn, &[*owner], true).await?.pop();
        let (form, lines, stock) = match &existing {
            None => continue,
            Some(product) => {
                // Rows without option columns change prices and stock of variants the product has.
                let keep_options = group.option_names.is_empty();
                if !keep_options && product.option_names != group.option_names {
                    errors.push(error(
                        first.line,
                        "option",
                        format!(
                            "product {} has the options [{}]: the file gives [{}]",
                            group.sku,
                            product.option_names.join(", "),
                            group.option_names.join(", ")
                        ),
                    ));
                    continue;
                }
                let stored = db::admin::variants(conn, &[product.id], true).await?;
                let mut variants = Vec::new();
                let mut lines = Vec::new();
                let mut stock = Vec::new();
                let named: HashMap<&str, &Row> = group
                    .rows
                    .iter()
                    .map(|row| (row.sku.as_str(), row))
                    .collect();
                for variant in &stored {
                    let row = named.get(variant.sku.as_str());
                    lines.push(row.map_or(first.line, |row| row.line));
                    variants.push(VariantForm {
                        id: Some(variant.id),
                        sku: Sku::parse(&variant.sku)
                            .map_err(|err| sqlx::Error::Decode(Box::new(err)))?,
                        price: row.map_or(variant.price, |row| row.price),
                        option_values: match row {
                            Some(row) if !keep_options => values_in(&group.option_names, row),
                            _ => variant.option_values.clone(),
                        },
                        initial_on_hand: 0,
                    });
                    if let Some(row) = row {
                        report.variants_updated += 1;
                        if let Some(on_hand) = row.on_hand
                            && on_hand != variant.on_hand
                        {
                            if on_hand < variant.reserved {
                                errors.push(error(
                                    row.line,
                                    "on_hand",
                                    format!(
                                        "{} units are reserved for orders: on hand cannot be less",
                                        variant.reserved
                                    ),
                                ));
                            }
                            stock.push((variant.id, row.sku.clone(), on_hand, variant.reserved));
                        }
                    }
                }
                let known: HashSet<&str> = stored.iter().map(|v| v.sku.as_str()).collect();
                for row in group
                    .rows
                    .iter()
                    .filter(|row| !known.contains(row.sku.as_str()))
                {
                    if keep_options && !product.option_names.is_empty() {
                        errors.push(error(
                            row.line,
                            "sku",
                            format!(
                                "a new variant of {} needs its option: values ({})",
                                product.sku,
                                product.option_names.join(", ")
                            ),
                        ));
                    }
                    lines.push(row.line);
                    variants.push(VariantForm {
                        id: None,
                        sku: row.sku.clone(),
                        price: row.price,
                        option_values: values_in(&group.option_names, row),
                        initial_on_hand: row.on_hand.unwrap_or(0),
                    });
                    report.variants_created += 1;
                }
                let mut category_ids = db::admin::direct_categories(conn, &[product.id])
                    .await?
                    .remove(&product.id)
                    .unwrap_or_default();
                category_ids.extend(category);
                category_ids.sort_unstable();
                category_ids.dedup();
                let form = ProductForm {
                    id: Some(product.id),
                    expected_version: Some(product.version),
                    sku: group.sku.clone(),
                    slug: None,
                    fields: ProductFields {
                        slug: String::new(),
                        name: first.name.clone(),
                        description: product.description.clone(),
                        brand: first.brand.clone().unwrap_or_else(|| product.brand.clone()),
                        status: first.status.unwrap_or(product.status),
                        option_names: product.option_names.clone(),
                        low_stock_threshold: product.low_stock_threshold,
                    },
                    category_ids,
                    variants,
                };
                report.products_updated += 1;
                (form, lines, stock)
            }
        };
        if !errors.is_empty() {
            // Keep checking the rest of the file for errors, without writing more.
            continue;
        }
        // Stock first, so the save's refresh of the product's availability and its event include it.
        for (variant_id, _, on_hand, _) in &stock {
            db::admin::set_on_hand(conn, *variant_id, *on_hand).await?;
        }
        match products::write_form(conn, form).await? {
            AdminReply::Ok(saved) => {
                for (_, sku, on_hand, reserved) in stock {
                    products::stock_set(conn, &saved, sku, on_hand, reserved).await?;
                }
            }
            AdminReply::Invalid { errors: found } => {
                for found in found {
                    let line = variant_index(&found.field)
                        .and_then(|i| lines.get(i).copied())
                        .unwrap_or(first.line);
                    let column = if found.field.ends_with(".sku") {
                        "sku"
                    } else {
                        &found.field
                    };
                    errors.push(error(line, column, found.reason));
                }
            }
            AdminReply::Conflict { reason, .. } => errors.push(error(first.line, "sku", reason)),
            AdminReply::NotFound { what } => {
                errors.push(error(first.line, "sku", format!("{what} is gone")))
            }
        }
    }
    if errors.is_empty() {
        Ok(AdminReply::Ok(report))
    } else {
        Ok(AdminReply::Invalid { errors })
    }
}

/// Gives each new product a slug no other product has: its name's, or that with `-2`, `-3`, ...
async fn free_slugs(
    conn: &mut MySqlConnection,
    created: &mut [db::admin::NewProductRow],
) -> Result<(), sqlx::Error> {
    let wanted: Vec<String> = created.iter().map(|p| p.fields.slug.clone()).collect();
    let mut used = db::admin::taken_slugs(conn, &wanted).await?;
    for product in created.iter_mut() {
        let base = product.fields.slug.clone();
        let mut slug = base.clone();
        let mut n = 1;
        while used.contains(&slug)
            || (slug != base && db::admin::slug_taken(conn, &slug, None).await?)
        {
            n += 1;
            slug = format!("{base}-{n}");
        }
        used.insert(slug.clone());
        product.fields.slug = slug;
    }
    Ok(())
}

/// The row's values of `option_names`, in that order.
fn values_in(option_names: &[String], row: &Row) -> Vec<String> {
    option_names
        .iter()
        .map(|option| {
            row.options
                .iter()
                .find(|(name, _)| name == option)
                .map(|(_, value)| value.clone())
                .unwrap_or_default()
        })
        .collect()
}

/// `i` of a field `variants[i]...`.
fn variant_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("variants[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_group_into_products_with_their_options() {
        let groups = parse(
            "sku,name,brand,category,price,status,on_hand,product_sku,option:size,option:color\n\
             TR-42-BL,Trail Runner,Acme,Shoes > Running,89.90,active,3,TR,42,Blue\n\
             TR-43-BL,Trail Runner,Acme,Shoes > Running,89.90,active,0,TR,43,Blue\n\
             MUG-1,Mug,,,9.50,,,,,\n",
        )
        .unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].sku.as_str(), "TR");
        assert_eq!(groups[0].option_names, ["size", "color"]);
        assert_eq!(groups[0].rows[1].line, 3);
        assert_eq!(groups[1].option_names, Vec::<String>::new());
        assert_eq!(groups[1].rows[0].category, None);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        let errors = parse(
            "sku,name,price,on_hand\n\
             OK-1,Fine,1.00,1\n\
             bad sku,,abc,-2\n\
             OK-1,Again,1.00,1\n",
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "line 3: sku",
                "line 3: name",
                "line 3: price",
                "line 3: on_hand",
                "line 4: sku"
            ]
        );
    }

    #[test]
    fn a_wrong_header_is_one_error_about_the_file() {
        let errors = parse("sku,title,price\nA-1,x,1\n").unwrap_err();
        assert!(errors.iter().all(|e| e.field == "csv"), "{errors:?}");
        assert_eq!(errors.len(), 2);
    }
}
