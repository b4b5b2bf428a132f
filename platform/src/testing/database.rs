//! A scratch MariaDB database per test.

use sqlx::{Connection as _, MySqlConnection, MySqlPool, migrate::Migrator};

/// Default administrative URL for test databases.
pub const DEFAULT_TEST_DATABASE_URL: &str = "mysql://shop_test:shop_test@127.0.0.1:3306";

/// A freshly created, empty database named after the test; dropped by [`TestDatabase::drop_database`] or
/// by the next run of the test command, which removes every leftover `t_%` database.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    pub name: String,
    admin_url: String,
}

impl TestDatabase {
    /// Creates database `t_<label>_<random>`.
    pub async fn create(label: &str) -> Self {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned());
        let admin_url = admin_url.trim_end_matches('/').to_owned();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("t_{}_{}", label.replace('-', "_"), &suffix[..12]);
        let mut admin = MySqlConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|err| {
                panic!("cannot connect to {admin_url} (TEST_DATABASE_URL): {err}")
            });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )))
        .execute(&mut admin)
        .await
        .expect("cannot create test database");
        Self { name, admin_url }
    }

    /// The URL of this database, as the admin user.
    pub fn url(&self) -> String {
        format!("{}/{}", self.admin_url, self.name)
    }

    /// A pool on this database, migrated with `migrator` when given.
    pub async fn pool(&self, migrator: Option<&Migrator>) -> MySqlPool {
        let pool = MySqlPool::connect(&self.url())
            .await
            .expect("cannot connect to test database");
        if let Some(migrator) = migrator {
            migrator.run(&pool).await.expect("migrations failed");
        }
        pool
    }

    pub async fn drop_database(self) {
        if let Ok(mut admin) = MySqlConnection::connect(&self.admin_url).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS `{}`",
                self.name
            )))
            .execute(&mut admin)
            .await;
        }
    }
}
