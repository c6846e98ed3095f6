//! The [`Job`] trait: what one kind of background work is (its stored kind name, payload,
//! de-duplication rule, how it runs and what happens when it is abandoned), and how a use case
//! queues one.

use crate::App;
use crate::messages::Transports;
use crate::settings::Settings;
use countersign_domain::{JobId, OrgId, Timestamp};
use countersign_store::{Job as StoredJob, JobStore, NewJob, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;

/// The org that server-wide jobs (expiry sweeps, the session purge) are queued under: every
/// job row names an org, and this reserved one (created by migration 0026, with no
/// technicians) belongs to no MSP.
pub const SERVER_ORG: OrgId = OrgId(uuid::Uuid::nil());

/// What happens to a job after it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the job's row is deleted.
    Complete,
    /// Try again after the workers' backoff (`workers.backoff`), if attempts are left.
    Retry(String),
    /// Try again after this delay instead (webhooks back off over hours), if attempts are left.
    RetryAfter(String, Duration),
    /// Give up: the job stays, dead, on the Jobs page with this error.
    Bury(String),
    /// Not finished, nothing failed: run again after this delay, without counting an attempt
    /// (a broadcast that sends in steps and then watches its deliveries settle). With no delay
    /// the job keeps its place in the queue, ahead of jobs queued after it.
    Continue(Duration),
}

/// What [`Job::run`] and [`Job::abandoned`] return: the outcome, or a store failure (the job
/// stays leased and runs again after its lease).
pub type JobResult = Result<Outcome, StoreError>;

/// What a running job knows about its own row, and the senders it may use.
pub struct JobContext<'a> {
    /// The claimed row.
    pub stored: &'a StoredJob,
    /// The transports of this worker process.
    pub transports: &'a Transports,
}

impl JobContext<'_> {
    /// The org the job works for.
    #[must_use]
    pub fn org(&self) -> OrgId {
        self.stored.job.org_id
    }

    /// Attempts started so far, this one included.
    #[must_use]
    pub fn attempts(&self) -> i64 {
        self.stored.attempts
    }

    /// Attempts allowed.
    #[must_use]
    pub fn max_attempts(&self) -> i64 {
        self.stored.job.max_attempts
    }

    /// Every attempt so far ended with its worker dying mid-job (each claim counts one, so
    /// the count went past the limit without a run ever finishing).
    #[must_use]
    pub fn abandoned(&self) -> bool {
        self.attempts() > self.max_attempts()
    }
}

/// One kind of background work. The struct is the job's payload (ids only, never secrets:
/// it is stored as JSON in the `jobs` row); `KIND` names it in that row, so it never changes
/// once rows with it may exist. Register a new kind in [`super::Registry::standard`].
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored kind name (`jobs.kind`).
    const KIND: &'static str;

    /// At most one live job of the org has this key: `None` allows any number.
    fn dedup_key(&self) -> Option<String>;

    /// Jobs of this kind that a worker claims together run through this function as one
    /// batch (`send_message`: a few transactions per batch, not a few per message). `None`:
    /// one by one.
    const BATCH: Option<super::BatchFn> = None;

    /// Attempts before the job is buried.
    fn max_attempts(settings: &Settings) -> u32 {
        settings.workers.max_attempts
    }

    /// Runs one attempt.
    ///
    /// # Errors
    /// A store failure: the job stays leased and runs again after its lease.
    fn run(&self, app: &App, ctx: &JobContext<'_>) -> impl Future<Output = JobResult> + Send;

    /// Runs instead of [`Job::run`] when the job was abandoned (see
    /// [`JobContext::abandoned`]). The default buries it with `error`; a job that leaves a
    /// row pending (a message `sending`) marks it failed first.
    ///
    /// # Errors
    /// A store failure: the job runs again after its lease.
    fn abandoned(
        &self,
        app: &App,
        ctx: &JobContext<'_>,
        error: String,
    ) -> impl Future<Output = JobResult> + Send {
        let _ = (app, ctx);
        async move { Ok(Outcome::Bury(error)) }
    }

    /// The row that queues this job for `org`, due at `now`; a store transaction that
    /// writes the row the job works on takes it (`queue_message`, `start_challenge`).
    ///
    /// # Errors
    /// The payload cannot be serialised (a bug).
    fn new_job(
        &self,
        org: OrgId,
        now: Timestamp,
        settings: &Settings,
    ) -> Result<NewJob, StoreError> {
        Ok(NewJob {
            id: JobId::new(),
            org_id: org,
            kind: Self::KIND.into(),
            payload: serde_json::to_string(self).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            max_attempts: i64::from(Self::max_attempts(settings)),
            run_at: now,
            dedup_key: self.dedup_key(),
            created_at: now,
        })
    }
}

impl App {
    /// Queues `job` for `org`, due now. Returns `false` when a live job with the same dedup key
    /// exists (nothing is queued).
    ///
    /// # Errors
    /// A store failure.
    pub async fn enqueue<J: Job>(&self, org: OrgId, job: &J) -> Result<bool, StoreError> {
        let row = job.new_job(org, self.now(), &self.settings)?;
        self.store.enqueue_job(&row).await
    }
}
