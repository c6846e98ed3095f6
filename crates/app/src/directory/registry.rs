//! Which contact source serves an integration kind. Adding a source (ConnectWise, say) is its
//! module implementing [`super::ContactSource`] and one arm in [`App::sync_link`] and
//! [`App::sync_link_customer`]; the engine does not change.

use super::{DirectoryError, SyncOutcome};
use crate::App;
use crate::microsoft::Microsoft365;
use countersign_domain::{CustomerId, OrgId, SyncSourceId};
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
