//! The admin's photo endpoints (`rpc.catalog.admin.images.*`, see the contract in
//! `platform::contracts::catalog_admin::images`): each hands its command to one operation of [`Images`];
//! refusals are reply bodies, a failure of the database or the bucket is a 503 service error ("try again").

use std::collections::HashMap;

use async_nats::service::{Group, endpoint::Endpoint};
use platform::{
    Runtime,
    contracts::catalog_admin::RPC_GROUP,
    rpc::{HandlerFailure, serve},
};

use super::{Images, ImagesError};
use crate::product_cache::ProductCache;

/// Photo commands handled at once per endpoint: each may decode a large photo on the blocking pool.
const CONCURRENCY: usize = 4;

async fn endpoint(
    group: &Group,
    name: &'static str,
    subject: &'static str,
    description: &'static str,
) -> anyhow::Result<Endpoint> {
    group
        .endpoint_builder()
        .name(name)
        .metadata(HashMap::from([(
            "description".to_owned(),
            description.to_owned(),
        )]))
        .add(subject)
        .await
        .map_err(|err| anyhow::anyhow!("adding endpoint {name}: {err}"))
}

fn failure(err: ImagesError) -> HandlerFailure {
    HandlerFailure::unavailable(err)
}

/// Adds the photo endpoints to the catalog's service and answers them until shutdown.
pub async fn start(runtime: &Runtime, images: Images, pages: &ProductCache) -> anyhow::Result<()> {
    let group = runtime.service.group(RPC_GROUP);
    let add = endpoint(
        &group,
        "images-add",
        "images.add",
        "Append an uploaded photo (uploads/<uuid> in the bucket) to a product's gallery",
    )
    .await?;
    let update = endpoint(
        &group,
        "images-update",
        "images.update",
        "Set a photo's alt text",
    )
    .await?;
    let reorder = endpoint(
        &group,
        "images-reorder",
        "images.reorder",
        "Put a product's photos in a new order",
    )
    .await?;
    let delete = endpoint(
        &group,
        "images-delete",
        "images.delete",
        "Remove a photo from a product's gallery",
    )
    .await?;

    let shutdown = runtime.shutdown.clone();
    // Each changes a product page: this replica's cached pages go after it (the others follow the event).
    let (adding, added) = (images.clone(), pages.clone());
    runtime.spawn(serve(add, CONCURRENCY, shutdown.clone(), move |command| {
        let (images, pages) = (adding.clone(), added.clone());
        async move {
            // Boxed: the photo's decoding and resizing make a large future.
            pages
                .dropped_after(Box::pin(images.add(&command)))
                .await
                .map_err(failure)
        }
    }));
    let (updating, updated) = (images.clone(), pages.clone());
    runtime.spawn(serve(
        update,
        CONCURRENCY,
        shutdown.clone(),
        move |command| {
            let (images, pages) = (updating.clone(), updated.clone());
            async move {
                pages
                    .dropped_after(images.update(&command))
                    .await
                    .map_err(failure)
            }
        },
    ));
    let (reordering, reordered) = (images.clone(), pages.clone());
    runtime.spawn(serve(
        reorder,
        CONCURRENCY,
        shutdown.clone(),
        move |command| {
            let (images, pages) = (reordering.clone(), reordered.clone());
            async move {
                pages
                    .dropped_after(images.reorder(&command))
                    .await
                    .map_err(failure)
            }
        },
    ));
    let pages = pages.clone();
    runtime.spawn(serve(delete, CONCURRENCY, shutdown, move |command| {
        let (images, pages) = (images.clone(), pages.clone());
        async move {
            pages
                .dropped_after(images.delete(&command))
                .await
                .map_err(failure)
        }
    }));
    Ok(())
}
