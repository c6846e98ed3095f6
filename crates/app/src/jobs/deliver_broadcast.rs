//! `broadcast.deliver`: delivers one approved broadcast, in runs (see
//! `broadcasts::delivery`). Queued by the approval, in its transaction, due at the schedule.

use super::job::{Job, JobContext, JobResult, Outcome};
use crate::App;
use crate::broadcasts::DeliveryStep;
use crate::settings::Settings;
use countersign_domain::BroadcastId;
use serde::{Deserialize, Serialize};

/// Payload: the broadcast (its org is the job's).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliverBroadcast {
    pub broadcast_id: BroadcastId,
}

impl Job for DeliverBroadcast {
    const KIND: &'static str = "broadcast.deliver";

    /// One live job per broadcast: a second approval path or a retry cannot start another.
    fn dedup_key(&self) -> Option<String> {
        Some(format!("broadcast:{}", self.broadcast_id))
    }

    /// Runs that continue do not count; these are runs cut short by a dead worker or a
    /// store failure, each of which leaves nothing half done (a batch is one transaction).
    fn max_attempts(_: &Settings) -> u32 {
        100
    }

    async fn run(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        Ok(
            match app
                .deliver_broadcast_step(ctx.org(), self.broadcast_id)
                .await?
            {
                DeliveryStep::Done => Outcome::Complete,
                DeliveryStep::Again(after) => Outcome::Continue(after),
            },
        )
    }
}
