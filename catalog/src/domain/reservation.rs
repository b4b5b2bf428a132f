//! The rules of one order's reservation, with no I/O: which lines a reserve may ask for, what each request does
//! in each state of the reservation, and how that moves a product's counters. `stock` applies them under the
//! row locks; the tests below pin them down.
//!
//! ```text
//! reserved ──commit──> committed ──release──> released (restocked)
//!     └───────────release / expiry───────────> released
//! ```
//!
//! Released is final: a later reserve of the order is refused whatever its lines, and so is a commit. A release
//! of an order that has no reservation yet writes a released header without lines (a tombstone), so the reserve
//! it overtook is refused when it arrives instead of holding stock nobody will commit. Every request is
//! idempotent: repeated, it answers the current state and moves nothing.

use std::collections::BTreeMap;

use platform::contracts::{
    OrderNumber, Sku,
    catalog::{ReleaseReason, ReservationState, ReservedLine, StockChangeReason, StockLine},
};

use rust_decimal::Decimal;

use super::InvalidValue;

/// Most lines in one reservation, and most units of one SKU in it.
pub const MAX_LINES: usize = 100;
pub const MAX_QUANTITY: u32 = 10_000;

/// The order number of a request, or why it is refused.
pub fn order_number(value: &str) -> Result<OrderNumber, InvalidValue> {
    OrderNumber::parse(value).map_err(|err| InvalidValue::new("order_number", err.expected))
}

/// The lines of a reserve, checked: SKUs well formed, quantities in range, a SKU named twice merged into one
/// line (at one price, when prices are given). In SKU order, which is also the order replies list them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveLines {
    units: BTreeMap<Sku, u32>,
    /// The unit price the buyer was shown, for the lines that carry one.
    prices: BTreeMap<Sku, Decimal>,
}

impl ReserveLines {
    /// Refusals name the offending line as it was sent (`lines[2].quantity`).
    pub fn parse(lines: &[StockLine]) -> Result<Self, InvalidValue> {
        if lines.is_empty() {
            return Err(InvalidValue::new("lines", "at least one line"));
        }
        if lines.len() > MAX_LINES {
            return Err(InvalidValue::new(
                "lines",
                format!("at most {MAX_LINES} lines"),
            ));
        }
        let mut merged = BTreeMap::new();
        let mut prices: BTreeMap<Sku, Decimal> = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            let sku = Sku::parse(&line.sku)
                .map_err(|err| InvalidValue::new(format!("lines[{i}].sku"), err.expected))?;
            if line.quantity == 0 || line.quantity > MAX_QUANTITY {
                return Err(InvalidValue::new(
                    format!("lines[{i}].quantity"),
                    format!("between 1 and {MAX_QUANTITY}"),
                ));
            }
            if let Some(price) = line.unit_price {
                if price.is_sign_negative() {
                    return Err(InvalidValue::new(
                        format!("lines[{i}].unit_price"),
                        "zero or more",
                    ));
                }
                if prices
                    .insert(sku.clone(), price)
                    .is_some_and(|other| other != price)
                {
                    return Err(InvalidValue::new(
                        format!("lines[{i}].unit_price"),
                        "the same price on every line of one SKU",
                    ));
                }
            }
            let total: &mut u32 = merged.entry(sku).or_default();
            *total = total.saturating_add(line.quantity).min(MAX_QUANTITY + 1);
            if *total > MAX_QUANTITY {
                return Err(InvalidValue::new(
                    format!("lines[{i}].quantity"),
                    format!("at most {MAX_QUANTITY} per SKU"),
                ));
            }
        }
        Ok(Self {
            units: merged,
            prices,
        })
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    pub fn quantity(&self, sku: &str) -> Option<u32> {
        self.units.get(sku).copied()
    }

    /// Whether the line of `sku` was shown at a price other than `price` (a line without a price never was).
    pub fn repriced(&self, sku: &str, price: Decimal) -> bool {
        self.prices.get(sku).is_some_and(|shown| *shown != price)
    }

    /// `(SKU, units)` in SKU order.
    pub fn iter(&self) -> impl Iterator<Item = (&Sku, u32)> {
        self.units.iter().map(|(sku, quantity)| (sku, *quantity))
    }

    pub fn skus(&self) -> impl ExactSizeIterator<Item = &Sku> {
        self.units.keys()
    }

    /// Whether a reservation holding `held` was made by these very lines (a replay of the same reserve).
    pub fn same_as(&self, held: &[ReservedLine]) -> bool {
        held.len() == self.units.len()
            && held
                .iter()
                .all(|line| self.units.get(&line.sku) == Some(&line.quantity))
    }

    /// The lines as a reply lists them.
    pub fn reserved_lines(&self) -> Vec<ReservedLine> {
        self.iter()
            .map(|(sku, quantity)| ReservedLine {
                sku: sku.clone(),
                quantity,
            })
            .collect()
    }
}

/// A reservation's state, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Reserved,
    Committed,
    Released,
}

/// Why a request for an existing reservation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The reservation was released (or a release overtook it): nothing more can happen to it.
    Released,
    /// A reserve asked for other lines than the reservation holds.
    OtherLines,
}

impl State {
    /// The value of the `reservations.state` column.
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Committed => "committed",
            Self::Released => "released",
        }
    }

    pub fn from_db(value: &str) -> Option<Self> {
        [Self::Reserved, Self::Committed, Self::Released]
            .into_iter()
            .find(|state| state.as_db() == value)
    }

    /// As a reply shows it.
    pub fn shown(self) -> ReservationState {
        match self {
            Self::Reserved => ReservationState::Reserved,
            Self::Committed => ReservationState::Committed,
            Self::Released => ReservationState::Released,
        }
    }

    /// A reserve of `asked` that finds the order's reservation already there, holding `held`: a replay of the
    /// same lines answers it as it stands; other lines, or a released reservation, are refused.
    pub fn reserve_again(self, asked: &ReserveLines, held: &[ReservedLine]) -> Result<(), Refusal> {
        match self {
            Self::Released => Err(Refusal::Released),
            Self::Reserved | Self::Committed if asked.same_as(held) => Ok(()),
            Self::Reserved | Self::Committed => Err(Refusal::OtherLines),
        }
    }

    /// A commit: reserved units are sold; a committed reservation stays as it is (`None`); a released one is
    /// refused.
    pub fn commit(self) -> Result<Option<Movement>, Refusal> {
        match self {
            Self::Reserved => Ok(Some(Movement::Sell)),
            Self::Committed => Ok(None),
            Self::Released => Err(Refusal::Released),
        }
    }

    /// A release for `reason` (`Released` or `Expired`): reserved units go back, sold units are restocked, a
    /// released reservation stays as it is (`None`).
    pub fn release(self, reason: ReleaseReason) -> Option<Movement> {
        match self {
            Self::Reserved => Some(Movement::GiveBack(reason)),
            Self::Committed => Some(Movement::Restock),
            Self::Released => None,
        }
    }
}

/// How a request moves the counters of every product the reservation holds, and the state it leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Units are set aside: `reserved` grows.
    Reserve,
    /// Reserved units go back to sale: `reserved` shrinks.
    GiveBack(ReleaseReason),
    /// Reserved units are sold: they leave `on_hand` and `reserved`.
    Sell,
    /// Sold units come back to `on_hand`.
    Restock,
}

/// A change of one product's `on_hand` and `reserved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delta {
    pub on_hand: i64,
    pub reserved: i64,
}

impl Movement {
    /// The change of a product of which the reservation holds `units`.
    pub fn delta(self, units: u32) -> Delta {
        let units = i64::from(units);
        match self {
            Self::Reserve => Delta {
                on_hand: 0,
                reserved: units,
            },
            Self::GiveBack(_) => Delta {
                on_hand: 0,
                reserved: -units,
            },
            Self::Sell => Delta {
                on_hand: -units,
                reserved: -units,
            },
            Self::Restock => Delta {
                on_hand: units,
                reserved: 0,
            },
        }
    }

    /// The state the reservation is in afterwards.
    pub fn after(self) -> State {
        match self {
            Self::Reserve => State::Reserved,
            Self::Sell => State::Committed,
            Self::GiveBack(_) | Self::Restock => State::Released,
        }
    }

    /// Why a release ended the reservation, stored with it and told to a late reserve or commit.
    pub fn release_reason(self) -> Option<ReleaseReason> {
        match self {
            Self::GiveBack(reason) => Some(reason),
            Self::Restock => Some(ReleaseReason::Restocked),
            Self::Reserve | Self::Sell => None,
        }
    }

    /// The reason the stock events of this movement carry.
    pub fn stock_reason(self) -> StockChangeReason {
        match self {
            Self::Reserve => StockChangeReason::Reserved,
            Self::GiveBack(ReleaseReason::Expired) => StockChangeReason::Expired,
            Self::GiveBack(_) => StockChangeReason::Released,
            Self::Sell => StockChangeReason::Committed,
            Self::Restock => StockChangeReason::Restocked,
        }
    }
}

/// A stored release reason; text this version does not know reads as [`ReleaseReason::Unknown`].
pub fn release_reason_from_db(text: &str) -> ReleaseReason {
    match text {
        "released" => ReleaseReason::Released,
        "expired" => ReleaseReason::Expired,
        "restocked" => ReleaseReason::Restocked,
        _ => ReleaseReason::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: u32) -> StockLine {
        StockLine {
            sku: sku.to_owned(),
            quantity,
            unit_price: None,
        }
    }

    #[test]
    fn lines_name_the_field_they_refuse() {
        let refused = |lines: &[StockLine]| ReserveLines::parse(lines).unwrap_err().field;
        assert_eq!(refused(&[]), "lines");
        assert_eq!(refused(&[line("A-1", 1), line("a-1", 1)]), "lines[1].sku");
        assert_eq!(refused(&[line("A-1", 0)]), "lines[0].quantity");
        assert_eq!(
            refused(&[line("A-1", MAX_QUANTITY), line("A-1", 1)]),
            "lines[1].quantity"
        );
        let too_many: Vec<StockLine> = (0..=MAX_LINES).map(|_| line("A-1", 1)).collect();
        assert_eq!(refused(&too_many), "lines");
    }

    #[test]
    fn a_sku_named_twice_is_one_line_and_replays_compare_by_content() {
        let lines = ReserveLines::parse(&[line("B-2", 1), line("A-1", 2), line("B-2", 3)]).unwrap();
        assert_eq!(
            lines
                .iter()
                .map(|(sku, n)| (sku.as_str(), n))
                .collect::<Vec<_>>(),
            [("A-1", 2), ("B-2", 4)]
        );
        assert!(lines.same_as(&lines.reserved_lines()));
        let mut other = lines.reserved_lines();
        other[0].quantity = 3;
        assert!(!lines.same_as(&other));
        assert!(!lines.same_as(&other[..1]));
    }

    #[test]
    fn a_line_shown_at_a_price_is_repriced_by_any_other() {
        let priced = |sku: &str, price: &str| StockLine {
            unit_price: Some(price.parse().unwrap()),
            ..line(sku, 1)
        };
        let lines = ReserveLines::parse(&[priced("A-1", "19.90"), line("B-2", 1)]).unwrap();
        assert!(!lines.repriced("A-1", "19.9".parse().unwrap()));
        assert!(lines.repriced("A-1", "21.00".parse().unwrap()));
        // No price shown, no price to miss.
        assert!(!lines.repriced("B-2", "5.00".parse().unwrap()));

        let refused = |lines: &[StockLine]| ReserveLines::parse(lines).unwrap_err().field;
        assert_eq!(
            refused(&[priced("A-1", "1.00"), priced("A-1", "2.00")]),
            "lines[1].unit_price"
        );
        assert_eq!(refused(&[priced("A-1", "-1.00")]), "lines[0].unit_price");
    }

    #[test]
    fn released_is_final_and_every_request_is_idempotent() {
        assert_eq!(State::Reserved.commit(), Ok(Some(Movement::Sell)));
        assert_eq!(State::Committed.commit(), Ok(None));
        assert_eq!(State::Released.commit(), Err(Refusal::Released));

        let expired = ReleaseReason::Expired;
        assert_eq!(
            State::Reserved.release(expired),
            Some(Movement::GiveBack(expired))
        );
        assert_eq!(State::Committed.release(expired), Some(Movement::Restock));
        assert_eq!(State::Released.release(expired), None);

        let asked = ReserveLines::parse(&[line("A-1", 2)]).unwrap();
        let same = asked.reserved_lines();
        let other = ReserveLines::parse(&[line("A-1", 3)])
            .unwrap()
            .reserved_lines();
        assert_eq!(State::Reserved.reserve_again(&asked, &same), Ok(()));
        assert_eq!(State::Committed.reserve_again(&asked, &same), Ok(()));
        assert_eq!(
            State::Reserved.reserve_again(&asked, &other),
            Err(Refusal::OtherLines)
        );
        assert_eq!(
            State::Released.reserve_again(&asked, &same),
            Err(Refusal::Released)
        );
    }

    #[test]
    fn movements_keep_reserved_within_on_hand() {
        // Starting from 5 on hand, 3 of them reserved by this order.
        let (on_hand, reserved) = (5_i64, 3_i64);
        let after = |movement: Movement| {
            let delta = movement.delta(3);
            (on_hand + delta.on_hand, reserved + delta.reserved)
        };
        assert_eq!(after(Movement::Sell), (2, 0));
        assert_eq!(after(Movement::GiveBack(ReleaseReason::Released)), (5, 0));
        assert_eq!(Movement::Restock.delta(3).on_hand, 3);
        assert_eq!(Movement::Reserve.delta(3).reserved, 3);
        assert_eq!(Movement::Restock.after(), State::Released);
        assert_eq!(
            Movement::Restock.release_reason(),
            Some(ReleaseReason::Restocked)
        );
        assert_eq!(
            Movement::GiveBack(ReleaseReason::Expired).stock_reason(),
            StockChangeReason::Expired
        );
    }
}
