//! `microsoft.sync_tenant`: one sync round of a linked tenant. This file is only the job's
//! plumbing; the round itself is the sync engine's (`App::run_sync_job`).

use super::job::{Job, JobContext, JobResult, Outcome};
use crate::App;
use crate::microsoft::SyncJobOutcome;
use countersign_domain::TenantLinkId;
use serde::{Deserialize, Serialize};

/// Payload: the link to sync (ids only).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncTenant {
    /// The tenant link.
    pub link_id: TenantLinkId,
    /// How many full rounds in a row a 410 interrupted before this job was queued.
    #[serde(default)]
    pub full_restarts: u32,
}

impl Job for SyncTenant {
    const KIND: &'static str = "microsoft.sync_tenant";

    /// At most one queued per tenant; a restart of an interrupted full round has a key of its
    /// own (the job that queues it still holds the ordinary one while it runs).
    fn dedup_key(&self) -> Option<String> {
        Some(if self.full_restarts == 0 {
            format!("m365-sync:{}", self.link_id)
        } else {
            format!(
                "m365-sync:{}:full-restart-{}",
                self.link_id, self.full_restarts
            )
        })
    }

    async fn run(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        Ok(match app.run_sync_job(ctx.org(), self).await? {
            SyncJobOutcome::Done => Outcome::Complete,
            SyncJobOutcome::Retry(e) => Outcome::Retry(e),
        })
    }

    /// Runs the round once more: the engine records its own failures on the link, and a
    /// retry asked for then buries the job (no attempts are left).
    async fn abandoned(&self, app: &App, ctx: &JobContext<'_>, _error: String) -> JobResult {
        self.run(app, ctx).await
    }
}
