//! The sync history on the Jobs page (issue 21.6): the org's recent sync runs per
//! integration, tenant and source, with what the filters may name. `ManageJobs` (admins),
//! like the rest of the page; an integration or tenant of another org is "not found".

use super::JobAdminError;
use crate::{App, Principal};
use countersign_domain::{IntegrationId, Permission, SyncSourceId};
use countersign_store::{
    IntegrationStore, StoreError, SyncRun, SyncRunFilter, SyncRunStore, SyncSourceStore,
};

/// How many runs the page lists.
pub const SYNC_HISTORY_LIMIT: i64 = 100;

/// One linked company the history may be filtered by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistorySource {
    /// Its id.
    pub id: SyncSourceId,
    /// Its integration.
    pub integration_id: IntegrationId,
    /// Its name.
    pub name: String,
    /// How it is reached (Microsoft 365: `admin_consent` or `gdap`).
    pub link: String,
}

/// The sync history and its filters.
#[derive(Clone, Debug)]
pub struct SyncHistoryView {
    /// The runs in the filter, newest first.
    pub runs: Vec<SyncRun>,
    /// The org's integrations (id, name), by name.
    pub integrations: Vec<(IntegrationId, String)>,
    /// Their linked companies, by integration then name.
    pub sources: Vec<HistorySource>,
}

impl App {
    /// The org's recent sync runs, optionally of one integration and/or one linked company.
    ///
    /// # Errors
    /// `Denied` without `ManageJobs`; `NotFound` for an integration or company that is not
    /// the org's (or a company not of the integration named); a store failure.
    pub async fn sync_history(
        &self,
        by: &Principal,
        filter: SyncRunFilter,
    ) -> Result<SyncHistoryView, JobAdminError> {
        by.require(Permission::ManageJobs)?;
        let org = by.org_id();
        let mut integrations: Vec<(IntegrationId, String)> = self
            .store
            .integrations(org)
            .await?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect();
        integrations.sort_by_key(|(_, name)| name.to_lowercase());
        let mut sources = Vec::new();
        for (id, _) in &integrations {
            for s in self.store.sync_sources(org, *id).await? {
                sources.push(HistorySource {
                    id: s.id,
                    integration_id: *id,
                    name: s.new.display_name,
                    link: s.new.link,
                });
            }
        }
        if let Some(i) = filter.integration
            && !integrations.iter().any(|(id, _)| *id == i)
        {
            return Err(StoreError::NotFound.into());
        }
        if let Some(s) = filter.source
            && !sources
                .iter()
                .any(|h| h.id == s && filter.integration.is_none_or(|i| i == h.integration_id))
        {
            return Err(StoreError::NotFound.into());
        }
        let runs = self
            .store
            .sync_runs(org, filter, SYNC_HISTORY_LIMIT)
            .await?;
        Ok(SyncHistoryView {
            runs,
            integrations,
            sources,
        })
    }
}
