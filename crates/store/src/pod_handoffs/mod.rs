//! One-time codes that hand a signed-in technician over to the Pod in a PSA's iframe
//! (docs/security.md "The Pod inside a PSA"), the [`PodHandoffStore`] contract and its
//! forwarding for [`Store`].

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, TechnicianId, Timestamp};

/// A handoff code waiting to be used. Only the SHA-256 of the code is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodHandoff {
    /// SHA-256 of the code (primary key).
    pub code_hash: Vec<u8>,
    /// The org of the technician.
    pub org_id: OrgId,
    /// The technician the Pod session will belong to.
    pub technician_id: TechnicianId,
    /// The PSA origin whose frame asked for the code; only that frame may use it.
    pub frame_origin: String,
    /// When the code was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

store_trait! {
/// Handoff codes, and the lookup the generic framed sign-in page needs.
pub trait PodHandoffStore {
    /// Stores a code, first deleting codes that expired by `created_at`.
    async fn create_pod_handoff(&self, h: &PodHandoff) -> StoreResult<()>;
    /// Deletes the code with this hash and returns it, in one statement, so two requests
    /// presenting the same code cannot both get it. Expired codes are returned too (the
    /// caller checks `expires_at`): either way the code is gone. Not org-scoped: the frame
    /// presenting the code has no session, so the org is only known from the code.
    async fn take_pod_handoff(&self, code_hash: &[u8]) -> StoreResult<Option<PodHandoff>>;
    /// Every frame ancestor any org allows, without duplicates. Not org-scoped: before
    /// sign-in the framed page does not know the org, and only needs to know whether an
    /// origin is allowed somewhere.
    async fn all_frame_ancestors(&self) -> StoreResult<Vec<String>>;
}
}
