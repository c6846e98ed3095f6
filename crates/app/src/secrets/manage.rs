//! What the technician does with a link after making it: burn it early, and ask (or stop
//! asking) to be told when it is revealed. A link belongs to the technician who made it
//! (ASVS 8.2.2): only they may change whether they are told, and only they, or an admin of
//! the org, may burn it (an admin's burn is audited as such).

use super::SecretError;
use crate::App;
use crate::audit::Actor;
use countersign_domain::{OrgId, SecretId};
use countersign_store::{Secret, SecretStore, Technician};

/// What `by` may do with a link of their org.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `by` made it: every action.
    Owner,
    /// An admin of the org who did not make it: status and burn, never reveal or notify.
    Admin,
    /// Another technician: nothing.
    None,
}

impl Access {
    /// The access of technician `by` to `secret` (which must be of `by`'s org; the store's
    /// org-scoped lookup guarantees it). The owner column is written once, when the link is
    /// made, and never updated, so a check on the loaded row holds for the action after it.
    #[must_use]
    pub fn of(by: &Technician, secret: &Secret) -> Self {
        if secret.technician_id == by.id {
            Self::Owner
        } else if by.role.can_manage() {
            Self::Admin
        } else {
            Self::None
        }
    }

    /// Status and burn.
    #[must_use]
    pub fn may_manage(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

impl App {
    /// The org's link `id` if `by` may see its status (its maker, or an admin).
    ///
    /// # Errors
    /// `NotFound` (another org's too), `NotYours`, or a store failure.
    pub async fn secret_link_status(
        &self,
        by: &Technician,
        org: OrgId,
        id: SecretId,
    ) -> Result<(Secret, Access), SecretError> {
        let secret = self.store.secret(org, id).await?;
        let access = Access::of(by, &secret);
        if !access.may_manage() {
            return Err(SecretError::NotYours);
        }
        Ok((secret, access))
    }

    /// Burns a live link: ciphertext and keys deleted at once, the tombstone kept. Returns
    /// false when it had already ended. Its maker or an admin only.
    ///
    /// # Errors
    /// `NotFound` (another org's too), `NotYours` (another technician's), or a store failure.
    pub async fn burn_secret_link(
        &self,
        actor: &Actor,
        by: &Technician,
        org: OrgId,
        id: SecretId,
    ) -> Result<bool, SecretError> {
        let (secret, access) = self.secret_link_status(by, org, id).await?;
        // The maker's burn names them in the statement too; an admin's burns whoever made it.
        let owner = (access == Access::Owner).then_some(by.id);
        let burned = self.store.burn_secret(org, id, owner, self.now()).await?;
        if burned {
            let meta = if access == Access::Admin {
                serde_json::json!({
                    "by_admin": true,
                    "owner": secret.technician_id.to_string(),
                })
            } else {
                serde_json::json!({})
            };
            self.audit(actor, Some(org), "secret.burned", &id.to_string(), meta)
                .await?;
        }
        Ok(burned)
    }

    /// Sets whether the technician is emailed when the link is revealed. Its maker only.
    ///
    /// # Errors
    /// `NotFound` (another org's too), `NotYours`, or a store failure.
    pub async fn set_secret_link_notify(
        &self,
        actor: &Actor,
        by: &Technician,
        org: OrgId,
        id: SecretId,
        notify: bool,
    ) -> Result<(), SecretError> {
        let secret = self.store.secret(org, id).await?;
        if Access::of(by, &secret) != Access::Owner {
            return Err(SecretError::NotYours);
        }
        self.store.set_secret_notify(org, id, by.id, notify).await?;
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
