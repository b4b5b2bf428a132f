//! The shopper's order page: an order opens only with its secret lookup token (from the confirmation and its
//! email), and a wrong guess learns nothing, not even whether the number exists.

use super::{
    constant_time_eq, hash_token,
    view::{OrderPage, OrderView, shopper_timeline},
};
use crate::{Checkout, db, domain::OrderNumber};

/// Why no order is shown. Deliberately one case for "no such order" and "wrong token".
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Compared against when the number is unknown, so that a lookup costs the same either way.
const NO_ORDER_HASH: [u8; 32] = [0; 32];

/// The order `number` (if it parsed) for `token`. Unknown number and wrong token answer the same, in the same
/// time, so neither can be probed: one point read and one constant-time comparison either way; the order itself
/// is read only for the right token, with its timeline.
pub async fn lookup(
    checkout: &Checkout,
    number: Option<&OrderNumber>,
    token: &str,
) -> Result<OrderPage, LookupError> {
    let token = hash_token(token);
    let mut conn = checkout.pool.acquire().await?;
    let found = match number {
        Some(number) => db::orders::lookup_key(&mut conn, number).await?,
        None => None,
    };
    let stored = found
        .as_ref()
        .map_or(&NO_ORDER_HASH[..], |(_, hash)| hash.as_slice());
    let matches = constant_time_eq(stored, &token);
    match (number, found) {
        (Some(number), Some((id, _))) if matches => {
            let order = db::orders::by_number(&mut conn, number, db::Locking::None)
                .await?
                .ok_or(LookupError::NotFound)?;
            let timeline = shopper_timeline(
                db::admin::history(&mut conn, id).await?,
                db::admin::shipments(&mut conn, id).await?,
                db::admin::payments(&mut conn, id).await?,
            );
            Ok(OrderPage {
                order: OrderView::from(order),
                timeline,
            })
        }
        _ => Err(LookupError::NotFound),
    }
}
