//! What a test asks the service that owns some data, the way any other service or the admin would: through its
//! NATS endpoints or the events it publishes, never by reading its tables. A test checks one service's effects
//! on another this way, so that it keeps working when the owner changes its schema.

use std::time::Duration;

use crate::{
    contracts::{
        catalog::{QUOTE, QuoteReply, QuoteRequest, StockChanged},
        mailer::{self, EmailCounts},
        orders::{self, CheckoutCounts},
    },
    rpc::call,
    streams::CATALOG_STREAM,
};

/// How long a test waits for a service's answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// Units of `sku` the catalog has for sale now (`rpc.catalog.quote`): on hand minus reserved, exact at the
/// moment of asking. `client` must be allowed to quote (`ops`, `checkout`).
pub async fn available(client: &async_nats::Client, sku: &str) -> u32 {
    let reply: QuoteReply = call(
        client,
        QUOTE,
        &QuoteRequest {
            skus: vec![sku.to_owned()],
        },
        ANSWER_WITHIN,
    )
    .await
    .unwrap_or_else(|err| panic!("quoting {sku}: {err}"));
    let QuoteReply::Ok(quote) = reply else {
        panic!("the catalog refused to quote {sku}: {reply:?}")
    };
    quote
        .items
        .iter()
        .find(|item| item.sku == sku)
        .unwrap_or_else(|| panic!("the catalog does not know {sku}: {quote:?}"))
        .available
}

/// Every stock change of `sku` the catalog has published (`catalog.stock.<SKU>.changed` on `CATALOG`), oldest
/// first. Each carries the units on hand and reserved after the change, and the order that caused it.
pub async fn stock_changes(client: &async_nats::Client, sku: &str) -> Vec<StockChanged> {
    super::events_on::<StockChanged>(client, CATALOG_STREAM, &stock_subject(sku))
        .await
        .into_iter()
        .map(|envelope| envelope.data)
        .collect()
}

/// `(on hand, reserved)` of `sku` as the catalog's latest published stock change says, `None` before its first
/// change. The catalog publishes a product's changes in the order it made them (each one holds the product's
/// inventory row while writing its event), so once its relay has caught up this is the stock in its database.
pub async fn stock(client: &async_nats::Client, sku: &str) -> Option<(u32, u32)> {
    let message = super::last_message(client, CATALOG_STREAM, &stock_subject(sku)).await?;
    let envelope: crate::events::Envelope<StockChanged> = serde_json::from_slice(&message.payload)
        .unwrap_or_else(|err| {
            panic!("the last stock change of {sku} is not a StockChanged: {err}")
        });
    Some((envelope.data.on_hand, envelope.data.reserved))
}

fn stock_subject(sku: &str) -> String {
    format!("catalog.stock.{sku}.changed")
}

/// The mailer's email log counted by state (`rpc.mailer.counts`). `client` must be allowed to ask (`ops`).
pub async fn email_counts(client: &async_nats::Client) -> EmailCounts {
    call(
        client,
        mailer::COUNTS,
        &mailer::CountsRequest {},
        ANSWER_WITHIN,
    )
    .await
    .unwrap_or_else(|err| panic!("asking the mailer for its email counts: {err}"))
}

/// Checkout's orders by state, unconfirmed stock releases and charges by outcome (`rpc.checkout.counts`).
/// `client` must be allowed to ask (`ops`).
pub async fn checkout_counts(client: &async_nats::Client) -> CheckoutCounts {
    call(
        client,
        orders::COUNTS,
        &orders::CountsRequest {},
        ANSWER_WITHIN,
    )
    .await
    .unwrap_or_else(|err| panic!("asking checkout for its counts: {err}"))
}
