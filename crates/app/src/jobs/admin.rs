//! The Jobs page's use cases (`ManageJobs`: admins): the org's queued, running and dead jobs,
//! and retrying or deleting one. Another org's job is "not found".

use crate::{App, Denied, Principal};
use countersign_domain::{JobId, Permission};
use countersign_store::{Job, JobCounts, JobState, JobStore, StoreError};
use serde_json::json;

/// What the Jobs page lists.
#[derive(Clone, Debug)]
pub struct JobListView {
    /// The newest jobs in the filter (at most the limit asked for).
    pub jobs: Vec<Job>,
    /// How many jobs the org has per state.
    pub counts: JobCounts,
}

/// What a Jobs page use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum JobAdminError {
    /// The principal may not manage jobs.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// No such job of the org (in a state that allows it), or the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// The org's jobs in `filter` (every state for `None`), newest first, with the counts.
    ///
    /// # Errors
    /// `Denied` without `ManageJobs`; a store failure.
    pub async fn job_list(
        &self,
        by: &Principal,
        filter: Option<JobState>,
        limit: i64,
    ) -> Result<JobListView, JobAdminError> {
        by.require(Permission::ManageJobs)?;
        let org = by.org_id();
        Ok(JobListView {
            jobs: self.store.jobs(org, filter, limit).await?,
            counts: self.store.job_counts(org).await?,
        })
    }

    /// Queues a dead job again with fresh attempts (audited).
    ///
    /// # Errors
    /// `Denied` without `ManageJobs`; `NotFound` unless the org has such a dead job.
    pub async fn retry_job(&self, by: &Principal, id: JobId) -> Result<(), JobAdminError> {
        by.require(Permission::ManageJobs)?;
        self.store
            .requeue_dead_job(by.org_id(), id, self.now())
            .await?;
        self.audit_job(by, "job.retried", id).await
    }

    /// Deletes a queued or dead job (audited).
    ///
    /// # Errors
    /// `Denied` without `ManageJobs`; `NotFound` unless the org has such a job that is not
    /// running.
    pub async fn delete_job(&self, by: &Principal, id: JobId) -> Result<(), JobAdminError> {
        by.require(Permission::ManageJobs)?;
        self.store.delete_job(by.org_id(), id).await?;
        self.audit_job(by, "job.deleted", id).await
    }

    async fn audit_job(
        &self,
        by: &Principal,
        action: &str,
        id: JobId,
    ) -> Result<(), JobAdminError> {
        self.audit(
            &by.actor(),
            Some(by.org_id()),
            action,
            &id.to_string(),
            json!({}),
        )
        .await?;
        Ok(())
    }
}

impl crate::UseCaseError for JobAdminError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Denied(d) => crate::UseCaseError::kind(d),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
