//! Migration 0017 (issue 17.2): an integration that stored its own Custom hosts before keeps
//! its cloud kind (now the server's Custom entry) and loses the hosts, on both backends.

use countersign_domain::{IntegrationId, OrgId};
use countersign_store::{IntegrationStore, Store};
use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, PgConnection, Row, SqliteConnection};
use std::path::Path;

const EVIL: &str = "http://169.254.169.254";

/// A copy of the backend's migrations before `first_left_out` (a migration number).
pub(crate) async fn migrations_before(
    backend: &str,
    first_left_out: &str,
) -> (tempfile::TempDir, Migrator) {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < first_left_out {
            std::fs::copy(&path, dir.path().join(name)).unwrap();
        }
    }
    let migrator = Migrator::new(dir.path()).await.unwrap();
    (dir, migrator)
}

/// A SQLite and a PostgreSQL test of one migration: `$insert!(conn)` writes rows with the schema
/// before migration `$number` and returns what `$check(&store, &old)` expects after it.
macro_rules! migration_tests {
    ($sqlite:ident, $postgres:ident, $number:literal, $insert:ident, $check:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            let dir = tempfile::tempdir().unwrap();
            let (file, _options, mut conn) = crate::migration_0017::old_sqlite(&dir, $number).await;
            let old = $insert!(conn);
            sqlx::Connection::close(conn).await.unwrap();
            let store = Store::open_sqlite(&file).await.unwrap();
            $check(&store, &old).await;
            store.close().await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(admin_url) = crate::migration_0017::postgres_admin_url() else {
                return;
            };
            let (_guard, url, mut conn) =
                crate::migration_0017::old_postgres(&admin_url, $number).await;
            let old = $insert!(conn);
            sqlx::Connection::close(conn).await.unwrap();
            let store = Store::connect_postgres(&url, 2).await.unwrap();
            $check(&store, &old).await;
            store.close().await;
        }
    };
}
pub(crate) use migration_tests;

/// The PostgreSQL server's admin URL; `None` only when the PostgreSQL tests are skipped on
/// purpose (`COUNTERSIGN_SKIP_POSTGRES=1`): a missing URL fails the test otherwise.
pub(crate) fn postgres_admin_url() -> Option<String> {
    let url = std::env::var("COUNTERSIGN_TEST_POSTGRES_URL").ok();
    if url.is_none() {
        assert_eq!(
            std::env::var("COUNTERSIGN_SKIP_POSTGRES").as_deref(),
            Ok("1"),
            "COUNTERSIGN_TEST_POSTGRES_URL is not set"
        );
    }
    url
}

/// A new SQLite database in `dir` migrated up to (not including) `first_left_out`: its file,
/// connection options that do not check foreign keys, and a connection.
pub(crate) async fn old_sqlite(
    dir: &tempfile::TempDir,
    first_left_out: &str,
) -> (
    std::path::PathBuf,
    sqlx::sqlite::SqliteConnectOptions,
    SqliteConnection,
) {
    let (_old, migrator) = migrations_before("sqlite", first_left_out).await;
    let file = dir.path().join("countersign.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .foreign_keys(false);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    migrator.run(&mut conn).await.unwrap();
    (file, options, conn)
}

/// A new PostgreSQL database migrated up to (not including) `first_left_out`, with a
/// connection that does not check foreign keys (rows of an org the test does not create).
/// The guard drops the database at the end, even when an assertion fails.
pub(crate) async fn old_postgres(
    admin_url: &str,
    first_left_out: &str,
) -> (crate::harness::PgDatabase, String, PgConnection) {
    let (_old, migrator) = migrations_before("postgres", first_left_out).await;
    let name = format!(
        "cs_test_m{first_left_out}_{}",
        uuid::Uuid::new_v4().simple()
    );
    let mut admin = PgConnection::connect(admin_url).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    admin.close().await.ok();
    let guard = crate::harness::PgDatabase {
        admin_url: admin_url.to_owned(),
        name: name.clone(),
    };
    let url = crate::harness::with_database(admin_url, &name);
    let mut conn = PgConnection::connect(&url).await.unwrap();
    migrator.run(&mut conn).await.unwrap();
    conn.execute("SET session_replication_role = replica")
        .await
        .unwrap();
    (guard, url, conn)
}

const INSERT: &str = "INSERT INTO integrations (id, org_id, kind, name, cloud, login_base_url, \
     graph_base_url, skip_guests, skip_disabled, skip_unlicensed, gdap_status, created_at, \
     updated_at) VALUES ($1, $2, 'microsoft365', 'Old', 'custom', $3, $3, $4, $4, $4, 'none', 0, 0)";

/// Inserts the integration row as it was before 0017 (Custom, with its own hosts).
macro_rules! insert_old_row {
    ($conn:expr) => {{
        let (org, id) = (OrgId::new(), IntegrationId::new());
        sqlx::query(INSERT)
            .bind(id.0)
            .bind(org.0)
            .bind(EVIL)
            .bind(false)
            .execute(&mut $conn)
            .await
            .unwrap();
        (org, id)
    }};
}

/// The row's text columns that remain after every migration (0027 dropped the host columns
/// and moved the rest of the kind's fields into `settings`): no host may be left in them.
macro_rules! stored_hosts {
    ($conn:expr) => {
        sqlx::query("SELECT name, settings FROM integrations")
            .fetch_one(&mut $conn)
            .await
            .unwrap()
    };
}

async fn carried_across(store: &Store, org: OrgId, id: IntegrationId) {
    let i = store.integration(org, id).await.unwrap();
    // Since 0027 the cloud is in the kind's settings.
    let settings: serde_json::Value = serde_json::from_str(&i.settings).unwrap();
    assert_eq!(
        settings["cloud"], "custom",
        "the kind is kept: the server's Custom entry"
    );
    assert_eq!(settings["gdap_pending"], serde_json::Value::Null);
}

#[tokio::test]
async fn migration_0017_erases_stored_hosts_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (file, options, mut conn) = old_sqlite(&dir, "0017").await;
    let (org, id) = insert_old_row!(conn);
    conn.close().await.unwrap();

    let store = Store::open_sqlite(&file).await.unwrap();
    carried_across(&store, org, id).await;
    store.close().await;
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    let row = stored_hosts!(conn);
    for column in 0..2 {
        assert!(!row.get::<String, _>(column).contains(EVIL));
    }
}

#[tokio::test]
async fn migration_0017_erases_stored_hosts_postgres() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let (_guard, url, mut conn) = old_postgres(&admin_url, "0017").await;
    let (org, id) = insert_old_row!(conn);
    conn.close().await.unwrap();
    let store = Store::connect_postgres(&url, 2).await.unwrap();
    carried_across(&store, org, id).await;
    store.close().await;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let row = stored_hosts!(conn);
    let texts = (row.get::<String, _>(0), row.get::<String, _>(1));
    conn.close().await.unwrap();
    assert!(
        !texts.0.contains(EVIL) && !texts.1.contains(EVIL),
        "{texts:?}"
    );
}
