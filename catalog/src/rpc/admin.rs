//! The web admin's product endpoints (`nats micro info catalog`: `rpc.catalog.admin.products.*`). Each
//! parses nothing itself: the request body is the contract type, the use case in `crate::admin` answers it,
//! and a database failure becomes a 503 service error ("try again").

use std::future::Future;

use platform::{
    Runtime,
    contracts::{
        admin::Command,
        catalog_admin::{
            RPC_GROUP,
            import::ImportProducts,
            listing::ListProducts,
            products::{ArchiveProduct, BulkProducts, GetProduct, SaveProduct},
        },
    },
    rpc::{HandlerFailure, serve},
};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::MySqlPool;

use crate::{admin, product_cache::ProductCache};

/// Requests handled at once per endpoint: admins are few, and writes lock product rows.
const CONCURRENCY: usize = 16;

/// Adds an endpoint `subject` (relative to the admin group) named `name`, answering with `handler` until
/// shutdown.
async fn add<Req, Resp, F, Fut>(
    runtime: &Runtime,
    group: &async_nats::service::Group,
    (subject, name, description): (&str, &str, &str),
    // A command changing products: this replica's cached pages are dropped after it.
    writes: Option<&ProductCache>,
    handler: F,
) -> anyhow::Result<()>
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
    F: Fn(MySqlPool, Req) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Resp, sqlx::Error>> + Send + 'static,
{
    let endpoint = group
        .endpoint_builder()
        .name(name)
        .metadata(std::collections::HashMap::from([(
            "description".to_owned(),
            description.to_owned(),
        )]))
        .add(subject)
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint {subject}: {err}"))?;
    let pool = runtime.db.clone();
    let writes = writes.cloned();
    runtime.spawn(serve(
        endpoint,
        CONCURRENCY,
        runtime.shutdown.clone(),
        move |request: Req| {
            let handler = handler.clone();
            let pool = pool.clone();
            let writes = writes.clone();
            async move {
                let reply = match writes {
                    Some(pages) => pages.dropped_after(handler(pool, request)).await,
                    None => handler(pool, request).await,
                };
                reply.map_err(HandlerFailure::unavailable)
            }
        },
    ));
    Ok(())
}

/// Adds the admin's product endpoints to the service.
pub async fn start(runtime: &Runtime, pages: &ProductCache) -> anyhow::Result<()> {
    let group = runtime.service.group(RPC_GROUP);
    add(
        runtime,
        &group,
        (
            "products.list",
            "admin-products-list",
            "Admin: a page of products (search, filters, sort, keyset cursor)",
        ),
        None,
        async |pool, request: ListProducts| admin::listing::list(&pool, &request).await,
    )
    .await?;
    add(
        runtime,
        &group,
        (
            "products.get",
            "admin-products-get",
            "Admin: one product with its variants, stock and categories",
        ),
        None,
        async |pool, request: GetProduct| admin::products::get(&pool, request).await,
    )
    .await?;
    add(
        runtime,
        &group,
        (
            "products.save",
            "admin-products-save",
            "Admin: create or update a product (idempotent command)",
        ),
        Some(pages),
        async |pool, command: Command<SaveProduct>| admin::products::save(&pool, &command).await,
    )
    .await?;
    add(
        runtime,
        &group,
        (
            "products.archive",
            "admin-products-archive",
            "Admin: archive a product (idempotent command)",
        ),
        Some(pages),
        async |pool, command: Command<ArchiveProduct>| {
            admin::products::archive(&pool, &command).await
        },
    )
    .await?;
    add(
        runtime,
        &group,
        (
            "products.bulk",
            "admin-products-bulk",
            "Admin: one action on many products, all or nothing (idempotent command)",
        ),
        Some(pages),
        async |pool, command: Command<BulkProducts>| admin::products::bulk(&pool, &command).await,
    )
    .await?;
    add(
        runtime,
        &group,
        (
            "products.import",
            "admin-products-import",
            "Admin: products and stock from CSV, all rows checked first (idempotent command)",
        ),
        Some(pages),
        async |pool, command: Command<ImportProducts>| admin::import::import(&pool, &command).await,
    )
    .await?;
    Ok(())
}
