//! A product's photos: upload (size-limited while streaming, told from its first bytes, put in the bucket at
//! `uploads/<uuid>` for the catalog to take), alt text, order (up/down) and delete. Each form carries the
//! product version shown and a fresh idempotency key; refusals of the file show next to the file input.

use axum::{
    Form,
    extract::{Multipart, Path, State},
    response::Response,
};
use platform::contracts::{
    admin::{AdminReply, FieldError},
    catalog_admin::{
        IMAGES_ADD, IMAGES_DELETE, IMAGES_REORDER, IMAGES_UPDATE,
        images::{AddImage, DeleteImage, ProductImages, ReorderImages, UpdateImage},
    },
};
use uuid::Uuid;

use super::{Pairs, audit_refused, detail_of, field, form, idempotency_key, write};
use crate::{
    audit::{self, Entry},
    http::{
        AppState,
        error::AdminError,
        extract::{CurrentSession, Flash, RequireStaff},
        layers::redirect_with_flash,
    },
    services::command,
    uploads::{PhotoReader, UploadError},
};

/// The form field of the file, where its refusals show.
const PHOTO_FIELD: &str = "photo";

fn version_of(pairs: &Pairs) -> Option<u64> {
    field(pairs, "version").parse().ok()
}

/// What the catalog answered to an image command, as the next page; `entry` is the command's audit entry
/// (recorded with the images after it when done).
async fn answer(
    state: &AppState,
    session: &CurrentSession,
    id: u32,
    entry: Entry,
    reply: AdminReply<ProductImages>,
    done: &str,
) -> Result<Response, AdminError> {
    let back = format!("/admin/products/{id}");
    let action = entry.action.clone();
    match reply {
        AdminReply::Ok(images) => {
            audit::record(&state.db, &entry.after(&images)).await?;
            Ok(redirect_with_flash(&back, &Flash::success(done)))
        }
        AdminReply::Invalid { errors } => {
            audit_refused(state, session, &action, Some(id), &detail_of(&errors)).await;
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|error| FieldError {
                    field: if error.field == "upload_key" {
                        PHOTO_FIELD.to_owned()
                    } else {
                        error.field
                    },
                    reason: error.reason,
                })
                .collect();
            form::edit_page(state, session, id, &errors).await
        }
        AdminReply::Conflict { reason, .. } => {
            audit_refused(state, session, &action, Some(id), &reason).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!(
                    "Nothing was changed: {reason}. Here is the product as it is now."
                )),
            ))
        }
        AdminReply::NotFound { what } => {
            audit_refused(state, session, &action, Some(id), &what).await;
            Ok(redirect_with_flash(
                &back,
                &Flash::error(format!("Nothing was changed: {what} no longer exists.")),
            ))
        }
    }
}

/// The upload's fields: the photo read within the limit, and the small text fields.
struct Upload {
    photo: Result<PhotoReader, UploadError>,
    seen_file: bool,
    alt_text: String,
    idempotency_key: Option<Uuid>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, AdminError> {
    let bad = |_| AdminError::BadRequest("The upload could not be read.".to_owned());
    let mut upload = Upload {
        photo: Ok(PhotoReader::default()),
        seen_file: false,
        alt_text: String::new(),
        idempotency_key: None,
    };
    while let Some(mut part) = multipart.next_field().await.map_err(bad)? {
        match part.name().unwrap_or_default() {
            "file" => {
                upload.seen_file = true;
                while let Some(chunk) = part.chunk().await.map_err(bad)? {
                    if let Ok(reader) = &mut upload.photo
                        && let Err(refused) = reader.push(&chunk)
                    {
                        // The rest is not kept: the refusal stands however much more comes.
                        upload.photo = Err(refused);
                    }
                }
            }
            "alt_text" => upload.alt_text = part.text().await.map_err(bad)?,
            "idempotency_key" => {
                upload.idempotency_key = part.text().await.map_err(bad)?.parse().ok();
            }
            _ => {}
        }
    }
    Ok(upload)
}

pub(super) async fn add(
    State(state): State<AppState>,
    session: RequireStaff,
    Path(id): Path<u32>,
    multipart: Multipart,
) -> Result<Response, AdminError> {
    let upload = read_upload(multipart).await?;
    let key = upload.idempotency_key.ok_or_else(|| {
        AdminError::BadRequest("The form carried no idempotency key: reload it.".to_owned())
    })?;
    let photo = upload.photo.and_then(|reader| {
        if upload.seen_file {
            reader.finish()
        } else {
            Err(UploadError::Empty)
        }
    });
    let photo = match photo {
        Ok(photo) => photo,
        Err(UploadError::Unavailable(_)) => return Err(AdminError::Unavailable),
        Err(refused) => {
            let reason = refused.to_string();
            audit_refused(
                &state,
                &session,
                "image.add",
                Some(id),
                &format!("file: {reason}"),
            )
            .await;
            return form::edit_page(
                &state,
                &session,
                id,
                &[FieldError {
                    field: PHOTO_FIELD.to_owned(),
                    reason,
                }],
            )
            .await;
        }
    };
    let bytes = photo.bytes.len();
    let format = photo.format;
    let upload_key = match state.uploads.put(photo).await {
        Ok(key) => key,
        Err(err) => {
            tracing::warn!(error = %err, "putting an upload in the images bucket");
            super::audit_failed(&state, &session, "image.add", Some(id)).await;
            return Err(AdminError::Unavailable);
        }
    };
    let reply = write(
        &state,
        &session,
        "image.add",
        Some(id),
        IMAGES_ADD,
        &command(
            &session,
            key,
            AddImage {
                product_id: id,
                upload_key: upload_key.clone(),
                alt_text: upload.alt_text.trim().to_owned(),
            },
        ),
    )
    .await?;
    answer(
        &state,
        &session,
        id,
        Entry::by(&session, "image.add")
            .command(key)
            .target("product", id)
            .before(
                serde_json::json!({"upload_key": upload_key, "bytes": bytes, "format": format}),
            ),
        reply,
        "Photo added.",
    )
    .await
}

pub(super) async fn update_alt(
    State(state): State<AppState>,
    session: RequireStaff,
    Path((id, image_id)): Path<(u32, u32)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let alt_text = field(&pairs, "alt_text").trim().to_owned();
    let before = form::detail(&state, id)
        .await?
        .images
        .into_iter()
        .find(|image| image.id == image_id);
    let reply = write(
        &state,
        &session,
        "image.update",
        Some(id),
        IMAGES_UPDATE,
        &command(
            &session,
            key,
            UpdateImage {
                product_id: id,
                image_id,
                expected_version: version_of(&pairs),
                alt_text,
            },
        ),
    )
    .await?;
    answer(
        &state,
        &session,
        id,
        Entry::by(&session, "image.update")
            .command(key)
            .target("product", id)
            .before(before),
        reply,
        "Alt text saved.",
    )
    .await
}

/// `ids` with `image_id` one place earlier (`up`) or later.
fn moved(mut ids: Vec<u32>, image_id: u32, up: bool) -> Vec<u32> {
    if let Some(at) = ids.iter().position(|id| *id == image_id) {
        if up && at > 0 {
            ids.swap(at, at - 1);
        } else if !up && at + 1 < ids.len() {
            ids.swap(at, at + 1);
        }
    }
    ids
}

pub(super) async fn reorder(
    State(state): State<AppState>,
    session: RequireStaff,
    Path((id, image_id)): Path<(u32, u32)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let before: Vec<u32> = form::detail(&state, id)
        .await?
        .images
        .iter()
        .map(|image| image.id)
        .collect();
    let image_ids = moved(before.clone(), image_id, field(&pairs, "direction") == "up");
    let reply = write(
        &state,
        &session,
        "image.reorder",
        Some(id),
        IMAGES_REORDER,
        &command(
            &session,
            key,
            ReorderImages {
                product_id: id,
                expected_version: version_of(&pairs),
                image_ids,
            },
        ),
    )
    .await?;
    answer(
        &state,
        &session,
        id,
        Entry::by(&session, "image.reorder")
            .command(key)
            .target("product", id)
            .before(serde_json::json!({ "image_ids": before })),
        reply,
        "Photos reordered.",
    )
    .await
}

pub(super) async fn delete(
    State(state): State<AppState>,
    session: RequireStaff,
    Path((id, image_id)): Path<(u32, u32)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, AdminError> {
    let key = idempotency_key(&pairs)?;
    let before = form::detail(&state, id)
        .await?
        .images
        .into_iter()
        .find(|image| image.id == image_id);
    let reply = write(
        &state,
        &session,
        "image.delete",
        Some(id),
        IMAGES_DELETE,
        &command(
            &session,
            key,
            DeleteImage {
                product_id: id,
                image_id,
                expected_version: version_of(&pairs),
            },
        ),
    )
    .await?;
    answer(
        &state,
        &session,
        id,
        Entry::by(&session, "image.delete")
            .command(key)
            .target("product", id)
            .before(before),
        reply,
        "Photo deleted.",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_moves_one_place_and_stays_put_at_the_ends() {
        assert_eq!(moved(vec![1, 2, 3], 2, true), [2, 1, 3]);
        assert_eq!(moved(vec![1, 2, 3], 2, false), [1, 3, 2]);
        assert_eq!(moved(vec![1, 2, 3], 1, true), [1, 2, 3]);
        assert_eq!(moved(vec![1, 2, 3], 3, false), [1, 2, 3]);
    }
}
