//! How far a long job got (Sync Customer today), kept after the job's own row is gone so a page
//! can show the progress and then the result: the model and the
//! [`JobProgressStore`] contract.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, Timestamp};

/// One item a job could not do, and why (e.g. a tenant and Microsoft's refusal).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProgressFailure {
    /// What failed, as a technician knows it (a tenant's name).
    pub subject: String,
    /// Why, in words a technician can act on.
    pub reason: String,
}

/// The progress of one piece of work of an org. One row per `(org, subject)`: the next run of
/// the same work replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobProgress {
    /// The org.
    pub org_id: OrgId,
    /// What the work is about, e.g. `sync-customers:{integration id}`.
    pub subject: String,
    /// Items to do.
    pub total: i64,
    /// Items done successfully.
    pub done: i64,
    /// Items that failed, in order.
    pub failures: Vec<ProgressFailure>,
    /// The job ended (every item was tried).
    pub finished: bool,
    /// Last change.
    pub updated_at: Timestamp,
}

store_trait! {
/// Progress rows of long jobs.
pub trait JobProgressStore {
    /// Creates or replaces the row of `(p.org_id, p.subject)`.
    async fn save_job_progress(&self, p: &JobProgress) -> StoreResult<()>;
    /// The row of `subject` in the org, if any.
    async fn job_progress(&self, org: OrgId, subject: &str) -> StoreResult<Option<JobProgress>>;
}
}
