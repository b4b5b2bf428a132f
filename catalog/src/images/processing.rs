//! From the bytes of an uploaded file to the sizes the storefront shows: pure, no I/O, and CPU-heavy (run it on
//! the blocking pool).
//!
//! The file is trusted for nothing. Its kind comes from its first bytes, not its name; its dimensions are read
//! from the header and checked against the limits before anything is decoded, and the decoder gets an
//! allocation limit as well, so a small file claiming a huge picture (a decompression bomb) is refused without
//! allocating. Only the pixels survive: the sizes are encoded afresh as JPEG without metadata (a phone photo's
//! EXIF location never reaches shoppers), after the EXIF orientation is applied so portrait shots stand up.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
    codecs::jpeg::JpegEncoder, imageops::FilterType, metadata::Orientation,
};
use platform::contracts::catalog_admin::images::{
    MAX_PIXELS, MAX_SIDE_PX, MAX_UPLOAD_BYTES, PhotoFormat, SIZES, sniff,
};
use sha2::{Digest as _, Sha256};

/// JPEG quality of the stored sizes: indistinguishable from the original at these sizes, a third of the bytes
/// of quality 95.
const JPEG_QUALITY: u8 = 82;
/// Bytes per pixel the decoder may allocate: 8-bit RGBA. A 16-bit image at the pixel limit is refused.
const BYTES_PER_PIXEL: u64 = 4;

/// Why a file cannot be a product photo, in words for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoRefusal {
    #[error("the file is {bytes} bytes; a photo may be at most {} MiB", MAX_UPLOAD_BYTES / 1024 / 1024)]
    TooLarge { bytes: u64 },
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAPhoto,
    #[error(
        "the photo is {width}×{height} pixels; at most {MAX_SIDE_PX} pixels a side and {} megapixels are accepted",
        MAX_PIXELS / 1_000_000
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image cannot be read: it is damaged or uses an unsupported variant of its format")]
    Unreadable,
}

/// A photo ready to store: its content key and its sizes.
#[derive(Debug, Clone)]
pub struct Photo {
    /// The first 32 hex digits of the SHA-256 of the original file: the same file always has the same key.
    pub key: String,
    /// One per entry of [`SIZES`], in that order.
    pub sizes: Vec<Rendition>,
}

impl Photo {
    /// The pixels of the largest size.
    pub fn dimensions(&self) -> (u32, u32) {
        self.sizes
            .last()
            .map_or((0, 0), |size| (size.width, size.height))
    }
}

/// One stored size of a photo.
#[derive(Debug, Clone)]
pub struct Rendition {
    pub name: &'static str,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The content key of a file (see [`Photo::key`]).
pub fn content_key(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Checks `bytes` and makes the storefront's sizes of it.
pub fn process(bytes: &[u8]) -> Result<Photo, PhotoRefusal> {
    let length = bytes.len() as u64;
    if length > MAX_UPLOAD_BYTES {
        return Err(PhotoRefusal::TooLarge { bytes: length });
    }
    let format = match sniff(bytes).ok_or(PhotoRefusal::NotAPhoto)? {
        PhotoFormat::Jpeg => ImageFormat::Jpeg,
        PhotoFormat::Png => ImageFormat::Png,
        PhotoFormat::Webp => ImageFormat::WebP,
    };
    let reader = |bytes| ImageReader::with_format(Cursor::new(bytes), format);
    // The header alone: a claimed size over the limits is refused before the decoder sets up anything.
    let (width, height) = reader(bytes)
        .into_dimensions()
        .map_err(|_| PhotoRefusal::Unreadable)?;
    check_dimensions(width, height)?;

    let mut decoder = reader(bytes)
        .into_decoder()
        .map_err(|_| PhotoRefusal::Unreadable)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PX);
    limits.max_image_height = Some(MAX_SIDE_PX);
    limits.max_alloc = Some(MAX_PIXELS * BYTES_PER_PIXEL);
    decoder
        .set_limits(limits)
        .map_err(|_| PhotoRefusal::TooManyPixels { width, height })?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut original = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => PhotoRefusal::TooManyPixels { width, height },
        _ => PhotoRefusal::Unreadable,
    })?;
    original.apply_orientation(orientation);

    // Largest first, each smaller size from the one before: fewer pixels to filter, the same result to the eye.
    let mut sizes = Vec::with_capacity(SIZES.len());
    let mut source = original;
    for (name, longest) in SIZES.iter().rev() {
        source = fit(source, *longest);
        let rgb = flatten(&source);
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
            .encode_image(&rgb)
            .map_err(|_| PhotoRefusal::Unreadable)?;
        sizes.push(Rendition {
            name,
            jpeg,
            width: rgb.width(),
            height: rgb.height(),
        });
    }
    sizes.reverse();
    Ok(Photo {
        key: content_key(bytes),
        sizes,
    })
}

fn check_dimensions(width: u32, height: u32) -> Result<(), PhotoRefusal> {
    if width == 0 || height == 0 {
        return Err(PhotoRefusal::Unreadable);
    }
    if width > MAX_SIDE_PX
        || height > MAX_SIDE_PX
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(PhotoRefusal::TooManyPixels { width, height });
    }
    Ok(())
}

/// `image` scaled down so its longest side is `longest` (aspect kept); never scaled up.
fn fit(image: DynamicImage, longest: u32) -> DynamicImage {
    if image.width().max(image.height()) <= longest {
        image
    } else {
        image.resize(longest, longest, FilterType::CatmullRom)
    }
}

/// 8-bit RGB, transparent parts shown on white (JPEG has no transparency; black would look broken).
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |channel: u8| {
            let alpha = u16::from(a);
            ((u16::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255) as u8
        };
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

#[cfg(test)]
mod tests {
    use image::{ImageEncoder as _, Rgba, RgbaImage, codecs::png::PngEncoder};

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbaImage::from_pixel(width, height, Rgba([200, 30, 30, 128]));
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(&image, width, height, image::ExtendedColorType::Rgba8)
            .unwrap();
        bytes
    }

    #[test]
    fn a_large_photo_is_scaled_down_to_each_size_keeping_its_aspect() {
        let photo = process(&png(2400, 1200)).unwrap();
        let sizes: Vec<_> = photo
            .sizes
            .iter()
            .map(|size| (size.name, size.width, size.height))
            .collect();
        assert_eq!(
            sizes,
            [("thumb", 160, 80), ("card", 480, 240), ("large", 1200, 600)]
        );
        assert_eq!(photo.key.len(), 32);
        for size in &photo.sizes {
            assert_eq!(sniff(&size.jpeg), Some(PhotoFormat::Jpeg));
        }
    }

    #[test]
    fn a_small_photo_is_never_scaled_up() {
        let photo = process(&png(300, 200)).unwrap();
        let sizes: Vec<_> = photo
            .sizes
            .iter()
            .map(|size| (size.width, size.height))
            .collect();
        assert_eq!(sizes, [(160, 107), (300, 200), (300, 200)]);
    }

    #[test]
    fn transparency_is_shown_on_white() {
        let photo = process(&png(10, 10)).unwrap();
        let decoded = image::load_from_memory(&photo.sizes[0].jpeg)
            .unwrap()
            .to_rgb8();
        let [r, g, b] = decoded.get_pixel(5, 5).0;
        assert!(r > 200 && g > 120 && b > 120, "{r} {g} {b}");
    }

    #[test]
    fn the_same_file_has_the_same_key() {
        let bytes = png(20, 20);
        assert_eq!(process(&bytes).unwrap().key, content_key(&bytes));
        assert_ne!(content_key(&bytes), content_key(&png(21, 20)));
    }

    #[test]
    fn files_that_are_not_photos_are_refused() {
        assert_eq!(
            process(b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap_err(),
            PhotoRefusal::NotAPhoto
        );
        assert_eq!(
            process(b"just some text").unwrap_err(),
            PhotoRefusal::NotAPhoto
        );
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert_eq!(process(&truncated).unwrap_err(), PhotoRefusal::Unreadable);
    }

    #[test]
    fn dimensions_over_the_limits_are_refused() {
        assert!(check_dimensions(8000, 5000).is_ok());
        assert_eq!(
            check_dimensions(8001, 10),
            Err(PhotoRefusal::TooManyPixels {
                width: 8001,
                height: 10
            })
        );
        assert!(check_dimensions(7000, 7000).is_err());
        assert!(check_dimensions(0, 10).is_err());
    }
}
