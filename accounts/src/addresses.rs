//! Saved shipping addresses: at most [`MAX_ADDRESSES`] per customer, one of them the default (the first one
//! saved, or the one chosen; when the default is deleted, the newest remaining one). Each change runs in a
//! transaction holding the customer's row lock, so concurrent saves cannot pass the limit or leave two
//! defaults.

use platform::contracts::orders::Address;
use uuid::Uuid;

use crate::{
    Accounts,
    db::{self, addresses::Saved},
    domain::MAX_ADDRESSES,
};

#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    #[error("no such address")]
    NotFound,
    #[error("at most {MAX_ADDRESSES} addresses")]
    TooMany,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// An address as the customer gives it (checked by the caller).
#[derive(Debug, Clone)]
pub struct NewAddress {
    pub name: String,
    pub address: Address,
    pub is_default: bool,
}

pub async fn list(accounts: &Accounts, customer: Uuid) -> Result<Vec<Saved>, sqlx::Error> {
    db::addresses::list(&accounts.pool, customer).await
}

/// Saves a new address; the first one is the default whatever was asked.
pub async fn create(
    accounts: &Accounts,
    customer: Uuid,
    new: &NewAddress,
) -> Result<Saved, AddressError> {
    let mut tx = accounts.pool.begin().await?;
    db::lock_customer(&mut tx, customer)
        .await?
        .ok_or(AddressError::NotFound)?;
    let count = db::addresses::count(&mut tx, customer).await?;
    if count >= MAX_ADDRESSES {
        return Err(AddressError::TooMany);
    }
    let is_default = new.is_default || count == 0;
    let id = db::addresses::insert(&mut tx, customer, &new.name, &new.address, is_default).await?;
    if is_default {
        db::addresses::set_default(&mut tx, customer, Some(id)).await?;
    }
    let saved = db::addresses::lock(&mut tx, customer, id)
        .await?
        .ok_or(AddressError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// Replaces address `id`. Asking for it to be the default makes it so; the default stays the default
/// (there is always one while there are addresses: choose another to move it).
pub async fn update(
    accounts: &Accounts,
    customer: Uuid,
    id: u64,
    new: &NewAddress,
) -> Result<Saved, AddressError> {
    let mut tx = accounts.pool.begin().await?;
    db::lock_customer(&mut tx, customer)
        .await?
        .ok_or(AddressError::NotFound)?;
    let current = db::addresses::lock(&mut tx, customer, id)
        .await?
        .ok_or(AddressError::NotFound)?;
    let is_default = new.is_default || current.is_default;
    db::addresses::update(&mut tx, id, &new.name, &new.address, is_default).await?;
    if new.is_default {
        db::addresses::set_default(&mut tx, customer, Some(id)).await?;
    }
    let saved = db::addresses::lock(&mut tx, customer, id)
        .await?
        .ok_or(AddressError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// Deletes address `id`; when it was the default, the newest remaining one becomes the default.
pub async fn delete(accounts: &Accounts, customer: Uuid, id: u64) -> Result<(), AddressError> {
    let mut tx = accounts.pool.begin().await?;
    db::lock_customer(&mut tx, customer)
        .await?
        .ok_or(AddressError::NotFound)?;
    let current = db::addresses::lock(&mut tx, customer, id)
        .await?
        .ok_or(AddressError::NotFound)?;
    db::addresses::delete(&mut tx, id).await?;
    if current.is_default {
        db::addresses::set_default(&mut tx, customer, None).await?;
    }
    tx.commit().await?;
    Ok(())
}
