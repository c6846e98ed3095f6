//! A technician's change of their own email address (issue 21.5): the pending change and its
//! one-time link, sent to the new address, and the [`EmailChangeStore`] contract with its
//! forwarding for [`Store`] (docs/security.md "Changing one's own email address").

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, TechnicianId, Timestamp};

/// A requested change waiting for its link to be used. Only the SHA-256 of the token is
/// stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChange {
    /// SHA-256 of the link token (primary key).
    pub token_hash: Vec<u8>,
    /// The technician's org.
    pub org_id: OrgId,
    /// Whose address changes.
    pub technician_id: TechnicianId,
    /// The address it becomes (lowercased), where the link was sent.
    pub new_email: String,
    /// When it was asked for.
    pub created_at: Timestamp,
    /// The link works strictly before this instant.
    pub expires_at: Timestamp,
}

store_trait! {
/// Pending email changes: made, looked up, cancelled and completed.
pub trait EmailChangeStore {
    /// Stores a change, deleting the technician's older pending change in the same
    /// transaction (a newer request replaces the older; its link stops working).
    async fn create_email_change(&self, change: &EmailChange) -> StoreResult<()>;
    /// The change whose link token hashes to `token_hash`, expired or not (the caller
    /// checks). Not org-scoped: the person opening the link may have no session in this
    /// browser; the token is the capability.
    async fn email_change_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<EmailChange>>;
    /// The technician's pending change, if any (expired or not), for the Account page.
    async fn pending_email_change(
        &self,
        org: OrgId,
        technician: TechnicianId,
    ) -> StoreResult<Option<EmailChange>>;
    /// Deletes the technician's pending change. Returns whether there was one.
    async fn cancel_email_change(&self, org: OrgId, technician: TechnicianId) -> StoreResult<bool>;
    /// Uses a link: deletes it (when unexpired at `at`) and sets the technician's email to
    /// its new address (when the technician is still active), in one transaction. Of two
    /// requests with the same link exactly one gets `Some`; an expired, used, replaced or
    /// unknown link, or a deactivated technician, gives `None` and changes nothing. An
    /// address another account took meanwhile is `Conflict` (constraint
    /// `technicians_email_key`) and changes nothing. Not org-scoped, like the lookup.
    async fn complete_email_change(
        &self,
        token_hash: &[u8],
        at: Timestamp,
    ) -> StoreResult<Option<EmailChange>>;
}
}
