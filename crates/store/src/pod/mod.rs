//! The Pod's settings of an org and the technicians restricted to the Pod.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, TechnicianId, Timestamp};

/// The org's Pod settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSettings {
    /// The org.
    pub org_id: OrgId,
    /// Origins allowed to frame the Pod (`https://psa.example`), empty: none.
    pub frame_ancestors: Vec<String>,
    /// Minutes a verification shows as fresh (green).
    pub verified_window_minutes: i64,
    /// Verifications the Pod's history shows.
    pub history_length: i64,
    /// Last change (`None`: never saved, defaults).
    pub updated_at: Option<Timestamp>,
}

impl PodSettings {
    /// Default verified window, minutes.
    pub const DEFAULT_VERIFIED_WINDOW_MINUTES: i64 = 15;
    /// Default history length.
    pub const DEFAULT_HISTORY_LENGTH: i64 = 10;

    /// The settings of an org that never saved any.
    #[must_use]
    pub fn defaults(org_id: OrgId) -> Self {
        Self {
            org_id,
            frame_ancestors: Vec::new(),
            verified_window_minutes: Self::DEFAULT_VERIFIED_WINDOW_MINUTES,
            history_length: Self::DEFAULT_HISTORY_LENGTH,
            updated_at: None,
        }
    }
}

store_trait! {
/// The org's Pod settings and which technicians may use the Pod only.
pub trait PodStore {
    /// The org's Pod settings (the defaults when it never saved any).
    async fn pod_settings(&self, org: OrgId) -> StoreResult<PodSettings>;
    /// Creates or replaces the org's Pod settings.
    async fn save_pod_settings(&self, settings: &PodSettings) -> StoreResult<()>;
    /// Restricts a technician to the Pod, or lifts the restriction. `NotFound` unless the org
    /// has the technician.
    async fn set_pod_only(&self, org: OrgId, id: TechnicianId, pod_only: bool) -> StoreResult<()>;
    /// Whether the technician is restricted to the Pod.
    async fn is_pod_only(&self, org: OrgId, id: TechnicianId) -> StoreResult<bool>;
}
}
