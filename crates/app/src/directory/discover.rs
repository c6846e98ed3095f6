//! Linking the companies a source lists ([`ContactSource::discover`]): each listed company is
//! linked (or refreshed, and no longer ended), and a linked company the list no longer has is
//! ended, kept with its customer and contacts but not synced.

use super::{ContactSource, DirectoryError, SourceError};
use crate::App;
use countersign_domain::{IntegrationId, OrgId};
use countersign_store::{IntegrationStore, SyncSourceStore};

/// Said on a company its source no longer lists.
pub const NO_LONGER_LISTED: &str = "The source no longer lists this company.";

/// What a discovery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Discovered {
    /// Companies linked or refreshed.
    pub linked: usize,
    /// Companies newly ended.
    pub ended: usize,
}

impl App {
    /// Links the companies `source` lists for the integration and ends those it no longer
    /// lists. `None` when the source does not list companies.
    ///
    /// # Errors
    /// `User` with the source's refusal in words; `NotFound`; a store failure.
    pub async fn discover_with<S: ContactSource>(
        &self,
        source: &S,
        org: OrgId,
        integration: IntegrationId,
    ) -> Result<Option<Discovered>, DirectoryError> {
        let i = self.store.integration(org, integration).await?;
        let listed = match source.discover(self, &i).await {
            Ok(Some(l)) => l,
            Ok(None) => return Ok(None),
            Err(SourceError::Local(e)) => return Err(e),
            Err(e) => return Err(DirectoryError::User(e.to_string())),
        };
        let mut done = Discovered::default();
        let mut kept = Vec::with_capacity(listed.len());
        for company in &listed {
            // Always this org's integration, whatever the source says.
            let company = countersign_store::NewSyncSource {
                org_id: org,
                integration_id: integration,
                ..company.clone()
            };
            kept.push(
                self.store
                    .upsert_sync_source(&company, self.now())
                    .await?
                    .id,
            );
            done.linked += 1;
        }
        for row in self.store.sync_sources(org, integration).await? {
            if row.ended_at.is_none() && !kept.contains(&row.id) {
                self.store
                    .end_sync_source(
                        org,
                        row.id,
                        NO_LONGER_LISTED,
                        &row.new.descriptor,
                        self.now(),
                    )
                    .await?;
                done.ended += 1;
            }
        }
        Ok(Some(done))
    }
}
