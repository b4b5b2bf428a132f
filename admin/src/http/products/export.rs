//! CSV export of the filtered list, streamed: one page of `products.list` at a time is fetched, written and
//! sent before the next is asked for, so memory stays that of one page however many products match.

use axum::{
    body::{Body, Bytes},
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        PRODUCTS_LIST,
        listing::{ListProducts, MAX_PAGE, ProductPage, ProductRow},
    },
};

use super::{ListState, Pairs};
use crate::{
    http::{AppState, error::AdminError, extract::RequireViewer},
    services::ServiceClient,
};

const HEADER: [&str; 12] = [
    "id",
    "sku",
    "name",
    "brand",
    "category",
    "status",
    "price",
    "variants",
    "on_hand",
    "available",
    "low_stock_threshold",
    "updated_at",
];

/// A text cell a spreadsheet would run as a formula is written as text.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// `rows` as CSV lines (with the header line first when `header`).
fn lines(rows: &[ProductRow], header: bool) -> Bytes {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<(), csv::Error> {
        if header {
            writer.write_record(HEADER)?;
        }
        for row in rows {
            writer.write_record([
                row.id.to_string(),
                cell(&row.sku),
                cell(&row.name),
                cell(&row.brand),
                cell(
                    row.main_category
                        .as_ref()
                        .map_or("", |category| category.path.as_str()),
                ),
                row.status.to_string(),
                row.price.to_string(),
                row.variant_count.to_string(),
                row.on_hand.to_string(),
                row.available.to_string(),
                row.low_stock_threshold.to_string(),
                row.updated_at.to_rfc3339(),
            ])?;
        }
        Ok(())
    };
    if let Err(err) = write() {
        tracing::error!(error = %err, "writing CSV to memory");
    }
    Bytes::from(writer.into_inner().unwrap_or_default())
}

async fn page(catalog: &ServiceClient, request: &ListProducts) -> Result<ProductPage, AdminError> {
    match catalog.call(PRODUCTS_LIST, request).await? {
        AdminReply::Ok(page) => Ok(page),
        AdminReply::Invalid { errors } => Err(AdminError::BadRequest(format!(
            "These filters cannot be exported: {}",
            super::detail_of(&errors)
        ))),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the product list was refused: {other:?}"
        ))),
    }
}

pub(super) async fn csv(
    State(state): State<AppState>,
    _session: RequireViewer,
    Query(pairs): Query<Pairs>,
) -> Result<Response, AdminError> {
    let request = ListState::from_pairs(&pairs).request(None, MAX_PAGE);
    // The first page is fetched before answering, so a catalog that does not answer is a "try again" page
    // rather than a broken download.
    let first = page(&state.catalog, &request).await?;
    let catalog = state.catalog.clone();
    let stream = futures::stream::unfold(
        (Some(first), request, catalog, true),
        async |(current, mut request, catalog, header)| {
            let current = current?;
            let chunk = lines(&current.rows, header);
            let next = match current.next {
                Some(cursor) => {
                    request.cursor = Some(cursor);
                    match page(&catalog, &request).await {
                        Ok(page) => Some(page),
                        Err(err) => {
                            // The download ends short; the file's last line tells the reader.
                            tracing::warn!(error = %err, "CSV export stopped early");
                            let mut chunk = chunk.to_vec();
                            chunk.extend_from_slice(
                                b"# the export stopped early: the catalog did not answer\n",
                            );
                            return Some((
                                Ok::<_, std::io::Error>(Bytes::from(chunk)),
                                (None, request, catalog, false),
                            ));
                        }
                    }
                }
                None => None,
            };
            Some((Ok(chunk), (next, request, catalog, false)))
        },
    );
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"products.csv\""),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_evaluate_is_written_as_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("Trail shoe"), "Trail shoe");
    }
}
