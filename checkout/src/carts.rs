//! Changing a cart's lines: add units, set a quantity, remove a line.
//!
//! Each change runs in one transaction that first locks the cart's row, so concurrent changes of one cart
//! queue: twenty concurrent "+1" add twenty units (up to the per-line limit), and the line limit holds however
//! many new lines arrive at once. Place-order claims the cart with an update of that same row, so a cart that
//! is being checked out cannot change under the order (409 `checkout_in_progress`). The catalog is asked about
//! the product before the transaction: no lock or connection is held while waiting for it.

use std::time::Duration;

use chrono::SubsecRound as _;

use platform::contracts::catalog::{QuoteItem, QuoteResponse};

use crate::{
    Checkout,
    catalog::CatalogError,
    db::{
        self,
        carts::{Cart, CartItem},
    },
    domain::{CartState, MAX_LINES, MAX_QUANTITY, ShippingMethod, Sku},
    promotions::{self, CodeRefused, PricingError, Shopper},
};

impl From<PricingError> for CartError {
    fn from(err: PricingError) -> Self {
        match err {
            PricingError::CatalogUnavailable(err) => Self::CatalogUnavailable(err),
            PricingError::Database(err) => Self::Database(err),
        }
    }
}

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
    /// The code takes nothing off this cart now.
    #[error("{0}")]
    Coupon(CodeRefused),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn ttl(checkout: &Checkout) -> chrono::Duration {
    chrono::Duration::days(checkout.config.cart_ttl_days)
}

/// A cart as a change left it: its lines, and the catalog's quote taken for the change when there was one
/// (the cart's view shows it rather than asking again).
#[derive(Debug)]
pub struct Changed {
    pub cart: Cart,
    pub items: Vec<CartItem>,
    pub quote: Option<QuoteResponse>,
}

/// The cart with `token` and its lines, if it may still change (read without a lock, to answer early).
pub async fn open_cart(
    checkout: &Checkout,
    token: &str,
) -> Result<(Cart, Vec<CartItem>), CartError> {
    let mut conn = checkout.pool.acquire().await?;
    let (cart, items) = db::carts::with_items(&mut conn, token)
        .await?
        .ok_or(CartError::NotFound)?;
    check_open(&cart)?;
    Ok((cart, items))
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

/// Runs `change` on the cart's lines inside a transaction holding the cart's row lock, taken by the update that
/// keeps the cart alive; returns the lines as `change` left them. `read` are the lines as read with `cart`:
/// when nobody changed them since (the usual case), `change` gets them without another read.
async fn with_locked_cart<F>(
    checkout: &Checkout,
    cart: &mut Cart,
    read: Vec<CartItem>,
    change: F,
) -> Result<Vec<CartItem>, CartError>
where
    F: AsyncFnOnce(&mut sqlx::MySqlConnection, Vec<CartItem>) -> Result<Vec<CartItem>, CartError>,
{
    let mut tx = checkout.pool.begin().await?;
    let expires_at = (chrono::Utc::now() + ttl(checkout)).trunc_subsecs(6);
    let (items, version) =
        if db::carts::touch_open(&mut tx, cart.id, expires_at, cart.lines_version).await? {
            (read, cart.lines_version)
        } else {
            // Changed, closed or gone since it was read: look again under the lock.
            let locked = db::carts::lock_by_id(&mut tx, cart.id)
                .await?
                .ok_or(CartError::NotFound)?;
            check_open(&locked)?;
            if !db::carts::touch_open(&mut tx, cart.id, expires_at, locked.lines_version).await? {
                return Err(CartError::NotFound);
            }
            (
                db::carts::items(&mut tx, cart.id).await?,
                locked.lines_version,
            )
        };
    let items = change(&mut tx, items).await?;
    tx.commit().await?;
    cart.expires_at = expires_at;
    cart.lines_version = version + 1;
    Ok(items)
}

/// The catalog's quote for the cart's lines and `sku`, which must exist and be for sale.
async fn sellable(
    checkout: &Checkout,
    items: &[CartItem],
    sku: &Sku,
) -> Result<(QuoteItem, QuoteResponse), CartError> {
    let mut skus: Vec<String> = items.iter().map(|item| item.sku.to_string()).collect();
    if !items.iter().any(|item| item.sku == *sku) {
        skus.push(sku.to_string());
    }
    let quote = checkout
        .catalog
        .quote(skus)
        .await
        .map_err(|err| match err {
            CatalogError::Unavailable(err) => CartError::CatalogUnavailable(err),
            CatalogError::Rejected(rejection) => CartError::CatalogRefused(rejection.to_string()),
        })?;
    let item = quote
        .items
        .iter()
        .find(|item| item.sku == **sku)
        .cloned()
        .ok_or_else(|| CartError::UnknownSku(sku.to_string()))?;
    if !item.sellable {
        return Err(CartError::NotForSale(sku.to_string()));
    }
    Ok((item, quote))
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
) -> Result<Changed, CartError> {
    let (mut cart, items) = open_cart(checkout, token).await?;
    let (quoted, quote) = sellable(checkout, &items, sku).await?;
    let cart_id = cart.id;
    let items = with_locked_cart(checkout, &mut cart, items, async |tx, mut items| {
        let existing = items.iter().position(|item| item.sku == *sku);
        let already = existing.map_or(0, |at| items[at].quantity);
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
        db::carts::put_item(tx, cart_id, &item).await?;
        // An existing line keeps its place; a new one comes last, as the lines are listed.
        match existing {
            Some(at) => items[at] = item,
            None => items.push(item),
        }
        Ok(items)
    })
    .await?;
    Ok(Changed {
        cart,
        items,
        quote: Some(quote),
    })
}

/// Sets the quantity of the line for `sku`, keeping its price snapshot.
pub async fn set_quantity(
    checkout: &Checkout,
    token: &str,
    sku: &Sku,
    quantity: u32,
) -> Result<Changed, CartError> {
    let (mut cart, items) = open_cart(checkout, token).await?;
    // Asked before the catalog: a line that is not there is a 404 whatever the catalog says.
    if !items.iter().any(|item| item.sku == *sku) {
        return Err(CartError::NoSuchLine);
    }
    let (quoted, quote) = sellable(checkout, &items, sku).await?;
    check_stock(&quoted, quantity)?;
    let cart_id = cart.id;
    let items = with_locked_cart(checkout, &mut cart, items, async |tx, mut items| {
        let item = items
            .iter_mut()
            .find(|item| item.sku == *sku)
            .ok_or(CartError::NoSuchLine)?;
        item.quantity = quantity;
        item.name = quoted.name.clone();
        db::carts::put_item(tx, cart_id, item).await?;
        Ok(items)
    })
    .await?;
    Ok(Changed {
        cart,
        items,
        quote: Some(quote),
    })
}

/// Removes the line for `sku`.
pub async fn remove(checkout: &Checkout, token: &str, sku: &Sku) -> Result<Changed, CartError> {
    let (mut cart, items) = open_cart(checkout, token).await?;
    let cart_id = cart.id;
    let items = with_locked_cart(checkout, &mut cart, items, async |tx, mut items| {
        if db::carts::remove_item(tx, cart_id, sku).await? {
            items.retain(|item| item.sku != *sku);
            Ok(items)
        } else {
            Err(CartError::NoSuchLine)
        }
    })
    .await?;
    Ok(Changed {
        cart,
        items,
        quote: None,
    })
}

/// Puts the promotion code `code` (normalised) on the cart, replacing any other, when it takes something off
/// the cart as it is now; else says why not and leaves the cart as it was. The code is checked again by the
/// totals and by place-order (the cart may change, the promotion may end).
pub async fn apply_coupon(
    checkout: &Checkout,
    token: &str,
    code: &str,
) -> Result<Changed, CartError> {
    let (mut cart, items) = open_cart(checkout, token).await?;
    cart.coupon_code = Some(code.to_owned());
    let priced = promotions::price_cart(
        checkout,
        &cart,
        &items,
        None,
        ShippingMethod::Standard,
        Shopper::of(&cart, None),
    )
    .await?;
    if let Some((_, Some(refused))) = priced.coupon {
        return Err(CartError::Coupon(refused));
    }
    set_coupon(checkout, cart, items, Some(code)).await
}

/// Takes the code off the cart (nothing to do when it has none).
pub async fn remove_coupon(checkout: &Checkout, token: &str) -> Result<Changed, CartError> {
    let (cart, items) = open_cart(checkout, token).await?;
    set_coupon(checkout, cart, items, None).await
}

async fn set_coupon(
    checkout: &Checkout,
    mut cart: Cart,
    items: Vec<CartItem>,
    code: Option<&str>,
) -> Result<Changed, CartError> {
    let mut conn = checkout.pool.acquire().await?;
    if !db::carts::set_coupon(&mut conn, cart.id, code).await? {
        // Claimed by a place-order attempt (or ordered) since it was read.
        let now = db::carts::by_token(&mut conn, &cart.token, db::Locking::None)
            .await?
            .ok_or(CartError::NotFound)?;
        check_open(&now)?;
        return Err(CartError::NotFound);
    }
    cart.coupon_code = code.map(str::to_owned);
    Ok(Changed {
        cart,
        items,
        quote: None,
    })
}
