//! Photo uploads, the admin's half of the claim check (`platform::contracts::catalog_admin::images`): the
//! file is read in chunks and refused as soon as it passes [`MAX_UPLOAD_BYTES`], its kind is told from its
//! first bytes (never from its name or Content-Type), and the original is put unchanged at `uploads/<uuid>` in
//! the images bucket, where the catalog takes it from.

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use platform::{
    contracts::catalog_admin::images::{MAX_UPLOAD_BYTES, PhotoFormat, sniff, upload_key},
    s3::BucketConfig,
};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// The images bucket, its client made on first use.
#[derive(Debug, Clone)]
pub struct Uploads {
    config: BucketConfig,
    client: Arc<OnceCell<aws_sdk_s3::Client>>,
}

/// Why an upload was not taken.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("is larger than 10 MiB")]
    TooLarge,
    #[error("is not a JPEG, PNG or WebP photo")]
    NotAPhoto,
    #[error("is empty: choose a file")]
    Empty,
    /// The bucket did not take it: try again.
    #[error("the images bucket is unavailable: {0}")]
    Unavailable(String),
}

/// A photo read whole, within the size limit.
#[derive(Debug)]
pub struct Photo {
    pub bytes: Vec<u8>,
    pub format: PhotoFormat,
}

/// Collects the chunks of an upload, refusing it as soon as it grows past the limit.
#[derive(Debug, Default)]
pub struct PhotoReader {
    bytes: Vec<u8>,
}

impl PhotoReader {
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        if (self.bytes.len() + chunk.len()) as u64 > MAX_UPLOAD_BYTES {
            return Err(UploadError::TooLarge);
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The photo, if its first bytes say it is one.
    pub fn finish(self) -> Result<Photo, UploadError> {
        if self.bytes.is_empty() {
            return Err(UploadError::Empty);
        }
        let format = sniff(&self.bytes).ok_or(UploadError::NotAPhoto)?;
        Ok(Photo {
            bytes: self.bytes,
            format,
        })
    }
}

impl Uploads {
    pub fn new(config: BucketConfig) -> Self {
        Self {
            config,
            client: Arc::new(OnceCell::new()),
        }
    }

    /// Puts `photo` at a fresh `uploads/<uuid>` and answers that key.
    pub async fn put(&self, photo: Photo) -> Result<String, UploadError> {
        let client = self
            .client
            .get_or_init(|| platform::s3::client(&self.config))
            .await;
        let key = upload_key(Uuid::new_v4());
        let content_type = match photo.format {
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Png => "image/png",
            PhotoFormat::Webp => "image/webp",
        };
        client
            .put_object()
            .bucket(&self.config.bucket)
            .key(&key)
            .content_type(content_type)
            .body(ByteStream::from(photo.bytes))
            .send()
            .await
            .map_err(|err| {
                UploadError::Unavailable(aws_sdk_s3::error::DisplayErrorContext(err).to_string())
            })?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_refused_as_soon_as_it_passes_ten_mebibytes() {
        let mut reader = PhotoReader::default();
        let chunk = vec![0u8; 1024 * 1024];
        for _ in 0..10 {
            reader.push(&chunk).expect("within the limit");
        }
        assert!(matches!(reader.push(&[0]), Err(UploadError::TooLarge)));
    }

    #[test]
    fn the_kind_of_photo_comes_from_its_first_bytes_not_its_name() {
        let mut png = PhotoReader::default();
        png.push(b"\x89PNG\r\n\x1a\n rest").unwrap();
        assert_eq!(png.finish().unwrap().format, PhotoFormat::Png);
        let mut text = PhotoReader::default();
        text.push(b"GIF89a pretending").unwrap();
        assert!(matches!(text.finish(), Err(UploadError::NotAPhoto)));
    }
}
