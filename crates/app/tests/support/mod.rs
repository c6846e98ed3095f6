//! What several app test files start with: an app on SQLite with cheap Argon2 and its first
//! admin. Each test file compiles its own copy and uses part of it.
#![allow(dead_code)]

use countersign_app::{App, ManualClock, Settings};
use countersign_domain::Email;
use countersign_store::JobStore as _;
use countersign_store::Technician;
use std::sync::Arc;

/// An app on SQLite in `dir` (cheap Argon2, `configure` changes the rest of its settings) and
/// the admin of its first org, Acme IT.
pub async fn app_with_admin(
    dir: &tempfile::TempDir,
    configure: impl FnOnce(&mut Settings),
) -> (App, Technician) {
    let app = start(&settings(dir, configure)).await;
    let admin = first_admin(&app).await;
    (app, admin)
}

/// Settings for an app on SQLite in `dir` (cheap Argon2), changed by `configure`.
pub fn settings(dir: &tempfile::TempDir, configure: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    configure(&mut settings);
    settings.validate().unwrap();
    settings
}

/// Settings on a fresh database: a SQLite file in `dir`, or (with `postgres`) a new database
/// on the PostgreSQL test server named `{prefix}_…`, returned as (server admin URL, name) so
/// the test can drop it. `tweak` then changes what the test needs.
pub async fn settings_on(
    postgres: bool,
    prefix: &str,
    dir: &tempfile::TempDir,
    tweak: impl FnOnce(&mut Settings),
) -> (Settings, Option<(String, String)>) {
    let database = if postgres {
        Some(postgres_database(prefix).await)
    } else {
        None
    };
    let settings = settings(dir, |s| {
        if let Some((_, _, url)) = &database {
            s.storage.database_url.clone_from(url);
        }
        tweak(s);
    });
    (settings, database.map(|(admin, name, _)| (admin, name)))
}

/// Starts an app as the server does (migrations, key file, start-up work).
pub async fn start(settings: &Settings) -> App {
    App::start(settings.clone(), Arc::new(ManualClock::starting_now()))
        .await
        .unwrap()
}

/// Creates the first org, Acme IT, and returns its admin.
pub async fn first_admin(app: &App) -> Technician {
    app.create_admin(
        "Acme IT",
        &Email::parse("admin@acme.test").unwrap(),
        "plum orbit velvet 42",
    )
    .await
    .unwrap()
    .technician
}

/// A fresh database on the PostgreSQL test server (`COUNTERSIGN_TEST_POSTGRES_URL`), named
/// `{prefix}_{uuid}`: (the server's admin URL, the database name, the database's URL).
pub async fn postgres_database(prefix: &str) -> (String, String, String) {
    use sqlx::{Connection, Executor};
    let admin = std::env::var("COUNTERSIGN_TEST_POSTGRES_URL")
        .expect("COUNTERSIGN_TEST_POSTGRES_URL must point at a PostgreSQL server");
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    (admin, name, url)
}

/// Drops a database made by [`postgres_database`].
pub async fn drop_postgres_database(admin: &str, name: &str) {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Claims up to `limit` due jobs as one worker and runs each once; how many ran.
pub async fn run_due(
    app: &App,
    transports: &countersign_app::messages::Transports,
    limit: i64,
) -> usize {
    let now = app.now();
    let jobs = app
        .store()
        .claim_jobs(
            "test-worker",
            now,
            now.plus(std::time::Duration::from_secs(60)),
            limit,
        )
        .await
        .unwrap();
    for job in &jobs {
        countersign_app::jobs::run_job(app, transports, job)
            .await
            .unwrap();
    }
    jobs.len()
}
