//! Calling the catalog's admin endpoints as the web admin does: commands with an idempotency key and an actor,
//! replies as the contract spells them.

use std::time::Duration;

use platform::contracts::{
    admin::{Actor, AdminReply, Command},
    catalog_admin::{
        PRODUCTS_GET, PRODUCTS_LIST, PRODUCTS_SAVE,
        listing::{ListProducts, ProductPage},
        products::{GetProduct, ProductDetail, SaveProduct, SavedProduct},
    },
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

const TIMEOUT: Duration = Duration::from_secs(20);

pub(crate) fn command<T>(body: T) -> Command<T> {
    Command {
        idempotency_key: Uuid::new_v4(),
        actor: Actor {
            staff_id: 1,
            email: "ann@shop.test".to_owned(),
        },
        body,
    }
}

pub(crate) async fn call<Req: Serialize, Resp: DeserializeOwned>(
    app: &TestApp,
    subject: &str,
    request: &Req,
) -> Resp {
    platform::rpc::call(&app.client, subject, request, TIMEOUT)
        .await
        .unwrap_or_else(|err| panic!("{subject}: {err}"))
}

/// The form of a plain product (one variant) as JSON, to adjust before sending.
pub(crate) fn plain(sku: &str, name: &str, price: &str, on_hand: u32) -> Value {
    json!({
        "name": name, "brand": "Acme", "status": "active",
        "variants": [{"sku": sku, "price": price, "initial_on_hand": on_hand}]
    })
}

pub(crate) fn form(value: Value) -> SaveProduct {
    serde_json::from_value(value).expect("a valid form shape")
}

pub(crate) async fn save(app: &TestApp, value: Value) -> AdminReply<SavedProduct> {
    call(app, PRODUCTS_SAVE, &command(form(value))).await
}

/// Saves a form that must be accepted.
pub(crate) async fn saved(app: &TestApp, value: Value) -> SavedProduct {
    match save(app, value).await {
        AdminReply::Ok(saved) => saved,
        other => panic!("save refused: {other:?}"),
    }
}

pub(crate) async fn get(app: &TestApp, id: u32) -> ProductDetail {
    match call(app, PRODUCTS_GET, &GetProduct { id }).await {
        AdminReply::Ok(detail) => detail,
        other => panic!("get {id}: {other:?}"),
    }
}

pub(crate) async fn list(app: &TestApp, request: &ListProducts) -> ProductPage {
    match call(app, PRODUCTS_LIST, request).await {
        AdminReply::Ok(page) => page,
        other => panic!("list {request:?}: {other:?}"),
    }
}

/// The fields of an `Invalid` reply.
pub(crate) fn invalid_fields<T: std::fmt::Debug>(reply: &AdminReply<T>) -> Vec<String> {
    match reply {
        AdminReply::Invalid { errors } => errors.iter().map(|e| e.field.clone()).collect(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}
