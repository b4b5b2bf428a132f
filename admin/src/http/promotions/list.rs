//! The promotions list, newest first in keyset pages: what each takes off and from what, how it is applied
//! (automatically, by its code, by single-use codes), its state and window, uses against its limit, and the
//! revenue and discount of the orders holding a use of it; and the same list as CSV, streamed a page at a
//! time ([`crate::http::csv_export`]). Money is shown as checkout sends it (exact decimals).

use axum::{
    extract::{Query, State},
    response::Response,
};
use chrono::{DateTime, Utc};
use platform::contracts::{
    admin::AdminReply,
    promotions_admin::{
        ListPromotions, MAX_EXPORT_PAGE, MAX_PAGE, PROMOTIONS_LIST, PromotionKind, PromotionPage,
        PromotionRow, PromotionScope,
    },
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    http::{
        AppState,
        csv_export::{self, CsvPage, cell},
        error::AdminError,
        extract::RequireViewer,
        forms::Pairs,
        listing::Keyset,
        orders::when,
        render::Page,
    },
    services::ServiceClient,
};

/// The list's path.
const LIST_PATH: &str = "/admin/promotions";
/// Rows per page.
const PAGE_ROWS: u32 = 50;

/// What a promotion takes off, in words: "10% off", "5.00 USD off", "Free shipping".
pub(super) fn benefit(kind: PromotionKind, value: Option<Decimal>, currency: &str) -> String {
    match (kind, value) {
        (PromotionKind::PercentOff, Some(percent)) => format!("{}% off", percent.normalize()),
        (PromotionKind::AmountOff, Some(amount)) => format!("{amount} {currency} off"),
        (PromotionKind::FreeShipping, _) => "Free shipping".to_owned(),
        (kind, _) => kind.to_string(),
    }
}

/// What a promotion applies to, in words: "Whole order", "3 categories".
fn scope_label(scope: PromotionScope, targets: u32) -> String {
    let (one, many) = match scope {
        PromotionScope::Order => return "Whole order".to_owned(),
        PromotionScope::Categories => ("category", "categories"),
        PromotionScope::Brands => ("brand", "brands"),
        PromotionScope::Skus => ("SKU", "SKUs"),
        PromotionScope::Unknown => return scope.to_string(),
    };
    format!("{targets} {}", if targets == 1 { one } else { many })
}

/// When a promotion applies, in words (UTC).
fn window(starts_at: Option<DateTime<Utc>>, ends_at: Option<DateTime<Utc>>) -> String {
    match (starts_at, ends_at) {
        (None, None) => "Always".to_owned(),
        (Some(starts), None) => format!("From {}", when(starts)),
        (None, Some(ends)) => format!("Until {}", when(ends)),
        (Some(starts), Some(ends)) => format!("{} – {}", when(starts), when(ends)),
    }
}

/// How shoppers get it, in words: "Automatic", its code, its single-use codes.
fn applied_by(row: &PromotionRow) -> String {
    let mut ways = Vec::new();
    if row.automatic {
        ways.push("Automatic".to_owned());
    }
    if let Some(code) = &row.code {
        ways.push(format!("Code {code}"));
    }
    if row.single_use_codes > 0 {
        ways.push(format!("{} single-use codes", row.single_use_codes));
    }
    if ways.is_empty() {
        "No code yet".to_owned()
    } else {
        ways.join(", ")
    }
}

/// One promotion as the list shows it.
#[derive(Debug, Serialize)]
struct RowView {
    id: u64,
    name: String,
    benefit: String,
    scope: String,
    applied_by: String,
    state: String,
    window: String,
    uses: u32,
    max_uses: Option<u32>,
    revenue: String,
    discount: String,
}

impl RowView {
    fn of(row: PromotionRow, currency: &str) -> Self {
        Self {
            benefit: benefit(row.kind, row.value, currency),
            scope: scope_label(row.scope, row.target_count),
            applied_by: applied_by(&row),
            state: row.state.to_string(),
            window: window(row.starts_at, row.ends_at),
            uses: row.stats.uses,
            max_uses: row.max_uses,
            revenue: row.stats.revenue.to_string(),
            discount: row.stats.discount.to_string(),
            id: row.id,
            name: row.name,
        }
    }
}

async fn page(
    checkout: &ServiceClient,
    request: &ListPromotions,
) -> Result<Result<PromotionPage, String>, AdminError> {
    match checkout.call(PROMOTIONS_LIST, request).await? {
        AdminReply::Ok(page) => Ok(Ok(page)),
        AdminReply::Invalid { errors } => Ok(Err(crate::http::forms::detail_of(&errors))),
        other => Err(AdminError::Internal(anyhow::anyhow!(
            "the promotion list was refused: {other:?}"
        ))),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    session: RequireViewer,
    Query(pairs): Query<Pairs>,
) -> Result<Response, AdminError> {
    let keyset = Keyset::from_pairs(&pairs);
    let request = ListPromotions {
        cursor: keyset.cursor(),
        limit: Some(PAGE_ROWS.min(MAX_PAGE)),
        export: false,
    };
    let (page, refused) = match page(&state.checkout, &request).await? {
        Ok(page) => (page, None),
        Err(reason) => (
            PromotionPage {
                rows: Vec::new(),
                currency: String::new(),
                next: None,
            },
            Some(reason),
        ),
    };
    let pager = keyset.pager(LIST_PATH, "", page.next.as_deref());
    let currency = page.currency;
    let rows: Vec<RowView> = page
        .rows
        .into_iter()
        .map(|row| RowView::of(row, &currency))
        .collect();
    Ok(state.render(
        Some(&session),
        Page::new("promotions/list.html", "Promotions", "promotions")
            .with("rows", &rows)
            .with("currency", &currency)
            .with("pager", &pager)
            .with("refused", &refused),
    ))
}

impl CsvPage for PromotionPage {
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "kind",
        "value",
        "scope",
        "target_count",
        "automatic",
        "code",
        "single_use_codes",
        "state",
        "starts_at",
        "ends_at",
        "uses",
        "max_uses",
        "revenue",
        "discount",
        "currency",
    ];

    fn records(&self) -> Vec<Vec<String>> {
        let time = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339()).unwrap_or_default();
        let text = |value: Option<String>| value.unwrap_or_default();
        self.rows
            .iter()
            .map(|row| {
                vec![
                    row.id.to_string(),
                    cell(&row.name),
                    row.kind.to_string(),
                    text(row.value.map(|v| v.to_string())),
                    row.scope.to_string(),
                    row.target_count.to_string(),
                    row.automatic.to_string(),
                    text(row.code.clone()),
                    row.single_use_codes.to_string(),
                    row.state.to_string(),
                    time(row.starts_at),
                    time(row.ends_at),
                    row.stats.uses.to_string(),
                    text(row.max_uses.map(|m| m.to_string())),
                    row.stats.revenue.to_string(),
                    row.stats.discount.to_string(),
                    cell(&self.currency),
                ]
            })
            .collect()
    }

    fn next(&self) -> Option<String> {
        self.next.clone()
    }
}

/// One page of the export, a refusal being a failure (the export sends no cursor of its own making).
async fn export_page(
    checkout: &ServiceClient,
    request: &ListPromotions,
) -> Result<PromotionPage, AdminError> {
    page(checkout, request).await?.map_err(|reason| {
        AdminError::Internal(anyhow::anyhow!(
            "the promotion export was refused: {reason}"
        ))
    })
}

pub(super) async fn csv(
    State(state): State<AppState>,
    _session: RequireViewer,
) -> Result<Response, AdminError> {
    let request = ListPromotions {
        cursor: None,
        limit: Some(MAX_EXPORT_PAGE),
        export: true,
    };
    let first = export_page(&state.checkout, &request).await?;
    let checkout = state.checkout.clone();
    Ok(csv_export::stream(
        "promotions.csv",
        "checkout",
        first,
        move |cursor| {
            let checkout = checkout.clone();
            let request = ListPromotions {
                cursor: Some(cursor),
                ..request.clone()
            };
            async move { export_page(&checkout, &request).await }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benefits_scopes_and_windows_read_as_words() {
        assert_eq!(
            benefit(
                PromotionKind::PercentOff,
                Some(Decimal::new(1000, 2)),
                "USD"
            ),
            "10% off"
        );
        assert_eq!(
            benefit(PromotionKind::AmountOff, Some(Decimal::new(500, 2)), "USD"),
            "5.00 USD off"
        );
        assert_eq!(
            benefit(PromotionKind::FreeShipping, None, "USD"),
            "Free shipping"
        );
        assert_eq!(scope_label(PromotionScope::Skus, 1), "1 SKU");
        assert_eq!(scope_label(PromotionScope::Categories, 3), "3 categories");
        assert_eq!(window(None, None), "Always");
        assert_eq!(
            window(Some(DateTime::UNIX_EPOCH), None),
            "From 1970-01-01 00:00 UTC"
        );
    }
}
