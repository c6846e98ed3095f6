//! Which contact source serves an integration kind. Adding a source (ConnectWise, say) is its
//! module implementing [`super::ContactSource`] and one arm in each function here; the engine
//! does not change.

use super::{DirectoryError, Discovered, SyncOutcome};
use crate::App;
use crate::microsoft::Microsoft365;
use countersign_domain::{CustomerId, IntegrationId, OrgId, SyncSourceId};
use countersign_store::{IntegrationKind, IntegrationStore, SyncSourceStore};

impl App {
    /// Runs one sync of a linked company with its integration's source.
    ///
    /// # Errors
    /// See [`App::sync_with`]; `NotFound` when the org has no such link.
    pub async fn sync_link(
        &self,
        org: OrgId,
        link: SyncSourceId,
    ) -> Result<SyncOutcome, DirectoryError> {
        match self.kind_of_link(org, link).await? {
            IntegrationKind::Microsoft365 => self.sync_with(&Microsoft365, org, link).await,
        }
    }

    /// Creates or refreshes the customer of a linked company with its integration's source.
    ///
    /// # Errors
    /// See [`App::sync_customer_with`].
    pub async fn sync_link_customer(
        &self,
        org: OrgId,
        link: SyncSourceId,
    ) -> Result<CustomerId, DirectoryError> {
        match self.kind_of_link(org, link).await? {
            IntegrationKind::Microsoft365 => {
                self.sync_customer_with(&Microsoft365, org, link).await
            }
        }
    }

    /// Links the companies the integration's source lists (`None`: its source links them
    /// another way).
    ///
    /// # Errors
    /// See [`App::discover_with`].
    pub async fn discover_links(
        &self,
        org: OrgId,
        integration: IntegrationId,
    ) -> Result<Option<Discovered>, DirectoryError> {
        match self.store.integration(org, integration).await?.kind {
            IntegrationKind::Microsoft365 => {
                self.discover_with(&Microsoft365, org, integration).await
            }
        }
    }

    /// The kind of the integration a linked company belongs to.
    async fn kind_of_link(
        &self,
        org: OrgId,
        link: SyncSourceId,
    ) -> Result<IntegrationKind, DirectoryError> {
        let link = self.store.sync_source(org, link).await?;
        Ok(self
            .store
            .integration(org, link.new.integration_id)
            .await?
            .kind)
    }
}
