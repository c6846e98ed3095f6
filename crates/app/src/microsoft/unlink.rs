//! Unlinking one tenant of an integration, re-linking it, the org's retention of an unlinked
//! tenant's contacts, and the purge (issue 21.6).
//!
//! The rows are generic sync sources (`countersign_store::UnlinkStore`), so a PSA company
//! will be unlinked the same way. Unlinking stops the tenant's sync (its delta token is
//! forgotten; a queued job finds it unlinked and does nothing; a running one stops after its
//! current page and hides what that page stored) and hides its contacts from every list,
//! search, picker, audience and action, while the audit trail and the verification history
//! keep naming them. They are deleted on the purge date fixed at the unlink (the org's
//! retention then), unless the tenant is linked again before.

use super::{MicrosoftError, TenantLink, TenantLinkId};
use crate::{App, Principal};
use countersign_domain::{IntegrationId, OrgId, Permission, SyncSourceId, Timestamp};
use countersign_store::{DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, StoreError, UnlinkStore};
use serde_json::json;
use std::time::Duration;

/// How many unlinked tenants one purge sweep handles (the next sweep takes the rest).
const PURGE_BATCH: i64 = 100;

/// What an unlink did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unlinked {
    /// Contacts hidden.
    pub hidden: u64,
    /// When they will be deleted.
    pub purge_at: Timestamp,
}

/// The org's retention of an unlinked tenant's contacts, in days, parsed from a form.
///
/// # Errors
/// `User` unless it is a whole number from 1 to [`MAX_RETENTION_DAYS`].
pub fn parse_retention_days(raw: &str) -> Result<i64, MicrosoftError> {
    match raw.trim().parse::<i64>() {
        Ok(d) if (1..=MAX_RETENTION_DAYS).contains(&d) => Ok(d),
        _ => Err(MicrosoftError::User(format!(
            "enter the number of days to keep an unlinked tenant's contacts, a whole number from 1 to {MAX_RETENTION_DAYS} (the default is {DEFAULT_RETENTION_DAYS})"
        ))),
    }
}

impl App {
    /// The org's tenant of this integration (another integration's or org's is not found).
    async fn integration_tenant(
        &self,
        org: OrgId,
        id: IntegrationId,
        link: TenantLinkId,
    ) -> Result<TenantLink, MicrosoftError> {
        let l = self.tenant_link(org, link).await?;
        if l.new.integration_id != id {
            return Err(MicrosoftError::NotFound);
        }
        Ok(l)
    }

    /// Unlinks one tenant of the integration (audited).
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `NotFound`; `User` if it is already unlinked.
    pub async fn unlink_tenant(
        &self,
        by: &Principal,
        id: IntegrationId,
        link: TenantLinkId,
    ) -> Result<Unlinked, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let org = by.org_id();
        let l = self.integration_tenant(org, id, link).await?;
        let days = self.store.unlink_retention_days(org).await?;
        let now = self.now();
        let purge_at = now.plus(days_of(days));
        let hidden = match self
            .store
            .unlink_sync_source(org, link, now, purge_at)
            .await
        {
            Ok(n) => n,
            Err(StoreError::Conflict { .. }) => {
                return Err(MicrosoftError::User(format!(
                    "{} is already unlinked",
                    l.new.display_name
                )));
            }
            Err(e) => return Err(e.into()),
        };
        self.audit(
            &by.actor(),
            None,
            "integration.tenant_unlinked",
            &id.to_string(),
            json!({
                "link_id": link.to_string(),
                "tenant_id": l.new.tenant_id,
                "contacts_hidden": hidden,
                "purge_at": purge_at.0,
            }),
        )
        .await?;
        Ok(Unlinked { hidden, purge_at })
    }

    /// Links an unlinked tenant again: its hidden contacts are shown again and a full sync is
    /// queued (audited). Returns how many contacts came back (none after the purge: the
    /// sync brings them in again).
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `NotFound`; `User` unless it is unlinked.
    pub async fn relink_tenant(
        &self,
        by: &Principal,
        id: IntegrationId,
        link: TenantLinkId,
    ) -> Result<u64, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let org = by.org_id();
        let l = self.integration_tenant(org, id, link).await?;
        let restored = match self.store.relink_sync_source(org, link).await {
            Ok(n) => n,
            Err(StoreError::Conflict { .. }) => {
                return Err(MicrosoftError::User(format!(
                    "{} is linked, not unlinked",
                    l.new.display_name
                )));
            }
            Err(e) => return Err(e.into()),
        };
        self.audit(
            &by.actor(),
            None,
            "integration.tenant_relinked",
            &id.to_string(),
            json!({
                "link_id": link.to_string(),
                "tenant_id": l.new.tenant_id,
                "contacts_restored": restored,
            }),
        )
        .await?;
        self.enqueue_tenant_sync(org, link).await?;
        Ok(restored)
    }

    /// How many days the org keeps an unlinked tenant's contacts.
    ///
    /// # Errors
    /// `Denied` without `ViewDirectory`; a store failure.
    pub async fn unlink_retention_days(&self, by: &Principal) -> Result<i64, MicrosoftError> {
        by.require(Permission::ViewDirectory)?;
        Ok(self.store.unlink_retention_days(by.org_id()).await?)
    }

    /// Sets how many days the org keeps an unlinked tenant's contacts (audited). Tenants
    /// unlinked before keep the date they were given.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `User` for a number out of range.
    pub async fn set_unlink_retention_days(
        &self,
        by: &Principal,
        raw: &str,
    ) -> Result<i64, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let days = parse_retention_days(raw)?;
        self.store
            .set_unlink_retention_days(by.org_id(), days, self.now())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "integration.unlink_retention_set",
            &by.org_id().to_string(),
            json!({ "days": days }),
        )
        .await?;
        Ok(days)
    }

    /// The purge sweep: deletes the contacts of unlinked tenants whose purge date passed
    /// (each purge audited as the system's). Returns how many contacts were deleted.
    ///
    /// # Errors
    /// A store failure (the next sweep tries again).
    pub async fn purge_unlinked_contacts(&self) -> Result<u64, StoreError> {
        let purged = self
            .store
            .purge_unlinked_sources(self.now(), PURGE_BATCH)
            .await?;
        let mut total = 0;
        for (org, link, deleted) in purged {
            total += deleted;
            self.audit_purge(org, link, deleted).await?;
        }
        Ok(total)
    }

    async fn audit_purge(
        &self,
        org: OrgId,
        link: SyncSourceId,
        deleted: u64,
    ) -> Result<(), StoreError> {
        self.audit(
            &Principal::system(org).actor(),
            Some(org),
            "integration.tenant_purged",
            &link.to_string(),
            json!({ "link_id": link.to_string(), "contacts_deleted": deleted }),
        )
        .await
    }
}

fn days_of(days: i64) -> Duration {
    Duration::from_secs(u64::try_from(days).unwrap_or(0) * 24 * 3600)
}
