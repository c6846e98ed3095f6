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
use tokio::sync::mpsc;

mod checkpoints;

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

    async fn commit_lazily(_conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        // Nothing to save: in WAL mode with `synchronous = NORMAL` a commit does not wait for
        // the disk anyway (only checkpoints do).
        Ok(())
    }

    const CLAIM_LOCK: &'static str = "";

    const ANONYMOUS_PARAMS: bool = true;

    const JSON_RECORDSETS: bool = false;

    const MULTI_STATEMENT_QUERIES: bool = true;

    const HINT_ORDERED_WALK: bool = true;

    const FIRST_BY_CONFLICT: bool = true;

    const ANALYZE_AFTER_BULK_WRITE: bool = false;

    const PLAN_EACH_TIME: bool = false;

    fn uuid_hex(expr: &str) -> String {
        format!("lower(hex({expr}))")
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database file at `path` with WAL, foreign keys, a 5 s
    /// busy timeout and `synchronous=NORMAL`, and applies pending migrations. One write
    /// connection, [`READ_CONNECTIONS`] read connections, and one that checkpoints the WAL
    /// (`checkpoints`).
    ///
    /// # Errors
    /// The file cannot be opened or a migration fails.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        owner_only_files(path).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // With WAL, NORMAL loses at most the last transactions on power loss, never
            // consistency; FULL would fsync on every commit.
            .synchronous(SqliteSynchronous::Normal)
            // 32 MiB of page cache for the writer (the default is 2 MiB): the contact search
            // index is written in random order, and a cache that holds its hot pages keeps a
            // large sync from re-reading and re-writing the same pages on every batch. The
            // readers get less (below).
            .pragma("cache_size", "-32768")
            // The writer checkpoints only as a backstop: `checkpoints` does it on a
            // connection of its own, off the writer's path.
            .pragma(
                "wal_autocheckpoint",
                checkpoints::BACKSTOP_FRAMES.to_string(),
            )
            // A WAL that grew under a burst of writes is cut back to 64 MiB when it restarts.
            .pragma("journal_size_limit", "67108864");
        // One write connection and READ_CONNECTIONS read connections, opened now and held
        // (sql/conns.rs says why they are not in a sqlx pool).
        let mut writer = options.connect().await?;
        crate::sql::run_migrations::<Sqlite>(&mut writer, &MIGRATOR).await?;
        // The checkpointer needs no page cache: it copies WAL frames into the file.
        let checkpointer = options
            .clone()
            .pragma("cache_size", "-256")
            .connect()
            .await?;
        let (released, signals) = mpsc::channel(1);
        checkpoints::spawn(checkpointer, signals);
        // Opened after the migrations, so the file and its WAL exist; `query_only` makes a
        // write sent to a read connection fail instead of taking the write lock.
        // 8 MiB of cache each: eight private 32 MiB caches of the same file were most of a
        // long-running server's memory (and the sync benchmark's peak), and bought little: in
        // WAL mode a connection drops its whole cache when it sees another one wrote. A page a
        // reader misses comes from the operating system's file cache, shared by all of them.
        let read_options = options
            .pragma("query_only", "ON")
            .pragma("cache_size", "-8192");
        let mut readers = Vec::new();
        for _ in 0..READ_CONNECTIONS {
            readers.push(read_options.connect().await?);
        }
        let pool = Conns::Held(Arc::new(Held::with_release_signal(vec![writer], released)));
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

/// The database holds every org's data: its directory is created 0700 and the file 0600
/// before SQLite opens it (SQLite gives its `-wal` and `-shm` files the database file's mode;
/// left to itself it creates 0644 under the usual umask). An existing database, WAL or SHM
/// file that group or others may read is restricted to 0600.
fn owner_only_files(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::metadata(&file) {
            Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Executor;

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// The data directory, database, WAL and SHM files are the server user's alone, whatever
    /// the umask; an existing world-readable database is restricted when opened.
    #[tokio::test]
    async fn database_files_and_directory_are_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").join("nested");
        let path = data.join("countersign.db");
        let store = SqliteStore::open(&path).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut *store.pool.acquire().await.unwrap())
            .await
            .unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        assert_eq!(mode(&path), 0o600);
        for suffix in ["-wal", "-shm"] {
            let file = data.join(format!("countersign.db{suffix}"));
            assert_eq!(mode(&file), 0o600, "{suffix}");
        }
        drop(store);

        let old = dir.path().join("old.db");
        drop(SqliteStore::open(&old).await.unwrap());
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(SqliteStore::open(&old).await.unwrap());
        assert_eq!(mode(&old), 0o600);
    }

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

#[cfg(test)]
mod checkpoint_tests {
    use super::*;

    /// The writer leaves checkpoints to the checkpointer: its own automatic checkpoint is the
    /// backstop, and the WAL's pages still reach the database file shortly after a write.
    #[tokio::test]
    async fn writes_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let mut writer = store.pool.acquire().await.unwrap();
        let (frames,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
            .fetch_one(&mut *writer)
            .await
            .unwrap();
        assert_eq!(frames, i64::from(checkpoints::BACKSTOP_FRAMES));
        let (reader_cache,): (i64,) = sqlx::query_as("PRAGMA cache_size")
            .fetch_one(&mut *store.reads.acquire().await.unwrap())
            .await
            .unwrap();
        assert_eq!(reader_cache, -8192, "readers keep a smaller page cache");
        sqlx::query("CREATE TABLE filler (x BLOB NOT NULL)")
            .execute(&mut *writer)
            .await
            .unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        // ~2 MiB: ~500 pages, far below the backstop.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 512) \
             INSERT INTO filler SELECT randomblob(4000) FROM n",
        )
        .execute(&mut *writer)
        .await
        .unwrap();
        drop(writer);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&path).unwrap().len() < before + 2_000_000 {
            assert!(
                std::time::Instant::now() < deadline,
                "the WAL was not checkpointed into the database file"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
