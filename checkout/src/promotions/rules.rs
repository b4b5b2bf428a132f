//! The rules of promotions, pure: which of a basket's promotions apply, how much each takes off, and how each
//! discount is spread over the lines it applies to. No I/O: the totals preview and place-order both call
//! [`evaluate`] with what they read, so the price a shopper saw is the price they pay.
//!
//! # Stacking
//!
//! At most one code; every automatic promotion that applies combines with it. They are applied in a fixed
//! order, each on what the ones before left of each line: percentages off first (the largest first), then fixed
//! amounts off (the largest first), then free shipping. A promotion never takes a line below zero, so the
//! discounts together never exceed the subtotal, and free shipping takes off exactly the shipping price.
//!
//! # Spreading a discount over lines
//!
//! A discount on several lines is spread in proportion to what each eligible line still costs, in cents,
//! rounded down, and the cents left over go one each to the lines with the largest remainders (then the
//! earlier line): each line's share is exact to the cent and the shares add up to the discount exactly. That
//! split is what a partial refund gives back per line, and what each line's tax is computed on.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

/// What a promotion takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Benefit {
    /// This percentage (0 to 100, two decimals at most) of each eligible line, rounded to the cent.
    PercentOff(Decimal),
    /// This amount, spread over the eligible lines (never more than they cost).
    AmountOff(Decimal),
    /// The shipping price.
    FreeShipping,
}

/// Which lines a promotion applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every line.
    Order,
    /// Lines of products in any of these categories (a category's descendants included: a line carries its
    /// product's whole category path).
    Categories(Vec<String>),
    /// Lines of products of any of these brands (compared without regard to case).
    Brands(Vec<String>),
    /// Lines of these products or variants (a product's SKU covers all its variants).
    Skus(Vec<String>),
}

/// A promotion as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: u64,
    pub name: String,
    pub benefit: Benefit,
    pub scope: Scope,
    /// The subtotal (before any discount) the basket must reach.
    pub min_subtotal: Option<Decimal>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Applied to every basket it fits, without a code.
    pub automatic: bool,
    /// Only for a customer who has never ordered.
    pub first_order_only: bool,
    /// Paused or ended by staff.
    pub active: bool,
}

/// One cart line, with what the scopes look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub sku: String,
    pub product_sku: String,
    pub brand: String,
    /// The slugs of the product's categories and all their ancestors.
    pub categories: Vec<String>,
    /// Unit price times quantity.
    pub amount: Decimal,
}

/// What the rules need to know about the shopper and the code's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub now: DateTime<Utc>,
    /// The shopper has ordered before.
    pub has_ordered: bool,
}

/// Why a promotion does not apply, in words the shopper can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotApplicable {
    #[error("this code is not valid yet")]
    NotStarted,
    #[error("this code has expired")]
    Expired,
    #[error("this code is not active")]
    Inactive,
    #[error("spend at least {0} to use this code")]
    MinimumSubtotal(Decimal),
    #[error("this code is for a first order only")]
    FirstOrderOnly,
    #[error("nothing in the cart qualifies for this code")]
    NothingEligible,
}

/// One promotion as applied: how much it takes off, from which lines, and from shipping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub promotion_id: u64,
    pub name: String,
    /// Off the lines: the sum of `per_line`.
    pub amount: Decimal,
    /// `(line index, share)`, for the lines it touched.
    pub per_line: Vec<(usize, Decimal)>,
    /// Off shipping.
    pub shipping: Decimal,
}

impl Applied {
    pub fn total(&self) -> Decimal {
        self.amount + self.shipping
    }
}

/// The outcome for a basket: the promotions applied in order, and why the code (if any) did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub applied: Vec<Applied>,
    pub code_refused: Option<NotApplicable>,
}

impl Outcome {
    /// Everything taken off the lines.
    pub fn lines_discount(&self) -> Decimal {
        self.applied.iter().map(|applied| applied.amount).sum()
    }

    /// Everything taken off shipping.
    pub fn shipping_discount(&self) -> Decimal {
        self.applied.iter().map(|applied| applied.shipping).sum()
    }

    /// Each of `lines` lines' share of the discounts together, by line index.
    pub fn line_discounts(&self, lines: usize) -> Vec<Decimal> {
        let mut shares = vec![Decimal::ZERO; lines];
        for applied in &self.applied {
            for (index, share) in &applied.per_line {
                shares[*index] += share;
            }
        }
        shares
    }

    /// What each line costs after every discount, by line index.
    pub fn line_amounts(&self, lines: &[Line]) -> Vec<Decimal> {
        lines
            .iter()
            .zip(self.line_discounts(lines.len()))
            .map(|(line, share)| line.amount - share)
            .collect()
    }
}

fn cents(amount: Decimal) -> i64 {
    (amount * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::ToZero)
        .try_into()
        .unwrap_or(0)
}

fn from_cents(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

impl Scope {
    fn covers(&self, line: &Line) -> bool {
        match self {
            Self::Order => true,
            Self::Categories(slugs) => line.categories.iter().any(|slug| slugs.contains(slug)),
            Self::Brands(brands) => brands
                .iter()
                .any(|brand| brand.trim().eq_ignore_ascii_case(line.brand.trim())),
            Self::Skus(skus) => skus
                .iter()
                .any(|sku| *sku == line.sku || *sku == line.product_sku),
        }
    }
}

/// Whether `promotion` may apply to a basket with `subtotal` now, and to which lines.
pub fn check(
    promotion: &Promotion,
    lines: &[Line],
    subtotal: Decimal,
    context: &Context,
) -> Result<Vec<usize>, NotApplicable> {
    if !promotion.active {
        return Err(NotApplicable::Inactive);
    }
    if promotion.starts_at.is_some_and(|at| context.now < at) {
        return Err(NotApplicable::NotStarted);
    }
    if promotion.ends_at.is_some_and(|at| context.now >= at) {
        return Err(NotApplicable::Expired);
    }
    if let Some(minimum) = promotion.min_subtotal
        && subtotal < minimum
    {
        return Err(NotApplicable::MinimumSubtotal(minimum));
    }
    if promotion.first_order_only && context.has_ordered {
        return Err(NotApplicable::FirstOrderOnly);
    }
    let eligible: Vec<usize> = (0..lines.len())
        .filter(|index| promotion.scope.covers(&lines[*index]))
        .collect();
    if eligible.is_empty() && promotion.benefit != Benefit::FreeShipping {
        return Err(NotApplicable::NothingEligible);
    }
    if eligible.is_empty() && promotion.scope != Scope::Order {
        return Err(NotApplicable::NothingEligible);
    }
    Ok(eligible)
}

/// The order promotions are applied in: percentages (largest first), fixed amounts (largest first), free
/// shipping; then by id, so the order is total.
fn rank(promotion: &Promotion) -> (u8, std::cmp::Reverse<Decimal>, u64) {
    match promotion.benefit {
        Benefit::PercentOff(percent) => (0, std::cmp::Reverse(percent), promotion.id),
        Benefit::AmountOff(amount) => (1, std::cmp::Reverse(amount), promotion.id),
        Benefit::FreeShipping => (2, std::cmp::Reverse(Decimal::ZERO), promotion.id),
    }
}

/// Applies `automatic` promotions and the `code`'s promotion (if any) to `lines` and `shipping` (see the
/// module docs for the order and the spreading).
pub fn evaluate(
    lines: &[Line],
    shipping: Decimal,
    automatic: &[Promotion],
    code: Option<&Promotion>,
    context: &Context,
) -> Outcome {
    let subtotal: Decimal = lines.iter().map(|line| line.amount).sum();
    let mut candidates: Vec<(&Promotion, Vec<usize>)> = Vec::new();
    let mut seen = HashSet::new();
    for promotion in automatic.iter().filter(|promotion| promotion.automatic) {
        if seen.insert(promotion.id)
            && let Ok(eligible) = check(promotion, lines, subtotal, context)
        {
            candidates.push((promotion, eligible));
        }
    }
    let mut code_refused = None;
    if let Some(promotion) = code {
        match check(promotion, lines, subtotal, context) {
            Ok(eligible) if seen.insert(promotion.id) => candidates.push((promotion, eligible)),
            Ok(_) => {}
            Err(reason) => code_refused = Some(reason),
        }
    }
    candidates.sort_by_key(|(promotion, _)| rank(promotion));

    let mut remaining: Vec<i64> = lines.iter().map(|line| cents(line.amount)).collect();
    let mut shipping_left = cents(shipping);
    let mut applied = Vec::new();
    for (promotion, eligible) in candidates {
        let (per_line, off_shipping) = match promotion.benefit {
            Benefit::PercentOff(percent) => {
                let per_line = eligible
                    .iter()
                    .map(|index| {
                        let share = (from_cents(remaining[*index]) * percent
                            / Decimal::ONE_HUNDRED)
                            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                        (*index, cents(share).min(remaining[*index]))
                    })
                    .collect();
                (per_line, 0)
            }
            Benefit::AmountOff(amount) => (spread(cents(amount), &eligible, &remaining), 0),
            Benefit::FreeShipping => (Vec::new(), shipping_left),
        };
        let per_line: Vec<(usize, i64)> = per_line
            .into_iter()
            .filter(|(_, share)| *share > 0)
            .collect();
        for (index, share) in &per_line {
            remaining[*index] -= share;
        }
        shipping_left -= off_shipping;
        let amount: i64 = per_line.iter().map(|(_, share)| share).sum();
        if amount == 0 && off_shipping == 0 {
            continue;
        }
        applied.push(Applied {
            promotion_id: promotion.id,
            name: promotion.name.clone(),
            amount: from_cents(amount),
            per_line: per_line
                .into_iter()
                .map(|(index, share)| (index, from_cents(share)))
                .collect(),
            shipping: from_cents(off_shipping),
        });
    }
    Outcome {
        applied,
        code_refused,
    }
}

/// `total` cents spread over the `eligible` lines in proportion to their `remaining` cents (never more than a
/// line has left): floors first, then a cent each to the largest remainders, earlier lines first on a tie.
fn spread(total: i64, eligible: &[usize], remaining: &[i64]) -> Vec<(usize, i64)> {
    let base: i64 = eligible.iter().map(|index| remaining[*index]).sum();
    let total = total.min(base).max(0);
    if total == 0 || base == 0 {
        return Vec::new();
    }
    let mut shares: Vec<(usize, i64, i128)> = eligible
        .iter()
        .map(|index| {
            let exact = i128::from(total) * i128::from(remaining[*index]);
            let floor = exact / i128::from(base);
            (*index, floor as i64, exact % i128::from(base))
        })
        .collect();
    let mut left = total - shares.iter().map(|(_, share, _)| share).sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for position in order {
        if left == 0 {
            break;
        }
        let (index, share, _) = &mut shares[position];
        if *share < remaining[*index] {
            *share += 1;
            left -= 1;
        }
    }
    shares
        .into_iter()
        .map(|(index, share, _)| (index, share))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn line(sku: &str, brand: &str, categories: &[&str], amount: &str) -> Line {
        Line {
            sku: sku.to_owned(),
            product_sku: sku.split('/').next().unwrap().to_owned(),
            brand: brand.to_owned(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            amount: d(amount),
        }
    }

    fn promotion(id: u64, benefit: Benefit, scope: Scope) -> Promotion {
        Promotion {
            id,
            name: format!("P{id}"),
            benefit,
            scope,
            min_subtotal: None,
            starts_at: None,
            ends_at: None,
            automatic: true,
            first_order_only: false,
            active: true,
        }
    }

    fn now() -> Context {
        Context {
            now: "2026-12-01T12:00:00Z".parse().unwrap(),
            has_ordered: false,
        }
    }

    fn basket() -> Vec<Line> {
        vec![
            line("PH-1", "Acme", &["phones", "electronics"], "33.33"),
            line("CASE-1", "Shell", &["cases", "accessories"], "10.00"),
            line("PH-2", "Bolt", &["phones", "electronics"], "0.01"),
        ]
    }

    #[test]
    fn each_kind_and_scope_takes_off_what_it_says_exact_to_the_cent() {
        let lines = basket();
        let cases: Vec<(Promotion, &str, Vec<&str>, &str)> = vec![
            // (promotion, lines discount, per line shares, shipping discount)
            (
                promotion(1, Benefit::PercentOff(d("10")), Scope::Order),
                "4.33",
                vec!["3.33", "1.00"],
                "0",
            ),
            (
                promotion(
                    2,
                    Benefit::PercentOff(d("15")),
                    Scope::Categories(vec!["electronics".into()]),
                ),
                "5.00",
                vec!["5.00"],
                "0",
            ),
            (
                promotion(3, Benefit::AmountOff(d("5")), Scope::Order),
                "5.00",
                vec!["3.85", "1.15"],
                "0",
            ),
            (
                promotion(
                    4,
                    Benefit::AmountOff(d("100")),
                    Scope::Brands(vec!["shell".into()]),
                ),
                "10.00",
                vec!["10.00"],
                "0",
            ),
            (
                promotion(5, Benefit::FreeShipping, Scope::Order),
                "0",
                vec![],
                "4.99",
            ),
            (
                promotion(
                    6,
                    Benefit::AmountOff(d("0.02")),
                    Scope::Skus(vec!["PH-1".into(), "PH-2".into()]),
                ),
                "0.02",
                vec!["0.02"],
                "0",
            ),
        ];
        for (promotion, amount, shares, shipping) in cases {
            let outcome = evaluate(
                &lines,
                d("4.99"),
                std::slice::from_ref(&promotion),
                None,
                &now(),
            );
            let applied = outcome.applied.first();
            assert_eq!(
                applied.map_or(Decimal::ZERO, |a| a.amount),
                d(amount),
                "{promotion:?}"
            );
            let got: Vec<Decimal> = applied
                .map(|a| a.per_line.iter().map(|(_, share)| *share).collect())
                .unwrap_or_default();
            assert_eq!(
                got,
                shares.iter().map(|s| d(s)).collect::<Vec<_>>(),
                "{promotion:?}"
            );
            assert_eq!(
                applied.map_or(Decimal::ZERO, |a| a.shipping),
                d(shipping),
                "{promotion:?}"
            );
            // Line totals after the discount add up to the subtotal minus the discount.
            let after: Decimal = outcome.line_amounts(&lines).iter().sum();
            assert_eq!(after, d("43.34") - outcome.lines_discount());
            assert!(
                outcome
                    .line_amounts(&lines)
                    .iter()
                    .all(|amount| *amount >= Decimal::ZERO)
            );
        }
    }

    #[test]
    fn shares_of_an_amount_always_add_up_and_favour_the_largest_remainders() {
        for (total, remaining, expected) in [
            (100, vec![1, 1, 1], vec![1, 1, 1]),
            (100, vec![100, 100, 100], vec![34, 33, 33]),
            (1, vec![50, 50], vec![1, 0]),
            (7, vec![3, 3, 3], vec![3, 2, 2]),
            (1000, vec![999, 1], vec![999, 1]),
        ] {
            let eligible: Vec<usize> = (0..remaining.len()).collect();
            let shares: Vec<i64> = spread(total, &eligible, &remaining)
                .into_iter()
                .map(|(_, share)| share)
                .collect();
            assert_eq!(shares, expected, "{total} over {remaining:?}");
            assert_eq!(
                shares.iter().sum::<i64>(),
                total.min(remaining.iter().sum()),
                "{total} over {remaining:?}"
            );
        }
    }

    #[test]
    fn promotions_stack_in_the_documented_order_and_one_code_at_most() {
        let lines = basket();
        let percent = promotion(1, Benefit::PercentOff(d("10")), Scope::Order);
        let fixed = promotion(2, Benefit::AmountOff(d("5")), Scope::Order);
        let shipping = promotion(3, Benefit::FreeShipping, Scope::Order);
        let mut code = promotion(4, Benefit::PercentOff(d("20")), Scope::Order);
        code.automatic = false;
        let outcome = evaluate(
            &lines,
            d("4.99"),
            &[shipping.clone(), fixed.clone(), percent.clone()],
            Some(&code),
            &now(),
        );
        let order: Vec<u64> = outcome.applied.iter().map(|a| a.promotion_id).collect();
        assert_eq!(
            order,
            vec![4, 1, 2, 3],
            "20% code, 10%, then $5, then shipping"
        );
        // 20% of 43.34 -> 6.67 (6.67+2.00+0.00), then 10% of what is left, then $5 spread, then shipping.
        assert_eq!(outcome.applied[0].amount, d("8.67"));
        let total: Decimal = outcome.applied.iter().map(Applied::total).sum();
        let after: Decimal = outcome.line_amounts(&lines).iter().sum();
        assert_eq!(after + outcome.lines_discount(), d("43.34"));
        assert_eq!(outcome.shipping_discount(), d("4.99"));
        assert_eq!(total, outcome.lines_discount() + d("4.99"));
        // A code given as an automatic promotion too is applied once.
        let again = evaluate(
            &lines,
            d("4.99"),
            std::slice::from_ref(&percent),
            Some(&percent),
            &now(),
        );
        assert_eq!(again.applied.len(), 1);
        // An automatic promotion not marked automatic is not applied without its code.
        assert!(
            evaluate(&lines, d("4.99"), &[code], None, &now())
                .applied
                .is_empty()
        );
    }

    #[test]
    fn a_code_that_does_not_apply_says_why() {
        let lines = basket();
        let mut code = promotion(1, Benefit::AmountOff(d("5")), Scope::Order);
        code.automatic = false;
        let refused = |code: &Promotion, context: Context| {
            evaluate(&lines, d("4.99"), &[], Some(code), &context).code_refused
        };
        let mut expired = code.clone();
        expired.ends_at = Some("2026-11-30T00:00:00Z".parse().unwrap());
        assert_eq!(refused(&expired, now()), Some(NotApplicable::Expired));
        let mut early = code.clone();
        early.starts_at = Some("2026-12-24T00:00:00Z".parse().unwrap());
        assert_eq!(refused(&early, now()), Some(NotApplicable::NotStarted));
        let mut minimum = code.clone();
        minimum.min_subtotal = Some(d("50"));
        assert_eq!(
            refused(&minimum, now()),
            Some(NotApplicable::MinimumSubtotal(d("50")))
        );
        assert_eq!(
            NotApplicable::MinimumSubtotal(d("50.00")).to_string(),
            "spend at least 50.00 to use this code"
        );
        let mut first = code.clone();
        first.first_order_only = true;
        let returning = Context {
            has_ordered: true,
            ..now()
        };
        assert_eq!(
            refused(&first, returning),
            Some(NotApplicable::FirstOrderOnly)
        );
        let mut paused = code.clone();
        paused.active = false;
        assert_eq!(refused(&paused, now()), Some(NotApplicable::Inactive));
        let mut brand = code.clone();
        brand.scope = Scope::Brands(vec!["Nobody".into()]);
        assert_eq!(refused(&brand, now()), Some(NotApplicable::NothingEligible));
        assert_eq!(refused(&code, now()), None);
    }
}
