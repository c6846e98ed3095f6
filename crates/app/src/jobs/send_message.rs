//! `send_message`: delivers one queued message (Twilio, SMTP, Microsoft Graph or the Outbox).
//! Claimed together, these jobs run as one batch (`messages::batch`).

use super::job::{Job, JobContext, JobResult, Outcome};
use super::registry::{BatchFn, BoxFuture};
use crate::App;
use crate::messages::{BatchJob, DeliveryOutcome, Transports};
use countersign_domain::MessageId;
use countersign_store::{Job as StoredJob, StoreError};
use serde::{Deserialize, Serialize};

/// Payload: ids only, the body stays in the message row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendMessage {
    pub message_id: MessageId,
}

impl Job for SendMessage {
    const KIND: &'static str = "send_message";
    const BATCH: Option<BatchFn> = Some(send_batch);

    fn dedup_key(&self) -> Option<String> {
        Some(format!("message:{}", self.message_id))
    }

    async fn run(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        match app
            .deliver_message(
                ctx.transports,
                ctx.org(),
                self.message_id,
                ctx.attempts(),
                ctx.max_attempts(),
            )
            .await
        {
            Ok(DeliveryOutcome::Done) => Ok(Outcome::Complete),
            Ok(DeliveryOutcome::Retry(e)) => Ok(Outcome::Retry(e)),
            Ok(DeliveryOutcome::GaveUp(e)) => Ok(Outcome::Bury(e)),
            // The message was deleted with its org: nothing left to do.
            Err(StoreError::NotFound) => Ok(Outcome::Complete),
            Err(e) => Err(e),
        }
    }

    /// The message would stay `sending` forever: it is marked failed.
    async fn abandoned(&self, app: &App, ctx: &JobContext<'_>, error: String) -> JobResult {
        app.fail_abandoned_message(ctx.org(), self.message_id, &error)
            .await?;
        Ok(Outcome::Bury(error))
    }
}

/// The batch: the jobs [`BatchJob::of`] accepts go through [`App::deliver_batch`]; the rest
/// (abandoned, unreadable) run one by one.
fn send_batch<'a>(
    app: &'a App,
    transports: &'a Transports,
    worker: &'a str,
    jobs: Vec<StoredJob>,
) -> BoxFuture<'a, Vec<StoredJob>> {
    Box::pin(async move {
        let mut batch = Vec::new();
        let mut rest = Vec::new();
        for job in jobs {
            match BatchJob::of(&job) {
                Some(b) => batch.push(b),
                None => rest.push(job),
            }
        }
        if !batch.is_empty()
            && let Err(e) = app.deliver_batch(transports, worker, &batch).await
        {
            tracing::warn!(error = %e, "message batch failed on a store error; its jobs run again after their lease");
        }
        rest
    })
}
