//! What the SQL shared by both backends stands on: [`SqlStore`], [`Dialect`], the connections
//! (`conns.rs`) and [`sql_impl!`] (`bounds.rs`).
//!
//! # How the backends share code
//!
//! [`SqlStore<DB>`] is generic over the sqlx driver: [`SqliteStore`](crate::SqliteStore) is
//! `SqlStore<Sqlite>` and [`PgStore`](crate::PgStore) is `SqlStore<Postgres>`. Every store trait
//! is implemented **once**, generically, in the `sql` module beside the trait (one aggregate per
//! directory: `orgs/sql.rs`, `contacts/sql.rs`, …), with `$1` placeholders and SQL that both
//! SQLite (3.35+) and PostgreSQL accept: `RETURNING`, `ON CONFLICT … DO UPDATE`,
//! `substr`/`length`, `TRUE`/`FALSE`. So a security rule (the conditional `UPDATE` that consumes
//! an invite, the org filter of a query) exists in one place and cannot drift between backends;
//! the conformance suite then runs it against both.
//!
//! What differs per backend is behind the small sealed [`Dialect`] trait, implemented in
//! `sqlite.rs` and `postgres.rs`: how a write transaction begins (`BEGIN IMMEDIATE` on SQLite,
//! so a transaction never fails with `SQLITE_BUSY` when it upgrades from reading to writing),
//! how audit appends and other counted writes are serialised (a PostgreSQL advisory lock; on
//! SQLite the immediate transaction already holds the single write lock), and each place where
//! the statements differ, as a named item (`CLAIM_LOCK`, `MULTI_STATEMENT_QUERIES`,
//! `JSON_RECORDSETS`, `ANONYMOUS_PARAMS`, `HINT_ORDERED_WALK`, `PLAN_EACH_TIME`): the shared
//! SQL asks the dialect, never which backend it runs on. Backend-only operations (pragmas,
//! `VACUUM INTO`, pool set-up) stay in the backend modules.
//!
//! Rows are decoded into `*Row` structs with `#[derive(FromRow)]`, which is itself generic over
//! the driver, beside the SQL that selects them, and converted into the model types there.
//!
//! Every generic item of the shared SQL is written inside [`sql_impl!`], which adds the bounds
//! naming the sqlx encodings it uses (UUID, `i64`, `bool`, text, bytes): Rust does not treat
//! such bounds as implied by a trait, so without the macro each `impl` would repeat them.

mod bounds;
pub(crate) mod conns;
mod rows;

use crate::{StoreError, StoreResult};
pub(crate) use bounds::sql_impl;
pub(crate) use conns::{Conns, Held};
pub(crate) use rows::values_rows;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::{Database, Transaction};
use std::future::Future;

/// The backend-specific pieces the shared SQL needs. Implemented for `sqlx::Sqlite` and
/// `sqlx::Postgres` only (sealed).
pub trait Dialect: Database + sqlx::database::HasStatementCache + private::Sealed {
    /// Begins a transaction that is going to write, on a connection of the writer.
    fn begin_write(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<Transaction<'_, Self>, sqlx::Error>> + Send;

    /// Inside a write transaction, waits until no other transaction (in any process) can
    /// append to the audit log before this one commits.
    fn lock_audit_chain(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Inside a write transaction, waits until no other transaction (in any process) holding
    /// the same `key` has committed: PostgreSQL takes a transaction-scoped advisory lock;
    /// SQLite's immediate transaction already excludes every other writer. Used where a count
    /// and an insert must not interleave (send limits).
    fn lock_key(
        conn: &mut Self::Connection,
        key: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Inside a write transaction, lets its commit return before the log reaches the disk
    /// (PostgreSQL: `SET LOCAL synchronous_commit = off`, a WAL flush saved, ~2 ms on this
    /// project's machines; SQLite: nothing). Only for a write whose loss in a database crash
    /// changes nothing a later durable commit of the same caller does not settle: the start of
    /// a batch of delivery attempts (`deliveries/sql.rs` says why). Visibility to other
    /// transactions is unchanged.
    fn commit_lazily(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Appended to the subquery that picks jobs to claim: PostgreSQL locks the picked rows
    /// and skips rows a concurrent claim holds (`FOR UPDATE SKIP LOCKED`); SQLite needs
    /// nothing, its immediate transaction already excludes every other writer.
    const CLAIM_LOCK: &'static str;

    /// Whether one query may hold several statements sharing numbered `$n` parameters, run
    /// on the database's side in one go: SQLite through sqlx, not PostgreSQL's extended
    /// protocol (one statement per prepared query).
    const MULTI_STATEMENT_QUERIES: bool;

    /// Whether a statement may take a whole set of rows as one JSON parameter
    /// (`jsonb_to_recordset`), so that a batch of any size is one statement with one text
    /// (prepared once per connection) and one round trip: PostgreSQL, where the delivery
    /// bookkeeping uses it (`deliveries/recordsets.rs`). SQLite sends its batches as one
    /// multi-statement query instead ([`Self::MULTI_STATEMENT_QUERIES`]).
    const JSON_RECORDSETS: bool;

    /// Whether a statement whose parameters each appear once, in binding order, is better
    /// written with anonymous `?` placeholders: on SQLite, sqlx resolves each `$n` by asking
    /// SQLite for its name, a linear search per parameter, so a multi-row `INSERT` costs time
    /// quadratic in its parameters (16 % of a Microsoft 365 sync's profile); `?` has no name
    /// to search. PostgreSQL takes `$n` only.
    const ANONYMOUS_PARAMS: bool;

    /// Whether a contact search that walks the contacts in sort order must say so to the
    /// planner: SQLite, given the choice, drives the walk by the primary key (`+c.id` stops it)
    /// and must be named the `(org_id, key, id)` index (`INDEXED BY`); PostgreSQL's planner
    /// finds the ordered walk with a hash semi-join itself.
    const HINT_ORDERED_WALK: bool;

    /// Whether a set-based insert that keeps the first row of each key (the broadcast freeze:
    /// one contact per address) is written as an ordered `INSERT … ON CONFLICT DO NOTHING`
    /// rather than with a `ROW_NUMBER()` window. Measured on 200,000 rows: SQLite's window
    /// builds an ephemeral table (0.5 s of CPU); PostgreSQL's speculative insertion per row
    /// costs 0.7 s more than its window. Both keep the same row.
    const FIRST_BY_CONFLICT: bool;

    /// Whether many rows written at once should be followed by `ANALYZE` of their table before
    /// they are read (a broadcast's delivery job does it). PostgreSQL plans from statistics
    /// that autovacuum refreshes later: right after the freeze wrote 200,000 recipient rows
    /// it still believed the table empty, sorted every row of the broadcast for each page of
    /// 500 (2 s a page) instead of walking the key's index. SQLite plans from its indexes
    /// without statistics.
    const ANALYZE_AFTER_BULK_WRITE: bool;

    /// Whether the statements of the delivery hot path (a worker's claim of jobs, the start
    /// and the record of a batch of deliveries) are planned at each execution rather than
    /// prepared once per connection. PostgreSQL gives a prepared statement a generic plan
    /// after five executions and keeps it until a table's statistics change; made while
    /// `jobs` and `messages` were small (a broadcast's first seconds), that plan reads them
    /// whole for every batch (a hash join over a sequential scan) as they grow to hundreds of
    /// thousands of rows, and where autovacuum is off (as on this project's CI machines)
    /// nothing ever changes the statistics: 3,000 scans of `jobs` reading 150 million rows in
    /// one 100,000-recipient broadcast (docs/benchmarks.md). Planned each time, the planner
    /// sees the tables' current size. SQLite plans the same either way.
    const PLAN_EACH_TIME: bool;

    /// SQL giving the 32 lowercase hex digits of the UUID `expr` (Rust's `Uuid::simple`), for
    /// keys written by set-based SQL that Rust must be able to write again: SQLite stores a
    /// UUID as 16 bytes (`hex`), PostgreSQL as `uuid` (its text has dashes).
    fn uuid_hex(expr: &str) -> String;

    /// Rows changed by an `INSERT`, `UPDATE` or `DELETE`.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

pub(crate) mod private {
    /// Keeps [`super::Dialect`] implementable only in this crate.
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
}

/// A store over a pool of one sqlx driver; [`SqliteStore`](crate::SqliteStore) and
/// [`PgStore`](crate::PgStore) are its two instances.
///
/// Every store trait is implemented once for `SqlStore<DB>`, with SQL both backends accept
/// (`$1` placeholders, `RETURNING`, `ON CONFLICT … DO UPDATE`), so the queries, and the
/// security rules in them, cannot drift between backends. What differs (how a write
/// transaction begins, how audit appends are serialised) is behind [`Dialect`]; backend-only
/// operations (opening, pragmas, backups) are inherent methods of each instance.
pub struct SqlStore<DB: Database> {
    /// Every statement that writes, and every transaction. On SQLite this pool holds one
    /// connection: writers then queue in the pool, in order, instead of colliding on the
    /// database's single write lock and sleeping in SQLite's busy handler (which showed as
    /// "database is locked" and 400 ms tails under load).
    pub(crate) pool: Conns<DB>,
    /// Plain reads (a single `SELECT`, no transaction). On SQLite a separate pool of
    /// `query_only` connections that WAL lets read beside the writer; on PostgreSQL the same
    /// pool as `pool`. A write sent here by mistake fails on SQLite rather than racing.
    pub(crate) reads: Conns<DB>,
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            reads: self.reads.clone(),
        }
    }
}

impl<DB: Database> std::fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &DB::NAME)
            .finish_non_exhaustive()
    }
}

impl<DB: Database> SqlStore<DB> {
    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.reads.close().await;
        self.pool.close().await;
    }
}

/// Applies the migrations `migrator` has and the database lacks; returns how many that was
/// (counted before running them, so a concurrent migrator may have applied some of them).
pub(crate) async fn run_migrations<DB>(
    conn: &mut DB::Connection,
    migrator: &Migrator,
) -> StoreResult<usize>
where
    DB: Database,
    DB::Connection: Migrate,
    for<'c> &'c mut DB::Connection: sqlx::Acquire<'c, Database = DB>,
{
    // Before the first migration the bookkeeping table does not exist: nothing applied.
    let applied = conn.list_applied_migrations().await.unwrap_or_default();
    let pending = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .filter(|m| !applied.iter().any(|a| a.version == m.version))
        .count();
    migrator.run(conn).await?;
    Ok(pending)
}

/// `NotFound` unless the statement changed at least one row.
pub(crate) fn expect_changed<DB: Dialect>(result: &DB::QueryResult) -> StoreResult<()> {
    if DB::rows_affected(result) == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// An advisory-lock key (PostgreSQL, [`Dialect::lock_key`]) for one org and one `purpose`:
/// the org id's first eight bytes mixed with the purpose, so orgs rarely share a lock and one
/// org's writes of that purpose are serialised.
pub(crate) fn org_lock_key(org: countersign_domain::OrgId, purpose: i64) -> i64 {
    let b = org.0.as_bytes();
    i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) ^ purpose
}

/// Whether the statement changed a row.
pub(crate) fn changed<DB: Dialect>(result: &DB::QueryResult) -> bool {
    DB::rows_affected(result) > 0
}

/// Clamps a caller's page size to something the database accepts (PostgreSQL refuses a
/// negative `LIMIT`; SQLite reads it as "no limit").
pub(crate) fn page_size(limit: i64, max: i64) -> i64 {
    limit.clamp(0, max)
}

/// Converts every row, stopping at the first corrupt one.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// `Corrupt`: a stored value (of a kind, a state, …) that the model does not know.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {value:?}"))
}
