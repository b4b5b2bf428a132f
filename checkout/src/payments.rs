//! The mock payment provider: behaves by test card (see [`TestCard`]) as a real provider with idempotent
//! payment references would.
//!
//! A real provider keeps a ledger on its side; this one keeps it in `mockpay_charges` (in checkout's schema, as
//! the stand-in for the provider's database). Two promises of real providers matter to place-order and are kept
//! here: charging a reference again returns the first outcome and never charges twice (a retried request after
//! a crash pays once), and a reference voided before it was charged can never be charged afterwards (the
//! reconciler asks "was this charged?" with [`resolve`], which voids it if not, so an attempt it gives up on
//! cannot be paid by a request still running).

use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool};

use crate::domain::TestCard;

pub const PROVIDER: &str = "mockpay";

/// The payment reference of an order: one per order, whichever request charges it, however often.
pub fn reference_for(order_number: &str) -> String {
    format!("pay_{order_number}")
}

/// The reference of the order's `n`th refund (1, 2, ...): taken under the order's row lock, so one per refund.
pub fn refund_reference_for(order_number: &str, n: u64) -> String {
    format!("refund_{order_number}_{n}")
}

/// Why the provider refused a refund.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundRefused {
    #[error("nothing was charged under this reference")]
    NotCharged,
    #[error("only {left} of the charge is left to refund")]
    MoreThanCharged { left: Decimal },
}

/// Gives back `amount` of the charge `charge_reference`, as refund `refund_reference`, never more than the
/// charge across its refunds; asking again with a reference already refunded changes nothing.
///
/// A real provider is called outside any transaction (recording the refund as pending first, then its
/// outcome); the mock's ledger lives in checkout's schema, so it takes part in the caller's transaction, which
/// holds the order's row lock.
pub async fn refund(
    conn: &mut MySqlConnection,
    charge_reference: &str,
    refund_reference: &str,
    amount: Decimal,
) -> Result<Result<(), RefundRefused>, sqlx::Error> {
    let charged: Option<Decimal> = sqlx::query_scalar(
        "SELECT amount FROM mockpay_charges WHERE reference = ? AND state = 'succeeded' FOR UPDATE",
    )
    .bind(charge_reference)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(charged) = charged else {
        return Ok(Err(RefundRefused::NotCharged));
    };
    let already: Option<Decimal> =
        sqlx::query_scalar("SELECT amount FROM mockpay_refunds WHERE reference = ?")
            .bind(refund_reference)
            .fetch_optional(&mut *conn)
            .await?;
    if already.is_some() {
        return Ok(Ok(()));
    }
    let refunded: Option<Decimal> =
        sqlx::query_scalar("SELECT SUM(amount) FROM mockpay_refunds WHERE charge_reference = ?")
            .bind(charge_reference)
            .fetch_one(&mut *conn)
            .await?;
    let left = charged - refunded.unwrap_or_default();
    if amount > left {
        return Ok(Err(RefundRefused::MoreThanCharged { left }));
    }
    sqlx::query(
        "INSERT INTO mockpay_refunds (reference, charge_reference, amount) VALUES (?, ?, ?)",
    )
    .bind(refund_reference)
    .bind(charge_reference)
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(()))
}

/// What the provider's ledger holds for a reference (`mockpay_charges.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charge {
    Succeeded,
    Declined,
    /// Voided before it was charged: it never will be.
    Voided,
}

impl Charge {
    fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Declined => "declined",
            Self::Voided => "voided",
        }
    }

    /// The ledger's column is an ENUM of exactly these three.
    fn parse(stored: &str) -> Option<Self> {
        [Self::Succeeded, Self::Declined, Self::Voided]
            .into_iter()
            .find(|charge| charge.as_str() == stored)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentResult {
    Succeeded,
    Declined {
        reason: String,
    },
    /// The provider did not answer; nothing was charged.
    Unavailable,
}

/// What the provider says became of a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeStatus {
    /// The money was taken.
    Charged,
    /// Never charged (declined, or voided now), and it never will be.
    NotCharged,
}

/// Charges `amount` to `card` under `reference`, at most once per reference.
pub async fn charge(
    pool: &MySqlPool,
    card: TestCard,
    reference: &str,
    amount: Decimal,
) -> PaymentResult {
    let (state, reason) = match card {
        TestCard::Succeeds if amount > Decimal::ZERO => (Charge::Succeeded, None),
        TestCard::Succeeds => (Charge::Declined, Some("invalid amount")),
        TestCard::Declined => (Charge::Declined, Some("card declined by the issuer")),
        // The request never reaches the provider's ledger.
        TestCard::ProviderOutage => return PaymentResult::Unavailable,
    };
    let inserted = sqlx::query(
        "INSERT INTO mockpay_charges (reference, state, amount, reason) VALUES (?, ?, ?, ?)",
    )
    .bind(reference)
    .bind(state.as_str())
    .bind(amount)
    .bind(reason)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => outcome(state, reason.map(str::to_owned)),
        // Charged (or voided) before: the provider answers what happened then.
        Err(err) if crate::db::is_duplicate_key(&err) => match recorded(pool, reference).await {
            Ok(Some((state, reason))) => outcome(state, reason),
            Ok(None) => PaymentResult::Unavailable,
            Err(err) => unreachable_provider(&err),
        },
        Err(err) => unreachable_provider(&err),
    }
}

/// Whether `reference` was charged; if it was not, it is voided so that nothing can charge it any more.
pub async fn resolve(pool: &MySqlPool, reference: &str) -> Result<ChargeStatus, sqlx::Error> {
    let voided = sqlx::query(
        "INSERT INTO mockpay_charges (reference, state, amount, reason) VALUES (?, 'voided', 0, 'voided by the shop')",
    )
    .bind(reference)
    .execute(pool)
    .await;
    match voided {
        Ok(_) => Ok(ChargeStatus::NotCharged),
        Err(err) if crate::db::is_duplicate_key(&err) => {
            Ok(match recorded(pool, reference).await?.as_ref() {
                Some((Charge::Succeeded, _)) => ChargeStatus::Charged,
                _ => ChargeStatus::NotCharged,
            })
        }
        Err(err) => Err(err),
    }
}

async fn recorded(
    pool: &MySqlPool,
    reference: &str,
) -> Result<Option<(Charge, Option<String>)>, sqlx::Error> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT state, reason FROM mockpay_charges WHERE reference = ?")
            .bind(reference)
            .fetch_optional(pool)
            .await?;
    row.map(|(state, reason)| {
        let charge = Charge::parse(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".to_owned(),
            source: format!("unknown charge state {state:?}").into(),
        })?;
        Ok((charge, reason))
    })
    .transpose()
}

fn outcome(state: Charge, reason: Option<String>) -> PaymentResult {
    match state {
        Charge::Succeeded => PaymentResult::Succeeded,
        Charge::Voided => PaymentResult::Declined {
            reason: "the payment was cancelled".to_owned(),
        },
        Charge::Declined => PaymentResult::Declined {
            reason: reason.unwrap_or_else(|| "declined".to_owned()),
        },
    }
}

fn unreachable_provider(err: &sqlx::Error) -> PaymentResult {
    tracing::warn!(error = %err, "the payment provider's ledger is unreachable");
    PaymentResult::Unavailable
}
