//! Technicians: the MSP's staff who sign in, their credentials and role.

mod admin_guard;
pub(crate) mod rows;
pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{OrgId, Permissions, Role, TechnicianId, Timestamp};

/// A technician account. `email` is globally unique (it is the login name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Technician {
    /// Primary key.
    pub id: TechnicianId,
    /// The org the technician belongs to.
    pub org_id: OrgId,
    /// Login name, lowercased (the store lowercases it again on write and lookup).
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the technician may do in the org.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Inactive technicians cannot sign in.
    pub active: bool,
    /// Sealed TOTP seed once 2FA is enrolled.
    pub totp_secret: Option<Vec<u8>>,
    /// Sealed TOTP seed offered during enrollment, not yet confirmed.
    pub totp_pending_secret: Option<Vec<u8>>,
    /// When 2FA was enabled (`None` while it is off).
    pub totp_enabled_at: Option<Timestamp>,
    /// Highest TOTP time step accepted, so a code is accepted only once.
    pub totp_last_step: i64,
    /// When the account was created.
    pub created_at: Timestamp,
    /// Last successful sign-in.
    pub last_login_at: Option<Timestamp>,
    /// Permissions granted on top of the role (admins hold every one by their role).
    pub permissions: Permissions,
}

/// A change to a technician that can take away an org's active admin (see
/// [`crate::TechnicianStore::change_keeping_an_admin`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TechnicianChange {
    /// A new role.
    Role(Role),
    /// Reactivated (`true`) or deactivated (`false`, which also ends every session).
    Active(bool),
}

store_trait! {
/// Technician accounts and their second factors.
pub trait TechnicianStore {
    /// Inserts a technician. `Conflict` when the email is taken (emails are unique server-wide
    /// because they are the login name).
    async fn create_technician(&self, t: &Technician) -> StoreResult<()>;
    /// The technician of this org with this id, or `NotFound`.
    async fn technician(&self, org: OrgId, id: TechnicianId) -> StoreResult<Technician>;
    /// Login lookup by email (lowercased by the store too, so the match ignores case). Not
    /// org-scoped: at login the org is not known yet.
    async fn technician_by_email_for_login(&self, email: &str) -> StoreResult<Option<Technician>>;
    /// All technicians of the org, ordered by email.
    async fn technicians(&self, org: OrgId) -> StoreResult<Vec<Technician>>;
    /// Number of active admins of the org (the last one may not be demoted or deactivated).
    async fn count_active_admins(&self, org: OrgId) -> StoreResult<i64>;
    /// Changes the role. `NotFound` when the org has no such technician (this applies to
    /// every single-technician update below).
    async fn set_role(&self, org: OrgId, id: TechnicianId, role: Role) -> StoreResult<()>;
    /// Changes the display name (the technician's own choice, Account page).
    async fn set_name(&self, org: OrgId, id: TechnicianId, name: &str) -> StoreResult<()>;
    /// Deactivates or reactivates; deactivation deletes every session of the technician in the
    /// same transaction, so they are signed out at once.
    async fn set_active(&self, org: OrgId, id: TechnicianId, active: bool) -> StoreResult<()>;
    /// Changes the role or the activity (as [`Self::set_role`] / [`Self::set_active`]) unless
    /// that would leave the org with no active admin: the count and the write are one step,
    /// serialised per org, so two admins demoting or deactivating each other at once leave
    /// one. `Ok(false)` when refused (nothing changed); `NotFound` as above.
    async fn change_keeping_an_admin(
        &self,
        org: OrgId,
        id: TechnicianId,
        change: TechnicianChange,
    ) -> StoreResult<bool>;
    /// Replaces the password hash.
    async fn set_password_hash(&self, org: OrgId, id: TechnicianId, hash: &str) -> StoreResult<()>;
    /// Records a successful login.
    async fn set_last_login(&self, org: OrgId, id: TechnicianId, at: Timestamp) -> StoreResult<()>;
    /// Stores (or clears) the sealed TOTP seed offered during enrollment.
    async fn set_totp_pending(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: Option<&[u8]>,
    ) -> StoreResult<()>;
    /// Enables TOTP: moves in the sealed seed, clears the pending one and replaces the recovery
    /// codes with these hashes (numbered 1, 2, … in this order), in one transaction.
    async fn enable_totp(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: &[u8],
        recovery_code_hashes: &[Vec<u8>],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Disables TOTP and deletes the recovery codes.
    async fn disable_totp(&self, org: OrgId, id: TechnicianId) -> StoreResult<()>;
    /// Accepts a TOTP time step only if it is newer than the last accepted one (a code is valid
    /// once). Returns false when the step was already used (or the org has no such
    /// technician). One conditional `UPDATE`, so racing requests cannot both succeed.
    async fn claim_totp_step(&self, org: OrgId, id: TechnicianId, step: i64) -> StoreResult<bool>;
    /// Marks an unused recovery code with this hash as used. Returns false when there is none
    /// (for this technician of this org). One conditional `UPDATE`.
    async fn use_recovery_code(
        &self,
        org: OrgId,
        id: TechnicianId,
        code_hash: &[u8],
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// How many recovery codes are left unused.
    async fn recovery_codes_left(&self, org: OrgId, id: TechnicianId) -> StoreResult<i64>;
    /// Replaces the permissions granted to the technician (on top of their role).
    async fn set_permissions(
        &self,
        org: OrgId,
        id: TechnicianId,
        permissions: &Permissions,
    ) -> StoreResult<()>;
}
}
