//! The store traits for [`Store`], each call forwarded to the backend it wraps.

use crate::model::*;
use crate::{
    AuditStore, InviteStore, OrgStore, SealedStore, SessionStore, Store, StoreResult,
    TechnicianStore, ThrottleStore, dispatch,
};
use countersign_domain::{InviteId, OrgId, Role, SessionId, TechnicianId, Timestamp};

impl OrgStore for Store {
    async fn create_org(&self, org: &Org) -> StoreResult<()> {
        dispatch!(self, s => s.create_org(org).await)
    }
    async fn org(&self, id: OrgId) -> StoreResult<Org> {
        dispatch!(self, s => s.org(id).await)
    }
    async fn org_by_slug(&self, slug: &str) -> StoreResult<Option<Org>> {
        dispatch!(self, s => s.org_by_slug(slug).await)
    }
    async fn update_org_settings(
        &self,
        id: OrgId,
        name: &str,
        require_2fa: bool,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.update_org_settings(id, name, require_2fa).await)
    }
}

impl TechnicianStore for Store {
    async fn create_technician(&self, t: &Technician) -> StoreResult<()> {
        dispatch!(self, s => s.create_technician(t).await)
    }
    async fn technician(&self, org: OrgId, id: TechnicianId) -> StoreResult<Technician> {
        dispatch!(self, s => s.technician(org, id).await)
    }
    async fn technician_by_email_for_login(&self, email: &str) -> StoreResult<Option<Technician>> {
        dispatch!(self, s => s.technician_by_email_for_login(email).await)
    }
    async fn technicians(&self, org: OrgId) -> StoreResult<Vec<Technician>> {
        dispatch!(self, s => s.technicians(org).await)
    }
    async fn count_active_admins(&self, org: OrgId) -> StoreResult<i64> {
        dispatch!(self, s => s.count_active_admins(org).await)
    }
    async fn set_role(&self, org: OrgId, id: TechnicianId, role: Role) -> StoreResult<()> {
        dispatch!(self, s => s.set_role(org, id, role).await)
    }
    async fn set_active(&self, org: OrgId, id: TechnicianId, active: bool) -> StoreResult<()> {
        dispatch!(self, s => s.set_active(org, id, active).await)
    }
    async fn set_password_hash(&self, org: OrgId, id: TechnicianId, hash: &str) -> StoreResult<()> {
        dispatch!(self, s => s.set_password_hash(org, id, hash).await)
    }
    async fn set_last_login(&self, org: OrgId, id: TechnicianId, at: Timestamp) -> StoreResult<()> {
        dispatch!(self, s => s.set_last_login(org, id, at).await)
    }
    async fn set_totp_pending(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: Option<&[u8]>,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.set_totp_pending(org, id, sealed).await)
    }
    async fn enable_totp(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: &[u8],
        recovery_code_hashes: &[Vec<u8>],
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.enable_totp(org, id, sealed, recovery_code_hashes, at).await)
    }
    async fn disable_totp(&self, org: OrgId, id: TechnicianId) -> StoreResult<()> {
        dispatch!(self, s => s.disable_totp(org, id).await)
    }
    async fn claim_totp_step(&self, org: OrgId, id: TechnicianId, step: i64) -> StoreResult<bool> {
        dispatch!(self, s => s.claim_totp_step(org, id, step).await)
    }
    async fn use_recovery_code(
        &self,
        org: OrgId,
        id: TechnicianId,
        code_hash: &[u8],
        at: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.use_recovery_code(org, id, code_hash, at).await)
    }
    async fn recovery_codes_left(&self, org: OrgId, id: TechnicianId) -> StoreResult<i64> {
        dispatch!(self, s => s.recovery_codes_left(org, id).await)
    }
}

impl InviteStore for Store {
    async fn create_invite(&self, invite: &Invite) -> StoreResult<()> {
        dispatch!(self, s => s.create_invite(invite).await)
    }
    async fn invite(&self, org: OrgId, id: InviteId) -> StoreResult<Invite> {
        dispatch!(self, s => s.invite(org, id).await)
    }
    async fn invite_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Invite>> {
        dispatch!(self, s => s.invite_by_token_hash(token_hash).await)
    }
    async fn open_invites(&self, org: OrgId) -> StoreResult<Vec<Invite>> {
        dispatch!(self, s => s.open_invites(org).await)
    }
    async fn revoke_invite(&self, org: OrgId, id: InviteId, at: Timestamp) -> StoreResult<()> {
        dispatch!(self, s => s.revoke_invite(org, id, at).await)
    }
    async fn accept_invite(
        &self,
        invite_id: InviteId,
        technician: &Technician,
        at: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.accept_invite(invite_id, technician, at).await)
    }
}

impl SessionStore for Store {
    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        dispatch!(self, s => s.create_session(session).await)
    }
    async fn session_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Session>> {
        dispatch!(self, s => s.session_by_token_hash(token_hash).await)
    }
    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        dispatch!(self, s => s.touch_session(id, at).await)
    }
    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        dispatch!(self, s => s.delete_session(id).await)
    }
    async fn delete_sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<u64> {
        dispatch!(self, s => s.delete_sessions_of(org, technician).await)
    }
    async fn sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<Vec<Session>> {
        dispatch!(self, s => s.sessions_of(org, technician).await)
    }
    async fn purge_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64> {
        dispatch!(self, s => s.purge_sessions(now, idle_before).await)
    }
}

impl ThrottleStore for Store {
    async fn record_failure(
        &self,
        key: &str,
        at: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<Throttle> {
        dispatch!(self, s => s.record_failure(key, at, window_start).await)
    }
    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>> {
        dispatch!(self, s => s.throttle(key).await)
    }
    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        dispatch!(self, s => s.clear_throttle(key).await)
    }
}

impl AuditStore for Store {
    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<AuditEntry> {
        dispatch!(self, s => s.append_audit(entry).await)
    }
    async fn audit_entries(
        &self,
        org: OrgId,
        filter: &AuditFilter,
    ) -> StoreResult<Vec<AuditEntry>> {
        dispatch!(self, s => s.audit_entries(org, filter).await)
    }
    async fn audit_chain(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        dispatch!(self, s => s.audit_chain(after_seq, limit).await)
    }
}

impl SealedStore for Store {
    async fn key_canaries(&self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        dispatch!(self, s => s.key_canaries().await)
    }
    async fn add_key_canary(&self, key_id: &str, sealed: &[u8]) -> StoreResult<()> {
        dispatch!(self, s => s.add_key_canary(key_id, sealed).await)
    }
    async fn sealed_values(
        &self,
        column: SealedColumn,
        after_row: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>> {
        dispatch!(self, s => s.sealed_values(column, after_row, limit).await)
    }
    async fn reseal(
        &self,
        column: SealedColumn,
        row_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.reseal(column, row_id, old, new).await)
    }
}
