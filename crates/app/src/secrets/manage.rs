//! What the technician does with a link after making it: burn it early, and ask (or stop
//! asking) to be told when it is revealed. A link belongs to the technician who made it
//! (ASVS 8.2.2): only they may change whether they are told, and only they, or a principal
//! with `ManageAnySecret` (an admin), may burn it (such a burn is audited as an admin's).

use super::SecretError;
use crate::{App, Principal};
use countersign_domain::{Permission, SecretId};
use countersign_store::{Secret, SecretStore};

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
    /// The access of `by` to `secret` (which must be of `by`'s org; the store's org-scoped
    /// lookup guarantees it). The owner column is written once, when the link is made, and
    /// never updated, so a check on the loaded row holds for the action after it.
    #[must_use]
    pub fn of(by: &Principal, secret: &Secret) -> Self {
        if by.technician_id() == Some(secret.technician_id) {
            Self::Owner
        } else if by.may(Permission::ManageAnySecret) {
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
    /// The org's link `id` if `by` may see its status (its maker, or an admin), with what
    /// `by` may do with it (`SendSecrets`).
    ///
    /// # Errors
    /// Without the permission, `NotFound` (another org's too), `NotYours`, or a store
    /// failure.
    pub async fn secret_link_status(
        &self,
        by: &Principal,
        id: SecretId,
    ) -> Result<(Secret, Access), SecretError> {
        by.require(Permission::SendSecrets)?;
        let secret = self.store.secret(by.org_id(), id).await?;
        let access = Access::of(by, &secret);
        if !access.may_manage() {
            return Err(SecretError::NotYours);
        }
        Ok((secret, access))
    }

    /// Burns a live link: ciphertext and keys deleted at once, the tombstone kept. Returns
    /// false when it had already ended. Its maker or an admin only (`SendSecrets`).
    ///
    /// # Errors
    /// Without the permission, `NotFound` (another org's too), `NotYours` (another
    /// technician's), or a store failure.
    pub async fn burn_secret_link(
        &self,
        by: &Principal,
        id: SecretId,
    ) -> Result<bool, SecretError> {
        let (secret, access) = self.secret_link_status(by, id).await?;
        let org = by.org_id();
        // The maker's burn names them in the statement too; an admin's burns whoever made it.
        let owner = (access == Access::Owner)
            .then(|| by.technician_id())
            .flatten();
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
            self.audit(
                &by.actor(),
                Some(org),
                "secret.burned",
                &id.to_string(),
                meta,
            )
            .await?;
        }
        Ok(burned)
    }

    /// Sets whether the technician is emailed when the link is revealed. Its maker only
    /// (`SendSecrets`).
    ///
    /// # Errors
    /// Without the permission, `NotFound` (another org's too), `NotYours`, or a store
    /// failure.
    pub async fn set_secret_link_notify(
        &self,
        by: &Principal,
        id: SecretId,
        notify: bool,
    ) -> Result<(), SecretError> {
        by.require(Permission::SendSecrets)?;
        let org = by.org_id();
        let secret = self.store.secret(org, id).await?;
        let (Access::Owner, Some(owner)) = (Access::of(by, &secret), by.technician_id()) else {
            return Err(SecretError::NotYours);
        };
        self.store.set_secret_notify(org, id, owner, notify).await?;
        self.audit(
            &by.actor(),
            Some(org),
            "secret.notify_changed",
            &id.to_string(),
            serde_json::json!({ "notify_on_reveal": notify }),
        )
        .await?;
        Ok(())
    }
}
