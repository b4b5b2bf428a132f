//! The mock payment provider: behaves by test card (see [`TestCard`]), as a real provider would answer.

use rust_decimal::Decimal;

use crate::domain::TestCard;

pub const PROVIDER: &str = "mockpay";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentResult {
    Succeeded,
    Declined {
        reason: &'static str,
    },
    /// The provider did not answer; nothing was charged.
    Unavailable,
}

/// Charges `amount` to `card` under the idempotent `reference`.
pub async fn charge(card: TestCard, _reference: &str, amount: Decimal) -> PaymentResult {
    match card {
        TestCard::Succeeds if amount > Decimal::ZERO => PaymentResult::Succeeded,
        TestCard::Succeeds => PaymentResult::Declined {
            reason: "invalid amount",
        },
        TestCard::Declined => PaymentResult::Declined {
            reason: "card declined by the issuer",
        },
        TestCard::ProviderOutage => PaymentResult::Unavailable,
    }
}
