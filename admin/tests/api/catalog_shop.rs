//! The admin with a real catalog behind it, for the category and stock pages (and the catalog service of the
//! products pages' own shop): the catalog service runs in the test on the same nats-server (its own scratch
//! database), loaded the way `catalog import` loads a file; the admin reaches it only over
//! `rpc.catalog.admin.*`.

use admin::{config::Config, domain::Role};
use platform::{
    s3::BucketConfig,
    testing::{NatsServer, TestProduct, TestService, spawn_service},
};

use crate::helpers::{Browser, ORIGIN, TestApp, spawn_app_on};

/// The admin and the catalog it manages, with a staff member, a viewer and the owner signed in.
pub(crate) struct Shop {
    pub(crate) admin: TestApp,
    pub(crate) catalog: TestService,
}

pub(crate) async fn shop(products: Vec<TestProduct>) -> Shop {
    let nats = NatsServer::start();
    let catalog = spawn_catalog(&nats, catalog::testing::no_bucket()).await;
    catalog::testing::load(
        &catalog.pool,
        products
            .into_iter()
            .map(catalog::testing::new_product)
            .collect(),
    )
    .await;
    let admin = spawn_app_on(nats, Config::for_tests(ORIGIN)).await;
    admin.staff_member("staff@shop.test", Role::Staff).await;
    admin.staff_member("viewer@shop.test", Role::Viewer).await;
    Shop { admin, catalog }
}

/// The catalog service on `nats`, with its own scratch database and its photos in `images`.
pub(crate) async fn spawn_catalog(nats: &NatsServer, images: BucketConfig) -> TestService {
    let config = catalog::config::Config {
        images,
        ..catalog::testing::config()
    };
    spawn_service(
        catalog::SERVICE,
        &catalog::MIGRATOR,
        nats,
        async |runtime| {
            catalog::start(runtime, config)
                .await
                .expect("the catalog starts")
        },
    )
    .await
}

impl Shop {
    pub(crate) async fn staff(&self) -> Browser {
        self.admin
            .signed_in("staff@shop.test", "203.0.113.10")
            .await
    }

    pub(crate) async fn viewer(&self) -> Browser {
        self.admin
            .signed_in("viewer@shop.test", "203.0.113.11")
            .await
    }

    /// Who the last refused access was audited for.
    pub(crate) async fn last_refused_access(&self) -> String {
        self.admin
            .last_audit("access.refused")
            .await
            .expect("the refusal is audited")
            .1
    }

    pub(crate) async fn stop(self) {
        self.admin.stop().await;
        self.catalog.stop().await;
    }
}

/// The id in the first link `href="<prefix><id>"` whose text is `text`.
pub(crate) fn linked_id(html: &str, prefix: &str, text: &str) -> Option<u32> {
    let marker = format!("\">{text}</a>");
    let end = html.find(&marker)?;
    let start = html[..end].rfind(prefix)? + prefix.len();
    html[start..end].parse().ok()
}

/// The value of hidden input `name` inside the form posting to `action`.
pub(crate) fn form_value(html: &str, action: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("action=\"{action}\""))?;
    let end = html[start..].find("</form>")? + start;
    crate::helpers::hidden_value(&html[start..end], name)
}
