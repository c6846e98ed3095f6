//! Emitting an event: one delivery per enabled, subscribed endpoint, each with its job, in one
//! transaction; so once `emit_webhook` returns, the event is durable for every endpoint.

use super::WebhookEvent;
use crate::App;
use crate::jobs::{DeliverWebhook, Job as _};
use countersign_domain::WebhookDeliveryId;
use countersign_store::{NewWebhookDelivery, StoreError, WebhookEndpoint, WebhookStore};

impl App {
    /// Queues `event` for every enabled endpoint of `event.org` subscribed to its kind.
    /// Emitting an event with the same id again queues nothing new (per endpoint). Returns
    /// how many deliveries were queued.
    ///
    /// # Errors
    /// Store failures: then nothing was queued for any endpoint.
    pub async fn emit_webhook(&self, event: &WebhookEvent) -> Result<u64, StoreError> {
        let endpoints = self
            .store
            .subscribed_webhook_endpoints(event.org, event.kind.as_str())
            .await?;
        self.queue_event(event, &endpoints).await
    }

    /// Records a delivery of `event` to each of `endpoints`, with its job.
    pub(crate) async fn queue_event(
        &self,
        event: &WebhookEvent,
        endpoints: &[WebhookEndpoint],
    ) -> Result<u64, StoreError> {
        if endpoints.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let body = event.body();
        let mut batch = Vec::with_capacity(endpoints.len());
        for e in endpoints {
            let id = WebhookDeliveryId::new();
            batch.push((
                NewWebhookDelivery {
                    id,
                    org_id: event.org,
                    endpoint_id: e.id,
                    event_id: event.id,
                    event_kind: event.kind.as_str().to_owned(),
                    payload: body.clone(),
                    created_at: now,
                },
                DeliverWebhook { delivery_id: id }.new_job(event.org, now, &self.settings)?,
            ));
        }
        self.store.queue_webhook_deliveries(&batch).await
    }
}
