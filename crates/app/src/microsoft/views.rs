//! What the integration pages show, read for a principal (technicians may look:
//! `ViewDirectory`), and the sync buttons (`ManageIntegrations`). Web only formats these.

use super::{MicrosoftError, MicrosoftIntegration, TenantLink, TenantLinkId};
use crate::{App, Principal};
use countersign_domain::{IntegrationId, Permission};
use countersign_store::IntegrationStore;

/// One card of the integrations index.
#[derive(Clone, Debug)]
pub struct IntegrationCard {
    /// The integration.
    pub integration: MicrosoftIntegration,
    /// How many tenants it links.
    pub tenants: usize,
}

/// One integration's page: the row, its linked tenants and how many contacts it brought in.
#[derive(Clone, Debug)]
pub struct IntegrationView {
    /// The integration.
    pub integration: MicrosoftIntegration,
    /// Its tenant links, by name.
    pub links: Vec<TenantLink>,
    /// Contacts that came in through it.
    pub contacts: i64,
}

impl App {
    /// The org's integrations, each with its number of linked tenants.
    ///
    /// # Errors
    /// `Denied` without `ViewDirectory`; a store failure.
    pub async fn integration_list(
        &self,
        by: &Principal,
    ) -> Result<Vec<IntegrationCard>, MicrosoftError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let mut cards = Vec::new();
        for integration in self.microsoft_integrations(org).await? {
            let tenants = self.tenant_links(org, integration.id).await?.len();
            cards.push(IntegrationCard {
                integration,
                tenants,
            });
        }
        Ok(cards)
    }

    /// One integration of the org with its tenants and contact count.
    ///
    /// # Errors
    /// `Denied` without `ViewDirectory`; `NotFound`; a store failure.
    pub async fn integration_page(
        &self,
        by: &Principal,
        id: IntegrationId,
    ) -> Result<IntegrationView, MicrosoftError> {
        by.require(Permission::ViewDirectory)?;
        let org = by.org_id();
        let integration = self.microsoft_integration(org, id).await?;
        let links = self.tenant_links(org, id).await?;
        let contacts = self.store.integration_contact_count(org, id).await?;
        Ok(IntegrationView {
            integration,
            links,
            contacts,
        })
    }

    /// The tenant links of one integration of the org (its live sync status).
    ///
    /// # Errors
    /// `Denied` without `ViewDirectory`; `NotFound` (another org's id is not an empty list).
    pub async fn integration_status(
        &self,
        by: &Principal,
        id: IntegrationId,
    ) -> Result<Vec<TenantLink>, MicrosoftError> {
        by.require(Permission::ViewDirectory)?;
        self.store.integration(by.org_id(), id).await?;
        self.tenant_links(by.org_id(), id).await
    }

    /// Sync Users: queues a sync of every tenant of the integration (none twice, none
    /// ended). Returns how many were queued.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `NotFound`; a store failure.
    pub async fn queue_integration_sync(
        &self,
        by: &Principal,
        id: IntegrationId,
    ) -> Result<usize, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let org = by.org_id();
        // Another org's id is "not found", not an empty list.
        self.store.integration(org, id).await?;
        let mut queued = 0;
        for l in self.tenant_links(org, id).await? {
            if self.enqueue_tenant_sync(org, l.id).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Queues a sync of one tenant of the integration. Returns whether a job was queued.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `NotFound` when the link is not the
    /// integration's (or not the org's); a store failure.
    pub async fn queue_tenant_sync(
        &self,
        by: &Principal,
        id: IntegrationId,
        link: TenantLinkId,
    ) -> Result<bool, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let l = self.tenant_link(by.org_id(), link).await?;
        if l.new.integration_id != id {
            return Err(MicrosoftError::NotFound);
        }
        self.enqueue_tenant_sync(by.org_id(), link).await
    }
}
