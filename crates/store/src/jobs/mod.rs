//! Jobs: the durable queue the workers claim from.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{JobId, OrgId, Timestamp};

/// Where a job is in its life. A job that succeeds is deleted; its effect (e.g. the message's
/// state) is the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker whose lease ends at `run_at`.
    Running,
    /// Out of attempts; kept with its last error until an admin retries or deletes it.
    Dead,
}

impl JobState {
    /// Every state, in display order.
    pub const ALL: &'static [Self] = &[Self::Queued, Self::Running, Self::Dead];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Dead => "dead",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// A job to put on the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// Primary key.
    pub id: countersign_domain::JobId,
    /// The org the work is for.
    pub org_id: OrgId,
    /// What to do, e.g. `send_message`; the runner picks the handler by it.
    pub kind: String,
    /// JSON arguments of the handler; ids only, never secrets.
    pub payload: String,
    /// Attempts before the job is declared dead.
    pub max_attempts: i64,
    /// Not before this instant.
    pub run_at: Timestamp,
    /// At most one job of the org with this key exists at a time.
    pub dedup_key: Option<String>,
    /// When it was queued.
    pub created_at: Timestamp,
}

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// What was queued.
    pub job: NewJob,
    /// Where it is.
    pub state: JobState,
    /// Attempts started so far (a claim counts as one).
    pub attempts: i64,
    /// For a running job: the worker holding the lease.
    pub locked_by: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Last change.
    pub updated_at: Timestamp,
}

/// How many jobs of an org are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting.
    pub queued: i64,
    /// Claimed by a worker.
    pub running: i64,
    /// Out of attempts.
    pub dead: i64,
}

store_trait! {
/// The durable job queue. Workers claim jobs of every org (a worker serves the whole server),
/// so the claim and the worker-side calls are not org-scoped: they act on jobs the worker
/// holds the lease of. The Jobs page uses the org-scoped calls.
pub trait JobStore {
    /// Queues a job. Returns false, changing nothing, when a job of the org with the same
    /// `dedup_key` exists.
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool>;
    /// Claims up to `limit` due jobs (queued with `run_at <= now`, or running with an expired
    /// lease) for `worker`, holding them until `lease_until`; counts an attempt for each.
    /// PostgreSQL skips rows another worker is claiming (`FOR UPDATE SKIP LOCKED`); SQLite
    /// claims in one `UPDATE … RETURNING` inside an immediate transaction. Not org-scoped.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Job>>;
    /// Deletes a finished job, if `worker` still holds it. Returns whether it did. Not
    /// org-scoped: the lease is the capability.
    async fn complete_job(&self, id: JobId, worker: &str) -> StoreResult<bool>;
    /// Puts a failed job back in the queue until `run_at`, if `worker` still holds it.
    async fn retry_job_later(
        &self,
        id: JobId,
        worker: &str,
        run_at: Timestamp,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Puts a job that is not finished (a broadcast still sending) back in the queue until
    /// `run_at`, if `worker` still holds it, without counting the run as an attempt: a job
    /// that continues for hours must not run out of attempts.
    async fn continue_job_later(
        &self,
        id: JobId,
        worker: &str,
        run_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Declares a job dead with its last error, if `worker` still holds it.
    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Jobs of the org, optionally in one state, newest first, at most `limit` (clamped to
    /// `0..=`[`crate::MAX_JOB_PAGE`]).
    async fn jobs(&self, org: OrgId, state: Option<JobState>, limit: i64) -> StoreResult<Vec<Job>>;
    /// One job of the org, or `NotFound`.
    async fn job(&self, org: OrgId, id: JobId) -> StoreResult<Job>;
    /// Queues a dead job again with fresh attempts. `NotFound` unless the org has such a
    /// dead job.
    async fn requeue_dead_job(&self, org: OrgId, id: JobId, now: Timestamp) -> StoreResult<()>;
    /// Deletes a queued or dead job. `NotFound` unless the org has such a job (a running one
    /// cannot be deleted from under its worker).
    async fn delete_job(&self, org: OrgId, id: JobId) -> StoreResult<()>;
    /// Jobs of the org per state.
    async fn job_counts(&self, org: OrgId) -> StoreResult<JobCounts>;
}
}
