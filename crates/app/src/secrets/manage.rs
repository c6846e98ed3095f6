//! What the technician does with a link after making it: burn it early, and ask (or stop
//! asking) to be told when it is revealed.

use super::SecretError;
use crate::App;
use crate::audit::Actor;
use countersign_domain::{OrgId, SecretId};
use countersign_store::SecretStore;

impl App {
    /// Burns a live link: ciphertext and keys deleted at once, the tombstone kept. Returns
    /// false when it had already ended.
    ///
    /// # Errors
    /// `NotFound` (another org's too), or a store failure.
    pub async fn burn_secret_link(
        &self,
        actor: &Actor,
        org: OrgId,
        id: SecretId,
    ) -> Result<bool, SecretError> {
        self.store.secret(org, id).await?;
        let burned = self.store.burn_secret(org, id, self.now()).await?;
        if burned {
            self.audit(
                actor,
                Some(org),
                "secret.burned",
                &id.to_string(),
                serde_json::json!({}),
            )
            .await?;
        }
        Ok(burned)
    }

    /// Sets whether the technician is emailed when the link is revealed.
    ///
    /// # Errors
    /// `NotFound` (another org's too), or a store failure.
    pub async fn set_secret_link_notify(
        &self,
        actor: &Actor,
        org: OrgId,
        id: SecretId,
        notify: bool,
    ) -> Result<(), SecretError> {
        self.store.set_secret_notify(org, id, notify).await?;
        self.audit(
            actor,
            Some(org),
            "secret.notify_changed",
            &id.to_string(),
            serde_json::json!({ "notify_on_reveal": notify }),
        )
        .await?;
        Ok(())
    }
}
