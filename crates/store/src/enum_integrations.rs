//! [`IntegrationStore`] and [`SyncSourceStore`] for [`Store`], forwarded to the backend.

use crate::integrations::{GdapCredentials, Integration, IntegrationSettings, OAuthState};
use crate::sync_sources::{NewSyncSource, SyncProgress, SyncSource};
use crate::{IntegrationStore, Store, StoreResult, SyncSourceStore, dispatch};
use countersign_domain::{CustomerId, IntegrationId, OrgId, SyncSourceId, Timestamp};

impl IntegrationStore for Store {
    async fn create_integration(&self, i: &Integration) -> StoreResult<()> {
        dispatch!(self, s => s.create_integration(i).await)
    }
    async fn integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<Integration> {
        dispatch!(self, s => s.integration(org, id).await)
    }
    async fn integrations(&self, org: OrgId) -> StoreResult<Vec<Integration>> {
        dispatch!(self, s => s.integrations(org).await)
    }
    async fn rename_integration(
        &self,
        org: OrgId,
        id: IntegrationId,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.rename_integration(org, id, name, at).await)
    }
    async fn update_integration_settings(
        &self,
        org: OrgId,
        id: IntegrationId,
        settings: &IntegrationSettings,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.update_integration_settings(org, id, settings, at).await)
    }
    async fn integration_contact_count(&self, org: OrgId, id: IntegrationId) -> StoreResult<i64> {
        dispatch!(self, s => s.integration_contact_count(org, id).await)
    }
    async fn delete_integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<u64> {
        dispatch!(self, s => s.delete_integration(org, id).await)
    }
    async fn set_gdap_credentials(
        &self,
        org: OrgId,
        id: IntegrationId,
        credentials: &GdapCredentials,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.set_gdap_credentials(org, id, credentials, at).await)
    }
    async fn save_gdap_sign_in(
        &self,
        org: OrgId,
        id: IntegrationId,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.save_gdap_sign_in(org, id, sealed_refresh_token, at).await)
    }
    async fn set_gdap_pending(
        &self,
        org: OrgId,
        id: IntegrationId,
        pending: Option<&GdapCredentials>,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.set_gdap_pending(org, id, pending, at).await)
    }
    async fn connect_gdap(
        &self,
        org: OrgId,
        id: IntegrationId,
        credentials: &GdapCredentials,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.connect_gdap(org, id, credentials, sealed_refresh_token, at).await)
    }
    async fn rotate_gdap_refresh_token(
        &self,
        org: OrgId,
        id: IntegrationId,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.rotate_gdap_refresh_token(org, id, old, new).await)
    }
    async fn mark_gdap_sign_in_again(
        &self,
        org: OrgId,
        id: IntegrationId,
        error: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.mark_gdap_sign_in_again(org, id, error, at).await)
    }
    async fn create_oauth_state(&self, state: &OAuthState) -> StoreResult<()> {
        dispatch!(self, s => s.create_oauth_state(state).await)
    }
    async fn take_oauth_state(
        &self,
        state_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<OAuthState>> {
        dispatch!(self, s => s.take_oauth_state(state_hash, now).await)
    }
}

impl SyncSourceStore for Store {
    async fn upsert_sync_source(
        &self,
        source: &NewSyncSource,
        at: Timestamp,
    ) -> StoreResult<SyncSource> {
        dispatch!(self, s => s.upsert_sync_source(source, at).await)
    }
    async fn sync_source(&self, org: OrgId, id: SyncSourceId) -> StoreResult<SyncSource> {
        dispatch!(self, s => s.sync_source(org, id).await)
    }
    async fn sync_sources(
        &self,
        org: OrgId,
        integration: IntegrationId,
    ) -> StoreResult<Vec<SyncSource>> {
        dispatch!(self, s => s.sync_sources(org, integration).await)
    }
    async fn set_source_customer(
        &self,
        org: OrgId,
        id: SyncSourceId,
        customer: CustomerId,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.set_source_customer(org, id, customer).await)
    }
    async fn end_sync_source(
        &self,
        org: OrgId,
        id: SyncSourceId,
        reason: &str,
        descriptor: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.end_sync_source(org, id, reason, descriptor, at).await)
    }
    async fn mark_sync_queued(&self, org: OrgId, id: SyncSourceId) -> StoreResult<bool> {
        dispatch!(self, s => s.mark_sync_queued(org, id).await)
    }
    async fn start_sync(&self, org: OrgId, id: SyncSourceId, at: Timestamp) -> StoreResult<()> {
        dispatch!(self, s => s.start_sync(org, id, at).await)
    }
    async fn record_sync_progress(
        &self,
        org: OrgId,
        id: SyncSourceId,
        p: SyncProgress,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.record_sync_progress(org, id, p).await)
    }
    async fn finish_sync(
        &self,
        org: OrgId,
        id: SyncSourceId,
        ok: bool,
        error: Option<&str>,
        cursor: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.finish_sync(org, id, ok, error, cursor, at).await)
    }
    async fn sync_sources_due(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(OrgId, SyncSourceId)>> {
        dispatch!(self, s => s.sync_sources_due(before, limit).await)
    }
}
