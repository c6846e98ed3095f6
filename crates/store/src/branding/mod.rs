//! Branding: the look of an org's messages.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, Timestamp};

/// How an org's messages look. Absent: the org's name and neutral defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branding {
    /// The org.
    pub org_id: OrgId,
    /// Name shown as sender and in headers.
    pub display_name: String,
    /// https URL of a logo for HTML email (empty: none).
    pub logo_url: String,
    /// Accent colour, `#rrggbb`.
    pub colour: String,
    /// Footer line of every message.
    pub footer: String,
    /// Reply-To address of emails (empty: none).
    pub reply_to: String,
    /// Last change.
    pub updated_at: Timestamp,
}

store_trait! {
/// The look of an org's messages.
pub trait BrandingStore {
    /// The org's branding, if it set one.
    async fn branding(&self, org: OrgId) -> StoreResult<Option<Branding>>;
    /// Creates or replaces the org's branding.
    async fn save_branding(&self, branding: &Branding) -> StoreResult<()>;
}
}
