//! Databases for the scenarios: a temporary SQLite file, or a uniquely named PostgreSQL
//! database created through the admin URL and dropped (by a `Drop` guard) afterwards.

use countersign_store::Store;
use sqlx::{Connection, Executor, PgConnection};
use std::time::Duration;
use tempfile::TempDir;

/// Admin URL of the PostgreSQL server the PostgreSQL tests use.
const POSTGRES_URL_VAR: &str = "COUNTERSIGN_TEST_POSTGRES_URL";
/// Set to `1` to skip the PostgreSQL tests on purpose.
const SKIP_POSTGRES_VAR: &str = "COUNTERSIGN_SKIP_POSTGRES";

/// A store on a database of its own.
pub struct TestDb {
    pub store: Store,
    /// The database's URL, for scenarios that play an attacker with direct database access.
    pub url: String,
    // Dropped after `store`: removes the file or the database.
    _guard: Guard,
}

/// Held for its `Drop`: removes the temporary directory or drops the database.
enum Guard {
    Sqlite { _dir: TempDir },
    Postgres { _database: PgDatabase },
}

impl TestDb {
    /// A store on a new SQLite file in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("countersign.db");
        let store = Store::open_sqlite(&path).await.expect("open SQLite store");
        Self {
            store,
            url: format!("sqlite://{}", path.display()),
            _guard: Guard::Sqlite { _dir: dir },
        }
    }

    /// A store on a new PostgreSQL database, or `None` when the PostgreSQL tests are skipped
    /// on purpose. Panics when the server is not configured.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            if std::env::var(SKIP_POSTGRES_VAR).is_ok_and(|v| v == "1") {
                eprintln!("skipping: {SKIP_POSTGRES_VAR}=1");
                return None;
            }
            panic!(
                "{POSTGRES_URL_VAR} is not set: point it at a PostgreSQL server whose user may \
                 create databases (e.g. postgres://postgres@127.0.0.1:5432/postgres), or set \
                 {SKIP_POSTGRES_VAR}=1 to skip the PostgreSQL tests on purpose"
            );
        };
        let name = format!("cs_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("connect to {POSTGRES_URL_VAR}: {e}"));
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create database");
        admin.close().await.ok();
        // From here on the guard drops the database, even if connecting or a scenario fails.
        let guard = PgDatabase {
            admin_url: admin_url.clone(),
            name: name.clone(),
        };
        let url = with_database(&admin_url, &name);
        let store = Store::connect_postgres(&url, 10)
            .await
            .expect("connect PostgreSQL store");
        Some(Self {
            store,
            url,
            _guard: Guard::Postgres { _database: guard },
        })
    }

    /// Closes the pool before the guard cleans up.
    pub async fn close(self) {
        self.store.close().await;
    }
}

/// Replaces the database name in a `postgres://` URL, keeping its query string.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// Drops a test database when dropped.
pub(crate) struct PgDatabase {
    pub(crate) admin_url: String,
    pub(crate) name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // `Drop` cannot await, and the test's runtime may be the one unwinding: drop the
        // database from a thread with a runtime of its own.
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await?;
                admin.execute(sql.as_str()).await?;
                admin.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: cleanup panicked",
                self.name
            ),
        }
    }
}

/// Runs `n` copies of a task concurrently and returns their results.
pub async fn concurrently<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let fut = task(i);
        let barrier = barrier.clone();
        set.spawn(async move {
            // Start together, so the tasks really race.
            barrier.wait().await;
            fut.await
        });
    }
    let mut out = Vec::with_capacity(n);
    while let Some(r) = tokio::time::timeout(Duration::from_secs(60), set.join_next())
        .await
        .expect("concurrent tasks finish")
    {
        out.push(r.expect("task did not panic"));
    }
    out
}

#[test]
fn replaces_the_database_name() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
