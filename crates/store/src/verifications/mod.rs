//! Verifications: the history of how a contact proved who they are.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{
    ContactId, OrgId, TechnicianId, Timestamp, VerificationId, VerificationMethod,
    VerificationStatus,
};

/// One verification of a contact, as written by the verification flows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Primary key.
    pub id: VerificationId,
    /// The org.
    pub org_id: OrgId,
    /// The contact (same org).
    pub contact_id: ContactId,
    /// The technician who started it (same org), if any.
    pub technician_id: Option<TechnicianId>,
    /// How.
    pub method: VerificationMethod,
    /// `sms` or `email` (or another channel of record).
    pub channel: String,
    /// Where it went, masked (`+•••••••0101`): never the full number in the history.
    pub destination_masked: String,
    /// Where it stands.
    pub status: VerificationStatus,
    /// When.
    pub at: Timestamp,
}

/// A verification with the name of its technician, for the Pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationEntry {
    /// The verification.
    pub verification: Verification,
    /// The technician's display name, if there is one.
    pub technician_name: Option<String>,
    /// When it stops (or stopped) working: a pending one past it has expired, swept or not.
    pub expires_at: Timestamp,
    /// When it was answered, failed or expired by the sweep (`None` while pending, and for a
    /// message that asks nothing back).
    pub completed_at: Option<Timestamp>,
}

store_trait! {
/// Verifications of contacts, as the Pod's history shows them.
pub trait VerificationStore {
    /// Records a verification. `NotFound` when the contact or technician is not the org's.
    async fn record_verification(&self, v: &Verification) -> StoreResult<()>;
    /// The contact's verifications, newest first, at most `limit`.
    async fn verifications(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<VerificationEntry>>;
    /// For each of these contacts of the org that was ever verified, when it last was.
    async fn last_verified(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> StoreResult<Vec<(ContactId, Timestamp)>>;
}
}
