//! Technician checks: an end user asks whether the technician calling them is genuine.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{ContactId, OrgId, TechnicianCheckId, TechnicianId, Timestamp};

/// Where a technician check stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TechnicianCheckStatus {
    /// The link went to the contact.
    Sent,
    /// The contact picked a technician; it waits in their Pod inbox.
    Chosen,
    /// The technician confirmed; both see the code.
    Confirmed,
    /// Not finished in time.
    Expired,
}

impl TechnicianCheckStatus {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Chosen => "chosen",
            Self::Confirmed => "confirmed",
            Self::Expired => "expired",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sent, Self::Chosen, Self::Confirmed, Self::Expired]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A technician check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TechnicianCheck {
    /// Primary key.
    pub id: TechnicianCheckId,
    /// The org.
    pub org_id: OrgId,
    /// The contact who asked (same org).
    pub contact_id: ContactId,
    /// SHA-256 of the link token sent to the contact.
    pub token_hash: Vec<u8>,
    /// The technician the contact picked.
    pub technician_id: Option<TechnicianId>,
    /// Where it stands.
    pub status: TechnicianCheckStatus,
    /// Once confirmed, what stands for the code both compare: `<key id>:<HMAC>` (the app
    /// derives the code again; it is never stored in clear). Empty before.
    pub code: String,
    /// When the link was sent.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When the contact picked the technician.
    pub chosen_at: Option<Timestamp>,
    /// When the technician confirmed.
    pub confirmed_at: Option<Timestamp>,
}

/// A check waiting in a technician's Pod inbox, with who asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// The check.
    pub check: TechnicianCheck,
    /// Display name of the contact.
    pub contact_name: String,
    /// Name of the contact's customer.
    pub customer_name: String,
}

store_trait! {
/// Technician checks started by end users on the public page.
pub trait TechnicianCheckStore {
    /// Stores a new check. `NotFound` when the contact is not the org's.
    async fn create_technician_check(&self, c: &TechnicianCheck) -> StoreResult<()>;
    /// The check whose link token hashes to `token_hash`. Not org-scoped: the link's holder
    /// does not say which org it is; the token is the proof.
    async fn technician_check_by_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<TechnicianCheck>>;
    /// The org's check with this id, or `NotFound`.
    async fn technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
    ) -> StoreResult<TechnicianCheck>;
    /// The contact picked `technician` (one conditional `UPDATE` from `sent`, unexpired).
    /// False when the check was not waiting for a choice. `NotFound` when the technician is
    /// not an active technician of the org.
    async fn choose_technician(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The technician confirms a check that waits for them, storing the code both will see.
    /// False when it was not theirs, not waiting, or expired.
    async fn confirm_technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        code: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Checks waiting for this technician (chosen, unexpired at `now`), oldest first.
    async fn technician_inbox(
        &self,
        org: OrgId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<Vec<InboxEntry>>;
    /// Contacts of the org (not removed) whose email address is `email` (ignoring case), at
    /// most two: the public page acts only on an unambiguous match.
    async fn contacts_by_email(&self, org: OrgId, email: &str) -> StoreResult<Vec<ContactId>>;
    /// Technician checks of a contact started since `since` (the per-contact rate limit).
    async fn count_technician_checks(
        &self,
        org: OrgId,
        contact: ContactId,
        since: Timestamp,
    ) -> StoreResult<i64>;
}
}
