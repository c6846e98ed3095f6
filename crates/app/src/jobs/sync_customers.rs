//! `microsoft.sync_customers`: Sync Customer, a customer per linked tenant of an integration,
//! named from the tenant itself. Tenants that fail say why; the others proceed. The job records
//! its progress after each tenant (`job_progress`, subject `sync-customers:{integration}`),
//! and the integration page shows it: the request only queues the job.

use super::job::{Job, JobContext, JobResult, Outcome};
use crate::microsoft::MicrosoftError;
use crate::{App, Principal};
use countersign_domain::{IntegrationId, Permission};
use countersign_store::{
    IntegrationStore, JobProgress, JobProgressStore, ProgressFailure, StoreError,
};
use serde::{Deserialize, Serialize};

/// Payload: the integration whose tenants get their customers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncCustomers {
    pub integration_id: IntegrationId,
}

impl SyncCustomers {
    /// The progress row's subject.
    fn subject(&self) -> String {
        progress_subject(self.integration_id)
    }
}

fn progress_subject(integration: IntegrationId) -> String {
    format!("sync-customers:{integration}")
}

impl Job for SyncCustomers {
    const KIND: &'static str = "microsoft.sync_customers";

    /// One at a time per integration.
    fn dedup_key(&self) -> Option<String> {
        Some(self.subject())
    }

    async fn run(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        let org = ctx.org();
        let links = match app.store.integration(org, self.integration_id).await {
            Ok(_) => match app.tenant_links(org, self.integration_id).await {
                // An unlinked tenant is left alone (issue 21.6): it is not the integration's
                // to sync until it is linked again.
                Ok(links) => links
                    .into_iter()
                    .filter(|l| l.unlinked_at.is_none())
                    .collect::<Vec<_>>(),
                Err(MicrosoftError::Store(e)) => return Err(e),
                // A row its source cannot read: a corrupt descriptor.
                Err(e) => return Err(StoreError::Corrupt(e.to_string())),
            },
            // Deleted since it was queued: nothing to do.
            Err(StoreError::NotFound) => return Ok(Outcome::Complete),
            Err(e) => return Err(e),
        };
        let mut p = JobProgress {
            org_id: org,
            subject: self.subject(),
            total: i64::try_from(links.len()).unwrap_or(i64::MAX),
            done: 0,
            failures: Vec::new(),
            finished: false,
            updated_at: app.now(),
        };
        app.store.save_job_progress(&p).await?;
        for l in &links {
            match app.sync_customer(org, l.id).await {
                Ok(_) => p.done += 1,
                Err(MicrosoftError::User(reason)) => p.failures.push(ProgressFailure {
                    subject: l.new.display_name.clone(),
                    reason,
                }),
                // The tenant was removed meanwhile: it is no longer one of the integration's.
                Err(MicrosoftError::NotFound) => p.total -= 1,
                Err(MicrosoftError::Store(e)) => return Err(e),
                Err(e) => return Ok(Outcome::Retry(e.to_string())),
            }
            p.updated_at = app.now();
            app.store.save_job_progress(&p).await?;
        }
        p.finished = true;
        p.updated_at = app.now();
        app.store.save_job_progress(&p).await?;
        Ok(Outcome::Complete)
    }
}

impl App {
    /// Sync Customer: queues the job for an integration's tenants (one at a time per
    /// integration). Returns whether a job was queued (`false`: one is queued or running).
    ///
    /// # Errors
    /// Without `ManageIntegrations`; `NotFound` when the org has no such integration; a store
    /// failure.
    pub async fn enqueue_customer_sync(
        &self,
        by: &Principal,
        integration: IntegrationId,
    ) -> Result<bool, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let org = by.org_id();
        self.store.integration(org, integration).await?;
        let links = self.tenant_links(org, integration).await?;
        let job = SyncCustomers {
            integration_id: integration,
        };
        // The page shows "0 of n" until the job starts. Written before the job is queued, so
        // the job's own writes always come after it.
        let queued_progress = JobProgress {
            org_id: org,
            subject: job.subject(),
            total: i64::try_from(links.len()).unwrap_or(i64::MAX),
            done: 0,
            failures: Vec::new(),
            finished: false,
            updated_at: self.now(),
        };
        if self
            .store
            .job_progress(org, &job.subject())
            .await?
            .is_none_or(|p| p.finished)
        {
            self.store.save_job_progress(&queued_progress).await?;
        }
        Ok(self.enqueue(org, &job).await?)
    }

    /// How far the last Sync Customer of an integration got (`None`: never run).
    ///
    /// # Errors
    /// Without `ViewDirectory` (who may see the integration page); a store failure.
    pub async fn customer_sync_progress(
        &self,
        by: &Principal,
        integration: IntegrationId,
    ) -> Result<Option<JobProgress>, MicrosoftError> {
        by.require(Permission::ViewDirectory)?;
        Ok(self
            .store
            .job_progress(by.org_id(), &progress_subject(integration))
            .await?)
    }
}
