//! The demo store (`../shared/data/demo-store/products.json`): a small general store with departments,
//! products with variants and real photos. Each record is `{name, brand (or null), categories (a path),
//! images (file names in images/), variants: [{options: {name: value, …}, price: "…"}]}`; there are no
//! descriptions and no SKUs, so both are derived here, deterministically:
//!
//! - **SKU.** A product's is `DS-` and its name as a slug, uppercase (`DS-ULTRABOOST-RUNNING-SHOE`); a
//!   variant's is the name followed by its option values (`DS-LAPTOP-13-INCH-8GB`), the name cut on a word
//!   boundary to keep both within the 32 characters of a SKU (`DS-ULTRABOOST-RUNNING-SIZE-40`); when cutting
//!   would make two the same, a short hash keeps them apart. A product without options is plain: sold by its
//!   own SKU.
//! - **Options.** Names in the order the first variant gives them; a variant missing one is refused.
//! - **Description.** One sentence from the name, brand and department, and one naming the choices.
//! - **Brand.** Absent brands read as "Generic".
//! - **Stock** and **popularity**: the seed module's draws keyed by SKU.
//!
//! Photos are not stored here: each [`DemoProduct`] lists its image file names for whoever attaches them.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{SeedError, SlugRegistry, SplitMix64, fnv1a, initial_stock};
use crate::domain::{NewProduct, NewVariant, ProductStatus, Sku, Slug};

/// The brand of products the file gives none.
const GENERIC: &str = "Generic";
/// The SKU prefix of demo store products.
const PREFIX: &str = "DS-";
/// Most characters of a SKU.
const SKU_MAX: usize = 32;
/// Most characters of the option values in a variant's SKU.
const MAX_VALUES_CODE: usize = 16;

/// A demo store product and the photos that belong to it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoProduct {
    pub product: NewProduct,
    /// File names in the demo store's `images/` folder, in display order.
    pub photos: Vec<String>,
}

#[derive(Deserialize)]
struct RawProduct {
    name: String,
    brand: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    images: Vec<String>,
    variants: Vec<RawVariant>,
}

#[derive(Deserialize)]
struct RawVariant {
    #[serde(default)]
    options: OrderedOptions,
    price: String,
}

/// A JSON object's entries in the order the file has them (serde_json's map would sort them).
#[derive(Default)]
struct OrderedOptions(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedOptions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OrderedOptions;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of option names to values")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(OrderedOptions(entries))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The demo store's products, in file order, with `stock_seed` drawing their stock.
pub fn parse_demo_store(bytes: &[u8], stock_seed: u64) -> Result<Vec<DemoProduct>, SeedError> {
    let raw: Vec<RawProduct> = serde_json::from_slice(bytes).map_err(SeedError::Json)?;
    let mut slugs = SlugRegistry::default();
    let mut skus = HashSet::new();
    raw.into_iter()
        .enumerate()
        .map(|(index, raw)| demo_product(index, raw, stock_seed, &mut slugs, &mut skus))
        .collect()
}

fn demo_product(
    index: usize,
    raw: RawProduct,
    stock_seed: u64,
    slugs: &mut SlugRegistry,
    skus: &mut HashSet<Sku>,
) -> Result<DemoProduct, SeedError> {
    let name = raw.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(SeedError::field(index, "name", "is missing or empty"));
    }
    let brand = match raw.brand.as_deref().map(str::trim) {
        Some(brand) if !brand.is_empty() => brand.to_owned(),
        _ => GENERIC.to_owned(),
    };
    let Some(first) = raw.variants.first() else {
        return Err(SeedError::field(index, "variants", "has none"));
    };
    let option_names: Vec<String> = first.options.0.iter().map(|(k, _)| k.clone()).collect();
    let mut variants = Vec::with_capacity(raw.variants.len());
    let product_sku = unique_sku(index, &name, &[], skus)?;
    for (i, variant) in raw.variants.iter().enumerate() {
        let values = option_names
            .iter()
            .map(|option| {
                variant
                    .options
                    .0
                    .iter()
                    .find(|(k, _)| k == option)
                    .map(|(_, v)| v.trim().to_owned())
                    .ok_or_else(|| {
                        SeedError::field(index, "variants", format!("[{i}] has no {option:?}"))
                    })
            })
            .collect::<Result<Vec<String>, _>>()?;
        if variant.options.0.len() != option_names.len() {
            return Err(SeedError::field(
                index,
                "variants",
                format!("[{i}] has other options than the first variant"),
            ));
        }
        let price: Decimal = variant
            .price
            .trim()
            .parse()
            .ok()
            .filter(|price: &Decimal| *price >= Decimal::ZERO && price.scale() <= 2)
            .ok_or_else(|| {
                SeedError::field(
                    index,
                    "price",
                    format!("{:?} is not a price", variant.price),
                )
            })?;
        let sku = if option_names.is_empty() {
            product_sku.clone()
        } else {
            unique_sku(index, &name, &values, skus)?
        };
        variants.push(NewVariant {
            initial_stock: initial_stock(stock_seed, &sku),
            sku,
            option_values: values,
            price: price.round_dp(2),
        });
    }
    let description = describe(&name, &brand, &raw.categories, &option_names, &variants);
    let mut rng = SplitMix64::new(fnv1a(&[product_sku.as_str().as_bytes()]));
    let plain = variants.len() == 1 && option_names.is_empty();
    let product = NewProduct {
        slug: slugs.claim(&name, &index.to_string()),
        sku: product_sku,
        name,
        description,
        brand,
        price: variants[0].price,
        status: ProductStatus::Active,
        popularity: rng.between(10, 1000) as u32,
        category_paths: vec![raw.categories],
        images: Vec::new(),
        initial_stock: variants[0].initial_stock,
        option_names: Vec::new(),
        variants: Vec::new(),
    };
    let product = if plain {
        product
    } else {
        product
            .with_variants(option_names, variants)
            .map_err(|invalid| SeedError::field(index, "variants", invalid.to_string()))?
    };
    Ok(DemoProduct {
        product,
        photos: raw.images,
    })
}

/// `DS-` and the name as an uppercase slug, followed by the option values when there are any, in at most 32
/// characters: the name is cut (on a word boundary) to leave the values whole, since they are what tells a
/// product's variants apart. Not among `taken`.
fn unique_sku(
    index: usize,
    name: &str,
    values: &[String],
    taken: &mut HashSet<Sku>,
) -> Result<Sku, SeedError> {
    let room = SKU_MAX - PREFIX.len();
    let code = if values.is_empty() {
        Slug::from_text(name, room).to_string()
    } else {
        let values = Slug::from_text(&values.join(" "), MAX_VALUES_CODE);
        let head = Slug::from_text(name, room - values.as_str().len() - 1);
        format!("{head}-{values}")
    };
    let mut sku = format!("{PREFIX}{}", code.to_ascii_uppercase());
    if taken.iter().any(|t| t.as_str() == sku) {
        // Cut to the same code as another: a hash of the whole text tells them apart.
        let text = format!("{name}\x1f{}", values.join("\x1f"));
        let tail = format!("{:06X}", fnv1a(&[text.as_bytes()]) & 0xFF_FFFF);
        let head = Slug::from_text(&code, room - tail.len() - 1);
        sku = format!("{PREFIX}{}-{tail}", head.as_str().to_ascii_uppercase());
    }
    let sku = Sku::parse(&sku).map_err(|err| SeedError::field(index, "name", err.expected))?;
    if !taken.insert(sku.clone()) {
        return Err(SeedError::field(
            index,
            "name",
            format!("gives SKU {sku}, which another product already has"),
        ));
    }
    Ok(sku)
}

/// Two short honest sentences: what and from whom, and what can be chosen.
fn describe(
    name: &str,
    brand: &str,
    categories: &[String],
    option_names: &[String],
    variants: &[NewVariant],
) -> String {
    let maker = if brand == GENERIC {
        String::new()
    } else {
        format!(" by {brand}")
    };
    let place = match categories {
        [] => String::new(),
        [department] => format!(", from our {department} department"),
        [department, .., leaf] => format!(", from the {leaf} aisle of our {department} department"),
    };
    let mut text = format!("{name}{maker}{place}.");
    let choices: Vec<String> = option_names
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let mut values: Vec<&str> = Vec::new();
            for variant in variants {
                let value = variant.option_values[i].as_str();
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            format!("{option} ({})", values.join(", "))
        })
        .collect();
    if !choices.is_empty() {
        text.push_str(&format!(" Choose the {}.", choices.join(" and ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"[
        {"name": "Laptop", "brand": "Apple", "categories": ["Electronics", "Computers"],
         "images": ["a.jpg"], "variants": [
            {"options": {"screen size": "13 inch", "RAM": "8GB"}, "price": "1299.00"},
            {"options": {"screen size": "15 inch", "RAM": "8GB"}, "price": "1399.00"},
            {"options": {"screen size": "13 inch", "RAM": "16GB"}, "price": "2199.00"}]},
        {"name": "Tent", "brand": null, "categories": ["Sports & Outdoor", "Equipment"],
         "images": ["t.jpg"], "variants": [{"options": {}, "price": "214.93"}]}
    ]"#;

    #[test]
    fn products_with_options_get_variants_with_their_own_skus_and_prices() {
        let products = parse_demo_store(SAMPLE.as_bytes(), 42).unwrap();
        let laptop = &products[0].product;
        assert_eq!(laptop.sku.as_str(), "DS-LAPTOP");
        assert_eq!(laptop.option_names, ["screen size", "RAM"]);
        assert_eq!(laptop.price.to_string(), "1299.00");
        let skus: Vec<&str> = laptop.variants.iter().map(|v| v.sku.as_str()).collect();
        assert_eq!(
            skus,
            [
                "DS-LAPTOP-13-INCH-8GB",
                "DS-LAPTOP-15-INCH-8GB",
                "DS-LAPTOP-13-INCH-16GB"
            ]
        );
        assert_eq!(laptop.variants[1].option_values, ["15 inch", "8GB"]);
        assert_eq!(
            laptop.description,
            "Laptop by Apple, from the Computers aisle of our Electronics department. \
             Choose the screen size (13 inch, 15 inch) and RAM (8GB, 16GB)."
        );
        assert_eq!(products[0].photos, ["a.jpg"]);
    }

    #[test]
    fn a_product_without_options_is_plain_and_an_absent_brand_is_generic() {
        let products = parse_demo_store(SAMPLE.as_bytes(), 42).unwrap();
        let tent = &products[1].product;
        assert_eq!(tent.sku.as_str(), "DS-TENT");
        assert!(tent.variants.is_empty() && tent.option_names.is_empty());
        assert_eq!(tent.brand, "Generic");
        assert_eq!(
            tent.description,
            "Tent, from the Equipment aisle of our Sports & Outdoor department."
        );
    }

    #[test]
    fn parsing_twice_gives_the_same_products() {
        assert_eq!(
            parse_demo_store(SAMPLE.as_bytes(), 42).unwrap(),
            parse_demo_store(SAMPLE.as_bytes(), 42).unwrap()
        );
    }

    #[test]
    fn long_names_are_cut_to_leave_the_option_values_whole() {
        let mut taken = HashSet::new();
        let mut sku = |name: &str, values: &[&str]| {
            let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            unique_sku(0, name, &values, &mut taken)
                .unwrap()
                .to_string()
        };
        assert_eq!(
            sku("Ultraboost Running Shoe", &["Size 40"]),
            "DS-ULTRABOOST-RUNNING-SIZE-40"
        );
        let long = "Extraordinarily Comfortable Ergonomic Office Chair";
        let red = sku(long, &["Red"]);
        assert_eq!(red, "DS-EXTRAORDINARILY-RED");
        // The same cut twice: a hash keeps them apart.
        let again = sku(&format!("{long} Deluxe"), &["Red"]);
        assert!(again.len() <= 32 && again != red, "{again}");
    }

    #[test]
    fn the_shared_demo_store_parses_into_54_products_and_88_variants() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/demo-store/products.json"
        );
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("SKIPPED: {path} not found");
            return;
        };
        let products = parse_demo_store(&bytes, 42).unwrap();
        assert_eq!(products.len(), 54);
        let variants: usize = products.iter().map(|p| p.product.sold_as().len()).sum();
        assert_eq!(variants, 88);
    }
}
