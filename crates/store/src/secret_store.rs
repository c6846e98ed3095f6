//! The Store contract for Secure Data Send and Request (types in [`crate::secret`]).

use crate::StoreResult;
use crate::secret::{ClaimedSecret, NewSecret, Secret, SecretKind};
use countersign_domain::{ContactId, OrgId, SecretId, TechnicianId, Timestamp, VerificationId};

/// One-time links: every claim is one conditional `UPDATE … RETURNING` in a write
/// transaction, with expiry in the statement itself, so racing reveals of a one-view link
/// have exactly one winner on both backends.
pub trait SecretStore {
    /// Stores a new link.
    async fn create_secret(&self, s: &NewSecret) -> StoreResult<()>;
    /// The org's link with this id (metadata only), or `NotFound`.
    async fn secret(&self, org: OrgId, id: SecretId) -> StoreResult<Secret>;
    /// The link whose token hashes to `token_hash`. Not org-scoped: the link's holder does
    /// not say which org it is; the token is the proof.
    async fn secret_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Secret>>;
    /// The contact's links, newest first, at most `limit`.
    async fn contact_secrets(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<Secret>>;
    /// Notes the first showing of the interstitial (metadata only; claims nothing).
    async fn mark_secret_opened(&self, org: OrgId, id: SecretId, now: Timestamp)
    -> StoreResult<()>;
    /// Records that the recipient passed verification `v` (the server share may be released).
    async fn set_secret_verified(
        &self,
        org: OrgId,
        id: SecretId,
        v: VerificationId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Claims one view of a live, unexpired link of `kind` with views left (and, if it needs
    /// verification, a passed one). On the last view the ciphertext and keys are deleted in
    /// the same transaction and the row stays as a tombstone. `None` when nothing may be
    /// claimed (another request won, expired, burned, not yet verified).
    async fn claim_secret(
        &self,
        org: OrgId,
        id: SecretId,
        kind: SecretKind,
        now: Timestamp,
        ip: &str,
    ) -> StoreResult<Option<ClaimedSecret>>;
    /// The contact answers a waiting, unexpired request (once). False otherwise.
    async fn submit_secret_request(
        &self,
        org: OrgId,
        id: SecretId,
        envelope: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Burns a live link early: ciphertext and keys deleted, tombstone kept. False when it
    /// had already ended, or when `owner` is given and did not make it (`None`: an admin's
    /// burn, whoever made it).
    async fn burn_secret(
        &self,
        org: OrgId,
        id: SecretId,
        owner: Option<TechnicianId>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Sets whether the technician who made the link is told about reveals: `NotFound`
    /// unless `owner` made it.
    async fn set_secret_notify(
        &self,
        org: OrgId,
        id: SecretId,
        owner: TechnicianId,
        notify: bool,
    ) -> StoreResult<()>;
    /// Ends live links whose expiry passed (every org: the purge is server work), deleting
    /// their ciphertext and keys at once. Returns them, at most `limit`.
    async fn expire_secrets(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Secret>>;
}
