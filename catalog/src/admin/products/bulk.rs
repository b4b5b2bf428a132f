//! `products.bulk`: one action (archive, activate, move to a category, change prices by a percentage) on
//! many products, all of them or none.

use std::collections::{HashMap, HashSet};

use platform::contracts::{
    admin::{AdminReply, Command, FieldError},
    catalog_admin::{
        PRODUCTS_BULK,
        products::{BulkAction, BulkOutcome, BulkProducts, BulkResult, MAX_BULK},
    },
};
use rust_decimal::{Decimal, RoundingStrategy};
use sqlx::{MySqlConnection, MySqlPool};

use super::current_paths;
use crate::admin::commands::{Refused, carry_out_in};
use crate::{db, domain::ProductStatus, events};

/// A bulk action whose values were checked.
enum Action {
    Status(ProductStatus),
    Move { category: Vec<u32> },
    Price { factor: Decimal },
}

/// One action on many products: all of them or none.
pub async fn bulk(
    pool: &MySqlPool,
    command: &Command<BulkProducts>,
) -> Result<AdminReply<BulkResult>, sqlx::Error> {
    let tx = pool.begin().await?;
    carry_out_in(tx, PRODUCTS_BULK, command, async |tx| {
        bulk_in(tx, &command.body).await.map(Refused::outcome)
    })
    .await
}

async fn bulk_in(
    conn: &mut MySqlConnection,
    request: &BulkProducts,
) -> Result<AdminReply<BulkResult>, sqlx::Error> {
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    for id in &request.ids {
        if seen.insert(*id) {
            ids.push(*id);
        }
    }
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new("ids", "select at least one product"));
    } else if ids.len() > MAX_BULK {
        errors.push(FieldError::new(
            "ids",
            format!("at most {MAX_BULK} products at once"),
        ));
    }
    let action = match &request.action {
        BulkAction::Archive => Some(Action::Status(ProductStatus::Archived)),
        BulkAction::Activate => Some(Action::Status(ProductStatus::Active)),
        BulkAction::MoveToCategory { category_id } => {
            match db::admin::category_paths(conn, &[*category_id])
                .await?
                .remove(category_id)
            {
                Some(path) => Some(Action::Move { category: path }),
                None => {
                    errors.push(FieldError::new("category_id", "no such category"));
                    None
                }
            }
        }
        BulkAction::ChangePricePercent { percent } => match parse_percent(percent) {
            Ok(percent) => Some(Action::Price {
                factor: Decimal::ONE + percent / Decimal::ONE_HUNDRED,
            }),
            Err(reason) => {
                errors.push(FieldError::new("percent", reason));
                None
            }
        },
    };
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        return Ok(AdminReply::Invalid { errors });
    };

    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let products: HashMap<u32, db::admin::ProductRow> = db::admin::products(conn, &sorted, true)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !products.contains_key(id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Ok(AdminReply::NotFound {
            what: format!("products {}", missing.join(", ")),
        });
    }

    let mut changed_ids = Vec::new();
    for id in &sorted {
        let product = &products[id];
        let changed = match &action {
            Action::Status(status) => {
                let changed = product.status != *status;
                if changed {
                    db::admin::set_status(conn, *id, *status).await?;
                    let paths = current_paths(conn, *id).await?;
                    db::admin::refresh_product(conn, *id, &paths).await?;
                }
                changed
            }
            Action::Move { category } => {
                let category_id = category.last().copied().unwrap_or_default();
                let current = db::admin::direct_categories(conn, &[*id])
                    .await?
                    .remove(id)
                    .unwrap_or_default();
                let changed = current != [category_id];
                if changed {
                    db::admin::touch(conn, *id).await?;
                    db::admin::refresh_product(conn, *id, std::slice::from_ref(category)).await?;
                }
                changed
            }
            Action::Price { factor } => {
                let variants = db::admin::variants(conn, &[*id], true).await?;
                let mut changed = false;
                for variant in &variants {
                    let price = new_price(variant.price, *factor);
                    if price != variant.price {
                        db::admin::set_variant_price(conn, variant.id, price).await?;
                        changed = true;
                    }
                }
                if changed {
                    db::admin::touch(conn, *id).await?;
                    let paths = current_paths(conn, *id).await?;
                    db::admin::refresh_product(conn, *id, &paths).await?;
                }
                changed
            }
        };
        if changed {
            changed_ids.push(*id);
        }
    }
    events::product_upserted(conn, &changed_ids).await?;
    let after: HashMap<u32, db::admin::ProductRow> = db::admin::products(conn, &sorted, false)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let changed: HashSet<u32> = changed_ids.into_iter().collect();
    Ok(AdminReply::Ok(BulkResult {
        products: ids
            .iter()
            .filter_map(|id| after.get(id))
            .map(|product| BulkOutcome {
                id: product.id,
                sku: product.sku.clone(),
                status: product.status,
                price: product.price,
                version: product.version,
                changed: changed.contains(&product.id),
            })
            .collect(),
    }))
}

/// A percentage as typed: from -100 to 1000, at most 2 decimals.
fn parse_percent(text: &str) -> Result<Decimal, &'static str> {
    let percent: Decimal = text
        .trim()
        .parse()
        .map_err(|_| "must be a number such as -10.5")?;
    if percent.normalize().scale() > 2 {
        return Err("must have at most 2 decimals");
    }
    if percent < Decimal::from(-100) || percent > Decimal::from(1000) {
        return Err("must be from -100 to 1000");
    }
    Ok(percent)
}

/// `price` times `factor`, rounded half to even to the cent, never below 0.
pub fn new_price(price: Decimal, factor: Decimal) -> Decimal {
    (price * factor)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
        .max(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentage_price_changes_round_half_to_even_and_never_go_below_zero() {
        let factor =
            |percent: &str| Decimal::ONE + parse_percent(percent).unwrap() / Decimal::ONE_HUNDRED;
        assert_eq!(
            new_price("10.05".parse().unwrap(), factor("-50")),
            "5.02".parse().unwrap()
        );
        assert_eq!(
            new_price("10.15".parse().unwrap(), factor("-50")),
            "5.08".parse().unwrap()
        );
        assert_eq!(
            new_price("99.99".parse().unwrap(), factor("-100")),
            Decimal::ZERO
        );
        assert_eq!(
            new_price("20.00".parse().unwrap(), factor("-10.5")),
            "17.90".parse().unwrap()
        );
        assert!(parse_percent("-100.01").is_err());
        assert!(parse_percent("1.234").is_err());
    }
}
