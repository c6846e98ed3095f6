//! The PostgreSQL backend: pool set-up, migrations and the audit lock. The queries are shared
//! with SQLite in [`crate::sql`]; only what PostgreSQL does differently is here.

use crate::StoreResult;
use crate::sql::{Conns, Dialect, SqlStore};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgQueryResult};
use sqlx::{Connection, PgConnection, Postgres, Transaction};

/// The PostgreSQL store.
pub type PgStore = SqlStore<Postgres>;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Key of the transaction-scoped advisory lock that serialises audit appends across every
/// process using the database (an arbitrary constant: "CSAUDIT1" in ASCII).
const AUDIT_LOCK_KEY: i64 = 0x4353_4155_4449_5431;

impl Dialect for Postgres {
    async fn begin_write(conn: &mut PgConnection) -> Result<Transaction<'_, Self>, sqlx::Error> {
        // READ COMMITTED: the conditional UPDATEs re-check their WHERE clause against the
        // committed row after waiting for a concurrent writer, which is what they rely on.
        conn.begin().await
    }

    async fn lock_audit_chain(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        // Released at commit or rollback. The next statement's snapshot is taken after the
        // lock is granted, so it sees the tail the previous holder committed.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK_KEY)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn lock_key(conn: &mut PgConnection, key: i64) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn commit_lazily(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(conn)
            .await?;
        Ok(())
    }

    const CLAIM_LOCK: &'static str = " FOR UPDATE SKIP LOCKED";

    const ANONYMOUS_PARAMS: bool = false;

    const JSON_RECORDSETS: bool = true;

    const MULTI_STATEMENT_QUERIES: bool = false;

    const HINT_ORDERED_WALK: bool = false;

    const FIRST_BY_CONFLICT: bool = false;

    const ANALYZE_AFTER_BULK_WRITE: bool = true;

    const PLAN_EACH_TIME: bool = true;

    fn uuid_hex(expr: &str) -> String {
        format!("replace(CAST({expr} AS TEXT), '-', '')")
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }
}

impl SqlStore<Postgres> {
    /// Connects to PostgreSQL (`postgres://…`) with a pool of at most `max_connections`, and
    /// applies pending migrations (sqlx serialises concurrent migrators with an advisory lock).
    ///
    /// # Errors
    /// The server cannot be reached or a migration fails.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        // Every statement here is a short, index-driven read or write. A parallel plan starts
        // worker processes for it, which costs more than it saves on the small servers this
        // runs on (measured, issue #5: a broad search's window, 83,000 index entries, took
        // 45 ms with two workers on 2 cores, 18 ms without), and each request's statements
        // would compete with the others' for the same cores.
        let options = url
            .parse::<PgConnectOptions>()?
            .options([("max_parallel_workers_per_gather", "0")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await?;
        let store = Self {
            reads: Conns::Pool(pool.clone()),
            pool: Conns::Pool(pool),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations. Returns how many ran (as seen before running them).
    ///
    /// # Errors
    /// A migration fails.
    pub async fn migrate(&self) -> StoreResult<usize> {
        crate::sql::run_migrations::<Postgres>(&mut *self.pool.acquire().await?, &MIGRATOR).await
    }

    /// Cheap round trip for `/readyz`.
    ///
    /// # Errors
    /// The server is unreachable.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }
}
