//! Back-in-stock alerts: a shopper leaves an email on a sold-out variant; the change of stock that makes it
//! available again announces every waiting request with a [`BackInStock`] event, written in that change's own
//! transaction with the request marked notified (so each request is announced once, whichever replica makes
//! the change, and never lost to a crash); the mailer emails it after asking [`confirm`] whether it still
//! should. States and their rules: `migrations/0011_stock_alerts.sql`.
//!
//! Lock order, as every stock change takes them: the variant's inventory row, then its alert rows. A request
//! and a confirmation read the inventory row under a shared lock first, so that neither can miss a change of
//! stock committing at the same moment.

use platform::contracts::{
    Email, Sku,
    catalog::{AlertConfirmReply, AlertWithdrawn, BackInStock, StockChangeReason, StockChanged},
};
use sqlx::{MySqlConnection, MySqlPool};

use crate::{
    SERVICE,
    db::{self, documents::CURRENCY},
    domain::InvalidValue,
};

/// Most requests one address may have waiting: enough for any shopper, too few to turn the shop into a mailer
/// for someone else's address.
pub const MAX_WAITING_PER_EMAIL: u64 = 25;
/// Most requests one variant may have waiting: its restock announces them all in one transaction (an event and
/// a row update each, a few hundred per statement), which this keeps to a second or two however many addresses
/// a script makes up.
pub const MAX_WAITING_PER_VARIANT: u64 = 10_000;

/// Why a request was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    #[error("no such product")]
    NotFound,
    #[error("{0} is in stock: it can be bought now")]
    InStock(String),
    #[error("this address already waits for {MAX_WAITING_PER_EMAIL} products")]
    TooMany,
    #[error("{MAX_WAITING_PER_VARIANT} requests already wait for {0}")]
    VariantFull(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records that `email` wants to hear when the variant `sku` of the product `slug` is back (`sku` may be left
/// out for a product with one variant). Asking again while a request waits changes nothing; the answer is the
/// same either way. Returns the variant's SKU.
pub async fn request(
    pool: &MySqlPool,
    slug: &str,
    sku: Option<&str>,
    email: &Email,
) -> Result<String, AlertError> {
    let mut tx = pool.begin().await?;
    let variants = db::alerts::variants_of_active(&mut tx, slug)
        .await?
        .ok_or(AlertError::NotFound)?;
    let variant = match sku {
        Some(sku) => variants
            .iter()
            .find(|variant| variant.sku == sku)
            .ok_or_else(|| InvalidValue::new("sku", "is not a variant of this product"))?,
        None => match variants.as_slice() {
            [only] => only,
            _ => return Err(InvalidValue::new("sku", "is required: choose a variant").into()),
        },
    };
    // Under the inventory row's shared lock: a restock either committed before (and the variant is available:
    // refused) or waits for this request, and then announces it.
    let available = db::alerts::lock_available(&mut tx, variant.variant_id)
        .await?
        .ok_or(AlertError::NotFound)?;
    if available > 0 {
        return Err(AlertError::InStock(variant.sku.clone()));
    }
    if db::alerts::waiting_of(&mut tx, email.as_str()).await? >= MAX_WAITING_PER_EMAIL {
        return Err(AlertError::TooMany);
    }
    if db::alerts::waiting_for(&mut tx, variant.variant_id).await? >= MAX_WAITING_PER_VARIANT {
        return Err(AlertError::VariantFull(variant.sku.clone()));
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    db::alerts::insert_waiting(&mut tx, variant.variant_id, email.as_str(), &token).await?;
    tx.commit().await?;
    Ok(variant.sku.clone())
}

/// Announces the requests waiting for the variant of `change`, when the change leaves it available; called
/// with every stock event, in the transaction that makes the change.
pub async fn on_stock_changed(
    conn: &mut MySqlConnection,
    change: &StockChanged,
) -> Result<(), sqlx::Error> {
    // Reserving and selling only ever take units away.
    if change.available == 0
        || matches!(
            change.reason,
            StockChangeReason::Reserved | StockChangeReason::Committed
        )
    {
        return Ok(());
    }
    let waiting = db::alerts::lock_waiting(conn, change.sku.as_str()).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let Some(offer) = db::alerts::offer(conn, change.sku.as_str()).await? else {
        return Ok(());
    };
    if offer.status != "active" {
        // Not for sale (archived, a draft): the requests wait until it is.
        return Ok(());
    }
    let product_sku =
        Sku::parse(&offer.product_sku).map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
    let mut batch = platform::outbox::Batch::new(SERVICE.name);
    let mut notified = Vec::with_capacity(waiting.len());
    for request in waiting {
        // Addresses were checked when recorded; one that no longer parses is left waiting, not announced.
        let Ok(email) = Email::parse(&request.email) else {
            continue;
        };
        let envelope = batch.add(BackInStock {
            alert_id: request.id,
            email,
            sku: change.sku.clone(),
            product_sku: product_sku.clone(),
            product_name: offer.name.clone(),
            variant: offer.option_values.join(" / "),
            slug: offer.slug.clone(),
            price: offer.price,
            currency: CURRENCY.to_owned(),
            image: offer.image.clone(),
            unsubscribe_token: request.token,
            requested_at: request.created_at,
        })?;
        notified.push((request.id, envelope.id));
    }
    batch.write(conn).await?;
    db::alerts::mark_notified(conn, &notified).await
}

/// Whether the alert announced by `event_id` may be emailed now: the request still notified by that event and
/// the variant available. A variant sold out again puts the request back to waiting (the next restock
/// announces it again) and is answered [`AlertWithdrawn::SoldOutAgain`]: no email.
pub async fn confirm(
    pool: &MySqlPool,
    alert_id: u64,
    event_id: uuid::Uuid,
) -> Result<AlertConfirmReply, sqlx::Error> {
    let withdrawn = |reason| Ok(AlertConfirmReply::Withdrawn { reason });
    let mut tx = pool.begin().await?;
    let Some(alert) = db::alerts::by_id(&mut tx, alert_id, false).await? else {
        return withdrawn(AlertWithdrawn::Superseded);
    };
    // The inventory row first (shared), then the request: the order a stock change locks them in.
    let available = db::alerts::lock_available(&mut tx, alert.variant_id).await?;
    let Some(alert) = db::alerts::by_id(&mut tx, alert_id, true).await? else {
        return withdrawn(AlertWithdrawn::Superseded);
    };
    let reply = match alert.state.as_str() {
        "unsubscribed" => withdrawn(AlertWithdrawn::Unsubscribed),
        "notified" if alert.notify_event_id == Some(event_id.to_string()) => {
            if available.is_some_and(|available| available > 0) {
                Ok(AlertConfirmReply::Send)
            } else {
                db::alerts::rearm(&mut tx, alert_id).await?;
                withdrawn(AlertWithdrawn::SoldOutAgain)
            }
        }
        _ => withdrawn(AlertWithdrawn::Superseded),
    };
    tx.commit().await?;
    reply
}

/// A request as its unsubscribe page shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub product_name: String,
    /// The product page's slug.
    pub slug: String,
    /// The variant's option values ("42 / Blue"); empty for a plain product.
    pub variant: String,
    pub sku: String,
    /// `waiting`, `notified` or `unsubscribed`.
    pub state: String,
}

/// Whether `token` looks like a request's token at all (32 lowercase hex digits): anything else is unknown
/// without asking the database.
fn plausible(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The request with unsubscribe `token`; `None` when there is none.
pub async fn view(pool: &MySqlPool, token: &str) -> Result<Option<AlertView>, sqlx::Error> {
    if !plausible(token) {
        return Ok(None);
    }
    let mut conn = pool.acquire().await?;
    Ok(db::alerts::by_token(&mut conn, token)
        .await?
        .map(|alert| AlertView {
            product_name: alert.product_name,
            slug: alert.slug,
            variant: alert.option_values.join(" / "),
            sku: alert.sku,
            state: alert.state,
        }))
}

/// Ends the request with `token` (nothing more is sent for it); false when there is none.
pub async fn unsubscribe(pool: &MySqlPool, token: &str) -> Result<bool, sqlx::Error> {
    if !plausible(token) {
        return Ok(false);
    }
    let mut conn = pool.acquire().await?;
    db::alerts::unsubscribe(&mut conn, token).await
}
