//! Queuing tenant syncs on the durable queue (it survives restarts: a job whose worker died
//! runs again after its lease), the engine's entry for a claimed sync job, and which tenants
//! are due. The job itself is `jobs::SyncTenant`; the schedule (`crate::schedule`) calls
//! [`App::enqueue_due_syncs`].

use super::{MicrosoftError, SyncOutcome};
use crate::App;
use crate::jobs::SyncTenant;
use countersign_domain::{OrgId, TenantLinkId};
use countersign_store::{StoreError, SyncSourceStore};

/// How many times in a row a full round interrupted by a 410 is queued again at once.
pub const MAX_FULL_ROUND_RESTARTS: u32 = 3;

/// What the runner does with a sync job after it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncJobOutcome {
    /// Finished (successfully or with a failure recorded on the link that a retry won't fix).
    Done,
    /// Try again later (Microsoft unavailable or throttled).
    Retry(String),
}

impl App {
    /// Queues a sync of a linked tenant (at most one queued per tenant; none for an ended
    /// one). Returns whether a job was queued.
    ///
    /// # Errors
    /// A store failure; `NotFound` when the org has no such link.
    pub async fn enqueue_tenant_sync(
        &self,
        org: OrgId,
        link: TenantLinkId,
    ) -> Result<bool, MicrosoftError> {
        // An ended tenant (its GDAP relationships ended) or an unlinked one is no longer
        // synced.
        let s = self.store.sync_source(org, link).await?;
        if s.ended_at.is_some() || s.unlinked_at.is_some() {
            return Ok(false);
        }
        self.enqueue_sync(org, link, 0).await
    }

    /// Queues a sync job (see `SyncTenant::dedup_key` for what may be queued at once).
    async fn enqueue_sync(
        &self,
        org: OrgId,
        link: TenantLinkId,
        full_restarts: u32,
    ) -> Result<bool, MicrosoftError> {
        let job = SyncTenant {
            link_id: link,
            full_restarts,
        };
        let queued = self.enqueue(org, &job).await?;
        if queued {
            self.store.mark_sync_queued(org, link).await?;
        }
        Ok(queued)
    }

    /// Runs a claimed sync job.
    ///
    /// # Errors
    /// Store failures (the job runs again after its lease).
    pub async fn run_sync_job(
        &self,
        org: OrgId,
        p: &SyncTenant,
    ) -> Result<SyncJobOutcome, StoreError> {
        match self.sync_tenant(org, p.link_id).await {
            Ok(SyncOutcome::Retry(m)) => Ok(SyncJobOutcome::Retry(m)),
            // A 410 in the middle of a full round: the full round starts again now, as a
            // queued job (issue 17.9), unless it keeps happening.
            Ok(SyncOutcome::RestartFull(_)) if p.full_restarts < MAX_FULL_ROUND_RESTARTS => {
                match self.enqueue_sync(org, p.link_id, p.full_restarts + 1).await {
                    Ok(_) | Err(MicrosoftError::NotFound) => Ok(SyncJobOutcome::Done),
                    Err(MicrosoftError::Store(e)) => Err(e),
                    Err(e) => Ok(SyncJobOutcome::Retry(e.to_string())),
                }
            }
            Ok(_) | Err(MicrosoftError::NotFound) => Ok(SyncJobOutcome::Done),
            Err(MicrosoftError::Store(e)) => Err(e),
            Err(e) => Ok(SyncJobOutcome::Retry(e.to_string())),
        }
    }

    /// Enqueues every idle tenant whose last sync is older than `[microsoft]
    /// sync_interval_minutes`. Returns how many were queued.
    ///
    /// # Errors
    /// A store failure.
    pub async fn enqueue_due_syncs(&self) -> Result<usize, MicrosoftError> {
        let Some(interval) = self.settings.microsoft.sync_interval() else {
            return Ok(0);
        };
        let due = self
            .store
            .sync_sources_due(self.now().minus(interval), 500)
            .await?;
        let mut n = 0;
        for (org, link) in due {
            if self.enqueue_tenant_sync(org, link).await? {
                n += 1;
            }
        }
        Ok(n)
    }
}
