//! The per-tenant sync job on the durable queue (it survives restarts: a job whose worker
//! died runs again after its lease), and the scheduler that enqueues due tenants.

use super::{MicrosoftError, SyncOutcome};
use crate::App;
use countersign_domain::{JobId, OrgId, TenantLinkId};
use countersign_store::{JobStore, NewJob, StoreError, SyncSourceStore};
use serde::{Deserialize, Serialize};

/// Job kind of a tenant sync.
pub const SYNC_TENANT_JOB: &str = "microsoft.sync_tenant";

/// How many times in a row a full round interrupted by a 410 is queued again at once.
pub const MAX_FULL_ROUND_RESTARTS: u32 = 3;

/// Payload: the link to sync (ids only).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncTenantPayload {
    /// The tenant link.
    pub link_id: TenantLinkId,
    /// How many full rounds in a row a 410 interrupted before this job was queued.
    #[serde(default)]
    pub full_restarts: u32,
}

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
        // An ended tenant (its GDAP relationships ended) is no longer synced.
        if self.store.sync_source(org, link).await?.ended_at.is_some() {
            return Ok(false);
        }
        self.enqueue_sync(org, link, 0).await
    }

    /// Queues a sync job; a restart of an interrupted full round has a dedup key of its own
    /// (the job that queues it still holds the ordinary one while it runs).
    async fn enqueue_sync(
        &self,
        org: OrgId,
        link: TenantLinkId,
        full_restarts: u32,
    ) -> Result<bool, MicrosoftError> {
        let now = self.now();
        let dedup_key = if full_restarts == 0 {
            format!("m365-sync:{link}")
        } else {
            format!("m365-sync:{link}:full-restart-{full_restarts}")
        };
        let queued = self
            .store
            .enqueue_job(&NewJob {
                id: JobId::new(),
                org_id: org,
                kind: SYNC_TENANT_JOB.into(),
                payload: serde_json::to_string(&SyncTenantPayload {
                    link_id: link,
                    full_restarts,
                })
                .map_err(|e| MicrosoftError::Internal(e.to_string()))?,
                max_attempts: i64::from(self.settings.workers.max_attempts),
                run_at: now,
                dedup_key: Some(dedup_key),
                created_at: now,
            })
            .await?;
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
        payload: &str,
    ) -> Result<SyncJobOutcome, StoreError> {
        let Ok(p) = serde_json::from_str::<SyncTenantPayload>(payload) else {
            return Ok(SyncJobOutcome::Done);
        };
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

/// Every minute, enqueues the tenants whose scheduled sync is due, until `stop` is true.
/// Only enqueues: the workers run the syncs (so retries and visibility are uniform).
pub async fn run_scheduler(app: App, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    let mut audit_heads = crate::audit_heads::HeadSchedule::default();
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match app.enqueue_due_syncs().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(tenants = n, "scheduled Microsoft 365 syncs queued"),
                    Err(e) => tracing::warn!(error = %e, "scheduling Microsoft 365 syncs failed"),
                }
                // The same tick expires verifications whose time ran out.
                if let Err(e) = app.expire_verifications().await {
                    tracing::warn!(error = %e, "expiring verifications failed");
                }
                // …and ends one-time links past their expiry (ciphertext deleted at once).
                if let Err(e) = app.expire_secrets().await {
                    tracing::warn!(error = %e, "expiring secrets failed");
                }
                // …and, once an hour, publishes the audit chain's heads.
                audit_heads.tick(&app).await;
            }
            _ = stop.changed() => if *stop.borrow() { return },
        }
    }
}
