//! Catalog values that refuse to be invalid (parse, don't validate), and the pure rules of a reservation
//! ([`reservation`]): no I/O here, so the operations in `stock` and `products` and the queries in `db` all
//! build on it.

pub mod reservation;

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why a value was refused; `field` names the input field (a JSON path such as `lines[2].sku`) for the
/// problem document or the rejection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidValue {
    pub field: String,
    pub reason: String,
}

impl InvalidValue {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The SKU is a contract between services: defined once, in `platform`.
pub use platform::contracts::Sku;

impl From<platform::contracts::InvalidValue> for InvalidValue {
    fn from(invalid: platform::contracts::InvalidValue) -> Self {
        Self::new(invalid.what, invalid.expected)
    }
}

/// A URL slug: 1 to 191 characters of `a-z`, `0-9` and single `-` between them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let valid = !value.is_empty()
            && value.len() <= 191
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--");
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidValue::new(
                "slug",
                "must be lowercase letters and digits separated by single dashes",
            ))
        }
    }

    /// The slug of free text: accents folded, everything else not alphanumeric turned into single dashes,
    /// cut to `max` characters on a word boundary where possible. Empty text gives `"item"`.
    pub fn from_text(text: &str, max: usize) -> Self {
        let mut slug = String::with_capacity(text.len());
        for c in text.chars().flat_map(fold_char) {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        if slug.len() > max {
            let cut = slug[..max]
                .rfind('-')
                .filter(|&at| at > max / 2)
                .unwrap_or(max);
            slug.truncate(cut);
        }
        let slug = slug.trim_end_matches('-');
        Self(if slug.is_empty() {
            "item".to_owned()
        } else {
            slug.to_owned()
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Folds common Latin accents to ASCII (`é` -> `e`, `ß` -> `ss`); other characters pass unchanged.
pub fn fold_char(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' => "n",
        'Ñ' | 'Ń' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ß' => "ss",
        'ł' => "l",
        'Ł' => "L",
        'š' => "s",
        'Š' => "S",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        _ => "",
    };
    let single = folded.is_empty().then_some(c);
    folded.chars().chain(single)
}

/// A product's publication state is a contract too: events carry it.
pub use platform::contracts::catalog::ProductStatus;

/// An image of a product, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInput {
    pub url: String,
    pub alt_text: String,
}

/// One variant of a product to create or update: its own SKU, price and stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVariant {
    pub sku: Sku,
    /// One value per option name of the product, in its order.
    pub option_values: Vec<String>,
    /// Exact, in the shop's currency (two decimals).
    pub price: Decimal,
    /// Units on hand when the variant is first created; an update keeps the current stock.
    pub initial_stock: u32,
}

/// Everything needed to create or update one product, as the importer, the seed generator and the admin
/// produce it. `category_paths` are paths of category names from the root (a product may sit in several).
///
/// A plain product (no `variants`) is sold as one variant with the product's own SKU, price and initial
/// stock. A product with variants (see [`NewProduct::with_variants`]) is sold by its variants' SKUs; its
/// `price` is their lowest and its `initial_stock` is not used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    pub sku: Sku,
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub brand: String,
    /// Exact, in the shop's currency (two decimals): the lowest price of its variants.
    pub price: Decimal,
    pub status: ProductStatus,
    pub popularity: u32,
    pub category_paths: Vec<Vec<String>>,
    pub images: Vec<ImageInput>,
    /// Units on hand when a plain product is first created; an update keeps the current stock.
    pub initial_stock: u32,
    /// Option names in display order (`["size", "color"]`); empty for a plain product.
    #[serde(default)]
    pub option_names: Vec<String>,
    /// The variants in display order; empty for a plain product.
    #[serde(default)]
    pub variants: Vec<NewVariant>,
}

/// Most options of one product, and most variants.
pub const MAX_OPTIONS: usize = 5;
pub const MAX_VARIANTS: usize = 200;

impl NewProduct {
    /// The product sold as `variants` of `option_names`, its price the lowest of theirs. Refuses variants that
    /// do not give one non-empty value per option, repeat a combination or a SKU, or are none or too many.
    pub fn with_variants(
        mut self,
        option_names: Vec<String>,
        variants: Vec<NewVariant>,
    ) -> Result<Self, InvalidValue> {
        if variants.is_empty() || variants.len() > MAX_VARIANTS {
            return Err(InvalidValue::new(
                "variants",
                format!("between 1 and {MAX_VARIANTS} variants"),
            ));
        }
        if option_names.len() > MAX_OPTIONS {
            return Err(InvalidValue::new(
                "option_names",
                format!("at most {MAX_OPTIONS} options"),
            ));
        }
        for (i, name) in option_names.iter().enumerate() {
            if name.trim().is_empty() || option_names[..i].contains(name) {
                return Err(InvalidValue::new(
                    format!("option_names[{i}]"),
                    "a name, different from the others",
                ));
            }
        }
        for (i, variant) in variants.iter().enumerate() {
            if variant.option_values.len() != option_names.len()
                || variant.option_values.iter().any(|v| v.trim().is_empty())
            {
                return Err(InvalidValue::new(
                    format!("variants[{i}].option_values"),
                    format!("one value for each of {} options", option_names.len()),
                ));
            }
            let earlier = &variants[..i];
            if earlier
                .iter()
                .any(|v| v.option_values == variant.option_values)
            {
                return Err(InvalidValue::new(
                    format!("variants[{i}].option_values"),
                    "a combination no other variant has",
                ));
            }
            if earlier.iter().any(|v| v.sku == variant.sku) {
                return Err(InvalidValue::new(
                    format!("variants[{i}].sku"),
                    "a SKU no other variant has",
                ));
            }
        }
        self.price = variants.iter().map(|v| v.price).min().unwrap_or(self.price);
        self.option_names = option_names;
        self.variants = variants;
        Ok(self)
    }

    /// The variants the product is sold as: its own, or for a plain product the one that is the product.
    pub fn sold_as(&self) -> std::borrow::Cow<'_, [NewVariant]> {
        if self.variants.is_empty() {
            std::borrow::Cow::Owned(vec![NewVariant {
                sku: self.sku.clone(),
                option_values: Vec::new(),
                price: self.price,
                initial_stock: self.initial_stock,
            }])
        } else {
            std::borrow::Cow::Borrowed(&self.variants)
        }
    }

    /// Stable 64-bit FNV-1a of everything an import sets (not the stock, which the shop owns after creation).
    pub fn content_hash(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for byte in bytes.iter().chain(&[0xff]) {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        feed(self.slug.as_str().as_bytes());
        feed(self.name.as_bytes());
        feed(self.description.as_bytes());
        feed(self.brand.as_bytes());
        feed(self.price.normalize().to_string().as_bytes());
        feed(format!("{:?}", self.status).as_bytes());
        feed(&self.popularity.to_le_bytes());
        for path in &self.category_paths {
            for name in path {
                feed(name.as_bytes());
            }
            feed(b"/");
        }
        for image in &self.images {
            feed(image.url.as_bytes());
            feed(image.alt_text.as_bytes());
        }
        // Only when there are any: a plain product's hash is what it was before variants, so upgrading
        // rewrites nothing.
        if !self.variants.is_empty() {
            feed(b"variants");
            for name in &self.option_names {
                feed(name.as_bytes());
            }
            for variant in &self.variants {
                feed(variant.sku.as_str().as_bytes());
                feed(variant.price.normalize().to_string().as_bytes());
                for value in &variant.option_values {
                    feed(value.as_bytes());
                }
            }
        }
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_collapse_punctuation() {
        assert_eq!(
            Slug::from_text("Café  Crème -- 2L (Blue)!", 191).as_str(),
            "cafe-creme-2l-blue"
        );
        assert_eq!(Slug::from_text("***", 191).as_str(), "item");
    }

    #[test]
    fn long_slugs_are_cut_on_a_word_boundary() {
        let slug = Slug::from_text("alpha beta gamma delta epsilon", 20);
        assert_eq!(slug.as_str(), "alpha-beta-gamma");
        assert!(Slug::parse(slug.as_str()).is_ok());
    }

    #[test]
    fn skus_refuse_lowercase_and_overlong_values() {
        assert!(Sku::parse("BB-0001").is_ok());
        assert_eq!(Sku::parse("bb-1").unwrap_err().what, "sku");
        assert!(Sku::parse(&"A".repeat(33)).is_err());
    }
}
