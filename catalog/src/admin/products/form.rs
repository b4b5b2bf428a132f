//! The checks a product form passes on its own, before any database is asked: every bad field at once, and
//! what passes becomes a [`ProductForm`] of domain values.

use std::collections::{BTreeSet, HashMap, HashSet};

use platform::contracts::{
    admin::FieldError,
    catalog_admin::products::{SaveProduct, VariantInput},
};
use rust_decimal::Decimal;

use super::{DEFAULT_LOW_STOCK, MAX_OPTIONS, MAX_VARIANTS};
use crate::{
    db::admin::ProductFields,
    domain::{ProductStatus, Sku, Slug},
};

/// The largest price (DECIMAL(12, 2)).
const MAX_PRICE: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

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
}
