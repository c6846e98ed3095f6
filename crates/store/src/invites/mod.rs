//! Invites: a link that lets a new technician join an org.

pub(crate) mod rows;
pub(crate) mod sql;

use crate::forwarding::store_trait;
use crate::{StoreResult, Technician};
use countersign_domain::{InviteId, OrgId, Role, TechnicianId, Timestamp};

/// An invitation to join an org. Only a hash of the link token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    /// Primary key.
    pub id: InviteId,
    /// The org the invitee joins.
    pub org_id: OrgId,
    /// Address the invite was sent to (lowercased).
    pub email: String,
    /// Role the invitee gets.
    pub role: Role,
    /// SHA-256 of the link token (unique).
    pub token_hash: Vec<u8>,
    /// The technician (of the same org) who sent the invite.
    pub invited_by: TechnicianId,
    /// When the invite was sent.
    pub created_at: Timestamp,
    /// The invite can be accepted strictly before this instant.
    pub expires_at: Timestamp,
    /// When it was accepted, if it was.
    pub accepted_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

store_trait! {
/// Invitations of technicians.
pub trait InviteStore {
    /// Inserts an invite. `Conflict` when the token hash is taken.
    async fn create_invite(&self, invite: &Invite) -> StoreResult<()>;
    /// The invite of this org, or `NotFound`.
    async fn invite(&self, org: OrgId, id: InviteId) -> StoreResult<Invite>;
    /// Lookup by token hash. Not org-scoped: the link token is the capability.
    async fn invite_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Invite>>;
    /// Invites not yet accepted or revoked (expired ones included, newest first).
    async fn open_invites(&self, org: OrgId) -> StoreResult<Vec<Invite>>;
    /// Revokes an open invite. `NotFound` when the org has no such invite still open.
    async fn revoke_invite(&self, org: OrgId, id: InviteId, at: Timestamp) -> StoreResult<()>;
    /// Atomically consumes the invite (open, unexpired at `at`) and creates the technician.
    /// Returns false, changing nothing, when the invite was already used, revoked or expired,
    /// or belongs to another org than `technician.org_id`. When the technician cannot be
    /// inserted (`Conflict` on the email) the invite stays open.
    async fn accept_invite(
        &self,
        invite_id: InviteId,
        technician: &Technician,
        at: Timestamp,
    ) -> StoreResult<bool>;
}
}
