//! Webhook events of verifications (requested, verified, denied, expired), emitted after the
//! change committed. The event id derives from the verification and the kind, so a repeated
//! emit queues nothing twice.

use crate::App;
use crate::webhooks::{VerificationEventData, WebhookEvent, WebhookEventKind};
use countersign_domain::{OrgId, VerificationId};
use countersign_store::{ChallengeStore, ContactStore, VerificationMethod, WebhookStore};

impl App {
    /// Emits `kind` for verification `id` of `org` to the org's webhook endpoints. A failure
    /// is logged, not returned: the verification itself already happened and the technician
    /// must see its result.
    pub(super) async fn emit_verification_event(
        &self,
        org: OrgId,
        id: VerificationId,
        kind: WebhookEventKind,
    ) {
        if let Err(e) = self.try_emit(org, id, kind).await {
            tracing::warn!(verification = %id, kind = kind.as_str(), error = %e, "queuing the verification webhook failed");
        }
    }

    async fn try_emit(
        &self,
        org: OrgId,
        id: VerificationId,
        kind: WebhookEventKind,
    ) -> Result<(), countersign_store::StoreError> {
        // Most orgs have no endpoints: ask that first, before reading the verification.
        let endpoints = self
            .store
            .subscribed_webhook_endpoints(org, kind.as_str())
            .await?;
        if endpoints.is_empty() {
            return Ok(());
        }
        let c = self.store.challenge(org, id).await?;
        let v = &c.verification;
        if v.method == VerificationMethod::TechnicianVerification {
            return Ok(());
        }
        let customer_id = self
            .store
            .contact(org, v.contact_id)
            .await
            .ok()
            .map(|c| c.customer_id);
        let data = VerificationEventData {
            verification_id: v.id,
            contact_id: v.contact_id,
            customer_id,
            technician_id: v.technician_id,
            method: v.method.as_str().to_owned(),
            channel: v.channel.clone(),
            status: c.status_at(self.now()).as_str().to_owned(),
            destination_masked: Some(v.destination_masked.clone()),
            requested_at: v.at,
            completed_at: c.completed_at,
        };
        let event = WebhookEvent::verification(kind, org, self.now(), &data);
        self.queue_event(&event, &endpoints).await?;
        Ok(())
    }
}
