//! The admin's category endpoints (`rpc.catalog.admin.categories.*`) over NATS, checked through their replies,
//! the storefront's listing and the events the catalog publishes.

use std::time::Duration;

use catalog::domain::ProductStatus;
use platform::{
    contracts::{
        admin::{Actor, AdminReply, Command},
        catalog::ProductUpserted,
        catalog_admin::{
            CATEGORIES_CREATE, CATEGORIES_DELETE, CATEGORIES_MOVE, CATEGORIES_RENAME,
            CATEGORIES_TREE,
            categories::{
                AdminCategory, CategoryChanged, CategoryDeleted, CategoryTree, CreateCategory,
                DeleteCategory, MoveCategory, ProductCounts, RenameCategory, TreeRequest,
            },
        },
    },
    testing::{eventually, eventually_within},
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::helpers::{TestApp, product, spawn_app};

const TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn command<T>(body: T) -> Command<T> {
    Command {
        idempotency_key: Uuid::new_v4(),
        actor: Actor {
            staff_id: 7,
            email: "ann@shop.test".to_owned(),
        },
        body,
    }
}

pub(crate) async fn ask<Req: Serialize, Resp: DeserializeOwned>(
    app: &TestApp,
    subject: &str,
    request: &Req,
) -> AdminReply<Resp> {
    platform::rpc::call(&app.client, subject, request, TIMEOUT)
        .await
        .unwrap_or_else(|err| panic!("{subject}: {err}"))
}

async fn tree(app: &TestApp) -> Vec<AdminCategory> {
    match ask::<_, CategoryTree>(app, CATEGORIES_TREE, &TreeRequest {}).await {
        AdminReply::Ok(tree) => tree.categories,
        other => panic!("tree: {other:?}"),
    }
}

async fn category(app: &TestApp, slug: &str) -> AdminCategory {
    tree(app)
        .await
        .into_iter()
        .find(|c| c.slug == slug)
        .unwrap_or_else(|| panic!("no category {slug}"))
}

async fn create(app: &TestApp, parent_id: Option<u32>, name: &str) -> AdminCategory {
    let request = command(CreateCategory {
        parent_id,
        name: name.to_owned(),
    });
    match ask(app, CATEGORIES_CREATE, &request).await {
        AdminReply::Ok(category) => category,
        other => panic!("create {name}: {other:?}"),
    }
}

async fn move_to(
    app: &TestApp,
    category: &AdminCategory,
    new_parent_id: Option<u32>,
) -> AdminReply<CategoryChanged> {
    let request = command(MoveCategory {
        id: category.id,
        new_parent_id,
        expected_version: category.version,
    });
    ask(app, CATEGORIES_MOVE, &request).await
}

/// The SKUs the storefront lists in the category with `slug`, sorted.
async fn listed(app: &TestApp, slug: &str) -> Vec<String> {
    let body = app
        .get_ok(&format!("/api/products?category={slug}&limit=100"))
        .await;
    let mut skus: Vec<String> = body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap().to_owned())
        .collect();
    skus.sort();
    skus
}

/// The latest document of `sku` the catalog has published.
async fn last_document(app: &TestApp, sku: &str) -> Option<ProductUpserted> {
    platform::testing::streams::events_on::<ProductUpserted>(
        &app.client,
        "CATALOG",
        &format!("catalog.product.{sku}.upserted"),
    )
    .await
    .pop()
    .map(|envelope| envelope.data)
}

fn names(path: &[platform::contracts::catalog::CategoryRef]) -> Vec<&str> {
    path.iter().map(|c| c.name.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tree_counts_each_categorys_products_directly_and_with_descendants() {
    let app = spawn_app().await;
    let mut draft = product("K-3", "Old knife", "Acme", "5.00", &["Home", "Kitchen"], 1);
    draft.status = ProductStatus::Draft;
    app.load(vec![
        product("H-1", "Lamp", "Acme", "20.00", &["Home"], 1),
        product("K-1", "Pan", "Acme", "30.00", &["Home", "Kitchen"], 1),
        product("K-2", "Pot", "Acme", "35.00", &["Home", "Kitchen"], 0),
        draft,
        product("G-1", "Rake", "Acme", "15.00", &["Garden"], 1),
    ])
    .await;

    let tree = tree(&app).await;
    let shown: Vec<(&str, u8, u32)> = tree
        .iter()
        .map(|c| (c.slug.as_str(), c.depth, c.children))
        .collect();
    assert_eq!(
        shown,
        [("garden", 0, 0), ("home", 0, 1), ("home--kitchen", 1, 0)],
        "depth first, siblings by name"
    );
    let home = &tree[1];
    assert_eq!(home.path_names, ["Home"]);
    assert_eq!(
        home.products,
        ProductCounts {
            direct_all: 1,
            direct_active: 1,
            all: 4,
            active: 3
        }
    );
    let kitchen = &tree[2];
    assert_eq!(kitchen.path, [home.id, kitchen.id]);
    assert_eq!(kitchen.path_names, ["Home", "Kitchen"]);
    assert_eq!(
        kitchen.products,
        ProductCounts {
            direct_all: 3,
            direct_active: 2,
            all: 3,
            active: 2
        }
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_category_takes_its_subtree_and_its_products_along() {
    let app = spawn_app().await;
    app.load(vec![product(
        "T-1",
        "Spade",
        "Acme",
        "12.00",
        &["Garden", "Tools"],
        3,
    )])
    .await;
    let garden = category(&app, "garden").await;

    let request = command(RenameCategory {
        id: garden.id,
        name: "Garden & Patio".to_owned(),
        expected_version: garden.version,
    });
    let AdminReply::Ok(changed) =
        ask::<_, CategoryChanged>(&app, CATEGORIES_RENAME, &request).await
    else {
        panic!("rename refused");
    };
    assert_eq!(changed.category.slug, "garden-patio");
    assert_eq!(changed.category.version, garden.version + 1);
    assert_eq!(changed.products_updated, 1);
    let slugs: Vec<String> = tree(&app).await.into_iter().map(|c| c.slug).collect();
    assert_eq!(slugs, ["garden-patio", "garden-patio--tools"]);
    assert_eq!(listed(&app, "garden-patio--tools").await, ["T-1"]);

    eventually("the product's new category path is published", async || {
        last_document(&app, "T-1")
            .await
            .is_some_and(|doc| names(&doc.category_path) == ["Garden & Patio", "Tools"])
    })
    .await;

    // The version the admin saw is gone: a second rename from the same form is refused.
    let stale = command(RenameCategory {
        id: garden.id,
        name: "Yard".to_owned(),
        expected_version: garden.version,
    });
    assert_eq!(
        ask::<_, CategoryChanged>(&app, CATEGORIES_RENAME, &stale).await,
        AdminReply::Conflict {
            reason: "changed by someone else since you opened it".to_owned(),
            current_version: Some(garden.version + 1)
        }
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moved_categorys_products_are_found_under_the_new_ancestors_and_no_longer_under_the_old()
{
    let app = spawn_app().await;
    app.load(vec![
        product(
            "KN-1",
            "Chef knife",
            "Acme",
            "40.00",
            &["Home", "Kitchen", "Knives"],
            2,
        ),
        product("BA-1", "Towel", "Acme", "8.00", &["Home", "Bath"], 2),
        product("GA-1", "Hose", "Acme", "25.00", &["Garden"], 2),
    ])
    .await;
    let kitchen = category(&app, "home--kitchen").await;
    let garden = category(&app, "garden").await;

    let AdminReply::Ok(moved) = move_to(&app, &kitchen, Some(garden.id)).await else {
        panic!("move refused");
    };
    assert_eq!(moved.category.slug, "garden--kitchen");
    assert_eq!(moved.category.path, [garden.id, kitchen.id]);
    assert_eq!(moved.category.depth, 1);
    assert_eq!(moved.products_updated, 1);

    assert_eq!(listed(&app, "garden").await, ["GA-1", "KN-1"]);
    assert_eq!(listed(&app, "home").await, ["BA-1"]);
    assert_eq!(listed(&app, "garden--kitchen--knives").await, ["KN-1"]);
    let knives = category(&app, "garden--kitchen--knives").await;
    assert_eq!(knives.depth, 2);
    assert_eq!(knives.path_names, ["Garden", "Kitchen", "Knives"]);
    assert_eq!(category(&app, "home").await.products.all, 1);

    eventually("the product's new category path is published", async || {
        last_document(&app, "KN-1").await.is_some_and(|doc| {
            names(&doc.category_path) == ["Garden", "Kitchen", "Knives"]
                && !doc.categories.iter().any(|c| c.slug == "home")
        })
    })
    .await;

    // And to the top level.
    let kitchen = category(&app, "garden--kitchen").await;
    let AdminReply::Ok(moved) = move_to(&app, &kitchen, None).await else {
        panic!("move to the top refused");
    };
    assert_eq!(moved.category.slug, "kitchen");
    assert_eq!(listed(&app, "garden").await, ["GA-1"]);
    // The storefront reads its categories from a snapshot at most 10 s old: the new slug shows up within that.
    eventually_within(
        "the storefront lists the moved category by its new slug",
        Duration::from_secs(15),
        async || {
            let (status, body) = app.get("/api/products?category=kitchen").await;
            status == 200 && body["products"][0]["sku"] == "KN-1"
        },
    )
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_category_cannot_move_under_itself_or_one_of_its_descendants() {
    let app = spawn_app().await;
    let home = create(&app, None, "Home").await;
    let kitchen = create(&app, Some(home.id), "Kitchen").await;
    let knives = create(&app, Some(kitchen.id), "Knives").await;

    for target in [&home, &knives] {
        let refused = move_to(&app, &home, Some(target.id)).await;
        assert_eq!(
            refused,
            AdminReply::invalid(
                "new_parent_id",
                "cannot move a category under itself or one of its own subcategories"
            ),
            "under {}",
            target.name
        );
    }
    assert_eq!(
        move_to(&app, &home, Some(999_999)).await,
        AdminReply::invalid("new_parent_id", "no such category")
    );
    let slugs: Vec<String> = tree(&app).await.into_iter().map(|c| c.slug).collect();
    assert_eq!(slugs, ["home", "home--kitchen", "home--kitchen--knives"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn names_must_be_unique_among_siblings_and_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let home = create(&app, None, "Home").await;
    create(&app, Some(home.id), "Kitchen").await;
    let garden = create(&app, None, "Garden").await;
    let kitchen_elsewhere = create(&app, Some(garden.id), "Kitchen").await;

    let clash = command(CreateCategory {
        parent_id: Some(home.id),
        name: "kitchen".to_owned(),
    });
    assert_eq!(
        ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &clash).await,
        AdminReply::invalid("name", "there is already a category named “kitchen” here")
    );
    let root_clash = command(CreateCategory {
        parent_id: None,
        name: "HOME".to_owned(),
    });
    assert!(matches!(
        ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &root_clash).await,
        AdminReply::Invalid { errors } if errors[0].field == "name"
    ));
    let both_bad = command(CreateCategory {
        parent_id: Some(424_242),
        name: "  ".to_owned(),
    });
    let AdminReply::Invalid { errors } =
        ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &both_bad).await
    else {
        panic!("an empty name under no parent was accepted");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "parent_id"], "every bad field at once");

    assert!(matches!(
        move_to(&app, &kitchen_elsewhere, Some(home.id)).await,
        AdminReply::Invalid { errors } if errors[0].field == "new_parent_id"
    ));
    let rename = command(RenameCategory {
        id: garden.id,
        name: "Home".to_owned(),
        expected_version: garden.version,
    });
    assert!(matches!(
        ask::<_, CategoryChanged>(&app, CATEGORIES_RENAME, &rename).await,
        AdminReply::Invalid { errors } if errors[0].field == "name"
    ));
    assert_eq!(tree(&app).await.len(), 4, "nothing was written");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_category_without_products_or_subcategories_can_be_deleted() {
    let app = spawn_app().await;
    app.load(vec![product(
        "L-1",
        "Lamp",
        "Acme",
        "20.00",
        &["Home", "Lights"],
        1,
    )])
    .await;
    let home = category(&app, "home").await;
    let lights = category(&app, "home--lights").await;
    let empty = create(&app, Some(home.id), "Rugs").await;

    let delete = |category: &AdminCategory| {
        command(DeleteCategory {
            id: category.id,
            expected_version: category.version,
        })
    };
    assert_eq!(
        ask::<_, CategoryDeleted>(&app, CATEGORIES_DELETE, &delete(&lights)).await,
        AdminReply::Conflict {
            reason: "“Lights” still has 1 product: move or delete them first".to_owned(),
            current_version: None
        }
    );
    assert_eq!(
        ask::<_, CategoryDeleted>(&app, CATEGORIES_DELETE, &delete(&home)).await,
        AdminReply::Conflict {
            reason: "“Home” still has 1 product and 2 subcategories: move or delete them first"
                .to_owned(),
            current_version: None
        }
    );
    assert_eq!(
        ask::<_, CategoryDeleted>(&app, CATEGORIES_DELETE, &delete(&empty)).await,
        AdminReply::Ok(CategoryDeleted { id: empty.id })
    );
    assert_eq!(
        ask::<_, CategoryDeleted>(&app, CATEGORIES_DELETE, &delete(&empty)).await,
        AdminReply::NotFound {
            what: format!("category {}", empty.id)
        }
    );
    let slugs: Vec<String> = tree(&app).await.into_iter().map(|c| c.slug).collect();
    assert_eq!(slugs, ["home", "home--lights"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submitted_create_makes_one_category_and_answers_the_same() {
    let app = spawn_app().await;
    let request = command(CreateCategory {
        parent_id: None,
        name: "Toys".to_owned(),
    });
    let (first, second) = tokio::join!(
        ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &request),
        ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &request),
    );
    assert!(matches!(first, AdminReply::Ok(_)), "{first:?}");
    assert_eq!(first, second);
    let again = ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &request).await;
    assert_eq!(again, first);
    assert_eq!(tree(&app).await.len(), 1);

    // The same key for another command is refused, not replayed.
    let mut reused = request.clone();
    reused.body.name = "Games".to_owned();
    assert!(matches!(
        ask::<_, AdminCategory>(&app, CATEGORIES_CREATE, &reused).await,
        AdminReply::Invalid { errors } if errors[0].field == "idempotency_key"
    ));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trees_counts_read_one_narrow_index_not_the_link_rows() {
    use sqlx::Row as _;

    let app = spawn_app().await;
    let products: Vec<_> = (0..300)
        .map(|i| {
            let path: &[&str] = match i % 3 {
                0 => &["Audio", "Headphones"],
                1 => &["Audio", "Speakers"],
                _ => &["TV"],
            };
            product(
                &format!("CT-{i}"),
                &format!("Count {i}"),
                "Acme",
                "9.00",
                path,
                1,
            )
        })
        .collect();
    app.load(products).await;
    sqlx::query("ANALYZE TABLE product_categories")
        .execute(&app.pool)
        .await
        .unwrap();
    let sql = format!(
        "EXPLAIN {}",
        catalog::db::category_admin::product_counts_sql(0)
    );
    let plan = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(plan.len(), 1);
    let key: Option<String> = plan[0].try_get("key").unwrap();
    let extra: Option<String> = plan[0].try_get("Extra").unwrap();
    assert_eq!(
        key.as_deref(),
        Some("ix_product_categories_counts"),
        "{extra:?}"
    );
    assert!(
        extra.unwrap_or_default().contains("Using index"),
        "the index covers the query"
    );
    let audio = category(&app, "audio").await;
    assert_eq!(audio.products.all, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_of_more_products_than_one_batch_relinks_every_one() {
    let app = spawn_app().await;
    let count = catalog::admin::categories::PRODUCT_BATCH * 2 + 37;
    let products: Vec<_> = (0..count)
        .map(|i| {
            product(
                &format!("MV-{i}"),
                &format!("Mover {i}"),
                "Acme",
                "9.00",
                &["Home", "Kitchen"],
                1,
            )
        })
        .collect();
    app.load(products).await;
    let kitchen = category(&app, "home--kitchen").await;
    let garden = create(&app, None, "Garden").await;

    let AdminReply::Ok(moved) = move_to(&app, &kitchen, Some(garden.id)).await else {
        panic!("move refused");
    };
    assert_eq!(moved.products_updated, count as u64);
    assert_eq!(category(&app, "garden").await.products.all, count as u64);
    assert_eq!(category(&app, "home").await.products.all, 0);
    // The documents follow in batches right after the reply.
    eventually("every product's document is issued again", async || {
        let versions: Vec<u64> = sqlx::query_scalar("SELECT DISTINCT version FROM products")
            .fetch_all(&app.pool)
            .await
            .unwrap();
        let documents: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'catalog.product.MV-%.upserted'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        versions == [2] && documents == 2 * count as i64
    })
    .await;
    app.stop().await;
}
