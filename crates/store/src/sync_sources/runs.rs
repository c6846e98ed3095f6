//! The sync history of linked companies (issue 21.6): one `sync_runs` row per finished run,
//! copied from the company's own row by the statement that finishes the run, so the Jobs
//! page can show recent runs per integration, company and source after the row has moved on.

use crate::forwarding::store_trait;
use crate::sql::{SqlStore, page_size, sql_impl};
use crate::{StoreResult, SyncProgress};
use countersign_domain::{IntegrationId, OrgId, SyncSourceId, Timestamp};
use uuid::Uuid;

/// How many runs of one company are kept (older ones are deleted as new ones finish).
pub const RUNS_KEPT_PER_SOURCE: i64 = 50;

/// One finished sync run of a linked company.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRun {
    /// The integration.
    pub integration_id: IntegrationId,
    /// The integration's name.
    pub integration_name: String,
    /// The linked company (a tenant).
    pub source_id: SyncSourceId,
    /// Its name.
    pub source_name: String,
    /// Its id at the source (a tenant id).
    pub external_id: String,
    /// How it is reached (Microsoft 365: `admin_consent` or `gdap`).
    pub link: String,
    /// When the run started.
    pub started_at: Timestamp,
    /// When it finished.
    pub finished_at: Timestamp,
    /// Whether it succeeded.
    pub ok: bool,
    /// Its error, in words for the technician.
    pub error: Option<String>,
    /// Its counters.
    pub progress: SyncProgress,
}

/// Which runs to list (every one of the org when both are `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncRunFilter {
    /// Only runs of this integration.
    pub integration: Option<IntegrationId>,
    /// Only runs of this linked company.
    pub source: Option<SyncSourceId>,
}

store_trait! {
/// The sync history of linked companies.
pub trait SyncRunStore {
    /// The org's most recent finished runs in the filter, newest first (at most `limit`,
    /// clamped to 500).
    async fn sync_runs(
        &self,
        org: OrgId,
        filter: SyncRunFilter,
        limit: i64,
    ) -> StoreResult<Vec<SyncRun>>;
}
}

sql_impl! {
/// Copies the company's just finished run into its history and keeps the newest
/// [`RUNS_KEPT_PER_SOURCE`], on `conn` (inside `finish_sync`'s transaction).
pub(crate) async fn record_run<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: SyncSourceId,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sync_runs (id, org_id, integration_id, source_id, started_at, finished_at, \
         ok, error, pages, seen, added, changed, removed) \
         SELECT $3, org_id, integration_id, id, COALESCE(started_at, $4), $4, \
         COALESCE(last_ok, FALSE), last_error, pages, seen, added, changed, removed \
         FROM sync_sources WHERE org_id = $1 AND id = $2",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(Uuid::now_v7())
    .bind(at.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM sync_runs WHERE org_id = $1 AND source_id = $2 AND id NOT IN \
         (SELECT id FROM sync_runs WHERE org_id = $1 AND source_id = $2 \
          ORDER BY finished_at DESC, id DESC LIMIT $3)",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(RUNS_KEPT_PER_SOURCE)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
}

#[derive(sqlx::FromRow)]
struct RunRow {
    integration_id: Uuid,
    integration_name: String,
    source_id: Uuid,
    source_name: String,
    external_id: String,
    link: String,
    started_at: i64,
    finished_at: i64,
    ok: bool,
    error: Option<String>,
    pages: i64,
    seen: i64,
    added: i64,
    changed: i64,
    removed: i64,
}

impl From<RunRow> for SyncRun {
    fn from(r: RunRow) -> Self {
        Self {
            integration_id: r.integration_id.into(),
            integration_name: r.integration_name,
            source_id: r.source_id.into(),
            source_name: r.source_name,
            external_id: r.external_id,
            link: r.link,
            started_at: Timestamp(r.started_at),
            finished_at: Timestamp(r.finished_at),
            ok: r.ok,
            error: r.error,
            progress: SyncProgress {
                pages: r.pages,
                users_seen: r.seen,
                added: r.added,
                changed: r.changed,
                removed: r.removed,
            },
        }
    }
}

sql_impl! {
impl SyncRunStore for SqlStore<DB> {
    async fn sync_runs(
        &self,
        org: OrgId,
        filter: SyncRunFilter,
        limit: i64,
    ) -> StoreResult<Vec<SyncRun>> {
        // NULL filters match everything; the org is checked on all three tables.
        let rows: Vec<RunRow> = sqlx::query_as(
            "SELECT r.integration_id, i.name AS integration_name, r.source_id, \
             s.display_name AS source_name, s.external_id, s.link, r.started_at, \
             r.finished_at, r.ok, r.error, r.pages, r.seen, r.added, r.changed, r.removed \
             FROM sync_runs r \
             JOIN sync_sources s ON s.org_id = r.org_id AND s.id = r.source_id \
             JOIN integrations i ON i.org_id = r.org_id AND i.id = r.integration_id \
             WHERE r.org_id = $1 AND ($2 IS NULL OR r.integration_id = $2) \
             AND ($3 IS NULL OR r.source_id = $3) \
             ORDER BY r.finished_at DESC, r.id DESC LIMIT $4",
        )
        .bind(org.0)
        .bind(filter.integration.map(|i| i.0))
        .bind(filter.source.map(|s| s.0))
        .bind(page_size(limit, 500))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
}
