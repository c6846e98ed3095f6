//! `deliver_webhook`: one attempt to POST a webhook event, signed, to one endpoint.

use super::job::{Job, JobContext, JobResult, Outcome};
use crate::App;
use crate::settings::Settings;
use crate::webhooks::WebhookJobOutcome;
use countersign_domain::WebhookDeliveryId;
use countersign_store::WebhookStore;
use serde::{Deserialize, Serialize};

/// Payload: the delivery's id (the body is in its row).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliverWebhook {
    pub delivery_id: WebhookDeliveryId,
}

impl Job for DeliverWebhook {
    const KIND: &'static str = "deliver_webhook";

    fn dedup_key(&self) -> Option<String> {
        Some(format!("webhook:{}", self.delivery_id))
    }

    fn max_attempts(settings: &Settings) -> u32 {
        settings.webhooks.max_attempts
    }

    async fn run(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        Ok(
            match app
                .deliver_webhook(
                    &ctx.transports.webhooks,
                    ctx.org(),
                    self.delivery_id,
                    ctx.attempts(),
                    ctx.max_attempts(),
                )
                .await?
            {
                WebhookJobOutcome::Done => Outcome::Complete,
                // Webhooks back off over hours, on their own schedule.
                WebhookJobOutcome::Retry { error, after } => Outcome::RetryAfter(error, after),
                WebhookJobOutcome::GaveUp(error) => Outcome::Bury(error),
            },
        )
    }

    /// The delivery would stay pending forever: it is recorded as failed.
    async fn abandoned(&self, app: &App, ctx: &JobContext<'_>, error: String) -> JobResult {
        if let Ok(d) = app
            .store
            .webhook_delivery(ctx.org(), self.delivery_id)
            .await
        {
            app.final_failure(&d, None, &error).await?;
        }
        Ok(Outcome::Bury(error))
    }
}
