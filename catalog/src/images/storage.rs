//! The images bucket: reading uploads, writing and deleting a photo's sizes, and reading one for shoppers.
//! Every call is bounded by the client's timeouts (`platform::s3`); a failure is [`StorageError::Unavailable`]
//! and the caller answers "try again".

use aws_sdk_s3::{
    Client,
    config::http::HttpResponse,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    primitives::ByteStream,
};
use platform::contracts::catalog_admin::images::{MAX_UPLOAD_BYTES, SIZES};

use super::processing::Photo;

/// Every stored size is cacheable for a year: its key names its content.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Where photos live: the client and the bucket.
#[derive(Debug, Clone)]
pub struct Bucket {
    client: Client,
    name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such object")]
    NotFound,
    #[error("the upload is {0} bytes, over the limit")]
    TooLarge(u64),
    #[error("the images bucket is unreachable: {0}")]
    Unavailable(String),
}

/// The bucket key of a photo's size: `images/<key>/<size>.jpg`.
pub fn object_key(key: &str, size: &str) -> String {
    format!("images/{key}/{size}.jpg")
}

/// A failed call as the caller handles it: a missing object (a 404, whatever the code says) or an outage.
fn failure<E>(err: SdkError<E, HttpResponse>) -> StorageError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let status = err
        .raw_response()
        .map(|response| response.status().as_u16());
    if status == Some(404) || matches!(err.code(), Some("NoSuchKey" | "NotFound")) {
        return StorageError::NotFound;
    }
    StorageError::Unavailable(DisplayErrorContext(err).to_string())
}

impl Bucket {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bytes of an upload, refused past [`MAX_UPLOAD_BYTES`] without reading more than that.
    pub async fn read_upload(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.name)
            .key(key)
            .send()
            .await
            .map_err(failure)?;
        let claimed = object.content_length().unwrap_or(0).max(0) as u64;
        if claimed > MAX_UPLOAD_BYTES {
            return Err(StorageError::TooLarge(claimed));
        }
        let mut body = object.body;
        let mut bytes = Vec::with_capacity(claimed as usize);
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|err| StorageError::Unavailable(err.to_string()))?
        {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > MAX_UPLOAD_BYTES {
                return Err(StorageError::TooLarge(bytes.len() as u64));
            }
        }
        Ok(bytes)
    }

    /// Writes every size of `photo` (rewriting the same bytes when they exist: keys name their content).
    pub async fn put_sizes(&self, photo: &Photo) -> Result<(), StorageError> {
        let puts = photo.sizes.iter().map(|size| {
            self.client
                .put_object()
                .bucket(&self.name)
                .key(object_key(&photo.key, size.name))
                .content_type("image/jpeg")
                .cache_control(CACHE_CONTROL)
                .body(ByteStream::from(size.jpeg.clone()))
                .send()
        });
        for put in futures::future::join_all(puts).await {
            put.map_err(failure)?;
        }
        Ok(())
    }

    /// Whether every size of the photo with `key` is in the bucket.
    pub async fn has_sizes(&self, key: &str) -> Result<bool, StorageError> {
        for (size, _) in SIZES {
            let head = self
                .client
                .head_object()
                .bucket(&self.name)
                .key(object_key(key, size))
                .send()
                .await;
            match head.map_err(failure) {
                Ok(_) => {}
                Err(StorageError::NotFound) => return Ok(false),
                Err(err) => return Err(err),
            }
        }
        Ok(true)
    }

    /// Deletes every size of the photo with `key`.
    pub async fn delete_sizes(&self, key: &str) -> Result<(), StorageError> {
        for (size, _) in SIZES {
            self.delete(&object_key(key, size)).await?;
        }
        Ok(())
    }

    /// Deletes one object; a missing one is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self
            .client
            .delete_object()
            .bucket(&self.name)
            .key(key)
            .send()
            .await
            .map_err(failure)
        {
            Ok(_) | Err(StorageError::NotFound) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// One stored object for a shopper: its length and its body, as a stream.
    pub async fn open(&self, key: &str) -> Result<(Option<i64>, ByteStream), StorageError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.name)
            .key(key)
            .send()
            .await
            .map_err(failure)?;
        Ok((object.content_length(), object.body))
    }
}
