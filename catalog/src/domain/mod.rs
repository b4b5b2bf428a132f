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

/// Everything needed to create or update one product, as the importer, the seed generator and the admin
/// produce it. `category_paths` are paths of category names from the root (a product may sit in several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    pub sku: Sku,
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub brand: String,
    /// Exact, in the shop's currency (two decimals).
    pub price: Decimal,
    pub status: ProductStatus,
    pub popularity: u32,
    pub category_paths: Vec<Vec<String>>,
    pub images: Vec<ImageInput>,
    /// Units on hand when the product is first created; an update keeps the current stock.
    pub initial_stock: u32,
}

impl NewProduct {
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
