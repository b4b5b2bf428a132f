//! Promotions: coupon codes and automatic discounts, owned by checkout. [`rules`] decides, purely, what
//! applies and how each discount is spread over the lines; [`price_cart`] reads a cart's promotions (the
//! automatic ones and its code), turns its lines and the catalog's quote into the rules' lines ([`rule_lines`])
//! and computes the discounted totals ([`priced`]). The cart view, the totals preview and place-order all call
//! it, so the price shown is the price charged; place-order then counts each use with the order
//! (`db::promotions::redeem`).
//!
//! Tax is on what the lines cost after their discounts (the rate is the same for every line, so the tax of
//! the discounted subtotal equals the sum of the lines' taxes before rounding); a shipping discount lowers the
//! shipping charged, which is not taxed.
pub mod rules;

use chrono::Utc;
use platform::contracts::{catalog::QuoteResponse, orders::Discount};
use rust_decimal::{Decimal, RoundingStrategy};
use sha2::{Digest as _, Sha256};

use crate::{
    Checkout, db,
    db::carts::{Cart, CartItem},
    domain::{ShippingMethod, Totals},
};

/// The cart's lines as the rules see them: the price the shopper saw, and the product, brand and categories
/// the catalog's quote names (a line the quote does not cover is in no category and of no brand: only
/// whole-order and SKU promotions reach it).
pub fn rule_lines(items: &[CartItem], quote: Option<&QuoteResponse>) -> Vec<rules::Line> {
    items
        .iter()
        .map(|item| {
            let quoted = quote.and_then(|quote| quote.items.iter().find(|q| q.sku == item.sku));
            rules::Line {
                sku: item.sku.to_string(),
                product_sku: quoted
                    .and_then(|q| q.product_sku.clone())
                    .unwrap_or_else(|| item.sku.to_string()),
                brand: quoted.and_then(|q| q.brand.clone()).unwrap_or_default(),
                categories: quoted.map(|q| q.categories.clone()).unwrap_or_default(),
                amount: item.unit_price * Decimal::from(item.quantity),
            }
        })
        .collect()
}

/// The totals of `lines` shipped by `method` with `outcome`'s discounts, tax at `tax_rate` on the
/// discounted subtotal, rounded half away from zero to the cent. With no promotion applied, the totals of
/// list prices, flat shipping and tax.
pub fn priced(
    lines: &[rules::Line],
    method: ShippingMethod,
    outcome: &rules::Outcome,
    tax_rate: Decimal,
) -> Totals {
    let subtotal: Decimal = lines
        .iter()
        .map(|line| line.amount)
        .sum::<Decimal>()
        .round_dp(2);
    let discount = outcome.lines_discount();
    let shipping = (method.price() - outcome.shipping_discount()).max(Decimal::ZERO);
    let taxable = subtotal - discount;
    let tax =
        (taxable * tax_rate).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Totals {
        subtotal,
        discount,
        shipping,
        tax,
        total: taxable + shipping + tax,
    }
}

/// Who is buying, as far as known: an account's cart names its customer; place-order adds the email.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shopper<'a> {
    pub customer: Option<&'a str>,
    pub email: Option<&'a str>,
}

impl<'a> Shopper<'a> {
    /// The shopper of `cart` (its account, if any), ordering with `email` once known.
    pub fn of(cart: &'a Cart, email: Option<&'a str>) -> Self {
        Self {
            customer: cart.customer.as_deref(),
            email,
        }
    }

    /// The key a per-customer limit counts uses by: the account, else the email without regard to case.
    pub fn key(&self) -> [u8; 32] {
        match self.customer {
            Some(customer) => Sha256::digest(format!("customer:{customer}").as_bytes()).into(),
            None => self.email_key(),
        }
    }

    /// The email's key, whoever orders with it: the limit also counts a signed-in shopper's uses as a guest.
    pub fn email_key(&self) -> [u8; 32] {
        let email = self.email.unwrap_or_default().to_lowercase();
        Sha256::digest(format!("email:{email}").as_bytes()).into()
    }
}

/// Why the cart's code takes nothing off, in words the shopper can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefused {
    #[error("this code does not exist")]
    Unknown,
    #[error("this code has been used up")]
    UsedUp,
    #[error("{0}")]
    NotApplicable(rules::NotApplicable),
}

/// A cart priced with its promotions: what the totals preview shows and place-order charges.
#[derive(Debug, Clone)]
pub struct Discounted {
    pub totals: Totals,
    pub lines: Vec<rules::Line>,
    pub outcome: rules::Outcome,
    /// The cart's code, and why it takes nothing off when it does not.
    pub coupon: Option<(String, Option<CodeRefused>)>,
    /// The promotion the code is for, when it applied.
    code_promotion: Option<u64>,
}

impl Discounted {
    /// Each promotion applied, in the order applied, named as the shopper sees it.
    pub fn discounts(&self) -> Vec<Discount> {
        self.outcome
            .applied
            .iter()
            .map(|applied| Discount {
                name: applied.name.clone(),
                code: self.code_for(applied.promotion_id).map(str::to_owned),
                amount: applied.amount,
                shipping: applied.shipping,
            })
            .collect()
    }

    /// The code typed for `promotion`, if it is the code's.
    pub fn code_for(&self, promotion: u64) -> Option<&str> {
        match (&self.coupon, self.code_promotion) {
            (Some((code, None)), Some(id)) if id == promotion => Some(code),
            _ => None,
        }
    }

    /// Each line's share of the discounts, by line index.
    pub fn line_discounts(&self) -> Vec<Decimal> {
        self.outcome.line_discounts(self.lines.len())
    }
}

/// Why a cart could not be priced.
#[derive(Debug, thiserror::Error)]
pub enum PricingError {
    /// A promotion's scope needs the products' brands and categories, and the catalog did not answer.
    #[error("the catalog is unavailable: {0}")]
    CatalogUnavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Prices the cart's `items` with `method`: every automatic promotion and the cart's code, evaluated by
/// [`rules::evaluate`] now. `quote` is one the caller already has; when a promotion's scope looks at brands,
/// categories or products and there is none, the catalog is asked.
pub async fn price_cart(
    checkout: &Checkout,
    cart: &Cart,
    items: &[CartItem],
    quote: Option<&QuoteResponse>,
    method: ShippingMethod,
    shopper: Shopper<'_>,
) -> Result<Discounted, PricingError> {
    let automatic = db::promotions::automatic(&checkout.pool).await?;
    let coded = match &cart.coupon_code {
        Some(code) => Some((
            code.clone(),
            db::promotions::by_code(&checkout.pool, code).await?,
        )),
        None => None,
    };
    // The promotions in play: every automatic one, and the code's.
    let in_play: Vec<&rules::Promotion> = automatic
        .iter()
        .chain(
            coded
                .iter()
                .filter_map(|(_, coded)| coded.as_ref().map(|c| &c.promotion)),
        )
        .collect();
    let looks_at_products = in_play
        .iter()
        .any(|promotion| promotion.scope != rules::Scope::Order);
    let asked;
    let quote = match quote {
        Some(quote) => Some(quote),
        None if looks_at_products && !items.is_empty() => {
            let skus = items.iter().map(|item| item.sku.to_string()).collect();
            asked = checkout
                .catalog
                .quote(skus)
                .await
                .map_err(|err| PricingError::CatalogUnavailable(err.to_string()))?;
            Some(&asked)
        }
        None => None,
    };
    let lines = rule_lines(items, quote);
    // Asked only when a promotion depends on it: most orders need no such read.
    let first_order_only = in_play.iter().any(|promotion| promotion.first_order_only);
    let has_ordered = match (shopper.customer, shopper.email) {
        (None, None) => false,
        _ if !first_order_only => false,
        _ => {
            let mut conn = checkout.pool.acquire().await?;
            db::promotions::has_ordered(&mut conn, shopper.customer, shopper.email).await?
        }
    };
    let context = rules::Context {
        now: Utc::now(),
        has_ordered,
    };
    let (code_promotion, mut refused) = match &coded {
        None => (None, None),
        Some((_, None)) => (None, Some(CodeRefused::Unknown)),
        Some((_, Some(coded))) if coded.used_up => (None, Some(CodeRefused::UsedUp)),
        Some((_, Some(coded))) => (Some(&coded.promotion), None),
    };
    let outcome = rules::evaluate(&lines, method.price(), &automatic, code_promotion, &context);
    if let Some(reason) = &outcome.code_refused {
        refused = Some(CodeRefused::NotApplicable(reason.clone()));
    }
    let code_promotion = code_promotion
        .filter(|_| refused.is_none())
        .map(|promotion| promotion.id);
    Ok(Discounted {
        totals: priced(&lines, method, &outcome, checkout.config.tax_rate),
        coupon: coded.map(|(code, _)| (code, refused)),
        code_promotion,
        lines,
        outcome,
    })
}

/// Longest code.
pub const MAX_CODE_CHARS: usize = 40;

/// A code as shoppers type it, as it is stored: trimmed, upper case, 3 to 40 letters, digits and `-`.
pub fn normalise_code(text: &str) -> Result<String, &'static str> {
    let code = text.trim().to_ascii_uppercase();
    if !(3..=MAX_CODE_CHARS).contains(&code.len())
        || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err("must be a promotion code (3 to 40 letters, digits and -)");
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sku: &str, price: &str, quantity: u32) -> CartItem {
        CartItem {
            sku: platform::contracts::Sku::parse(sku).unwrap(),
            quantity,
            unit_price: price.parse().unwrap(),
            name: sku.to_owned(),
            slug: sku.to_lowercase(),
            image: None,
        }
    }

    #[test]
    fn totals_take_the_discounts_off_before_tax_and_add_up() {
        let items = [item("A-1", "19.99", 3), item("B-1", "0.05", 1)];
        let lines = rule_lines(&items, None);
        assert_eq!(lines[0].amount, "59.97".parse().unwrap());
        let ten_percent = rules::Promotion {
            id: 1,
            name: "Ten".into(),
            benefit: rules::Benefit::PercentOff("10".parse().unwrap()),
            scope: rules::Scope::Order,
            min_subtotal: None,
            starts_at: None,
            ends_at: None,
            automatic: true,
            first_order_only: false,
            active: true,
        };
        let free_shipping = rules::Promotion {
            id: 2,
            benefit: rules::Benefit::FreeShipping,
            ..ten_percent.clone()
        };
        let context = rules::Context {
            now: chrono::Utc::now(),
            has_ordered: false,
        };
        let outcome = rules::evaluate(
            &lines,
            ShippingMethod::Standard.price(),
            &[ten_percent, free_shipping],
            None,
            &context,
        );
        let totals = priced(
            &lines,
            ShippingMethod::Standard,
            &outcome,
            "0.08".parse().unwrap(),
        );
        // 10% of 59.97 is 6.00 (5.997), of 0.05 is 0.01 (0.005, half away from zero).
        assert_eq!(totals.subtotal, "60.02".parse().unwrap());
        assert_eq!(totals.discount, "6.01".parse().unwrap());
        assert_eq!(totals.shipping, Decimal::ZERO);
        assert_eq!(totals.tax, "4.32".parse().unwrap(), "8% of 54.01 = 4.3208");
        assert_eq!(totals.total, "58.33".parse().unwrap());
        assert_eq!(
            totals.total,
            totals.subtotal - totals.discount + totals.shipping + totals.tax
        );
    }

    #[test]
    fn without_promotions_totals_are_list_prices_flat_shipping_and_tax_rounded_half_up() {
        let context = rules::Context {
            now: chrono::Utc::now(),
            has_ordered: false,
        };
        let lines = rule_lines(&[item("A-1", "19.99", 3), item("B-1", "0.05", 1)], None);
        let none = rules::evaluate(
            &lines,
            ShippingMethod::Standard.price(),
            &[],
            None,
            &context,
        );
        let plain = priced(
            &lines,
            ShippingMethod::Standard,
            &none,
            "0.08".parse().unwrap(),
        );
        assert_eq!(plain.subtotal, Decimal::new(6002, 2));
        assert_eq!(plain.discount, Decimal::ZERO);
        assert_eq!(plain.tax, Decimal::new(480, 2), "60.02 * 0.08 = 4.8016");
        assert_eq!(plain.total, Decimal::new(6002 + 499 + 480, 2));
        let lines = rule_lines(&[item("C-1", "0.25", 1)], None);
        let none = rules::evaluate(&lines, ShippingMethod::Express.price(), &[], None, &context);
        let half = priced(
            &lines,
            ShippingMethod::Express,
            &none,
            "0.1".parse().unwrap(),
        );
        assert_eq!(half.tax, Decimal::new(3, 2), "0.025 rounds to 0.03");
    }

    #[test]
    fn codes_are_compared_as_typed_in_any_case() {
        assert_eq!(normalise_code("  welcome-10 ").unwrap(), "WELCOME-10");
        for bad in ["", "ab", "ünï", "a b c", &"X".repeat(41)] {
            assert!(normalise_code(bad).is_err(), "{bad:?}");
        }
    }
}
