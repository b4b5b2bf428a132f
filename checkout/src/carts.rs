//! Changing a cart's lines: add units, set a quantity, remove a line.
//!
//! Each change runs in one transaction that first locks the cart's row, so concurrent changes of one cart
//! queue: twenty concurrent "+1" add twenty units (up to the per-line limit), and the line limit holds however
//! many new lines arrive at once. Place-order claims the cart with an update of that same row, so a cart that
//! is being checked out cannot change under the order (409 `checkout_in_progress`). The catalog is asked about
//! the product before the transaction: no lock or connection is held while waiting for it.

use std::time::Duration;

use platform::contracts::catalog::QuoteItem;

use crate::{
    Checkout,
    catalog::CatalogError,
    db::{
        self,
        carts::{Cart, CartItem},
    },
    domain::{CartState, MAX_LINES, MAX_QUANTITY, Sku},
};

/// Why a cart change was refused.
#[derive(Debug, thiserror::Error)]
pub enum CartError {
    #[error("no such cart")]
    NotFound,
    #[error("this cart was already ordered; start a new one")]
    Converted,
    #[error("this cart is being checked out")]
    CheckoutInProgress { retry_after: Duration },
    #[error("no such line in the cart")]
    NoSuchLine,
    #[error("a cart holds at most {MAX_LINES} different products")]
    TooManyLines,
    #[error("at most {MAX_QUANTITY} of one product per cart (already {existing})")]
    TooManyUnits { existing: u32 },
    #[error("no product with SKU {0}")]
    UnknownSku(String),
    #[error("{0} is not for sale")]
    NotForSale(String),
    #[error("only {available} of {sku} available")]
    InsufficientStock {
        sku: String,
        requested: u32,
        available: u32,
    },
    #[error("the catalog is unavailable: {0}")]
    CatalogUnavailable(String),
    #[error("the catalog refused the request: {0}")]
    CatalogRefused(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn ttl(checkout: &Checkout) -> chrono::Duration {
    chrono::Duration::days(checkout.config.cart_ttl_days)
}

/// The cart with `token`, if it may still change (read without a lock, to answer early).
pub async fn open_cart(checkout: &Checkout, token: &str) -> Result<Cart, CartError> {
    let mut conn = checkout.pool.acquire().await?;
    let cart = db::carts::by_token(&mut conn, token, db::Locking::None)
        .await?
        .ok_or(CartError::NotFound)?;
    check_open(&cart)?;
    Ok(cart)
}

fn check_open(cart: &Cart) -> Result<(), CartError> {
    match cart.state {
        CartState::Open => Ok(()),
        CartState::Converted => Err(CartError::Converted),
        CartState::CheckingOut => Err(CartError::CheckoutInProgress {
            retry_after: busy_for(cart),
        }),
    }
}

/// When to ask again about a cart an attempt holds: a live attempt is over in a second or two (the cart is then
/// ordered or given back); only one whose request died holds it to the end of its lease, so the hint is short.
pub fn busy_for(cart: &Cart) -> Duration {
    cart.checkout_until
        .and_then(|until| (until - chrono::Utc::now()).to_std().ok())
        .unwrap_or_default()
        .clamp(Duration::from_secs(1), Duration::from_secs(5))
}

/// Runs `change` on the cart's lines inside a transaction holding the cart's row lock, then keeps the cart alive.
async fn with_locked_cart<F>(checkout: &Checkout, cart: &Cart, change: F) -> Result<(), CartError>
where
    F: AsyncFnOnce(&mut sqlx::MySqlConnection, Vec<CartItem>) -> Result<(), CartError>,
{
    let mut tx = checkout.pool.begin().await?;
    let locked = db::carts::lock_by_id(&mut tx, cart.id)
        .await?
        .ok_or(CartError::NotFound)?;
    check_open(&locked)?;
    let items = db::carts::items(&mut tx, cart.id).await?;
    change(&mut tx, items).await?;
    db::carts::touch(&mut tx, cart.id, ttl(checkout)).await?;
    tx.commit().await?;
    Ok(())
}

/// The catalog's quote for `sku`, which must exist and be for sale.
async fn sellable(checkout: &Checkout, sku: &Sku) -> Result<QuoteItem, CartError> {
    let quote = checkout
        .catalog
        .quote(vec![sku.to_string()])
        .await
        .map_err(|err| match err {
            CatalogError::Unavailable(err) => CartError::CatalogUnavailable(err),
            CatalogError::Rejected(rejection) => CartError::CatalogRefused(rejection.to_string()),
        })?;
    let item = quote
        .items
        .into_iter()
        .find(|item| item.sku == **sku)
        .ok_or_else(|| CartError::UnknownSku(sku.to_string()))?;
    if !item.sellable {
        return Err(CartError::NotForSale(sku.to_string()));
    }
    Ok(item)
}

fn check_stock(item: &QuoteItem, requested: u32) -> Result<(), CartError> {
    if item.available < requested {
        return Err(CartError::InsufficientStock {
            sku: item.sku.to_string(),
            requested,
            available: item.available,
        });
    }
    Ok(())
}

/// Adds `quantity` units of `sku`: a new line, or more of an existing one, at today's price.
pub async fn add(
    checkout: &Checkout,
    token: &str,
    sku: &Sku,
    quantity: u32,
) -> Result<Cart, CartError> {
    let cart = open_cart(checkout, token).await?;
    let quoted = sellable(checkout, sku).await?;
    with_locked_cart(checkout, &cart, async |tx, items| {
        let existing = items.iter().find(|item| item.sku == *sku);
        let already = existing.map_or(0, |item| item.quantity);
        if existing.is_none() && items.len() >= MAX_LINES {
            return Err(CartError::TooManyLines);
        }
        let total = already + quantity;
        if total > MAX_QUANTITY {
            return Err(CartError::TooManyUnits { existing: already });
        }
        check_stock(&quoted, total)?;
        let item = CartItem {
            sku: sku.clone(),
            quantity: total,
            // Adding is seeing the product's price now: the line takes it as its snapshot.
            unit_price: quoted.price,
            name: quoted.name.clone(),
            slug: quoted.slug.clone(),
            image: quoted.image.clone(),
        };
        db::carts::put_item(tx, cart.id, &item).await?;
        Ok(())
    })
    .await?;
    Ok(cart)
}

/// Sets the quantity of the line for `sku`, keeping its price snapshot.
pub async fn set_quantity(
    checkout: &Checkout,
    token: &str,
    sku: &Sku,
    quantity: u32,
) -> Result<Cart, CartError> {
    let cart = open_cart(checkout, token).await?;
    // Asked before the catalog: a line that is not there is a 404 whatever the catalog says.
    let has_line = {
        let mut conn = checkout.pool.acquire().await?;
        db::carts::items(&mut conn, cart.id)
            .await?
            .iter()
            .any(|item| item.sku == *sku)
    };
    if !has_line {
        return Err(CartError::NoSuchLine);
    }
    let quoted = sellable(checkout, sku).await?;
    check_stock(&quoted, quantity)?;
    with_locked_cart(checkout, &cart, async |tx, items| {
        let mut item = items
            .into_iter()
            .find(|item| item.sku == *sku)
            .ok_or(CartError::NoSuchLine)?;
        item.quantity = quantity;
        item.name = quoted.name.clone();
        db::carts::put_item(tx, cart.id, &item).await?;
        Ok(())
    })
    .await?;
    Ok(cart)
}

/// Removes the line for `sku`.
pub async fn remove(checkout: &Checkout, token: &str, sku: &Sku) -> Result<Cart, CartError> {
    let cart = open_cart(checkout, token).await?;
    with_locked_cart(checkout, &cart, async |tx, _items| {
        if db::carts::remove_item(tx, cart.id, sku).await? {
            Ok(())
        } else {
            Err(CartError::NoSuchLine)
        }
    })
    .await?;
    Ok(cart)
}
