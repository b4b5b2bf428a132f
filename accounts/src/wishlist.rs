//! The wishlist: at most [`MAX_WISHLIST_ITEMS`] variants per customer, each shown with the catalog's current
//! price and stock (asked in one quote for the whole list; when the catalog cannot be asked, the list still
//! shows what was saved, without them).

use platform::contracts::{Sku, catalog::QuoteItem};
use uuid::Uuid;

use crate::{
    Accounts,
    db::{self, wishlist::Item},
    domain::MAX_WISHLIST_ITEMS,
};

#[derive(Debug, thiserror::Error)]
pub enum WishlistError {
    #[error("the catalog has no product with this SKU")]
    UnknownSku,
    #[error("at most {MAX_WISHLIST_ITEMS} items")]
    Full,
    #[error("the catalog is unavailable: {0}")]
    CatalogUnavailable(String),
    #[error("no such customer")]
    NoCustomer,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A saved variant and, when the catalog answered, its current quote.
#[derive(Debug, Clone)]
pub struct Entry {
    pub item: Item,
    /// `None`: the catalog could not be asked (`checked` false) or no longer knows the SKU.
    pub quote: Option<QuoteItem>,
    /// Whether the catalog answered for the list.
    pub checked: bool,
}

pub async fn list(accounts: &Accounts, customer: Uuid) -> Result<Vec<Entry>, sqlx::Error> {
    let items = db::wishlist::list(&accounts.pool, customer).await?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let quote = match accounts
        .checkout
        .quote(items.iter().map(|item| item.sku.clone()).collect())
        .await
    {
        Ok(quote) => Some(quote),
        Err(err) => {
            tracing::warn!(error = %err, "cannot ask the catalog for the wishlist's prices");
            None
        }
    };
    Ok(items
        .into_iter()
        .map(|item| Entry {
            quote: quote.as_ref().and_then(|quote| {
                quote
                    .items
                    .iter()
                    .find(|quoted| quoted.sku.as_str() == item.sku)
                    .cloned()
            }),
            checked: quote.is_some(),
            item,
        })
        .collect())
}

/// Saves `sku` (which the catalog must know) to the customer's wishlist; saving it again changes nothing.
pub async fn save(accounts: &Accounts, customer: Uuid, sku: &Sku) -> Result<(), WishlistError> {
    let quote = accounts
        .checkout
        .quote(vec![sku.to_string()])
        .await
        .map_err(|err| WishlistError::CatalogUnavailable(err.to_string()))?;
    let quoted = quote
        .items
        .into_iter()
        .find(|item| item.sku == *sku)
        .ok_or(WishlistError::UnknownSku)?;
    let mut tx = accounts.pool.begin().await?;
    db::lock_customer(&mut tx, customer)
        .await?
        .ok_or(WishlistError::NoCustomer)?;
    if !db::wishlist::contains(&mut tx, customer, sku.as_str()).await?
        && db::wishlist::count(&mut tx, customer).await? >= MAX_WISHLIST_ITEMS
    {
        return Err(WishlistError::Full);
    }
    let item = Item {
        sku: sku.to_string(),
        name: quoted.name,
        slug: quoted.slug,
        image: quoted.image,
        added_at: chrono::Utc::now(),
    };
    db::wishlist::put(&mut tx, customer, &item).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(accounts: &Accounts, customer: Uuid, sku: &Sku) -> Result<(), sqlx::Error> {
    db::wishlist::delete(&accounts.pool, customer, sku.as_str()).await
}
