//! Ending links whose expiry passed: their ciphertext and keys are deleted at once and the
//! row stays as a tombstone (claims already refuse them before the purge runs).

use crate::App;
use crate::audit::Actor;
use countersign_store::{SecretStore, StoreError};

/// Most links one purge ends; the next tick takes the rest.
const PURGE_BATCH: i64 = 500;

impl App {
    /// Expires every live link past its expiry, auditing each (ids and metadata only).
    /// Returns how many.
    ///
    /// # Errors
    /// A store failure.
    pub async fn expire_secrets(&self) -> Result<usize, StoreError> {
        let expired = self.store.expire_secrets(self.now(), PURGE_BATCH).await?;
        for s in &expired {
            self.audit(
                &Actor::system(),
                Some(s.org_id),
                "secret.expired",
                &s.id.to_string(),
                serde_json::json!({ "kind": s.kind.as_str(), "views_left": s.views_left }),
            )
            .await?;
        }
        Ok(expired.len())
    }
}
