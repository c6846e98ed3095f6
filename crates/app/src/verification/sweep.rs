//! Marking pending verifications whose time ran out as expired, so the history, the audit
//! log and the Pod agree (reads already treat them as expired before the sweep runs).

use crate::App;
use crate::audit::Actor;
use countersign_store::{ChallengeStore, StoreError};

/// Most verifications one sweep marks; the next tick takes the rest.
const SWEEP_BATCH: i64 = 500;

impl App {
    /// Expires every pending verification past its expiry. Returns how many.
    ///
    /// # Errors
    /// A store failure.
    pub async fn expire_verifications(&self) -> Result<usize, StoreError> {
        let expired = self
            .store
            .expire_challenges(self.now(), SWEEP_BATCH)
            .await?;
        for c in &expired {
            let v = &c.verification;
            self.audit(
                &Actor::system(),
                Some(v.org_id),
                "verification.expired",
                &v.id.to_string(),
                serde_json::json!({ "contact": v.contact_id.to_string(), "method": v.method.as_str() }),
            )
            .await?;
            self.emit_verification_event(
                v.org_id,
                v.id,
                crate::webhooks::WebhookEventKind::VerificationExpired,
            )
            .await;
        }
        Ok(expired.len())
    }
}
