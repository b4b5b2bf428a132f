//! Carts of signed-in customers: the accounts service passes the customer id (`rpc.checkout.customers.*`,
//! which only its NATS user may call) and checkout links carts to it. A customer has at most one current
//! cart (the `customer_cart` unique key, cleared when the cart is ordered), which every device of theirs uses.
//!
//! # Merging a guest cart
//!
//! Signing in with a guest cart merges it into the customer's cart in one transaction holding both rows'
//! locks: each guest line adds its units to the customer's line of the same SKU (up to [`MAX_QUANTITY`],
//! keeping the customer's price snapshot), or becomes a new line with its own snapshot while the cart has
//! room ([`MAX_LINES`]); what did not fit is reported as a [`MergeNote`]. The guest cart is then deleted, so
//! a second sign-in with it (another tab, a retry) finds nothing to add twice. Without a cart of their own,
//! the guest cart simply becomes the customer's. Two sign-ins at once on two devices queue on the customer's
//! cart row; two that would each make their guest cart the customer's meet at the unique key, and the loser
//! goes round again and merges into the winner's.

use chrono::Utc;
use platform::{
    contracts::{
        Email, OrderNumber,
        catalog::QuoteResponse,
        customers::{
            AddedLine, CartLink, MergeNote, MergeReason, OrderSummary, OrdersReply, Reordered,
            SkipReason, SkippedLine, SummaryLine,
        },
    },
    keyset::{Arg, decode_cursor, encode_cursor},
};
use sqlx::MySqlConnection;
use uuid::Uuid;

use crate::{
    Checkout,
    catalog::CatalogError,
    db::{
        self,
        carts::{Cart, CartItem},
        customers::CartKey,
    },
    domain::{CURRENCY, CartState, MAX_LINES, MAX_QUANTITY, OrderState, parse_order_number},
    orders::view::{OrderPage, OrderView, shopper_timeline},
};

/// Why the customer's cart could not be given.
#[derive(Debug, thiserror::Error)]
pub enum CustomerCartError {
    /// The customer's cart is being checked out: it cannot take lines now.
    #[error("the customer's cart is being checked out")]
    CheckoutInProgress,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// MariaDB's "Deadlock found when trying to get lock" and "Duplicate entry": the transaction is tried again.
fn worth_retrying(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|err| err.code())
        .is_some_and(|code| code == "40001" || code == "23000")
}

/// The customer's current cart, after merging the cart with `guest_token` into it (see the module docs).
pub async fn cart(
    checkout: &Checkout,
    customer: Uuid,
    guest_token: Option<&str>,
) -> Result<CartLink, CustomerCartError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut tx = checkout.pool.begin().await?;
        match merge(checkout, &mut tx, customer, guest_token).await {
            Ok(link) => {
                tx.commit().await?;
                return Ok(link);
            }
            Err(CustomerCartError::Database(err)) if attempts < 3 && worth_retrying(&err) => {
                drop(tx);
                continue;
            }
            Err(err) => return Err(err),
        }
    }
}

async fn merge(
    checkout: &Checkout,
    conn: &mut MySqlConnection,
    customer: Uuid,
    guest_token: Option<&str>,
) -> Result<CartLink, CustomerCartError> {
    let customer_id = customer.to_string();
    let now = Utc::now();
    let mut own = db::customers::lock_cart(conn, CartKey::Customer(&customer_id)).await?;
    if let Some(expired) = own.take_if(|own| own.cart.expires_at <= now) {
        // Past its expiry it is nobody's cart any more; the reconciler deletes it.
        db::customers::unlink_cart(conn, expired.cart.id).await?;
    }
    let guest = match guest_token {
        Some(token) => db::customers::lock_cart(conn, CartKey::Token(token))
            .await?
            .filter(|guest| {
                guest.cart.expires_at > now
                    && guest.cart.state == CartState::Open
                    && guest.customer.is_none()
            }),
        None => None,
    };
    let link = |cart: &Cart, notes| CartLink {
        token: Some(cart.token.clone()),
        notes,
    };
    match (own, guest) {
        (None, None) => Ok(CartLink {
            token: None,
            notes: Vec::new(),
        }),
        (Some(own), None) => Ok(link(&own.cart, Vec::new())),
        (None, Some(guest)) => {
            // A unique key violation here means another sign-in gave the customer a cart meanwhile: the
            // caller goes round again and merges into that one.
            db::customers::link_cart(conn, guest.cart.id, &customer_id).await?;
            Ok(link(&guest.cart, Vec::new()))
        }
        (Some(own), Some(guest)) => {
            if own.cart.state != CartState::Open {
                return Err(CustomerCartError::CheckoutInProgress);
            }
            let notes = merge_lines(checkout, conn, &own.cart, &guest.cart).await?;
            Ok(link(&own.cart, notes))
        }
    }
}

/// Moves the guest cart's lines (and its promotion code, if any) into the customer's (both locked) and deletes
/// the guest cart.
async fn merge_lines(
    checkout: &Checkout,
    conn: &mut MySqlConnection,
    own: &Cart,
    guest: &Cart,
) -> Result<Vec<MergeNote>, sqlx::Error> {
    let mut lines = db::carts::items(conn, own.id).await?;
    let guest_lines = db::carts::items(conn, guest.id).await?;
    let (changed, notes) = plan_merge(&mut lines, guest_lines);
    for line in &changed {
        db::carts::put_item(conn, own.id, line).await?;
    }
    db::customers::lines_changed(conn, own.id, extended_expiry(checkout)).await?;
    // A promotion code typed as a guest is the one the shopper means now.
    if let Some(code) = &guest.coupon_code {
        db::carts::set_coupon(conn, own.id, Some(code)).await?;
    }
    db::customers::delete_cart(conn, guest.id).await?;
    Ok(notes)
}

/// What merging `guest` into `lines` changes: the lines to write, and the notes on what did not fit.
fn plan_merge(lines: &mut Vec<CartItem>, guest: Vec<CartItem>) -> (Vec<CartItem>, Vec<MergeNote>) {
    let mut changed = Vec::new();
    let mut notes = Vec::new();
    for item in guest {
        let requested;
        let kept;
        if let Some(line) = lines.iter_mut().find(|line| line.sku == item.sku) {
            requested = line.quantity + item.quantity;
            kept = requested.min(MAX_QUANTITY);
            if kept != line.quantity {
                // The customer's line keeps the price they saw when they added it.
                line.quantity = kept;
                changed.push(line.clone());
            }
            if kept < requested {
                notes.push(note(&item, requested, kept, MergeReason::QuantityLimit));
            }
        } else if lines.len() >= MAX_LINES {
            notes.push(note(&item, item.quantity, 0, MergeReason::LineLimit));
        } else {
            requested = item.quantity;
            kept = requested.min(MAX_QUANTITY);
            let line = CartItem {
                quantity: kept,
                ..item.clone()
            };
            lines.push(line.clone());
            changed.push(line);
            if kept < requested {
                notes.push(note(&item, requested, kept, MergeReason::QuantityLimit));
            }
        }
    }
    (changed, notes)
}

fn note(item: &CartItem, requested: u32, kept: u32, reason: MergeReason) -> MergeNote {
    MergeNote {
        sku: item.sku.clone(),
        requested,
        kept,
        reason,
    }
}

/// A cart whose lines just changed stays at least a full `CART_TTL_DAYS` from now.
fn extended_expiry(checkout: &Checkout) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::days(checkout.config.cart_ttl_days)
}

/// Orders in a page of the history when the caller does not say.
const DEFAULT_PAGE: u32 = 20;
/// The history's cursors, [`encode_cursor`]'s sort tag.
const HISTORY: &str = "history";

/// A page of the customer's orders, newest first, before the cursor `before` (a previous page's `next`; a
/// cursor that does not decode is the first page), and how many guest orders `email` could claim.
pub async fn orders(
    checkout: &Checkout,
    customer: Uuid,
    email: &Email,
    before: Option<&str>,
    limit: Option<u32>,
) -> Result<OrdersReply, sqlx::Error> {
    let limit = limit
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, platform::contracts::customers::MAX_ORDERS_PAGE);
    let before = before
        .and_then(|cursor| decode_cursor(cursor, 200))
        .and_then(|(tag, id, key)| match key {
            Arg::Time(at) if tag == HISTORY => id.parse().ok().map(|id| (at, id)),
            _ => None,
        });
    let customer = customer.to_string();
    let mut rows = db::customers::history(&checkout.pool, &customer, before, limit + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let ids: Vec<u64> = rows.iter().map(|row| row.id).collect();
    let lines = db::customers::lines_of(&checkout.pool, &ids).await?;
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|last| encode_cursor(HISTORY, last.id, &Arg::Time(last.created_at)));
    let orders = rows
        .into_iter()
        .filter_map(|row| {
            let lines: Vec<SummaryLine> = lines
                .iter()
                .filter(|(order, ..)| *order == row.id)
                .filter_map(|(_, sku, name, quantity)| {
                    Some(SummaryLine {
                        sku: platform::contracts::Sku::parse(sku).ok()?,
                        name: name.clone(),
                        quantity: *quantity,
                    })
                })
                .collect();
            Some(OrderSummary {
                number: OrderNumber::parse(&row.number).ok()?,
                placed_at: row.created_at,
                status: OrderState::parse(&row.state)?.into(),
                total: row.total,
                currency: row.currency,
                item_count: lines.iter().map(|line| line.quantity).sum(),
                lines,
            })
        })
        .collect();
    Ok(OrdersReply {
        orders,
        next,
        claimable: db::customers::claimable(&checkout.pool, email.as_str()).await?,
    })
}

/// The customer's order `number` as its order page shows it, timeline included; `None` when it is not
/// theirs (or does not exist, or the number is malformed: the same answer).
pub async fn order(
    checkout: &Checkout,
    customer: Uuid,
    number: &str,
) -> Result<Option<OrderPage>, sqlx::Error> {
    let mut conn = checkout.pool.acquire().await?;
    let Some((id, order)) = customer_order(&mut conn, customer, number).await? else {
        return Ok(None);
    };
    let timeline = shopper_timeline(
        db::admin::history(&mut conn, id).await?,
        db::admin::shipments(&mut conn, id).await?,
        db::admin::payments(&mut conn, id).await?,
    );
    Ok(Some(OrderPage {
        order: OrderView::from(order),
        timeline,
    }))
}

/// The customer's order `number` and its id; `None` when it is not theirs, does not exist or the number is
/// malformed.
async fn customer_order(
    conn: &mut MySqlConnection,
    customer: Uuid,
    number: &str,
) -> Result<Option<(u64, db::orders::Order)>, sqlx::Error> {
    let Ok(number) = parse_order_number(number) else {
        return Ok(None);
    };
    let Some(id) = db::customers::order_of(conn, &customer.to_string(), &number).await? else {
        return Ok(None);
    };
    Ok(db::orders::by_number(conn, &number, db::Locking::None)
        .await?
        .map(|order| (id, order)))
}

/// Gives the customer the orders placed as a guest with their confirmed `email`.
pub async fn claim(checkout: &Checkout, customer: Uuid, email: &Email) -> Result<u64, sqlx::Error> {
    db::customers::claim(&checkout.pool, &customer.to_string(), email.as_str()).await
}

/// Why a reorder did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReorderError {
    #[error("no such order")]
    NotFound,
    #[error("the customer's cart is being checked out")]
    CheckoutInProgress,
    #[error("the catalog is unavailable: {0}")]
    CatalogUnavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<CustomerCartError> for ReorderError {
    fn from(err: CustomerCartError) -> Self {
        match err {
            CustomerCartError::CheckoutInProgress => Self::CheckoutInProgress,
            CustomerCartError::Database(err) => Self::Database(err),
        }
    }
}

/// Puts the still-available lines of the customer's order `number` into their cart (made for them if they
/// have none), at today's prices: each line's units up to what is in stock and what the cart may hold.
pub async fn reorder(
    checkout: &Checkout,
    customer: Uuid,
    number: &str,
) -> Result<Reordered, ReorderError> {
    let mut conn = checkout.pool.acquire().await?;
    let (_, order) = customer_order(&mut conn, customer, number)
        .await?
        .ok_or(ReorderError::NotFound)?;
    drop(conn);
    let lines = order.lines;
    let quote = checkout
        .catalog
        .quote(lines.iter().map(|line| line.sku.to_string()).collect())
        .await
        .map_err(|err| match err {
            CatalogError::Unavailable(err) => ReorderError::CatalogUnavailable(err),
            CatalogError::Rejected(rejection) => {
                ReorderError::CatalogUnavailable(rejection.to_string())
            }
        })?;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let token = match cart(checkout, customer, None).await?.token {
            Some(token) => token,
            None => {
                // A new cart, made the customer's; a concurrent one may win the unique key: then go round.
                let ttl = chrono::Duration::days(checkout.config.cart_ttl_days);
                let new = db::carts::create(&checkout.pool, CURRENCY, ttl).await?;
                let mut conn = checkout.pool.acquire().await?;
                let linked =
                    db::customers::link_cart(&mut conn, new.id, &customer.to_string()).await;
                match linked {
                    Ok(_) => new.token,
                    Err(err) if attempts < 3 && worth_retrying(&err) => continue,
                    Err(err) => return Err(err.into()),
                }
            }
        };
        let mut tx = checkout.pool.begin().await?;
        let Some(own) = db::customers::lock_cart(&mut tx, CartKey::Token(&token)).await? else {
            continue;
        };
        if own.cart.state != CartState::Open {
            return Err(ReorderError::CheckoutInProgress);
        }
        let mut items = db::carts::items(&mut tx, own.cart.id).await?;
        let wanted = lines
            .iter()
            .map(|line| (line.sku.as_str(), line.name.as_str(), line.quantity));
        let (changed, added, skipped) = plan_reorder(&mut items, wanted, &quote);
        for line in &changed {
            db::carts::put_item(&mut tx, own.cart.id, line).await?;
        }
        db::customers::lines_changed(&mut tx, own.cart.id, extended_expiry(checkout)).await?;
        tx.commit().await?;
        return Ok(Reordered {
            cart: CartLink {
                token: Some(token),
                notes: Vec::new(),
            },
            added,
            skipped,
        });
    }
}

/// What adding the order lines `wanted` (`(sku, name, quantity)`) to the cart `items` changes, given the
/// catalog's `quote`: the lines to write (new ones at today's price), what was added, what was not.
fn plan_reorder<'a>(
    items: &mut Vec<CartItem>,
    wanted: impl Iterator<Item = (&'a str, &'a str, u32)>,
    quote: &QuoteResponse,
) -> (Vec<CartItem>, Vec<AddedLine>, Vec<SkippedLine>) {
    let mut changed = Vec::new();
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for (sku, name, quantity) in wanted {
        let Ok(parsed) = platform::contracts::Sku::parse(sku) else {
            continue;
        };
        let skip = |reason| SkippedLine {
            sku: parsed.clone(),
            name: name.to_owned(),
            reason,
        };
        let Some(quoted) = quote.items.iter().find(|item| item.sku == parsed) else {
            skipped.push(skip(SkipReason::NotForSale));
            continue;
        };
        if !quoted.sellable {
            skipped.push(skip(SkipReason::NotForSale));
            continue;
        }
        let existing = items.iter().position(|item| item.sku == parsed);
        let in_cart = existing.map_or(0, |i| items[i].quantity);
        let room = MAX_QUANTITY.saturating_sub(in_cart);
        let stock = quoted.available.saturating_sub(in_cart);
        let units = quantity.min(room).min(stock);
        if existing.is_none() && items.len() >= MAX_LINES {
            skipped.push(skip(SkipReason::LineLimit));
            continue;
        }
        if units < quantity {
            skipped.push(skip(if stock < room {
                SkipReason::Unavailable
            } else {
                SkipReason::QuantityLimit
            }));
        }
        if units == 0 {
            continue;
        }
        let line = match existing {
            // The cart's line keeps the price the shopper saw when they added it.
            Some(i) => {
                items[i].quantity += units;
                items[i].clone()
            }
            None => {
                let line = CartItem {
                    sku: parsed.clone(),
                    quantity: units,
                    unit_price: quoted.price,
                    name: quoted.name.clone(),
                    slug: quoted.slug.clone(),
                    image: quoted.image.clone(),
                };
                items.push(line.clone());
                line
            }
        };
        changed.push(line);
        added.push(AddedLine {
            sku: parsed,
            quantity: units,
        });
    }
    (changed, added, skipped)
}

/// Why a customer's data could not be forgotten.
#[derive(Debug, thiserror::Error)]
pub enum ForgetError {
    /// Orders still on their way need their address: the account can go once they shipped or were cancelled.
    #[error("{0} orders are still on their way")]
    OrdersInProgress(u64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Anonymises the customer's orders (kept for the books) and deletes their carts, unless an order is still
/// on its way. Safe to repeat.
pub async fn forget(checkout: &Checkout, customer: Uuid) -> Result<(u64, u64), ForgetError> {
    let customer = customer.to_string();
    let mut tx = checkout.pool.begin().await?;
    let open = db::customers::open_orders(&mut tx, &customer).await?;
    if open > 0 {
        return Err(ForgetError::OrdersInProgress(open));
    }
    let orders = db::customers::anonymise_orders(&mut tx, &customer).await?;
    let carts = db::customers::delete_carts(&mut tx, &customer).await?;
    tx.commit().await?;
    Ok((orders, carts))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn item(sku: &str, quantity: u32, price: i64) -> CartItem {
        CartItem {
            sku: platform::contracts::Sku::parse(sku).unwrap(),
            quantity,
            unit_price: Decimal::new(price, 2),
            name: sku.to_owned(),
            slug: sku.to_lowercase(),
            image: None,
        }
    }

    #[test]
    fn quantities_add_up_to_the_limit_and_the_customers_price_is_kept() {
        let mut lines = vec![item("A-1", 3, 1000), item("B-1", 8, 500)];
        let (changed, notes) = plan_merge(
            &mut lines,
            vec![
                item("A-1", 2, 900),
                item("B-1", 5, 400),
                item("C-1", 1, 100),
            ],
        );
        assert_eq!(lines[0].quantity, 5);
        assert_eq!(lines[0].unit_price, Decimal::new(1000, 2));
        assert_eq!(lines[1].quantity, MAX_QUANTITY);
        assert_eq!(lines[2], item("C-1", 1, 100));
        assert_eq!(changed.len(), 3);
        assert_eq!(
            notes,
            vec![MergeNote {
                sku: platform::contracts::Sku::parse("B-1").unwrap(),
                requested: 13,
                kept: 10,
                reason: MergeReason::QuantityLimit
            }]
        );
    }

    #[test]
    fn a_full_cart_takes_no_new_lines_and_says_so() {
        let mut lines: Vec<CartItem> = (0..MAX_LINES)
            .map(|i| item(&format!("S-{i}"), 1, 100))
            .collect();
        let (changed, notes) =
            plan_merge(&mut lines, vec![item("S-0", 1, 100), item("NEW-1", 2, 100)]);
        assert_eq!(changed.len(), 1);
        assert_eq!(lines.len(), MAX_LINES);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].reason, MergeReason::LineLimit);
        assert_eq!((notes[0].requested, notes[0].kept), (2, 0));
    }
}
