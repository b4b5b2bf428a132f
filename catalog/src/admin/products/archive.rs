//! `products.archive`: a product taken off sale, kept for the orders that name it.

use platform::{
    admin_commands,
    contracts::{
        admin::{AdminReply, Command},
        catalog_admin::{
            PRODUCTS_ARCHIVE,
            products::{ArchiveProduct, SavedProduct},
        },
    },
};
use sqlx::MySqlPool;

use super::{conflict, current_paths, finish, not_found, saved_product};
use crate::{db, domain::ProductStatus, events};

/// Takes a product off sale.
pub async fn archive(
    pool: &MySqlPool,
    command: &Command<ArchiveProduct>,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(replay) = admin_commands::claim(&mut tx, PRODUCTS_ARCHIVE, command).await? {
        return Ok(replay);
    }
    let ArchiveProduct {
        id,
        expected_version,
    } = command.body;
    let reply = match db::admin::products(&mut tx, &[id], true).await?.pop() {
        None => not_found(id),
        Some(product) if product.version != expected_version => conflict(product.version),
        Some(_) => {
            db::admin::set_status(&mut tx, id, ProductStatus::Archived).await?;
            let paths = current_paths(&mut tx, id).await?;
            db::admin::refresh_product(&mut tx, id, &paths).await?;
            events::product_upserted(&mut tx, &[id]).await?;
            AdminReply::Ok(saved_product(&mut tx, id, false).await?)
        }
    };
    finish(tx, &command.idempotency_key, reply).await
}
