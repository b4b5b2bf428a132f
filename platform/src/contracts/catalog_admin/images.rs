//! Product photos (`rpc.catalog.admin.images.*`): add, set the alt text, reorder, delete. The catalog owns
//! the photos; the admin only hands it uploads.
//!
//! ## Adding a photo: a claim check through the bucket
//! A photo is too big for a NATS message (1 MB at most), so the admin puts the file in the images bucket and
//! sends the catalog its key:
//!
//! 1. The admin takes the multipart upload, refuses more than [`MAX_UPLOAD_BYTES`] and anything whose first
//!    bytes are not a JPEG, PNG or WebP signature ([`sniff`]; the file name and the browser's Content-Type are
//!    not trusted), then puts the bytes unchanged at `uploads/<uuid v4>` ([`upload_key`]) in the bucket
//!    (`IMAGES_BUCKET`, client from `platform::s3`), with any Content-Type.
//! 2. It sends `Command<`[`AddImage`]`>` on [`IMAGES_ADD`](super::IMAGES_ADD) with that key. The catalog reads
//!    the upload, sniffs it again, refuses it when it is over the limits ([`MAX_UPLOAD_BYTES`],
//!    [`MAX_SIDE_PX`], [`MAX_PIXELS`]; checked from the header before decoding, so a decompression bomb costs
//!    nothing), decodes it (EXIF orientation applied, all metadata dropped: a phone photo's location never
//!    leaks), stores the storefront's sizes ([`SIZES`], JPEG, never upscaled) under keys made from the
//!    SHA-256 of the original, appends the photo to the product's gallery and deletes the upload.
//! 3. Refusals of the file name the field `upload_key` (`AdminReply::Invalid`): show them next to the file
//!    input. A refused or consumed upload is deleted; a new attempt needs a new upload (and key). Uploads the
//!    catalog never saw (a closed browser tab) are the bucket's to expire: production sets a lifecycle rule
//!    on `uploads/` (one day).
//!
//! The same photo twice in one product is refused (`Invalid` on `upload_key`). A product holds at most
//! [`MAX_IMAGES_PER_PRODUCT`] photos.
//!
//! ## Editing
//! [`UpdateImage`], [`ReorderImages`] and [`DeleteImage`] carry the product's version the admin saw
//! (`expected_version`, optional): when given and the product changed since, the reply is `Conflict` with the
//! current version. Every change (add included) bumps the product's version and emits `ProductUpserted`, so
//! the storefront and the search index show the new main photo.
//!
//! Every reply's `Ok` is [`ProductImages`]: the gallery after the change, as [`ProductImage`]s — the type the
//! product form shows too.
//!
//! ## Where shoppers get them
//! A stored photo's sizes are the bucket's objects `images/<32 hex>/<size>.jpg` and are served at the same
//! path by the catalog's `GET /images/<32 hex>/<size>.jpg` (behind the proxy), cacheable for a year: the key
//! names the content, so it never changes. Photos imported as external URLs (the seeded phones) have no sizes:
//! all their URLs are the one URL.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest file the admin may upload and the catalog will read.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// The longest side a photo may have, in pixels.
pub const MAX_SIDE_PX: u32 = 8_000;
/// The most pixels a photo may have (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The most photos one product may have.
pub const MAX_IMAGES_PER_PRODUCT: usize = 20;
/// The longest alt text, in characters.
pub const MAX_ALT_TEXT_CHARS: usize = 255;
/// Where uploads go in the bucket: `uploads/<uuid>`.
pub const UPLOAD_PREFIX: &str = "uploads/";

/// The sizes stored for every photo: name and longest side in pixels (a smaller original is kept at its own
/// size). `thumb` for search suggestions and gallery thumbnails, `card` for listings, `large` for the
/// product page.
pub const SIZES: [(&str, u32); 3] = [("thumb", 160), ("card", 480), ("large", 1200)];

/// The kinds of file a photo may be, told from the first bytes of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Webp,
}

/// What the first bytes of a file say it is, when it is one of the accepted kinds. Twelve bytes are enough.
pub fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(PhotoFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PhotoFormat::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(PhotoFormat::Webp)
    } else {
        None
    }
}

/// The bucket key of a new upload.
pub fn upload_key(id: Uuid) -> String {
    format!("{UPLOAD_PREFIX}{id}")
}

/// `images.add`: appends the uploaded photo to the product's gallery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddImage {
    pub product_id: u32,
    /// `uploads/<uuid>`, where the admin put the file ([`upload_key`]).
    pub upload_key: String,
    /// What the photo shows, for shoppers who cannot see it; blank: the product's name is used.
    #[serde(default)]
    pub alt_text: String,
}

/// `images.update`: sets a photo's alt text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateImage {
    pub product_id: u32,
    pub image_id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
    pub alt_text: String,
}

/// `images.reorder`: the gallery in its new order, every photo of the product exactly once. The first is the
/// product's main photo (listings, search).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderImages {
    pub product_id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
    pub image_ids: Vec<u32>,
}

/// `images.delete`: removes a photo from the gallery (and its stored sizes, when no product shows them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteImage {
    pub product_id: u32,
    pub image_id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
}

/// A product's gallery after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductImages {
    pub product_id: u32,
    /// The product's version after the change: the next edit's `expected_version`.
    pub version: u64,
    /// In display order.
    pub images: Vec<ProductImage>,
}

/// One photo of a product, with the URLs of its sizes (all the same URL for an external image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductImage {
    pub id: u32,
    /// From 0; the first is the main photo.
    pub position: u16,
    pub alt_text: String,
    pub thumb: String,
    pub card: String,
    pub large: String,
    /// Pixels of the `large` size (the others keep its aspect ratio); absent for an external image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// True when the catalog stores it (uploaded); false for an external URL from an import.
    pub stored: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_apart_by_their_first_bytes() {
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
            Some(PhotoFormat::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(PhotoFormat::Png)
        );
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(PhotoFormat::Webp));
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVE"), None);
        assert_eq!(sniff(b""), None);
    }
}
