//! Sealed columns: every column holding sealed bytes, listed so `keys rotate` can re-seal them.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::OrgId;

/// Every column that holds a sealed value, so `keys rotate` can find them all.
/// Adding a sealed column means adding it here; the conformance suite checks each variant.
///
/// Not listed: the three GDAP columns migration 0027 left on `integrations`. Every process
/// (`keys rotate` included) carries their values into `integrations.secrets` when it starts,
/// before anything else runs, so no rotation finds one left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SealedColumn {
    /// `technicians.totp_secret`.
    TechnicianTotpSecret,
    /// `technicians.totp_pending_secret`.
    TechnicianTotpPendingSecret,
    /// `integrations.secrets`: an integration kind's secrets, one sealed JSON value.
    IntegrationSecrets,

    /// `oauth_states.pkce_verifier`.
    OAuthStatePkceVerifier,
    /// `webhook_endpoints.secret`.
    WebhookEndpointSecret,
    /// `secrets.server_share` (the key share released after recipient verification).
    SecretServerShare,
    /// `secrets.private_key` (a request's decryption key).
    SecretPrivateKey,
}

impl SealedColumn {
    /// Every variant, for loops that must cover each sealed column.
    pub const ALL: &'static [Self] = &[
        Self::TechnicianTotpSecret,
        Self::TechnicianTotpPendingSecret,
        Self::IntegrationSecrets,
        Self::OAuthStatePkceVerifier,
        Self::WebhookEndpointSecret,
        Self::SecretServerShare,
        Self::SecretPrivateKey,
    ];

    /// `(table, column)`: also the associated data a value is sealed with.
    #[must_use]
    pub fn table_column(self) -> (&'static str, &'static str) {
        match self {
            Self::TechnicianTotpSecret => ("technicians", "totp_secret"),
            Self::TechnicianTotpPendingSecret => ("technicians", "totp_pending_secret"),
            Self::IntegrationSecrets => ("integrations", "secrets"),
            Self::OAuthStatePkceVerifier => ("oauth_states", "pkce_verifier"),
            Self::WebhookEndpointSecret => ("webhook_endpoints", "secret"),
            Self::SecretServerShare => ("secrets", "server_share"),
            Self::SecretPrivateKey => ("secrets", "private_key"),
        }
    }
}

/// One sealed value with what binds it to its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedValue {
    /// The org of the row (part of the associated data).
    pub org_id: OrgId,
    /// The row's primary key as text.
    pub row_id: String,
    /// The sealed bytes.
    pub value: Vec<u8>,
}

store_trait! {
/// Access to sealed values for key rotation and the start-up key check.
pub trait SealedStore {
    /// Key ids with a canary (a value sealed under that key when it was first used).
    async fn key_canaries(&self) -> StoreResult<Vec<(String, Vec<u8>)>>;
    /// Stores the canary of a key id. `Conflict` when the key id has one already.
    async fn add_key_canary(&self, key_id: &str, sealed: &[u8]) -> StoreResult<()>;
    /// Non-null values of a sealed column, ordered by row id, after `after_row` (keyset), at
    /// most `limit` (clamped to `0..=`[`crate::MAX_SEALED_PAGE`]). `after_row` must be a
    /// `row_id` this method returned (`Unsupported` otherwise).
    async fn sealed_values(
        &self,
        column: SealedColumn,
        after_row: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>>;
    /// Replaces a sealed value only if it still equals `old` (compare-and-swap, so a rotation
    /// never overwrites a value written meanwhile). Returns whether it was replaced.
    async fn reseal(
        &self,
        column: SealedColumn,
        row_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool>;
}
}
