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
    /// Writes the kind's settings and secrets if the revision is still `config.revision`,
    /// bumping it (compare-and-swap: the caller read, changed and now writes; a `false`
    /// means someone wrote since, and the caller reads again). With `forget_cursors`, the
    /// cursors of its sync sources are forgotten in the same transaction. `false` too when
    /// the org has no such integration.
    async fn replace_integration_config(
        &self,
        org: OrgId,
        id: IntegrationId,
        config: &IntegrationConfig<'_>,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Contacts (not removed) of the customers whose tenants only this integration links:
    /// what deleting it deletes.
    async fn integration_contact_count(&self, org: OrgId, id: IntegrationId) -> StoreResult<i64>;
    /// Deletes the integration, its tenant links, round trips and the contacts counted by
    /// [`IntegrationStore::integration_contact_count`], in one transaction. Returns how
    /// many contacts were deleted. `NotFound` unless the org has it.
    async fn delete_integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<u64>;
    /// Rows of every org that still hold values in the sealed columns migration 0027 left
    /// behind, at most `limit`. Not org-scoped: the server's start-up carries them all.
    async fn legacy_integration_secrets(
        &self,
        limit: i64,
    ) -> StoreResult<Vec<LegacyIntegrationSecrets>>;
    /// Stores `secrets` and empties the legacy columns, only if the row is still at the
    /// revision and holds the legacy values that were read (compare-and-swap). Returns
    /// whether it did.
    async fn carry_legacy_integration_secrets(
        &self,
        legacy: &LegacyIntegrationSecrets,
        secrets: &[u8],
    ) -> StoreResult<bool>;
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
