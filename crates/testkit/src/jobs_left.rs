//! The end-of-test check on the job queue: a test that leaves a job dead, or still queued or
//! running, fails, unless it said why with [`crate::TestApp::expect_jobs_left`]. A left job
//! is work a real server would still do (or a failure nobody looked at), so a test that
//! queues work either runs it ([`crate::TestApp::run_jobs`]) or names it.

use std::sync::{Arc, Mutex};

/// Kinds a test may leave on the queue, with the reason; shared by a `TestApp` and its
/// restarts (the check runs when the last of them is dropped).
#[derive(Clone, Debug, Default)]
pub(crate) struct ExpectedJobs(Arc<Mutex<Vec<(String, String)>>>);

/// A job still on the queue: kind, state, last error.
pub(crate) type LeftJob = (String, String, Option<String>);

impl ExpectedJobs {
    pub(crate) fn expect(&self, kind: &str, why: &str) {
        assert!(!why.trim().is_empty(), "say why the {kind} job stays");
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((kind.to_owned(), why.to_owned()));
    }

    /// Whether this is the last `TestApp` on the database.
    pub(crate) fn is_last(&self) -> bool {
        Arc::strong_count(&self.0) == 1
    }

    /// The jobs of `left` that no expectation covers.
    pub(crate) fn unexpected(&self, left: Vec<LeftJob>) -> Vec<LeftJob> {
        let expected = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        left.into_iter()
            .filter(|(kind, _, _)| !expected.iter().any(|(k, _)| k == kind))
            .collect()
    }
}

/// Every job row of the database, read on a connection of its own (`Drop` cannot wait on the
/// test's runtime, so this runs on a thread with a runtime of its own).
pub(crate) fn jobs_in(db: &crate::Db) -> Result<Vec<LeftJob>, String> {
    let db = db.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let read = async move {
            use sqlx::Connection as _;
            const SQL: &str = "SELECT kind, state, last_error FROM jobs ORDER BY created_at";
            match db {
                crate::Db::Sqlite { path } => {
                    let url = format!("sqlite://{}?mode=ro", path.display());
                    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                    sqlx::query_as(SQL).fetch_all(&mut conn).await
                }
                crate::Db::Postgres { url } => {
                    let mut conn = sqlx::PgConnection::connect(&url).await?;
                    sqlx::query_as(SQL).fetch_all(&mut conn).await
                }
            }
        };
        rt.block_on(read).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the job check's thread panicked".to_owned())?
}
