//! [`JobStore`] for both backends.
//!
//! A job's `run_at` is when it may start while it is queued, and the end of its lease while it
//! runs; so one predicate (`state <> 'dead' AND run_at <= now`) finds both due jobs and jobs
//! whose worker died, and a single index serves the claim.

use crate::sql::sql_impl;
use crate::sql::{Dialect, SqlStore, changed, expect_changed, page_size};
use crate::{Job, JobCounts, JobState, NewJob};
use crate::{JobStore, StoreError, StoreResult};
use countersign_domain::{JobId, OrgId, Timestamp};
use uuid::Uuid;

/// Most jobs one `jobs` call returns.
pub const MAX_JOB_PAGE: i64 = 500;

/// Columns of [`JobRow`], as a literal for `concat!`.
macro_rules! job_columns {
    () => {
        "id, org_id, kind, payload, state, attempts, max_attempts, run_at, locked_by, \
         last_error, dedup_key, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Uuid,
    org_id: Uuid,
    kind: String,
    payload: String,
    state: String,
    attempts: i64,
    max_attempts: i64,
    run_at: i64,
    locked_by: Option<String>,
    last_error: Option<String>,
    dedup_key: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(r: JobRow) -> StoreResult<Self> {
        Ok(Self {
            job: NewJob {
                id: r.id.into(),
                org_id: r.org_id.into(),
                kind: r.kind,
                payload: r.payload,
                max_attempts: r.max_attempts,
                run_at: Timestamp(r.run_at),
                dedup_key: r.dedup_key,
                created_at: Timestamp(r.created_at),
            },
            state: JobState::parse(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown job state {:?}", r.state)))?,
            attempts: r.attempts,
            locked_by: r.locked_by,
            last_error: r.last_error,
            updated_at: Timestamp(r.updated_at),
        })
    }
}

/// The claim: due live jobs, oldest due first. `{lock}` is the dialect's row-lock clause.
fn claim_sql<DB: Dialect>() -> String {
    format!(
        "UPDATE jobs SET state = 'running', locked_by = $1, run_at = $3, \
         attempts = attempts + 1, updated_at = $2 \
         WHERE id IN (SELECT id FROM jobs WHERE state <> 'dead' AND run_at <= $2 \
         ORDER BY run_at LIMIT $4{lock}) RETURNING {columns}",
        lock = DB::CLAIM_LOCK,
        columns = job_columns!(),
    )
}

sql_impl! {
impl JobStore for SqlStore<DB> {
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await?;
        insert_job::<DB>(&mut conn, job).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        let sql = claim_sql::<DB>();
        // SQLite: the immediate transaction takes the write lock before the subquery reads,
        // so two processes cannot select the same rows. PostgreSQL: the subquery locks the
        // rows it picks and skips rows locked by a concurrent claim.
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let rows: Vec<JobRow> = sqlx::query_as(&sql)
            .persistent(!DB::PLAN_EACH_TIME)
            .bind(worker)
            .bind(now.0)
            .bind(lease_until.0)
            .bind(page_size(limit, MAX_JOB_PAGE))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut jobs: Vec<Job> = rows
            .into_iter()
            .map(Job::try_from)
            .collect::<StoreResult<_>>()?;
        jobs.sort_by_key(|j| j.job.created_at);
        Ok(jobs)
    }

    async fn complete_job(&self, id: JobId, worker: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("DELETE FROM jobs WHERE id = $1 AND state = 'running' AND locked_by = $2")
                .bind(id.0)
                .bind(worker)
                .execute(&mut *self.pool.acquire().await?)
                .await?;
        Ok(changed::<DB>(&done))
    }

    async fn retry_job_later(
        &self,
        id: JobId,
        worker: &str,
        run_at: Timestamp,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', locked_by = NULL, run_at = $3, last_error = $4, \
             updated_at = $5 WHERE id = $1 AND state = 'running' AND locked_by = $2",
        )
        .bind(id.0)
        .bind(worker)
        .bind(run_at.0)
        .bind(error)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn continue_job_later(
        &self,
        id: JobId,
        worker: &str,
        run_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', locked_by = NULL, run_at = $3, \
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, last_error = NULL, \
             updated_at = $4 WHERE id = $1 AND state = 'running' AND locked_by = $2",
        )
        .bind(id.0)
        .bind(worker)
        .bind(run_at.0)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'dead', locked_by = NULL, last_error = $3, updated_at = $4 \
             WHERE id = $1 AND state = 'running' AND locked_by = $2",
        )
        .bind(id.0)
        .bind(worker)
        .bind(error)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn jobs(&self, org: OrgId, state: Option<JobState>, limit: i64) -> StoreResult<Vec<Job>> {
        let sql = concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE org_id = $1 AND ($2 IS NULL OR state = $2) \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let rows: Vec<JobRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(state.map(JobState::as_str))
            .bind(page_size(limit, MAX_JOB_PAGE))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter().map(Job::try_from).collect()
    }

    async fn job(&self, org: OrgId, id: JobId) -> StoreResult<Job> {
        let sql = concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE org_id = $1 AND id = $2"
        );
        let row: JobRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn requeue_dead_job(&self, org: OrgId, id: JobId, now: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $3, updated_at = $3 \
             WHERE org_id = $1 AND id = $2 AND state = 'dead'",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn delete_job(&self, org: OrgId, id: JobId) -> StoreResult<()> {
        let done =
            sqlx::query("DELETE FROM jobs WHERE org_id = $1 AND id = $2 AND state <> 'running'")
                .bind(org.0)
                .bind(id.0)
                .execute(&mut *self.pool.acquire().await?)
                .await?;
        expect_changed::<DB>(&done)
    }

    async fn job_counts(&self, org: OrgId) -> StoreResult<JobCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs WHERE org_id = $1 GROUP BY state")
                .bind(org.0)
                .fetch_all(&mut *self.reads.acquire().await?)
                .await?;
        let mut counts = JobCounts::default();
        for (state, n) in rows {
            match JobState::parse(&state) {
                Some(JobState::Queued) => counts.queued = n,
                Some(JobState::Running) => counts.running = n,
                Some(JobState::Dead) => counts.dead = n,
                None => return Err(StoreError::Corrupt(format!("unknown job state {state:?}"))),
            }
        }
        Ok(counts)
    }
}
}

sql_impl! {
/// Inserts a job on `conn` (also used inside `queue_message`'s transaction). False when the
/// org has a job with the same dedup key.
pub(crate) async fn insert_job<DB>(conn: &mut DB::Connection, job: &NewJob) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO jobs (id, org_id, kind, payload, state, attempts, max_attempts, run_at, \
         dedup_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, $8, $8) \
         ON CONFLICT (org_id, dedup_key) DO NOTHING",
    )
    .bind(job.id.0)
    .bind(job.org_id.0)
    .bind(job.kind.as_str())
    .bind(job.payload.as_str())
    .bind(job.max_attempts)
    .bind(job.run_at.0)
    .bind(job.dedup_key.as_deref())
    .bind(job.created_at.0)
    .execute(conn)
    .await?;
    Ok(changed::<DB>(&done))
}
}
