//! The SQLite backend: pool set-up, migrations and backups. The queries are shared with
//! PostgreSQL in [`crate::sql`]; only what SQLite does differently is here.

use crate::sql::{Conns, Dialect, Held, SqlStore};
use crate::{StoreError, StoreResult};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteQueryResult, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Sqlite, SqliteConnection, Transaction};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The SQLite store: one database file, opened in WAL mode.
pub type SqliteStore = SqlStore<Sqlite>;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Read connections. SQLite has one writer at a time (the write pool's single connection);
/// WAL lets these read beside it.
const READ_CONNECTIONS: u32 = 8;

/// How long a statement waits for another connection's write lock before `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Dialect for Sqlite {
    async fn begin_write(
        conn: &mut SqliteConnection,
    ) -> Result<Transaction<'_, Self>, sqlx::Error> {
        // A deferred transaction that reads and then writes fails with SQLITE_BUSY (which the
        // busy timeout does not retry) if another process wrote in between. Taking the
        // write lock up front makes such transactions wait their turn instead.
        conn.begin_with("BEGIN IMMEDIATE").await
    }

    async fn lock_audit_chain(_conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        // The IMMEDIATE transaction already holds the database's single write lock.
        Ok(())
    }

    async fn lock_key(_conn: &mut SqliteConnection, _key: i64) -> Result<(), sqlx::Error> {
        // The IMMEDIATE transaction already holds the database's single write lock.
        Ok(())
    }

    const CLAIM_LOCK: &'static str = "";

    const ANONYMOUS_PARAMS: bool = true;

    const MULTI_STATEMENT_QUERIES: bool = true;

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database file at `path` with WAL, foreign keys, a 5 s
    /// busy timeout and `synchronous=NORMAL`, and applies pending migrations. One write
    /// connection, [`READ_CONNECTIONS`] read connections.
    ///
    /// # Errors
    /// The file cannot be opened or a migration fails.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // With WAL, NORMAL loses at most the last transactions on power loss, never
            // consistency; FULL would fsync on every commit.
            .synchronous(SqliteSynchronous::Normal)
            // 32 MiB of page cache per connection (the default is 2 MiB): the contact search
            // index is written in random order, and a cache that holds its hot pages keeps a
            // large sync from re-reading and re-writing the same pages on every batch.
            .pragma("cache_size", "-32768")
            // Checkpoint after ~40 MB of WAL instead of ~4 MB: a page written again and again
            // between checkpoints (the search index under a sync) is copied into the database
            // once per checkpoint, so fewer checkpoints copy fewer pages (sync bench: 30.0 s →
            // 27.7 s). Readers see the same data either way.
            .pragma("wal_autocheckpoint", "10000");
        // One write connection and READ_CONNECTIONS read connections, opened now and held
        // (sql/conns.rs says why they are not in a sqlx pool).
        let mut writer = options.connect().await?;
        crate::sql::run_migrations::<Sqlite>(&mut writer, &MIGRATOR).await?;
        // Opened after the migrations, so the file and its WAL exist; `query_only` makes a
        // write sent to a read connection fail instead of taking the write lock.
        let read_options = options.pragma("query_only", "ON");
        let mut readers = Vec::new();
        for _ in 0..READ_CONNECTIONS {
            readers.push(read_options.connect().await?);
        }
        let pool = Conns::Held(Arc::new(Held::new(vec![writer])));
        let reads = Conns::Held(Arc::new(Held::new(readers)));
        Ok(Self { pool, reads })
    }

    /// Applies pending migrations. Returns how many ran.
    ///
    /// # Errors
    /// A migration fails.
    pub async fn migrate(&self) -> StoreResult<usize> {
        crate::sql::run_migrations::<Sqlite>(&mut *self.pool.acquire().await?, &MIGRATOR).await
    }

    /// Cheap round trip for `/readyz`.
    ///
    /// # Errors
    /// The database cannot be read.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }

    /// Writes a consistent copy of the database to `dest` with `VACUUM INTO`, which reads one
    /// snapshot and so runs while the server keeps serving (writers are not blocked in WAL).
    ///
    /// # Errors
    /// `StoreError::Unsupported` when `dest` already exists (a backup never overwrites a file)
    /// or is not valid UTF-8; database or IO errors.
    pub async fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        let exists = tokio::fs::try_exists(dest).await.map_err(|e| {
            StoreError::Unsupported(format!(
                "cannot check backup destination {}: {e}",
                dest.display()
            ))
        })?;
        if exists {
            return Err(StoreError::Unsupported(format!(
                "backup destination {} already exists: choose a new file name",
                dest.display()
            )));
        }
        let Some(dest_str) = dest.to_str() else {
            return Err(StoreError::Unsupported(format!(
                "backup destination {} is not valid UTF-8",
                dest.display()
            )));
        };
        // SQLite itself also refuses a non-empty existing file, should one appear meanwhile.
        sqlx::query("VACUUM INTO $1")
            .bind(dest_str)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Executor;

    /// A transaction a dropped caller left open on the writer (sql/conns.rs) is rolled back
    /// before the writer's next use: its writes are gone and a new transaction can begin.
    #[tokio::test]
    async fn an_unsettled_writer_is_rolled_back_before_its_next_use() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
        {
            let mut writer = store.pool.acquire().await.unwrap();
            writer.set_unsettled(true);
            (&mut *writer)
                .execute("BEGIN IMMEDIATE; CREATE TABLE left_open (x INTEGER)")
                .await
                .unwrap();
        }
        let mut writer = store.pool.acquire().await.unwrap();
        let mut tx = Sqlite::begin_write(&mut writer).await.unwrap();
        let (n,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM sqlite_master WHERE name = 'left_open'")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert_eq!(n, 0);
        tx.commit().await.unwrap();
    }
}
