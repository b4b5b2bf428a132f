//! The parts of the backup tool that need neither MariaDB nor NATS: reading its database URL, and refusing a
//! damaged or incomplete backup. The whole tool (create, list, verify, restore against real MariaDB, NATS and
//! moto's S3) is rehearsed by the system test `backup::a_backup_restored_onto_an_empty_host_brings_the_shop_back`.

use std::path::{Path, PathBuf};

use backup::{
    database::Server,
    manifest::{FORMAT, FileEntry, Manifest},
    store::Store,
};
use secrecy::{ExposeSecret as _, SecretString};

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shop-backup-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_database_url_gives_host_port_user_and_a_decoded_password() {
    let server = Server::from_url(&SecretString::from(
        "mysql://root:p%40ss%2Fword@mariadb:3307".to_owned(),
    ))
    .unwrap();
    assert_eq!(
        (server.host.as_str(), server.port, server.user.as_str()),
        ("mariadb", 3307, "root")
    );
    assert_eq!(server.password.unwrap().expose_secret(), "p@ss/word");

    let refused = Server::from_url(&SecretString::from("postgres://u:hunter2@db".to_owned()))
        .unwrap_err()
        .to_string();
    assert!(!refused.contains("hunter2"), "{refused}");
}

async fn one_file_backup(store_dir: &Path, name: &str) -> Manifest {
    let dir = store_dir.join(name);
    tokio::fs::create_dir_all(&dir).await.unwrap();
    tokio::fs::write(dir.join("mariadb.sql.gz"), b"not really a dump")
        .await
        .unwrap();
    let manifest = Manifest {
        format: FORMAT,
        name: name.to_owned(),
        started_at: chrono::Utc::now(),
        finished_at: chrono::Utc::now(),
        schemas: vec!["catalog".to_owned()],
        streams: Vec::new(),
        files: vec![FileEntry::of(&dir, "mariadb.sql.gz").await.unwrap()],
    };
    manifest.write(&dir).await.unwrap();
    manifest
}

#[tokio::test]
async fn a_damaged_file_or_a_backup_without_manifest_is_never_used() {
    let store_dir = scratch_dir();
    let store = Store::Dir(store_dir.clone());
    one_file_backup(&store_dir, "20261201T031500Z").await;
    // An interrupted backup: files, no manifest.
    tokio::fs::create_dir_all(store_dir.join("20261202T031500Z"))
        .await
        .unwrap();

    assert_eq!(store.list().await.unwrap(), ["20261201T031500Z"]);
    let (_, manifest) = store.fetch("20261201T031500Z", &store_dir).await.unwrap();
    assert_eq!(manifest.schemas, ["catalog"]);
    assert!(store.fetch("20261202T031500Z", &store_dir).await.is_err());
    assert!(
        store
            .fetch("../20261201T031500Z", &store_dir)
            .await
            .is_err()
    );

    // One byte changed: the restore stops before touching anything.
    tokio::fs::write(
        store_dir.join("20261201T031500Z/mariadb.sql.gz"),
        b"not really a dumq",
    )
    .await
    .unwrap();
    let damaged = store
        .fetch("20261201T031500Z", &store_dir)
        .await
        .unwrap_err();
    assert!(format!("{damaged:#}").contains("damaged"), "{damaged:#}");
    let _ = std::fs::remove_dir_all(&store_dir);
}
