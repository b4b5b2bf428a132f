//! `products.archive`: a product taken off sale, kept for the orders that name it.

use platform::contracts::{
    admin::{AdminReply, Command},
    catalog_admin::{
        PRODUCTS_ARCHIVE,
        products::{ArchiveProduct, SavedProduct},
    },
};
use sqlx::{MySqlConnection, MySqlPool};

use super::{conflict, current_paths, not_found, saved_product};
use crate::admin::commands::{Refused, carry_out_in};
use crate::{db, domain::ProductStatus, events};

/// Takes a product off sale.
pub async fn archive(
    pool: &MySqlPool,
    command: &Command<ArchiveProduct>,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let tx = pool.begin().await?;
    carry_out_in(tx, PRODUCTS_ARCHIVE, command, async |tx| {
        archive_in(tx, &command.body).await.map(Refused::outcome)
    })
    .await
}

async fn archive_in(
    conn: &mut MySqlConnection,
    request: &ArchiveProduct,
) -> Result<AdminReply<SavedProduct>, sqlx::Error> {
    let &ArchiveProduct {
        id,
        expected_version,
    } = request;
    Ok(match db::admin::products(conn, &[id], true).await?.pop() {
        None => not_found(id),
        Some(product) if product.version != expected_version => conflict(product.version),
        Some(_) => {
            db::admin::set_status(conn, id, ProductStatus::Archived).await?;
            let paths = current_paths(conn, id).await?;
            db::admin::refresh_product(conn, id, &paths).await?;
            events::product_upserted(conn, &[id]).await?;
            AdminReply::Ok(saved_product(conn, id, false).await?)
        }
    })
}
