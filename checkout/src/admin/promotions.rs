//! Promotions as the admin manages them (`rpc.checkout.admin.promotions.*`, contract in
//! `platform::contracts::promotions_admin`): the list with each promotion's figures, one promotion, and the
//! commands that create and edit one ([`save`]), pause, resume or end it ([`change_state`]) and generate its
//! single-use codes ([`codes`]).
//!
//! - **Reads** answer from the database as it is: the list's figures are grouped queries over the page's
//!   promotions (`db::promotions_admin`), never one query per row.
//! - **Every change** is an idempotent admin command (`platform::admin_commands`): the key is claimed, the
//!   promotion's row locked, the version the admin saw checked (stale: a conflict with the current one), the
//!   change written with the version bumped, and the reply recorded, in one transaction. A refusal writes
//!   nothing, the claim included.
//! - **Uses are checkout's**: `promotions.uses` and the codes' uses are counted by place-order
//!   (`db::promotions::redeem`) under the same row lock; the admin only reads them, and an edit never sets a
//!   use limit below the uses already held.

pub mod codes;
pub mod save;

use platform::{
    admin_commands::{Refused, carry_out, retrying},
    contracts::{
        admin::{AdminReply, Command},
        promotions_admin::{
            ChangeState, DEFAULT_PAGE, GetPromotion, ListPromotions, MAX_EXPORT_PAGE, MAX_PAGE,
            PROMOTIONS_STATE, PromotionDetail, PromotionPage, PromotionState, PromotionStats,
            StateAction,
        },
    },
};
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    db::{
        Locking,
        promotions_admin::{self as queries, StoredPromotion},
    },
    domain::CURRENCY,
};

/// A page of promotions, newest first, each with its codes and figures.
pub async fn list(
    pool: &MySqlPool,
    request: &ListPromotions,
) -> Result<AdminReply<PromotionPage>, sqlx::Error> {
    let max = if request.export {
        MAX_EXPORT_PAGE
    } else {
        MAX_PAGE
    };
    let limit = request.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=max).contains(&limit) {
        return Ok(AdminReply::invalid("limit", format!("must be 1 to {max}")));
    }
    let after = match request.cursor.as_deref().map(str::parse::<u64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return Ok(AdminReply::invalid(
                "cursor",
                "is not a page of this list: start from the first page",
            ));
        }
    };
    let mut conn = pool.acquire().await?;
    let mut rows = queries::page(&mut conn, after, limit + 1).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| row.id.to_string())
    } else {
        None
    };
    let ids: Vec<u64> = rows.iter().map(|row| row.id).collect();
    let figures = queries::figures(&mut conn, &ids).await?;
    let codes = queries::codes(&mut conn, &ids).await?;
    for row in &mut rows {
        if let Some((discount, revenue)) = figures.get(&row.id) {
            row.stats.discount = *discount;
            row.stats.revenue = *revenue;
        }
        if let Some((code, single_use)) = codes.get(&row.id) {
            row.code.clone_from(code);
            row.single_use_codes = *single_use;
        }
    }
    Ok(AdminReply::Ok(PromotionPage {
        rows,
        currency: CURRENCY.to_owned(),
        next,
    }))
}

/// Promotion `request.id`.
pub async fn get(
    pool: &MySqlPool,
    request: &GetPromotion,
) -> Result<AdminReply<PromotionDetail>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    Ok(
        match queries::by_id(&mut conn, request.id, Locking::None).await? {
            Some(promotion) => AdminReply::Ok(detail(&mut conn, promotion).await?),
            None => AdminReply::NotFound {
                what: format!("promotion {}", request.id),
            },
        },
    )
}

/// The admin's view of `promotion`, its figures read on `conn` (inside a command's transaction: as the
/// command leaves them).
pub async fn detail(
    conn: &mut MySqlConnection,
    promotion: StoredPromotion,
) -> Result<PromotionDetail, sqlx::Error> {
    let (discount, revenue) = queries::figures(conn, &[promotion.id])
        .await?
        .remove(&promotion.id)
        .unwrap_or_default();
    let single_use_codes = queries::single_use_count(conn, promotion.id).await?;
    Ok(PromotionDetail {
        id: promotion.id,
        version: promotion.version,
        rules: promotion.rules,
        state: promotion.state,
        single_use_codes,
        stats: PromotionStats {
            uses: promotion.uses,
            discount,
            revenue,
        },
        currency: CURRENCY.to_owned(),
        created_at: promotion.created_at,
        updated_at: promotion.updated_at,
    })
}

/// Promotion `id` locked for a change at `expected_version`: refused when it is unknown or changed since.
pub(crate) async fn lock_at_version(
    conn: &mut MySqlConnection,
    id: u64,
    expected_version: u64,
) -> Result<Result<StoredPromotion, Refused>, sqlx::Error> {
    Ok(match queries::by_id(conn, id, Locking::ForUpdate).await? {
        None => Err(Refused::NotFound(format!("promotion {id}"))),
        Some(current) if current.version != expected_version => {
            Err(Refused::stale(current.version))
        }
        Some(current) => Ok(current),
    })
}

/// The state `action` moves a promotion in state `from` to, or why it cannot.
pub fn next_state(from: PromotionState, action: StateAction) -> Result<PromotionState, String> {
    use PromotionState::*;
    match (from, action) {
        (Active, StateAction::Pause) => Ok(Paused),
        (Paused, StateAction::Resume) => Ok(Active),
        (Active | Paused, StateAction::End) => Ok(Ended),
        (Ended, _) => Err("the promotion has ended, for good".to_owned()),
        (Paused, StateAction::Pause) => Err("the promotion is paused already".to_owned()),
        (Active, StateAction::Resume) => Err("the promotion is active already".to_owned()),
        (from, action) => Err(format!("a promotion that is {from} cannot {action}")),
    }
}

/// Pauses, resumes or ends a promotion, at the version the admin saw.
pub async fn change_state(
    pool: &MySqlPool,
    command: &Command<ChangeState>,
) -> Result<AdminReply<PromotionDetail>, sqlx::Error> {
    let body = &command.body;
    retrying(|| {
        carry_out(pool, PROMOTIONS_STATE, command, async |conn| {
            if body.action == StateAction::Unknown {
                return Ok(Err(Refused::invalid(
                    "action",
                    "must be pause, resume or end",
                )));
            }
            let current = match lock_at_version(conn, body.id, body.expected_version).await? {
                Ok(current) => current,
                Err(refused) => return Ok(Err(refused)),
            };
            let to = match next_state(current.state, body.action) {
                Ok(to) => to,
                Err(reason) => return Ok(Err(Refused::conflict(reason))),
            };
            queries::set_state(conn, body.id, to).await?;
            reread(conn, body.id).await
        })
    })
    .await
}

/// Promotion `id` as a command in this transaction leaves it.
async fn reread(
    conn: &mut MySqlConnection,
    id: u64,
) -> Result<Result<PromotionDetail, Refused>, sqlx::Error> {
    match queries::by_id(conn, id, Locking::None).await? {
        Some(promotion) => Ok(Ok(detail(conn, promotion).await?)),
        None => Ok(Err(Refused::NotFound(format!("promotion {id}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_promotion_pauses_and_resumes_and_once_ended_stays_ended() {
        use PromotionState::*;
        assert_eq!(next_state(Active, StateAction::Pause), Ok(Paused));
        assert_eq!(next_state(Paused, StateAction::Resume), Ok(Active));
        assert_eq!(next_state(Active, StateAction::End), Ok(Ended));
        assert_eq!(next_state(Paused, StateAction::End), Ok(Ended));
        for action in [StateAction::Pause, StateAction::Resume, StateAction::End] {
            assert!(next_state(Ended, action).is_err(), "{action}");
        }
        assert!(next_state(Paused, StateAction::Pause).is_err());
        assert!(next_state(Active, StateAction::Resume).is_err());
    }
}
