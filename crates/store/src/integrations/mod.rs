//! Integrations (an org's contact sources) and the round trips that connect them. The
//! companies linked through an integration are in `crate::sync_sources`.

mod model;
pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{IntegrationId, OrgId, Timestamp};
pub use model::*;

store_trait! {
/// Integrations of an org and the round trips that connect them.
pub trait IntegrationStore {
    /// Inserts an integration.
    async fn create_integration(&self, integration: &Integration) -> StoreResult<()>;
    /// The integration of this org, or `NotFound`.
    async fn integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<Integration>;
    /// The org's integrations, oldest first.
    async fn integrations(&self, org: OrgId) -> StoreResult<Vec<Integration>>;
    /// Renames. `NotFound` unless the org has it.
    async fn rename_integration(
        &self,
        org: OrgId,
        id: IntegrationId,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Sets the cloud kind and the sync filters; when the filters change,
    /// forgets the delta links of its tenants (the next sync is a full round). `NotFound`
    /// unless the org has it.
    async fn update_integration_settings(
        &self,
        org: OrgId,
        id: IntegrationId,
        settings: &IntegrationSettings,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Contacts (not removed) of the customers whose tenants only this integration links:
    /// what deleting it deletes.
    async fn integration_contact_count(&self, org: OrgId, id: IntegrationId) -> StoreResult<i64>;
    /// Deletes the integration, its tenant links, round trips and the contacts counted by
    /// [`IntegrationStore::integration_contact_count`], in one transaction. Returns how
    /// many contacts were deleted. `NotFound` unless the org has it.
    async fn delete_integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<u64>;
    /// Stores the GDAP credentials (secret sealed for this row) and sets status `pending`,
    /// dropping any stored sign-in.
    async fn set_gdap_credentials(
        &self,
        org: OrgId,
        id: IntegrationId,
        credentials: &GdapCredentials,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Stores the sealed refresh token of a finished sign-in; status `connected`.
    async fn save_gdap_sign_in(
        &self,
        org: OrgId,
        id: IntegrationId,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Keeps (or, with `None`, forgets) GDAP credentials entered in the dialog whose
    /// sign-in has not finished; the connection in use is left as it is (issue 17.8). A
    /// first sign-in shows status `pending`.
    async fn set_gdap_pending(
        &self,
        org: OrgId,
        id: IntegrationId,
        pending: Option<&GdapCredentials>,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// A sign-in succeeded: its credentials (secret sealed for `gdap_client_secret` of this
    /// row) and sealed refresh token replace the stored ones in one statement, status
    /// `connected`, the pending credentials cleared.
    async fn connect_gdap(
        &self,
        org: OrgId,
        id: IntegrationId,
        credentials: &GdapCredentials,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Replaces the refresh token only if it is still `old` (one statement, so a rotated
    /// token replaces exactly the one it came from). Returns whether it did.
    async fn rotate_gdap_refresh_token(
        &self,
        org: OrgId,
        id: IntegrationId,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool>;
    /// Marks GDAP as needing a new sign-in, with the reason (the refresh token is dropped).
    async fn mark_gdap_sign_in_again(
        &self,
        org: OrgId,
        id: IntegrationId,
        error: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Inserts a round trip.
    async fn create_oauth_state(&self, state: &OAuthState) -> StoreResult<()>;
    /// Deletes and returns the round trip with this state hash if it has not expired at
    /// `now` (single use: a second call finds nothing). Not org-scoped: the state value is
    /// the capability; the caller checks the session and org it was bound to.
    async fn take_oauth_state(
        &self,
        state_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<OAuthState>>;
}
}
