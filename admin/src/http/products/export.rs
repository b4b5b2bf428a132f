//! CSV export of the filtered products list, streamed a page of `products.list` at a time
//! ([`crate::http::csv_export`]).

use axum::{
    extract::{Query, State},
    response::Response,
};
use platform::contracts::{
    admin::AdminReply,
    catalog_admin::{
        PRODUCTS_LIST,
        listing::{ListProducts, MAX_PAGE, ProductPage},
    },
};

use super::{ListState, Pairs};
use crate::{
    http::{
        AppState,
        csv_export::{self, CsvPage, cell},
        error::AdminError,
        extract::RequireViewer,
    },
    services::ServiceClient,
};

impl CsvPage for ProductPage {
    const HEADER: &'static [&'static str] = &[
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

    fn records(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                vec![
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
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        self.next.clone()
    }
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
    let first = page(&state.catalog, &request).await?;
    let catalog = state.catalog.clone();
    Ok(csv_export::stream(
        "products.csv",
        "catalog",
        first,
        move |cursor| {
            let catalog = catalog.clone();
            let request = ListProducts {
                cursor: Some(cursor),
                ..request.clone()
            };
            async move { page(&catalog, &request).await }
        },
    ))
}
