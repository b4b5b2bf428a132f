//! Promotions: coupon codes and automatic discounts, owned by checkout. [`rules`] decides, purely, what
//! applies and how each discount is spread over the lines; [`priced`] turns a cart's lines and the catalog's
//! quote into the rules' lines and the discounted totals. The totals preview and place-order both use them.
//!
//! Tax is on what the lines cost after their discounts (the rate is the same for every line, so the tax of
//! the discounted subtotal equals the sum of the lines' taxes before rounding); a shipping discount lowers the
//! shipping charged, which is not taxed.
pub mod rules;

use platform::contracts::catalog::QuoteResponse;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::{db::carts::CartItem, domain::ShippingMethod};

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

/// What an order of these lines charges once `outcome`'s discounts are taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced {
    /// The lines at the prices they were added at, before any discount.
    pub subtotal: Decimal,
    /// Taken off the lines by every promotion together.
    pub discount: Decimal,
    /// The shipping method's price less any free-shipping promotion.
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

/// The totals of `lines` shipped by `method` with `outcome`'s discounts, tax at `tax_rate` on the
/// discounted subtotal, rounded half away from zero to the cent.
pub fn priced(
    lines: &[rules::Line],
    method: ShippingMethod,
    outcome: &rules::Outcome,
    tax_rate: Decimal,
) -> Priced {
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
    Priced {
        subtotal,
        discount,
        shipping,
        tax,
        total: taxable + shipping + tax,
    }
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
        // Without promotions, the same as before promotions existed.
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
        let before = crate::domain::Totals::compute(
            &[("19.99".parse().unwrap(), 3), ("0.05".parse().unwrap(), 1)],
            ShippingMethod::Standard,
            "0.08".parse().unwrap(),
        );
        assert_eq!(
            (plain.subtotal, plain.shipping, plain.tax, plain.total),
            (before.subtotal, before.shipping, before.tax, before.total)
        );
    }

    #[test]
    fn codes_are_compared_as_typed_in_any_case() {
        assert_eq!(normalise_code("  welcome-10 ").unwrap(), "WELCOME-10");
        for bad in ["", "ab", "ünï", "a b c", &"X".repeat(41)] {
            assert!(normalise_code(bad).is_err(), "{bad:?}");
        }
    }
}
