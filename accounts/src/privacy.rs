//! A customer's data: everything the shop keeps about them, as one JSON document they can download, and
//! deleting their account.
//!
//! Deleting asks checkout first to anonymise the customer's orders (kept for the books: lines, amounts,
//! country and dates stay; name, email and street address go) and delete their carts, then deletes the
//! customer with their sessions, links, addresses and wishlist, and announces `CustomerDeleted`. While an
//! order is still on its way (pending, paid or processing) the account cannot be deleted: its address is
//! needed to deliver it. Checkout's step is safe to repeat, so a deletion that failed after it can simply be
//! asked again.

use platform::{
    contracts::{Email, accounts::CustomerDeleted, customers::MAX_ORDERS_PAGE},
    outbox,
    password::{self, PasswordError},
    rpc::RpcError,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Accounts, SERVICE, db};

/// Most orders an export lists (pages of checkout's history).
const MAX_EXPORTED_ORDERS: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    #[error("no such customer")]
    NoCustomer,
    #[error("the password is not right")]
    WrongPassword,
    #[error("{0}")]
    OrdersInProgress(String),
    #[error("checkout is unavailable: {0}")]
    CheckoutUnavailable(String),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<RpcError> for PrivacyError {
    fn from(err: RpcError) -> Self {
        match err {
            RpcError::Service { code: 409, status } => Self::OrdersInProgress(status),
            other => Self::CheckoutUnavailable(other.to_string()),
        }
    }
}

/// Everything kept about the customer: the account, its sessions, addresses and wishlist here, and their
/// orders from checkout.
pub async fn export(accounts: &Accounts, customer: Uuid) -> Result<Value, PrivacyError> {
    let found = db::customer(&accounts.pool, customer)
        .await?
        .ok_or(PrivacyError::NoCustomer)?;
    let email = Email::parse(&found.email).map_err(|_| PrivacyError::NoCustomer)?;
    let mut orders = Vec::new();
    let mut before = None;
    loop {
        let page = accounts
            .checkout
            .orders(customer, email.clone(), before, Some(MAX_ORDERS_PAGE))
            .await?;
        orders.extend(page.orders);
        match page.next {
            Some(next) if orders.len() < MAX_EXPORTED_ORDERS => before = Some(next),
            _ => break,
        }
    }
    let addresses: Vec<Value> = db::addresses::list(&accounts.pool, customer)
        .await?
        .into_iter()
        .map(|saved| {
            json!({
                "name": saved.name,
                "address": saved.address,
                "is_default": saved.is_default,
                "created_at": saved.created_at,
            })
        })
        .collect();
    let wishlist: Vec<Value> = db::wishlist::list(&accounts.pool, customer)
        .await?
        .into_iter()
        .map(|item| json!({"sku": item.sku, "name": item.name, "added_at": item.added_at}))
        .collect();
    Ok(json!({
        "exported_at": chrono::Utc::now(),
        "account": {
            "id": found.id,
            "email": found.email,
            "name": found.name,
            "email_verified_at": found.email_verified_at,
            "created_at": found.created_at,
        },
        "sessions": db::sessions_of(&accounts.pool, customer).await?,
        "addresses": addresses,
        "wishlist": wishlist,
        "orders": orders,
    }))
}

/// Deletes the customer's account after checking their password (see the module docs).
pub async fn delete(
    accounts: &Accounts,
    customer: Uuid,
    password: SecretString,
) -> Result<(), PrivacyError> {
    let found = db::customer(&accounts.pool, customer)
        .await?
        .ok_or(PrivacyError::NoCustomer)?;
    if !password::verify(password, Some(found.password_hash.clone())).await? {
        return Err(PrivacyError::WrongPassword);
    }
    let forgotten = accounts.checkout.forget(customer).await?;
    tracing::info!(
        orders = forgotten.orders,
        carts = forgotten.carts,
        "a customer deleted their account"
    );
    let mut tx = accounts.pool.begin().await?;
    if db::delete_customer(&mut tx, customer).await? {
        let email = Email::parse(&found.email).map_err(|_| PrivacyError::NoCustomer)?;
        outbox::enqueue(
            &mut tx,
            SERVICE.name,
            CustomerDeleted {
                customer_id: customer,
                email,
            },
        )
        .await?;
    }
    tx.commit().await?;
    accounts.outbox.notify();
    Ok(())
}
