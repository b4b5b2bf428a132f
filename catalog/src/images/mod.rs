//! Product photos: the catalog owns them. The admin's uploads arrive as a claim check through the images
//! bucket (the contract is `platform::contracts::catalog_admin::images`); [`processing`] checks and resizes
//! them, [`storage`] keeps the sizes in the bucket under content keys, `db::images` keeps the gallery, and
//! [`http`] serves the sizes to shoppers. Every gallery change bumps the product's version and writes
//! ProductUpserted in the same transaction, like any other product change.
//!
//! The slow part of adding a photo (reading the upload, decoding, resizing, writing the sizes) happens before
//! the transaction, so no row is locked meanwhile. The sizes are written first and the row after: a failure in
//! between leaves objects no row names (harmless, the same photo added again reuses them), never a row whose
//! photo is missing. Objects are deleted only after the row that named them is gone and committed.

pub mod endpoints;
pub mod http;
pub mod processing;
pub mod storage;

use std::path::{Path, PathBuf};

use futures::StreamExt as _;

use platform::contracts::{
    admin::{AdminReply, Command},
    catalog_admin::{
        self,
        images::{
            AddImage, DeleteImage, MAX_ALT_TEXT_CHARS, MAX_IMAGES_PER_PRODUCT, ProductImages,
            ReorderImages, UPLOAD_PREFIX, UpdateImage,
        },
    },
};
use platform::s3::BucketConfig;
use sqlx::{Connection as _, MySqlConnection, MySqlPool};

use self::{
    processing::{Photo, PhotoRefusal},
    storage::{Bucket, StorageError},
};
use crate::{
    db::{
        self,
        images::{ImageRow, NewStoredImage},
    },
    events,
};

/// What every edit answers when the product changed since the admin opened it.
const CHANGED: &str = "changed by someone else since you opened it";

/// A failure of the catalog itself: the admin shows "try again".
#[derive(Debug, thiserror::Error)]
pub enum ImagesError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("processing was interrupted: {0}")]
    Interrupted(String),
}

type Reply = AdminReply<ProductImages>;

/// What an edit of the gallery did: the storage key of a photo it removed (its objects may go once the change
/// is committed), or the refusal to answer.
type Change = Result<Result<Option<String>, Reply>, sqlx::Error>;

/// The gallery operations: the database and the bucket.
#[derive(Debug, Clone)]
pub struct Images {
    pool: MySqlPool,
    bucket: Bucket,
}

impl Images {
    pub fn new(pool: MySqlPool, bucket: Bucket) -> Self {
        Self { pool, bucket }
    }

    /// The operations on the bucket `config` names, created first when it asks for that (`S3_CREATE_BUCKET`).
    /// What the service and one-shot commands (the demo import's photos) start from.
    pub async fn connect(pool: MySqlPool, config: &BucketConfig) -> anyhow::Result<Self> {
        let client = platform::s3::client(config).await;
        platform::s3::ensure_bucket(&client, config).await?;
        Ok(Self::new(pool, Bucket::new(client, &config.bucket)))
    }

    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// `images.add`: the upload named by the command, checked, resized and appended to the gallery; the
    /// upload is deleted once it has been used or refused.
    pub async fn add(&self, command: &Command<AddImage>) -> Result<Reply, ImagesError> {
        let request = &command.body;
        let alt_text = match alt_text(&request.alt_text) {
            Ok(alt_text) => alt_text,
            Err(reply) => return Ok(reply),
        };
        let upload = request.upload_key.trim();
        let valid_key = upload
            .strip_prefix(UPLOAD_PREFIX)
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
        if !valid_key {
            return Ok(AdminReply::invalid(
                "upload_key",
                format!("must be {UPLOAD_PREFIX}<uuid>, where the admin put the file"),
            ));
        }
        // A repeated command finds its first reply, before looking for an upload the first one deleted.
        if self.already_handled(command).await? {
            let mut conn = self.pool.acquire().await?;
            let mut tx = conn.begin().await?;
            if let Some(replay) =
                platform::admin_commands::claim(&mut tx, catalog_admin::IMAGES_ADD, command).await?
            {
                return Ok(replay);
            }
        }

        // The cheap refusals first (the transaction below checks again, under the product's lock).
        if let Some(refusal) = self.cannot_take_more(request.product_id).await? {
            self.forget_upload(upload).await;
            return Ok(refusal);
        }

        let bytes = match self.bucket.read_upload(upload).await {
            Ok(bytes) => bytes,
            Err(StorageError::NotFound) => {
                return Ok(AdminReply::invalid(
                    "upload_key",
                    "the upload is gone (used already, or expired): upload the file again",
                ));
            }
            Err(StorageError::TooLarge(bytes)) => {
                self.forget_upload(upload).await;
                return Ok(AdminReply::invalid(
                    "upload_key",
                    PhotoRefusal::TooLarge { bytes }.to_string(),
                ));
            }
            Err(err) => return Err(err.into()),
        };
        let photo = match prepare(bytes).await? {
            Ok(photo) => photo,
            Err(refusal) => {
                self.forget_upload(upload).await;
                return Ok(AdminReply::invalid("upload_key", refusal.to_string()));
            }
        };
        self.bucket.put_sizes(&photo).await?;

        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        if let Some(replay) =
            platform::admin_commands::claim(&mut tx, catalog_admin::IMAGES_ADD, command).await?
        {
            return Ok(replay);
        }
        let appended = append(&mut tx, request.product_id, &photo, &alt_text).await?;
        let reply = match appended.refusal() {
            None => {
                let reply = Reply::Ok(gallery_changed(&mut tx, request.product_id).await?);
                platform::admin_commands::record(&mut tx, &command.idempotency_key, &reply).await?;
                tx.commit().await?;
                reply
            }
            Some(refusal) => {
                tx.rollback().await?;
                self.forget_unused(&photo.key).await;
                refusal
            }
        };
        self.forget_upload(upload).await;
        Ok(reply)
    }

    /// `images.update`: a photo's alt text.
    pub async fn update(&self, command: &Command<UpdateImage>) -> Result<Reply, ImagesError> {
        let request = &command.body;
        let alt_text = match alt_text(&request.alt_text) {
            Ok(alt_text) => alt_text,
            Err(reply) => return Ok(reply),
        };
        self.edit(
            catalog_admin::IMAGES_UPDATE,
            command,
            request.product_id,
            request.expected_version,
            async |tx, gallery| {
                let Some(image) = gallery.iter().find(|image| image.id == request.image_id) else {
                    return Ok(Err(no_image(request.image_id)));
                };
                db::images::set_alt_text(tx, image.id, &alt_text).await?;
                Ok(Ok(None))
            },
        )
        .await
    }

    /// `images.reorder`: the gallery in a new order.
    pub async fn reorder(&self, command: &Command<ReorderImages>) -> Result<Reply, ImagesError> {
        let request = &command.body;
        self.edit(
            catalog_admin::IMAGES_REORDER,
            command,
            request.product_id,
            request.expected_version,
            async |tx, gallery| {
                let mut given = request.image_ids.clone();
                given.sort_unstable();
                let mut current: Vec<u32> = gallery.iter().map(|image| image.id).collect();
                current.sort_unstable();
                if given != current {
                    return Ok(Err(AdminReply::invalid(
                        "image_ids",
                        "must list every photo of the product exactly once",
                    )));
                }
                db::images::reorder(tx, request.product_id, &request.image_ids).await?;
                Ok(Ok(None))
            },
        )
        .await
    }

    /// `images.delete`: a photo out of the gallery, and its sizes out of the bucket when no product shows them.
    pub async fn delete(&self, command: &Command<DeleteImage>) -> Result<Reply, ImagesError> {
        let request = &command.body;
        self.edit(
            catalog_admin::IMAGES_DELETE,
            command,
            request.product_id,
            request.expected_version,
            async |tx, gallery| {
                let Some(image) = gallery.iter().find(|image| image.id == request.image_id) else {
                    return Ok(Err(no_image(request.image_id)));
                };
                db::images::delete(tx, image, request.product_id).await?;
                Ok(Ok(image.storage_key.clone()))
            },
        )
        .await
    }

    /// The shape of every edit: claim the key, lock the product and check its version, change the gallery
    /// (`change` answers a refusal, or the storage key whose objects may go after the commit), bump the
    /// version and write the event, record the reply.
    async fn edit<T: serde::Serialize>(
        &self,
        endpoint: &str,
        command: &Command<T>,
        product_id: u32,
        expected_version: Option<u64>,
        change: impl AsyncFnOnce(&mut MySqlConnection, &[ImageRow]) -> Change,
    ) -> Result<Reply, ImagesError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        if let Some(replay) = platform::admin_commands::claim(&mut tx, endpoint, command).await? {
            return Ok(replay);
        }
        let Some(version) = db::images::lock_product(&mut tx, product_id).await? else {
            return Ok(no_product(product_id));
        };
        if expected_version.is_some_and(|expected| expected != version) {
            return Ok(AdminReply::Conflict {
                reason: CHANGED.to_owned(),
                current_version: Some(version),
            });
        }
        let gallery = db::images::of_product(&mut tx, product_id).await?;
        let freed = match change(&mut tx, &gallery).await? {
            Ok(freed) => freed,
            Err(refusal) => return Ok(refusal),
        };
        let reply = Reply::Ok(gallery_changed(&mut tx, product_id).await?);
        platform::admin_commands::record(&mut tx, &command.idempotency_key, &reply).await?;
        tx.commit().await?;
        if let Some(key) = freed {
            self.forget_unused(&key).await;
        }
        Ok(reply)
    }

    /// Attaches the photo in the file at `path` to the product with `sku` (the demo import), through the same
    /// checks and sizes as an upload. Attaching the same file again changes nothing.
    pub async fn attach_file(
        &self,
        sku: &str,
        path: &Path,
        alt_text: &str,
    ) -> anyhow::Result<Attached> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|err| anyhow::anyhow!("reading {}: {err}", path.display()))?;
        self.attach_bytes(sku, bytes, alt_text).await
    }

    /// Attaches photo files to products, in order: the demo store's photos (`catalog import-demo`, whose
    /// `import::import_demo_store` gives each product's SKU and its files). Without alt text: the storefront
    /// describes them by the product's name. Re-running it adds nothing (photos are known by their content).
    /// A file that cannot be attached is logged, counted and skipped: the products are in already, and the
    /// other photos still go in.
    pub async fn attach_photos(
        &self,
        products: impl IntoIterator<Item = (String, Vec<PathBuf>)>,
    ) -> AttachCounts {
        // Two products at a time (decoding is CPU work); one product's photos in order, for their positions.
        let per_product = futures::stream::iter(products)
            .map(|(sku, files)| async move {
                let mut counts = AttachCounts::default();
                for file in files {
                    match self.attach_file(&sku, &file, "").await {
                        Ok(Attached::Added) => counts.added += 1,
                        Ok(Attached::AlreadyThere) => counts.unchanged += 1,
                        Err(err) => {
                            tracing::warn!(%sku, file = %file.display(), error = %err, "a photo could not be attached");
                            counts.failed += 1;
                        }
                    }
                }
                counts
            })
            .buffer_unordered(2)
            .collect::<Vec<_>>()
            .await;
        per_product
            .into_iter()
            .fold(AttachCounts::default(), |total, counts| AttachCounts {
                added: total.added + counts.added,
                unchanged: total.unchanged + counts.unchanged,
                failed: total.failed + counts.failed,
            })
    }

    /// [`Self::attach_file`] for bytes already read.
    pub async fn attach_bytes(
        &self,
        sku: &str,
        bytes: Vec<u8>,
        alt_text: &str,
    ) -> anyhow::Result<Attached> {
        let key = processing::content_key(&bytes);
        let mut conn = self.pool.acquire().await?;
        let Some(product_id) = db::images::product_id_by_sku(&mut conn, sku).await? else {
            anyhow::bail!("no product with SKU {sku}");
        };
        let gallery = db::images::of_product(&mut conn, product_id).await?;
        if gallery
            .iter()
            .any(|image| image.storage_key.as_deref() == Some(&key))
        {
            // The row is there; its files may not be (a new bucket, or moto restarted with nothing in memory):
            // the import puts them back, so running it again always leaves a working gallery.
            if !self.bucket.has_sizes(&key).await? {
                let photo = prepare(bytes)
                    .await?
                    .map_err(|refusal| anyhow::anyhow!("{sku}: {refusal}"))?;
                self.bucket.put_sizes(&photo).await?;
            }
            return Ok(Attached::AlreadyThere);
        }
        let photo = prepare(bytes)
            .await?
            .map_err(|refusal| anyhow::anyhow!("{sku}: {refusal}"))?;
        self.bucket.put_sizes(&photo).await?;
        let alt_text: String = alt_text.trim().chars().take(MAX_ALT_TEXT_CHARS).collect();
        let mut tx = conn.begin().await?;
        match append(&mut tx, product_id, &photo, &alt_text).await? {
            Appended::Added => {
                gallery_changed(&mut tx, product_id).await?;
                tx.commit().await?;
                Ok(Attached::Added)
            }
            Appended::AlreadyThere => Ok(Attached::AlreadyThere),
            Appended::Full => anyhow::bail!(
                "{sku} has {MAX_IMAGES_PER_PRODUCT} photos already, the most a product may have"
            ),
            Appended::NoProduct => anyhow::bail!("no product with SKU {sku}"),
        }
    }

    /// Why the product cannot take another photo, if it cannot: it does not exist, or its gallery is full.
    async fn cannot_take_more(&self, product_id: u32) -> Result<Option<Reply>, sqlx::Error> {
        let photos: Option<i64> = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM product_images im WHERE im.product_id = p.id) \
             FROM products p WHERE p.id = ?",
        )
        .bind(product_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match photos {
            None => Appended::NoProduct.refusal(),
            Some(count) if count as usize >= MAX_IMAGES_PER_PRODUCT => Appended::Full.refusal(),
            Some(_) => None,
        })
    }

    /// Whether a command with this key was carried out already (a cheap look before the slow part).
    async fn already_handled<T>(&self, command: &Command<T>) -> Result<bool, sqlx::Error> {
        let found: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM admin_commands WHERE idempotency_key = ?")
                .bind(command.idempotency_key.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Deletes an upload that has been used or refused. A failure only leaves it for the bucket's expiry.
    async fn forget_upload(&self, upload: &str) {
        if let Err(err) = self.bucket.delete(upload).await {
            tracing::warn!(upload, error = %err, "an upload could not be deleted; the bucket's expiry will");
        }
    }

    /// Deletes a photo's sizes when no product shows it (anymore).
    async fn forget_unused(&self, key: &str) {
        let unused = async {
            let mut conn = self.pool.acquire().await?;
            Ok::<_, sqlx::Error>(!db::images::key_in_use(&mut conn, key).await?)
        };
        match unused.await {
            Ok(true) => {
                if let Err(err) = self.bucket.delete_sizes(key).await {
                    tracing::warn!(key, error = %err, "unused photo sizes could not be deleted");
                }
            }
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(key, error = %err, "could not tell whether a photo is unused")
            }
        }
    }
}

/// What [`Images::attach_photos`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AttachCounts {
    pub added: usize,
    pub unchanged: usize,
    pub failed: usize,
}

/// What attaching a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    Added,
    AlreadyThere,
}

/// What appending a photo to a gallery did.
enum Appended {
    Added,
    AlreadyThere,
    Full,
    NoProduct,
}

impl Appended {
    /// The answer to the admin when the photo was not added.
    fn refusal(&self) -> Option<Reply> {
        Some(match self {
            Self::Added => return None,
            Self::AlreadyThere => AdminReply::invalid(
                "upload_key",
                "this photo is in the product's gallery already",
            ),
            Self::Full => AdminReply::Conflict {
                reason: format!(
                    "the product has {MAX_IMAGES_PER_PRODUCT} photos, the most it may have: delete one first"
                ),
                current_version: None,
            },
            Self::NoProduct => AdminReply::NotFound {
                what: "product".to_owned(),
            },
        })
    }
}

/// Appends the stored `photo` to the gallery of `product_id`, in the caller's transaction (the product's row
/// locked until it ends).
async fn append(
    tx: &mut MySqlConnection,
    product_id: u32,
    photo: &Photo,
    alt_text: &str,
) -> Result<Appended, sqlx::Error> {
    if db::images::lock_product(tx, product_id).await?.is_none() {
        return Ok(Appended::NoProduct);
    }
    let gallery = db::images::of_product(tx, product_id).await?;
    if gallery
        .iter()
        .any(|image| image.storage_key.as_deref() == Some(photo.key.as_str()))
    {
        return Ok(Appended::AlreadyThere);
    }
    if gallery.len() >= MAX_IMAGES_PER_PRODUCT {
        return Ok(Appended::Full);
    }
    let (width, height) = photo.dimensions();
    db::images::append(
        tx,
        product_id,
        NewStoredImage {
            storage_key: &photo.key,
            width,
            height,
            alt_text,
        },
    )
    .await?;
    Ok(Appended::Added)
}

/// After a change of the gallery: the product's new version, its event, and the gallery to answer.
async fn gallery_changed(
    tx: &mut MySqlConnection,
    product_id: u32,
) -> Result<ProductImages, sqlx::Error> {
    let version = db::images::bump_version(tx, product_id).await?;
    events::product_upserted(tx, &[product_id]).await?;
    let images = db::images::of_product(tx, product_id).await?;
    Ok(ProductImages {
        product_id,
        version,
        images: images.iter().map(ImageRow::to_contract).collect(),
    })
}

/// Decodes and resizes on the blocking pool: seconds of CPU for a big photo must not stall the async workers.
async fn prepare(bytes: Vec<u8>) -> Result<Result<Photo, PhotoRefusal>, ImagesError> {
    tokio::task::spawn_blocking(move || processing::process(&bytes))
        .await
        .map_err(|err| ImagesError::Interrupted(err.to_string()))
}

/// The alt text as stored (trimmed), or the refusal naming the field.
fn alt_text(text: &str) -> Result<String, Reply> {
    let text = text.trim();
    if text.chars().count() > MAX_ALT_TEXT_CHARS {
        return Err(AdminReply::invalid(
            "alt_text",
            format!("may be at most {MAX_ALT_TEXT_CHARS} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(AdminReply::invalid("alt_text", "must be one line of text"));
    }
    Ok(text.to_owned())
}

fn no_product(product_id: u32) -> Reply {
    AdminReply::NotFound {
        what: format!("product {product_id}"),
    }
}

fn no_image(image_id: u32) -> Reply {
    AdminReply::NotFound {
        what: format!("photo {image_id} of this product"),
    }
}
