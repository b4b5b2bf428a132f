//! Product photos: the admin's claim check through the bucket (a real moto S3), the gallery commands over NATS,
//! and the sizes served to shoppers.

use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;
use image::{ImageEncoder as _, Rgb, RgbImage, codecs::png::PngEncoder};
use platform::{
    contracts::{
        admin::{Actor, AdminReply, Command},
        catalog_admin::{
            IMAGES_ADD, IMAGES_DELETE, IMAGES_REORDER, IMAGES_UPDATE,
            images::{
                AddImage, DeleteImage, ProductImages, ReorderImages, UpdateImage, upload_key,
            },
        },
    },
    rpc::RpcError,
    s3::BucketConfig,
    testing::MotoServer,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{TestApp, default_config, product, spawn_app_with, with_bucket};

const TIMEOUT: Duration = Duration::from_secs(30);
const BUCKET: &str = "shop-images";

struct PhotoShop {
    app: TestApp,
    moto: MotoServer,
    s3: aws_sdk_s3::Client,
    product_id: u32,
}

/// A catalog with its bucket in a private moto, and one product (`PHOTO-1`, slug `camera`) without photos.
async fn photo_shop() -> PhotoShop {
    let moto = MotoServer::start();
    let app = spawn_app_with(with_bucket(default_config(), &moto.url())).await;
    let mut camera = product("PHOTO-1", "Camera", "Lens Co", "99.00", &["Cameras"], 3);
    camera.images.clear();
    app.load(vec![camera]).await;
    let product_id = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'PHOTO-1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let s3 = platform::s3::client(&BucketConfig::local(BUCKET, &moto.url())).await;
    PhotoShop {
        app,
        moto,
        s3,
        product_id,
    }
}

fn png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let image = RgbImage::from_pixel(width, height, Rgb(colour));
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(&image, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    bytes
}

/// A valid PNG that claims to be 100,000 × 100,000 pixels: a few dozen bytes that would need 30 GB decoded.
fn pixel_bomb() -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&[kind, data].concat());
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut header = Vec::new();
    header.extend_from_slice(&100_000u32.to_be_bytes());
    header.extend_from_slice(&100_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    file.extend(chunk(b"IHDR", &header));
    file.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    file.extend(chunk(b"IEND", &[]));
    file
}

fn command<T>(body: T) -> Command<T> {
    Command {
        idempotency_key: Uuid::new_v4(),
        actor: Actor {
            staff_id: 1,
            email: "ann@shop.test".to_owned(),
        },
        body,
    }
}

impl PhotoShop {
    /// Puts `bytes` where the admin puts an upload; returns its key.
    async fn upload(&self, bytes: Vec<u8>, content_type: &str) -> String {
        let key = upload_key(Uuid::new_v4());
        self.s3
            .put_object()
            .bucket(BUCKET)
            .key(&key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .unwrap();
        key
    }

    async fn object_exists(&self, key: &str) -> bool {
        self.s3
            .head_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .is_ok()
    }

    async fn call<T: Serialize, R: DeserializeOwned>(
        &self,
        subject: &str,
        command: &Command<T>,
    ) -> Result<AdminReply<R>, RpcError> {
        platform::rpc::call(&self.app.client, subject, command, TIMEOUT).await
    }

    async fn add(&self, upload_key: String, alt_text: &str) -> AdminReply<ProductImages> {
        self.call(
            IMAGES_ADD,
            &command(AddImage {
                product_id: self.product_id,
                upload_key,
                alt_text: alt_text.to_owned(),
            }),
        )
        .await
        .unwrap()
    }

    async fn add_ok(&self, bytes: Vec<u8>, alt_text: &str) -> ProductImages {
        let key = self.upload(bytes, "image/png").await;
        match self.add(key, alt_text).await {
            AdminReply::Ok(gallery) => gallery,
            other => panic!("the photo was refused: {other:?}"),
        }
    }

    async fn version(&self) -> u64 {
        sqlx::query_scalar("SELECT version FROM products WHERE id = ?")
            .bind(self.product_id)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    async fn image_rows(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = ?")
            .bind(self.product_id)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    /// The latest ProductUpserted written for the product.
    async fn last_event(&self) -> Value {
        let payload: Vec<u8> = sqlx::query_scalar(
            "SELECT payload FROM outbox WHERE subject LIKE 'catalog.product.%' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&self.app.pool)
        .await
        .unwrap();
        serde_json::from_slice(&payload).unwrap()
    }

    async fn fetch(&self, path: &str) -> reqwest::Response {
        self.app
            .http
            .get(format!("{}{path}", self.app.address))
            .send()
            .await
            .unwrap()
    }
}

fn invalid_reason<T: std::fmt::Debug>(reply: AdminReply<T>, field: &str) -> String {
    match reply {
        AdminReply::Invalid { errors } => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, field);
            errors[0].reason.clone()
        }
        other => panic!("expected a refusal of {field}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_photo_is_resized_stored_and_shown_on_the_product_page() {
    let shop = photo_shop().await;
    let version = shop.version().await;
    let key = shop
        .upload(png(2400, 1600, [20, 120, 200]), "image/png")
        .await;

    let gallery = match shop.add(key.clone(), "The camera from the front").await {
        AdminReply::Ok(gallery) => gallery,
        other => panic!("refused: {other:?}"),
    };

    assert_eq!(gallery.version, version + 1);
    assert_eq!(gallery.images.len(), 1);
    let image = &gallery.images[0];
    assert!(image.stored);
    assert_eq!((image.width, image.height), (Some(1200), Some(800)));
    assert!(image.card.starts_with("/images/") && image.card.ends_with("/card.jpg"));
    assert!(
        !shop.object_exists(&key).await,
        "the upload is deleted once used"
    );

    let page = shop.app.get_ok("/api/products/camera").await;
    assert_eq!(page["image"], image.card.as_str());
    assert_eq!(page["images"][0]["thumb"], image.thumb.as_str());
    assert_eq!(page["images"][0]["large"], image.large.as_str());
    assert_eq!(page["images"][0]["alt_text"], "The camera from the front");
    assert_eq!(page["images"][0]["width"], 1200);
    assert_eq!(
        shop.last_event().await["data"]["image"],
        image.card.as_str()
    );

    for (url, longest) in [
        (&image.thumb, 160),
        (&image.card, 480),
        (&image.large, 1200),
    ] {
        let response = shop.fetch(url).await;
        assert_eq!(response.status(), 200, "{url}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers.contains_key("etag"));
        let served = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(served.width(), longest, "{url}");

        let again = shop
            .app
            .http
            .get(format!("{}{url}", shop.app.address))
            .header("if-none-match", headers["etag"].clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
    }
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_add_adds_the_photo_once() {
    let shop = photo_shop().await;
    let key = shop.upload(png(300, 300, [1, 2, 3]), "image/png").await;
    let add = command(AddImage {
        product_id: shop.product_id,
        upload_key: key,
        alt_text: String::new(),
    });

    let first: AdminReply<ProductImages> = shop.call(IMAGES_ADD, &add).await.unwrap();
    let second: AdminReply<ProductImages> = shop.call(IMAGES_ADD, &add).await.unwrap();

    assert!(matches!(first, AdminReply::Ok(_)), "{first:?}");
    assert_eq!(
        first, second,
        "the second submit gets the first one's answer"
    );
    assert_eq!(shop.image_rows().await, 1);
    let page = shop.app.get_ok("/api/products/camera").await;
    assert_eq!(
        page["images"][0]["alt_text"], "Camera",
        "without alt text, the product's name describes the photo"
    );
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_png_uploaded_as_a_jpeg_is_known_by_its_content() {
    let shop = photo_shop().await;
    let key = shop
        .upload(png(640, 480, [200, 10, 10]), "image/jpeg")
        .await;

    let reply = shop.add(key, "red").await;

    let AdminReply::Ok(gallery) = reply else {
        panic!("refused: {reply:?}")
    };
    assert_eq!(gallery.images[0].width, Some(640));
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn text_and_svg_files_are_refused_naming_the_upload_and_nothing_is_written() {
    let shop = photo_shop().await;
    let version = shop.version().await;
    for (bytes, content_type) in [
        (b"hello, this is not a photo".to_vec(), "image/png"),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "image/svg+xml",
        ),
    ] {
        let key = shop.upload(bytes, content_type).await;
        let reason = invalid_reason(shop.add(key.clone(), "").await, "upload_key");
        assert!(reason.contains("not a JPEG, PNG or WebP"), "{reason}");
        assert!(
            !shop.object_exists(&key).await,
            "a refused upload is deleted"
        );
    }
    assert_eq!(shop.image_rows().await, 0);
    assert_eq!(shop.version().await, version);
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let shop = photo_shop().await;
    let key = shop.upload(pixel_bomb(), "image/png").await;

    let started = Instant::now();
    let reason = invalid_reason(shop.add(key, "").await, "upload_key");

    assert!(reason.contains("100000×100000 pixels"), "{reason}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(shop.image_rows().await, 0);
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_upload_and_a_key_outside_uploads_are_refused() {
    let shop = photo_shop().await;
    let gone = shop.add(upload_key(Uuid::new_v4()), "").await;
    assert!(invalid_reason(gone, "upload_key").contains("upload the file again"));
    let outside = shop
        .add(
            "images/0123456789abcdef0123456789abcdef/card.jpg".to_owned(),
            "",
        )
        .await;
    invalid_reason(outside, "upload_key");
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alt_text_order_and_deletion_change_the_gallery_and_the_version() {
    let shop = photo_shop().await;
    shop.add_ok(png(200, 100, [255, 0, 0]), "red").await;
    let gallery = shop.add_ok(png(100, 200, [0, 0, 255]), "blue").await;
    let [red, blue] = [gallery.images[0].clone(), gallery.images[1].clone()];
    assert_eq!(
        invalid_reason(
            shop.add(
                shop.upload(png(200, 100, [255, 0, 0]), "image/png").await,
                ""
            )
            .await,
            "upload_key"
        ),
        "this photo is in the product's gallery already"
    );

    let renamed: AdminReply<ProductImages> = shop
        .call(
            IMAGES_UPDATE,
            &command(UpdateImage {
                product_id: shop.product_id,
                image_id: red.id,
                expected_version: Some(gallery.version),
                alt_text: "  A red square  ".to_owned(),
            }),
        )
        .await
        .unwrap();
    let AdminReply::Ok(renamed) = renamed else {
        panic!("{renamed:?}")
    };
    assert_eq!(renamed.images[0].alt_text, "A red square");

    let stale: AdminReply<ProductImages> = shop
        .call(
            IMAGES_REORDER,
            &command(ReorderImages {
                product_id: shop.product_id,
                expected_version: Some(gallery.version),
                image_ids: vec![blue.id, red.id],
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        stale,
        AdminReply::Conflict {
            reason: "changed by someone else since you opened it".to_owned(),
            current_version: Some(renamed.version)
        }
    );
    let incomplete: AdminReply<ProductImages> = shop
        .call(
            IMAGES_REORDER,
            &command(ReorderImages {
                product_id: shop.product_id,
                expected_version: Some(renamed.version),
                image_ids: vec![blue.id],
            }),
        )
        .await
        .unwrap();
    invalid_reason(incomplete, "image_ids");

    let reordered: AdminReply<ProductImages> = shop
        .call(
            IMAGES_REORDER,
            &command(ReorderImages {
                product_id: shop.product_id,
                expected_version: Some(renamed.version),
                image_ids: vec![blue.id, red.id],
            }),
        )
        .await
        .unwrap();
    let AdminReply::Ok(reordered) = reordered else {
        panic!("{reordered:?}")
    };
    let order: Vec<u32> = reordered.images.iter().map(|image| image.id).collect();
    assert_eq!(order, [blue.id, red.id]);
    let page = shop.app.get_ok("/api/products/camera").await;
    assert_eq!(
        page["image"],
        blue.card.as_str(),
        "the first photo is the main one"
    );
    assert_eq!(shop.last_event().await["data"]["image"], blue.card.as_str());

    let deleted: AdminReply<ProductImages> = shop
        .call(
            IMAGES_DELETE,
            &command(DeleteImage {
                product_id: shop.product_id,
                image_id: blue.id,
                expected_version: Some(reordered.version),
            }),
        )
        .await
        .unwrap();
    let AdminReply::Ok(deleted) = deleted else {
        panic!("{deleted:?}")
    };
    assert_eq!(deleted.images.len(), 1);
    assert_eq!(
        (deleted.images[0].id, deleted.images[0].position),
        (red.id, 0)
    );
    assert_eq!(
        shop.fetch(&blue.card).await.status(),
        404,
        "an unused photo's sizes are deleted"
    );
    assert_eq!(shop.fetch(&red.card).await.status(), 200);

    let missing: AdminReply<ProductImages> = shop
        .call(
            IMAGES_DELETE,
            &command(DeleteImage {
                product_id: shop.product_id,
                image_id: blue.id,
                expected_version: None,
            }),
        )
        .await
        .unwrap();
    assert!(
        matches!(missing, AdminReply::NotFound { .. }),
        "{missing:?}"
    );
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_stored_sizes_are_served_and_unknown_ones_are_404_problems() {
    let shop = photo_shop().await;
    let upload = shop.upload(png(10, 10, [0, 0, 0]), "image/png").await;
    for path in [
        "/images/0123456789abcdef0123456789abcdef/card.jpg".to_owned(),
        format!("/images/{upload}"),
        "/images/../uploads/x".to_owned(),
        "/images/placeholder.svg".to_owned(),
    ] {
        let response = shop.fetch(&path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_bucket_down_photos_answer_503_quickly() {
    let mut shop = photo_shop().await;
    let gallery = shop.add_ok(png(50, 50, [9, 9, 9]), "").await;
    shop.moto.stop();

    let started = Instant::now();
    let response = shop.fetch(&gallery.images[0].card).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let failed = shop
        .call::<_, ProductImages>(
            IMAGES_ADD,
            &command(AddImage {
                product_id: shop.product_id,
                upload_key: upload_key(Uuid::new_v4()),
                alt_text: String::new(),
            }),
        )
        .await;
    assert!(
        matches!(&failed, Err(RpcError::Service { code: 503, .. })),
        "{failed:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reimporting_a_product_keeps_its_uploaded_photos_before_the_imported_ones() {
    let shop = photo_shop().await;
    let gallery = shop.add_ok(png(120, 80, [5, 150, 5]), "green").await;
    let mut changed = product("PHOTO-1", "Camera", "Lens Co", "89.00", &["Cameras"], 3);
    changed.images[0].url = "https://img.example.com/camera.jpg".to_owned();

    shop.app.load(vec![changed]).await;

    let page = shop.app.get_ok("/api/products/camera").await;
    assert_eq!(page["price"], "89.00");
    let urls: Vec<&str> = page["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| image["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            gallery.images[0].card.as_str(),
            "https://img.example.com/camera.jpg"
        ]
    );
    assert_eq!(
        page["images"][1]["thumb"],
        "https://img.example.com/camera.jpg"
    );
    assert_eq!(page["images"][1]["width"], Value::Null);
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attaching_the_same_file_twice_adds_the_photo_once() {
    let shop = photo_shop().await;
    let images = catalog::images::Images::connect(
        shop.app.pool.clone(),
        &BucketConfig::local(BUCKET, &shop.moto.url()),
    )
    .await
    .unwrap();
    let file = std::env::temp_dir().join(format!("photo-{}.png", Uuid::new_v4()));
    std::fs::write(&file, png(90, 60, [70, 70, 200])).unwrap();

    let first = images
        .attach_file("PHOTO-1", &file, "Camera")
        .await
        .unwrap();
    let again = images
        .attach_file("PHOTO-1", &file, "Camera")
        .await
        .unwrap();
    let _ = std::fs::remove_file(&file);

    assert_eq!(first, catalog::images::Attached::Added);
    assert_eq!(again, catalog::images::Attached::AlreadyThere);
    assert_eq!(shop.image_rows().await, 1);
    let page = shop.app.get_ok("/api/products/camera").await;
    assert_eq!(page["images"][0]["width"], 90);
    assert!(images.attach_file("NO-SUCH", &file, "").await.is_err());
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attaching_again_puts_back_the_files_a_new_bucket_lost() {
    let shop = photo_shop().await;
    let images = catalog::images::Images::connect(
        shop.app.pool.clone(),
        &BucketConfig::local(BUCKET, &shop.moto.url()),
    )
    .await
    .unwrap();
    let file = std::env::temp_dir().join(format!("photo-{}.png", Uuid::new_v4()));
    std::fs::write(&file, png(90, 60, [200, 70, 70])).unwrap();
    images
        .attach_file("PHOTO-1", &file, "Camera")
        .await
        .unwrap();
    let page = shop.app.get_ok("/api/products/camera").await;
    let card = page["images"][0]["card"].as_str().unwrap().to_owned();
    let key = card
        .trim_start_matches("/images/")
        .trim_end_matches("/card.jpg");
    images.bucket().delete_sizes(key).await.unwrap();
    assert_eq!(shop.fetch(&card).await.status(), 404);

    let again = images
        .attach_file("PHOTO-1", &file, "Camera")
        .await
        .unwrap();
    let _ = std::fs::remove_file(&file);

    assert_eq!(again, catalog::images::Attached::AlreadyThere);
    assert_eq!(shop.image_rows().await, 1);
    assert_eq!(shop.fetch(&card).await.status(), 200);
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_stores_photos_attach_once_however_often_it_is_imported() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/demo-store/images");
    let Some(file) = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .find(|name| name.ends_with(".jpg"))
    }) else {
        eprintln!("SKIPPED: no demo store photos in {}", dir.display());
        return;
    };
    let shop = photo_shop().await;
    let bucket = BucketConfig::local(BUCKET, &shop.moto.url());
    let images = catalog::images::Images::connect(shop.app.pool.clone(), &bucket)
        .await
        .unwrap();
    let demo = || {
        vec![(
            "PHOTO-1".to_owned(),
            vec![dir.join(&file), dir.join("missing.jpg")],
        )]
    };
    let attach = async || images.attach_photos(demo()).await;

    let first = attach().await;
    let second = attach().await;

    let counts = |added, unchanged, failed| catalog::images::AttachCounts {
        added,
        unchanged,
        failed,
    };
    assert_eq!(first, counts(1, 0, 1), "a missing file is skipped");
    assert_eq!(second, counts(0, 1, 1));
    let page = shop.app.get_ok("/api/products/camera").await;
    let large = page["images"][0]["large"].as_str().unwrap().to_owned();
    let served = image::load_from_memory(&shop.fetch(&large).await.bytes().await.unwrap()).unwrap();
    assert_eq!(served.width().max(served.height()), 1200);
    shop.app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gallery_holds_at_most_twenty_photos_and_a_missing_product_none() {
    let shop = photo_shop().await;
    let images = catalog::images::Images::connect(
        shop.app.pool.clone(),
        &BucketConfig::local(BUCKET, &shop.moto.url()),
    )
    .await
    .unwrap();
    for shade in 0..20u8 {
        images
            .attach_bytes("PHOTO-1", png(8, 8, [shade, 0, 0]), "")
            .await
            .unwrap();
    }

    let key = shop.upload(png(8, 8, [0, 99, 0]), "image/png").await;
    let full = shop.add(key.clone(), "").await;
    assert!(
        matches!(&full, AdminReply::Conflict { reason, .. } if reason.contains("20 photos")),
        "{full:?}"
    );
    assert!(
        !shop.object_exists(&key).await,
        "the refused upload is deleted"
    );

    let key = shop.upload(png(8, 8, [0, 0, 99]), "image/png").await;
    let nowhere: AdminReply<ProductImages> = shop
        .call(
            IMAGES_ADD,
            &command(AddImage {
                product_id: 999_999,
                upload_key: key,
                alt_text: String::new(),
            }),
        )
        .await
        .unwrap();
    assert!(
        matches!(nowhere, AdminReply::NotFound { .. }),
        "{nowhere:?}"
    );
    assert_eq!(shop.image_rows().await, 20);
    shop.app.stop().await;
}
