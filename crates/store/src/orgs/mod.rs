//! Orgs: one MSP account each; every org-scoped row carries its id.

pub(crate) mod rows;
pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, Timestamp};

/// One MSP account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    /// Primary key.
    pub id: OrgId,
    /// Display name.
    pub name: String,
    /// Unique, used in public URLs.
    pub slug: String,
    /// Every technician must enroll TOTP before using the app.
    pub require_2fa: bool,
    /// When the org was created.
    pub created_at: Timestamp,
}

store_trait! {
/// Orgs (MSP accounts).
pub trait OrgStore {
    /// Inserts an org. `Conflict` when the slug is taken.
    async fn create_org(&self, org: &Org) -> StoreResult<()>;
    /// The org with this id, or `NotFound`.
    async fn org(&self, id: OrgId) -> StoreResult<Org>;
    /// The org with this slug, if any. Not org-scoped: the slug is public (`/t/{slug}`).
    async fn org_by_slug(&self, slug: &str) -> StoreResult<Option<Org>>;
    /// Changes the org's name and 2FA requirement. `NotFound` when there is no such org.
    async fn update_org_settings(
        &self,
        id: OrgId,
        name: &str,
        require_2fa: bool,
    ) -> StoreResult<()>;
}
}
