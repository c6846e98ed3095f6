//! The store traits for [`Store`], each call forwarded to the backend it wraps.

use crate::chain::AuditKey;
use crate::model::*;
use crate::{
    AuditStore, BrandingStore, InviteStore, JobStore, MessageStore, OrgStore, SealedStore,
    SessionStore, Store, StoreResult, TechnicianStore, ThrottleStore, dispatch,
};
use countersign_domain::{
    InviteId, JobId, MessageId, OrgId, Permissions, Role, SessionId, TechnicianId, Timestamp,
};

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
    async fn change_keeping_an_admin(
        &self,
        org: OrgId,
        id: TechnicianId,
        change: TechnicianChange,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.change_keeping_an_admin(org, id, change).await)
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
    async fn set_permissions(
        &self,
        org: OrgId,
        id: TechnicianId,
        permissions: &Permissions,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.set_permissions(org, id, permissions).await)
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
    async fn session_with_owner(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(Session, Technician, Org)>> {
        dispatch!(self, s => s.session_with_owner(token_hash).await)
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
    async fn reserve_attempt(
        &self,
        key: &str,
        at: Timestamp,
        rule: &LockRule,
    ) -> StoreResult<Option<Throttle>> {
        dispatch!(self, s => s.reserve_attempt(key, at, rule).await)
    }
    async fn release_attempt(&self, key: &str, at: Timestamp, rule: &LockRule) -> StoreResult<()> {
        dispatch!(self, s => s.release_attempt(key, at, rule).await)
    }
    async fn clear_throttles_with_prefix(&self, prefix: &str) -> StoreResult<u64> {
        dispatch!(self, s => s.clear_throttles_with_prefix(prefix).await)
    }
    async fn remember_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
        at: Timestamp,
        keep: u32,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.remember_sign_in_address(org, technician, address_hash, at, keep).await)
    }
    async fn is_known_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.is_known_sign_in_address(org, technician, address_hash).await)
    }
}

impl AuditStore for Store {
    async fn append_audit(&self, key: &AuditKey, entry: &NewAuditEntry) -> StoreResult<AuditEntry> {
        dispatch!(self, s => s.append_audit(key, entry).await)
    }
    async fn append_audit_batch(
        &self,
        key: &AuditKey,
        entries: &[NewAuditEntry],
    ) -> StoreResult<Vec<AuditEntry>> {
        dispatch!(self, s => s.append_audit_batch(key, entries).await)
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
    async fn audit_tail(&self) -> StoreResult<Option<AuditEntry>> {
        dispatch!(self, s => s.audit_tail().await)
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

impl JobStore for Store {
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool> {
        dispatch!(self, s => s.enqueue_job(job).await)
    }
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        dispatch!(self, s => s.claim_jobs(worker, now, lease_until, limit).await)
    }
    async fn complete_job(&self, id: JobId, worker: &str) -> StoreResult<bool> {
        dispatch!(self, s => s.complete_job(id, worker).await)
    }
    async fn retry_job_later(
        &self,
        id: JobId,
        worker: &str,
        run_at: Timestamp,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.retry_job_later(id, worker, run_at, error, now).await)
    }
    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.bury_job(id, worker, error, now).await)
    }
    async fn jobs(&self, org: OrgId, state: Option<JobState>, limit: i64) -> StoreResult<Vec<Job>> {
        dispatch!(self, s => s.jobs(org, state, limit).await)
    }
    async fn job(&self, org: OrgId, id: JobId) -> StoreResult<Job> {
        dispatch!(self, s => s.job(org, id).await)
    }
    async fn requeue_dead_job(&self, org: OrgId, id: JobId, now: Timestamp) -> StoreResult<()> {
        dispatch!(self, s => s.requeue_dead_job(org, id, now).await)
    }
    async fn delete_job(&self, org: OrgId, id: JobId) -> StoreResult<()> {
        dispatch!(self, s => s.delete_job(org, id).await)
    }
    async fn job_counts(&self, org: OrgId) -> StoreResult<JobCounts> {
        dispatch!(self, s => s.job_counts(org).await)
    }
}

impl MessageStore for Store {
    async fn queue_message(
        &self,
        message: &NewMessage,
        job: Option<&NewJob>,
    ) -> StoreResult<(Message, bool)> {
        dispatch!(self, s => s.queue_message(message, job).await)
    }
    async fn message(&self, org: OrgId, id: MessageId) -> StoreResult<Message> {
        dispatch!(self, s => s.message(org, id).await)
    }
    async fn message_by_key(&self, org: OrgId, key: &str) -> StoreResult<Option<Message>> {
        dispatch!(self, s => s.message_by_key(org, key).await)
    }
    async fn messages(&self, org: OrgId, filter: &MessageFilter) -> StoreResult<Vec<Message>> {
        dispatch!(self, s => s.messages(org, filter).await)
    }
    async fn message_events(&self, org: OrgId, id: MessageId) -> StoreResult<Vec<MessageEvent>> {
        dispatch!(self, s => s.message_events(org, id).await)
    }
    async fn begin_attempt(
        &self,
        org: OrgId,
        id: MessageId,
        at: Timestamp,
    ) -> StoreResult<Option<Message>> {
        dispatch!(self, s => s.begin_attempt(org, id, at).await)
    }
    async fn transition_message(
        &self,
        org: OrgId,
        id: MessageId,
        transition: &Transition,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.transition_message(org, id, transition).await)
    }
    async fn transition_by_provider_id(
        &self,
        transport: TransportKind,
        provider_id: &str,
        transition: &Transition,
    ) -> StoreResult<Option<(OrgId, MessageId)>> {
        dispatch!(self, s => s.transition_by_provider_id(transport, provider_id, transition).await)
    }
    async fn set_sms_opt_out(
        &self,
        org: OrgId,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.set_sms_opt_out(org, phone, opted_out, keyword, at).await)
    }
    async fn sms_opted_out(&self, org: OrgId, phone: &str) -> StoreResult<bool> {
        dispatch!(self, s => s.sms_opted_out(org, phone).await)
    }
    async fn record_inbound_consent(
        &self,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<u64> {
        dispatch!(self, s => s.record_inbound_consent(phone, opted_out, keyword, at).await)
    }
}

impl BrandingStore for Store {
    async fn branding(&self, org: OrgId) -> StoreResult<Option<Branding>> {
        dispatch!(self, s => s.branding(org).await)
    }
    async fn save_branding(&self, branding: &Branding) -> StoreResult<()> {
        dispatch!(self, s => s.save_branding(branding).await)
    }
}

// The contact directory.
use crate::directory::{
    Contact, ContactChange, ContactEdit, ContactQuery, Customer, CustomerSummary, PodSettings,
    SourceKind, SyncedContact, UpsertOutcome, Verification, VerificationEntry,
};
use crate::{ContactStore, CustomerStore, PodStore, VerificationStore};
use countersign_domain::{ContactId, Country, CustomerId};

impl CustomerStore for Store {
    async fn create_customer(&self, customer: &Customer) -> StoreResult<()> {
        dispatch!(self, s => s.create_customer(customer).await)
    }
    async fn customer(&self, org: OrgId, id: CustomerId) -> StoreResult<Customer> {
        dispatch!(self, s => s.customer(org, id).await)
    }
    async fn update_customer(
        &self,
        org: OrgId,
        id: CustomerId,
        name: &str,
        default_country: Option<Country>,
    ) -> StoreResult<()> {
        dispatch!(self, s => s.update_customer(org, id, name, default_country).await)
    }
    async fn upsert_synced_customer(
        &self,
        org: OrgId,
        source: SourceKind,
        external_id: &str,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<Customer> {
        dispatch!(self, s => s.upsert_synced_customer(org, source, external_id, name, at).await)
    }
    async fn customers(
        &self,
        org: OrgId,
        after: Option<(&str, CustomerId)>,
        limit: i64,
    ) -> StoreResult<Vec<CustomerSummary>> {
        dispatch!(self, s => s.customers(org, after, limit).await)
    }
    async fn customers_by_ids(&self, org: OrgId, ids: &[CustomerId]) -> StoreResult<Vec<Customer>> {
        dispatch!(self, s => s.customers_by_ids(org, ids).await)
    }
    async fn set_tenant_country(
        &self,
        org: OrgId,
        id: CustomerId,
        country: Option<Country>,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.set_tenant_country(org, id, country).await)
    }
}

impl crate::PhoneStore for Store {
    async fn contacts_with_mobile(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
    ) -> StoreResult<Vec<Contact>> {
        dispatch!(self, s => s.contacts_with_mobile(org, customer, source).await)
    }
    async fn set_mobile_e164s(
        &self,
        org: OrgId,
        changes: &[(ContactId, Option<String>)],
        at: Timestamp,
    ) -> StoreResult<u64> {
        dispatch!(self, s => s.set_mobile_e164s(org, changes, at).await)
    }
}

impl ContactStore for Store {
    async fn create_contact(&self, contact: &Contact) -> StoreResult<()> {
        dispatch!(self, s => s.create_contact(contact).await)
    }
    async fn contact(&self, org: OrgId, id: ContactId) -> StoreResult<Contact> {
        dispatch!(self, s => s.contact(org, id).await)
    }
    async fn update_contact(
        &self,
        org: OrgId,
        id: ContactId,
        edit: &ContactEdit,
        technician: Option<TechnicianId>,
        at: Timestamp,
    ) -> StoreResult<Contact> {
        dispatch!(self, s => s.update_contact(org, id, edit, technician, at).await)
    }
    async fn delete_contact(&self, org: OrgId, id: ContactId) -> StoreResult<()> {
        dispatch!(self, s => s.delete_contact(org, id).await)
    }
    async fn search_contacts(&self, org: OrgId, query: &ContactQuery) -> StoreResult<Vec<Contact>> {
        dispatch!(self, s => s.search_contacts(org, query).await)
    }
    async fn upsert_synced_contacts(
        &self,
        org: OrgId,
        customer: CustomerId,
        source: SourceKind,
        batch: &[SyncedContact],
        at: Timestamp,
    ) -> StoreResult<UpsertOutcome> {
        dispatch!(self, s => s.upsert_synced_contacts(org, customer, source, batch, at).await)
    }
    async fn contact_changes(
        &self,
        org: OrgId,
        id: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<ContactChange>> {
        dispatch!(self, s => s.contact_changes(org, id, limit).await)
    }
}

impl VerificationStore for Store {
    async fn record_verification(&self, v: &Verification) -> StoreResult<()> {
        dispatch!(self, s => s.record_verification(v).await)
    }
    async fn verifications(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<VerificationEntry>> {
        dispatch!(self, s => s.verifications(org, contact, limit).await)
    }
    async fn last_verified(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> StoreResult<Vec<(ContactId, Timestamp)>> {
        dispatch!(self, s => s.last_verified(org, contacts).await)
    }
}

impl PodStore for Store {
    async fn pod_settings(&self, org: OrgId) -> StoreResult<PodSettings> {
        dispatch!(self, s => s.pod_settings(org).await)
    }
    async fn save_pod_settings(&self, settings: &PodSettings) -> StoreResult<()> {
        dispatch!(self, s => s.save_pod_settings(settings).await)
    }
    async fn set_pod_only(&self, org: OrgId, id: TechnicianId, pod_only: bool) -> StoreResult<()> {
        dispatch!(self, s => s.set_pod_only(org, id, pod_only).await)
    }
    async fn is_pod_only(&self, org: OrgId, id: TechnicianId) -> StoreResult<bool> {
        dispatch!(self, s => s.is_pod_only(org, id).await)
    }
}
