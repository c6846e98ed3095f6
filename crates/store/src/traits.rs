//! The Store contract, one trait per aggregate. Both backends implement every trait, and the
//! conformance suite (tests/conformance) runs the same scenarios against both.

use crate::StoreResult;
use crate::model::*;
use countersign_domain::{InviteId, OrgId, Role, SessionId, TechnicianId, Timestamp};

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
    /// Deactivates or reactivates; deactivation deletes every session of the technician in the
    /// same transaction, so they are signed out at once.
    async fn set_active(&self, org: OrgId, id: TechnicianId, active: bool) -> StoreResult<()>;
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
    /// codes with these hashes, in one transaction.
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
}

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

/// Server-side sessions.
pub trait SessionStore {
    /// Inserts a session. `Conflict` when the token hash is taken.
    async fn create_session(&self, s: &Session) -> StoreResult<()>;
    /// Lookup by the hash of the cookie token. Not org-scoped: the token is the capability.
    async fn session_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Session>>;
    /// Records activity (for the idle timeout). Never moves `last_seen_at` backwards; a
    /// session deleted meanwhile is not an error.
    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()>;
    /// Ends one session (signing out). Deleting a missing session is not an error.
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    /// Signs a technician out everywhere. Returns how many sessions ended.
    async fn delete_sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<u64>;
    /// Sessions of a technician not yet purged, newest first.
    async fn sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<Vec<Session>>;
    /// Deletes sessions whose absolute expiry passed (`expires_at <= now`) or that were idle
    /// since `idle_before` (`last_seen_at < idle_before`). Returns how many.
    async fn purge_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64>;
}

/// Failure counters for login throttling, kept in the database so they survive restarts and
/// are shared by every process.
pub trait ThrottleStore {
    /// Adds a failure to `key`; a counter whose first failure is older than `window_start`
    /// starts again at 1. Returns the updated counter.
    async fn record_failure(
        &self,
        key: &str,
        at: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<Throttle>;
    /// The counter of `key`, if it has failures.
    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>>;
    /// Forgets the failures of `key` (after a successful login).
    async fn clear_throttle(&self, key: &str) -> StoreResult<()>;
}

/// The append-only, hash-chained audit log.
pub trait AuditStore {
    /// Appends an entry, chaining it to the last one (serialised across processes).
    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Entries of one org matching the filter, newest first (server-wide entries, whose org
    /// is `None`, are never returned here).
    async fn audit_entries(&self, org: OrgId, filter: &AuditFilter)
    -> StoreResult<Vec<AuditEntry>>;
    /// The whole chain in order (every org), entries with `seq > after_seq`, at most `limit`
    /// (clamped to `0..=`[`crate::MAX_AUDIT_CHAIN_PAGE`]), for verification.
    async fn audit_chain(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}

/// Access to sealed values for key rotation and the start-up key check.
pub trait SealedStore {
    /// Key ids with a canary (a value sealed under that key when it was first used).
    async fn key_canaries(&self) -> StoreResult<Vec<(String, Vec<u8>)>>;
    /// Stores the canary of a key id. `Conflict` when the key id has one already.
    async fn add_key_canary(&self, key_id: &str, sealed: &[u8]) -> StoreResult<()>;
    /// Non-null values of a sealed column, ordered by row id, after `after_row` (keyset), at
    /// most `limit` (clamped to `0..=`[`crate::MAX_SEALED_PAGE`]). `after_row` must be a
    /// `row_id` this method returned (`Unsupported` otherwise).
    async fn sealed_values(
        &self,
        column: SealedColumn,
        after_row: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>>;
    /// Replaces a sealed value only if it still equals `old` (compare-and-swap, so a rotation
    /// never overwrites a value written meanwhile). Returns whether it was replaced.
    async fn reseal(
        &self,
        column: SealedColumn,
        row_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool>;
}
